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
