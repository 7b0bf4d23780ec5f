"""The Pennylane company's categories and ledger accounts, read for the Mappings page
(services/pennylane_lists.py), against the Pennylane emulator."""
from __future__ import annotations

import hashlib
import json
import threading
import time

import pytest

from ecluse.services import pennylane_lists
from ecluse.workspace import Workspace, WorkspaceError
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
    assert lists.category_groups("Formation") == ["Types de prestations"] and not lists.is_ambiguous("Formation")
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


def test_lists_are_kept_for_the_destination_they_were_read_from_even_if_it_changes_meanwhile(live, emu):
    """The destination changes (another company's URL and token) while the lists are read: they
    are kept for the one they came from, never shown for the new one."""
    other_token = "pl-company-b-token-3e9a1f"
    with PennylaneEmulator(token=other_token, rate_limit=(100, 1.0)) as company_b:
        company_b.add_ledger_account("601000", "Achats B")
        emu.inject("GET", r"/ledger_accounts", "slow", delay=1.0)  # the last of the three calls
        reading = threading.Thread(target=pennylane_lists.refresh, args=(live,))
        reading.start()
        deadline = time.monotonic() + 10
        while not any(e.path.endswith("/ledger_accounts") for e in emu.log) and time.monotonic() < deadline:
            time.sleep(0.01)
        live.set_pennylane(api_url=company_b.api_url, token=other_token)  # while company A answers
        reading.join(timeout=30)
        assert not company_b.log
        assert pennylane_lists.load(live) is None, "company A's lists are not company B's"
    live.set_pennylane(api_url=emu.api_url, token=f"env:{ENV_VAR}")
    back = pennylane_lists.load(live)
    assert back is not None and back.has_account("706000") and not back.has_account("601000")


def test_nothing_derived_from_the_token_alone_is_kept_beside_ecluse_toml(live, emu, tmp_path, monkeypatch):
    """The file beside ecluse.toml (kept under version control) must be no oracle to test
    guessed tokens against: it names the destination with a key that only secrets.toml holds."""
    pennylane_lists.refresh(live)
    twin = Workspace(tmp_path / "twin")  # the same URL and token in another workspace
    twin.init()
    twin.set_pennylane(api_url=emu.api_url, token=f"env:{ENV_VAR}", dry_run=False)
    pennylane_lists.refresh(twin)
    kept = [json.loads((ws.path / pennylane_lists.FILE).read_text(encoding="utf-8"))["destination"]
            for ws in (live, twin)]
    assert kept[0] != kept[1], "not a function of the URL and token alone"
    for text in (f"{emu.api_url}\n{TOKEN}", TOKEN, f"{emu.api_url}{TOKEN}"):
        digest = hashlib.sha256(text.encode()).hexdigest()
        assert all(digest[:16] not in k for k in kept)
    key = live.local_key(pennylane_lists.KEY_NAME)
    assert key and key.hex() in live.secrets_path.read_text(encoding="utf-8")
    assert live.secrets_path.stat().st_mode & 0o777 == 0o600
    beside = "".join(p.read_text(encoding="utf-8") for p in (live.config_path, live.path / pennylane_lists.FILE))
    assert key.hex() not in beside and TOKEN not in beside
    assert pennylane_lists.load(live) is not None and pennylane_lists.load(twin) is not None
    # secrets.toml recreated (its key gone): the lists are read again, never shown for a guess
    live.secrets_path.write_text(f'[pennylane]\ntoken = "env:{ENV_VAR}"\n', encoding="utf-8")
    assert pennylane_lists.load(live) is None


def test_a_damaged_secrets_file_is_a_reason_not_a_crash(live, emu):
    pennylane_lists.refresh(live)
    live.secrets_path.write_text('[pennylane\ntoken = "pl-\n', encoding="utf-8")  # not TOML
    assert pennylane_lists.unavailable(live) == {"reason": "secrets_invalid"}
    assert pennylane_lists.load(live) is None
    with pytest.raises(WorkspaceError):
        pennylane_lists.refresh(live)


