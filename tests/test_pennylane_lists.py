"""The Pennylane company's categories and ledger accounts, read for the Mappings page
(services/pennylane_lists.py), against the Pennylane emulator."""
from __future__ import annotations

import pytest

from ecluse.services import pennylane_lists
from ecluse.workspace import WorkspaceError
from tests.emulators.pennylane import PennylaneEmulator

TOKEN = "pl-lists-token-7c1e94ad"
ENV_VAR = "ECLUSE_TEST_PL_LISTS_TOKEN"


@pytest.fixture
def emu():
    with PennylaneEmulator(token=TOKEN, rate_limit=(100, 1.0)) as e:
        services = e.add_category_group("Types de prestations")
        e.add_category("Prestations de services", group_id=services["id"])
        e.add_category("Formation", group_id=services["id"])
        e.add_ledger_account("706000", "Prestations de services")
        e.add_ledger_account("401ACME", "Fournisseur Acme")
        yield e
        assert not e.violations and not e.response_violations


@pytest.fixture
def live(workspace, emu, monkeypatch):
    monkeypatch.setenv(ENV_VAR, TOKEN)
    workspace.set_pennylane(api_url=emu.api_url, token=f"env:{ENV_VAR}", dry_run=False)
    return workspace


def test_refresh_reads_categories_with_their_group_and_the_chart_and_keeps_them(live, emu):
    assert pennylane_lists.load(live) is None
    lists = pennylane_lists.refresh(live)
    assert lists.category_labels() == ["Formation", "Prestations de services"]
    assert lists.category_group("Formation") == "Types de prestations"
    assert lists.has_account("706000") and not lists.has_account("706999")
    assert lists.account_label("401ACME") == "Fournisseur Acme"
    asked = len(emu.log)
    assert {e.path.rsplit("/", 1)[-1] for e in emu.log} == {"categories", "category_groups", "ledger_accounts"}
    kept = pennylane_lists.load(live)  # another page load, no request
    assert kept == lists and kept.fetched_at.tzinfo is not None and len(emu.log) == asked
    text = (live.path / pennylane_lists.FILE).read_text(encoding="utf-8")
    assert TOKEN not in text and "Prestations de services" in text
    # another destination (URL or token): what was read from the first one is not shown
    live.set_pennylane(token="pl-other-company-token-55ab")
    assert pennylane_lists.load(live) is None


def test_nothing_is_read_in_a_dry_run_or_without_a_token(workspace, emu, monkeypatch):
    assert pennylane_lists.unavailable(workspace) == {"reason": "dry_run"}  # a new workspace simulates
    workspace.set_pennylane(api_url=emu.api_url, dry_run=False)
    assert pennylane_lists.unavailable(workspace) == {"reason": "no_token"}
    workspace.set_pennylane(token=f"env:{ENV_VAR}")
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert pennylane_lists.unavailable(workspace) == {"reason": "env_unset", "var": ENV_VAR}
    with pytest.raises(WorkspaceError):
        pennylane_lists.refresh(workspace)
    assert not emu.log, "nothing was asked of Pennylane"


def test_a_refused_token_or_an_unreachable_pennylane_is_said_and_keeps_the_lists(live, emu):
    kept = pennylane_lists.refresh(live)
    emu.add_category("Nouvelle")
    live.set_pennylane(token="pl-revoked-token-0d3f2a91")  # a token Pennylane does not know
    with pytest.raises(pennylane_lists.ListsError) as refused:
        pennylane_lists.refresh(live)
    assert refused.value.said.code == "send.unauthorized" and refused.value.said.params["status"] == 401
    live.set_pennylane(token=f"env:{ENV_VAR}")
    emu.inject("GET", r"/ledger_accounts", "drop_before")
    with pytest.raises(pennylane_lists.ListsError) as unreachable:
        pennylane_lists.refresh(live, max_retries=0)
    assert unreachable.value.said.code == "send.unreachable"
    assert pennylane_lists.load(live) == kept, "a failed refresh leaves the lists read before"


def test_the_cli_reads_the_lists_and_says_what_the_mappings_name_that_pennylane_lacks(live, emu, monkeypatch):
    """`ecluse mappings pennylane`: the Mappings page's button and flags, from the command line."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from ecluse.services import mappings

    env = {**os.environ, ENV_VAR: TOKEN}
    binary = str(Path(sys.executable).parent / "ecluse")

    def cli(*args):
        return subprocess.run([binary, "-w", str(live.path), "mappings", "pennylane", *args],
                              capture_output=True, text=True, env=env, timeout=120)

    never = cli()
    assert never.returncode == 1 and "never read from this destination" in never.stderr
    mappings.set_ledger_account(live, "706", "706000")
    clean = cli("--refresh", "--json")
    assert clean.returncode == 0, clean.stderr
    listed = json.loads(clean.stdout)
    assert [c["label"] for c in listed["categories"]] == ["Formation", "Prestations de services"]
    assert listed["accounts_absent"] == [] and listed["fallback_absent"] is None and listed["categories_unknown"] == []
    mappings.set_ledger_account(live, "707", "706999")  # a typo
    mappings.set_ledger_account(live, "*", "471000")  # not in the chart either
    mappings.set_category(live, "acme:sales", "Formations")  # Pennylane says "Formation"
    flagged = cli()  # what was read before: no request
    assert flagged.returncode == 1
    assert "mapped account 706999 is not in Pennylane's chart: an invoice needing it is held at the send" in flagged.stdout
    assert "the fallback account * (471000) is not in Pennylane's chart: every invoice is held" in flagged.stdout
    assert "category 'Formations' is not among Pennylane's: its invoices go without it" in flagged.stdout
    assert TOKEN not in flagged.stdout + flagged.stderr
    env[ENV_VAR] = "pl-revoked-token-0d3f2a91"
    refused = cli("--refresh")
    assert refused.returncode == 1 and "could not be read from Pennylane" in refused.stderr
    assert "pl-revoked-token-0d3f2a91" not in refused.stderr