def test_a_label_two_groups_share_is_flagged_ambiguous(live, emu):
    internal = emu.add_category_group("Formations internes")
    emu.add_category("Formation", group_id=internal["id"])
    lists = pennylane_lists.refresh(live)
    assert lists.category_labels() == ["Formation", "Prestations de services"]  # offered once
    assert lists.is_ambiguous("Formation") and not lists.is_ambiguous("Prestations de services")
    rows = [{"category": "Formation"}, {"category": "Prestations de services"}]
    [ambiguous] = lists.flags([], rows)["categories_ambiguous"]
    assert ambiguous["label"] == "Formation"
    assert sorted(ambiguous["groups"]) == ["Formations internes", "Types de prestations"]


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
    assert ("mapped account 706999 is not in Pennylane's chart: a live send holds an invoice needing it"
            in flagged.stdout)
    assert ("the fallback account * (471000) is not in Pennylane's chart: a live send holds an invoice with a line "
            "that has neither an account of its own nor a mapped code") in flagged.stdout
    assert "category 'Formations' is not among Pennylane's: its invoices go without it" in flagged.stdout
    assert "dry run" not in flagged.stdout
    assert TOKEN not in flagged.stdout + flagged.stderr
    # a label two groups share: the send's {label: id} keeps one of them
    internal = emu.add_category_group("Formations internes")
    emu.add_category("Formation", group_id=internal["id"])
    mappings.set_category(live, "acme:purchases", "Formation")
    shared = cli("--refresh")
    assert shared.returncode == 1, shared.stderr
    assert "category 'Formation' is shared by several Pennylane categories (groups: " in shared.stdout
    assert "Formations internes" in shared.stdout and "a live send sends its invoices without a category, with a warning" in shared.stdout
    # a dry run accepts every account and category: the flags are said for a live send
    live.set_pennylane(dry_run=True)
    simulated = cli()
    assert simulated.returncode == 1
    assert "the destination is a dry run, which accepts every account and category" in simulated.stdout
    assert json.loads(cli("--json").stdout)["dry_run"] is True
    cannot = cli("--refresh")  # nothing can be read: a configuration to fix, as the docstring says
    assert cannot.returncode == 2 and "nothing can be read from Pennylane (dry run)" in cannot.stderr
    live.set_pennylane(dry_run=False)
    env[ENV_VAR] = "pl-revoked-token-0d3f2a91"
    refused = cli("--refresh")
    assert refused.returncode == 1 and "could not be read from Pennylane" in refused.stderr
    assert "pl-revoked-token-0d3f2a91" not in refused.stderr


def test_a_disabled_account_is_flagged_and_the_counters_count_what_a_live_send_does(live, emu):
    from ecluse.services import mappings

    emu.add_ledger_account("704000", "Travaux", enabled=False)
    internal = emu.add_category_group("Formations internes")
    emu.add_category("Formation", group_id=internal["id"])
    lists = pennylane_lists.refresh(live)
    assert lists.is_disabled("704000") and not lists.is_disabled("706000") and not lists.is_disabled("706999")
    ledger = [{"hint": "kind:Service", "account": "704000", "own_lines": 3, "state": "mapped"},
              {"hint": "kind:Product", "account": "706999", "own_lines": 2, "state": "mapped"},
              {"hint": "*", "account": "471000", "own_lines": None, "state": "mapped"}]
    cats = [{"category": "Formation", "documents": 4},  # ambiguous: the send sets none
            {"category": "Conseil", "documents": 2},  # unknown
            {"category": "Prestations de services", "documents": 1},
            {"category": None, "documents": 5}, {"category": None, "documents": 0}]
    flags = lists.flags(ledger, cats)
    assert flags["accounts_disabled"] == ["704000"]
    assert flags["accounts_absent"] == ["706999"] and flags["fallback_absent"] == "471000"
    todo = mappings.summary(live, ledger, [], cats, lists)
    assert todo["categories_missing"] == 3 and todo["accounts_absent"] == 2 and todo["accounts_disabled"] == 1
    assert [(i["code"], i["n"], i["optional"]) for i in mappings.todo(todo)][-2:] == [
        ("accounts_disabled", 1, True), ("categories_missing", 3, True)]
    unknown = mappings.summary(live, ledger, [], cats)  # the lists not known: only what has no category
    assert unknown["categories_missing"] == 1 and unknown["accounts_absent"] == 0 and unknown["accounts_disabled"] == 0
