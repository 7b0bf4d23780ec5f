"""Correspondances (console/ui/views/mappings.py) as an accountant uses it."""
from __future__ import annotations

import json

from ecluse.services import mappings, pennylane_lists
from tests.test_pennylane_lists import ENV_VAR as PL_ENV, TOKEN as PL_TOKEN
from tests.test_pennylane_lists import emu as company  # noqa: F401 (the company's lists, in the emulator)
from tests.test_ui_pages import assert_clean, open_app
from tests.ui_fixtures import fresh_synced_workspace, use_workspace  # noqa: F401


def test_vat_codes_are_offered_with_their_rate_france_first(fresh_synced_workspace, use_workspace):
    use_workspace(fresh_synced_workspace)
    at = open_app("mappings")
    assert_clean(at)
    picker = at.selectbox(key="mp_vat_add_code")
    # as Revue's Corriger offers them: "FR_200 — 20 %", not a bare list from AD_10 on
    assert picker.options[0].startswith("FR_")
    assert "FR_200 — 20 %" in [o.replace("\u00a0", " ") for o in picker.options]
    assert "mixed" in picker.options  # a code that says no rate stays bare


# -- what the Pennylane company has: its categories and ledger accounts ---------------------------
def editor(at, column: str):
    """The data editor that has this column (its value, and its columns' configuration)."""
    frame = next(d for d in at.dataframe if column in d.value.columns)
    return frame, json.loads(frame.proto.columns)


def test_categories_and_accounts_are_checked_against_what_pennylane_has(fresh_synced_workspace, use_workspace,
                                                                        company, monkeypatch):
    ws = use_workspace(fresh_synced_workspace)
    hints = [r["hint"] for r in mappings.ledger_accounts(ws) if r["hint"] not in (None, "*")]
    mappings.set_ledger_account(ws, hints[0], "706000")
    mappings.set_ledger_account(ws, hints[1], "706999")  # a typo: Pennylane has no such account
    mappings.set_ledger_account(ws, "*", "471000")  # nor this fallback
    mappings.set_category(ws, "demo:sales", "Prestation de service")  # a typo too
    at = open_app("mappings")
    # a new workspace simulates: nothing is read, the category is typed by hand
    assert at.button(key="mp_pl_refresh").disabled
    assert any("simulation" in c.value and "rien n'est lu de Pennylane" in c.value for c in at.caption)
    assert any("une fois Pennylane connecté" in c.value for c in at.caption)
    _frame, columns = editor(at, "source_categories")
    assert columns["category"]["type_config"]["type"] == "text"
    assert not company.log

    monkeypatch.setenv(PL_ENV, PL_TOKEN)
    ws.set_pennylane(api_url=company.api_url, token=f"env:{PL_ENV}", dry_run=False)
    at.run()
    assert any("pas encore été lus" in m.value for m in at.markdown)
    at.button(key="mp_pl_refresh").click().run()
    assert_clean(at)
    assert any("Listes de Pennylane actualisées : 2 catégories, 2 comptes comptables." in s.value for s in at.success)
    assert any(m.value.startswith("Listes de Pennylane lues le ") for m in at.markdown)

    frame, columns = editor(at, "source_categories")
    assert columns["category"]["type_config"]["type"] == "selectbox"  # Pennylane's labels, each with its group
    assert columns["category"]["type_config"]["options"] == [
        {"value": "Formation", "label": "Formation — Types de prestations"},
        {"value": "Prestations de services", "label": "Prestations de services — Types de prestations"},
        {"value": "Prestation de service", "label": "Prestation de service"}]  # the current value, kept
    sales = list(frame.value["key"]).index("demo:sales")
    assert frame.value["category"].iloc[sales] == "Prestation de service"  # kept, and flagged
    assert frame.value["state"].iloc[sales].startswith("Inconnue de Pennylane")
    assert any("inconnue de Pennylane" in w.value and "importée sans catégorie" in w.value for w in at.warning)

    frame, _columns = editor(at, "hint")
    by_hint = dict(zip(frame.value["hint"], frame.value["pennylane"]))
    assert by_hint[hints[0]] == "Prestations de services"
    assert by_hint[hints[1]] == "Absent de Pennylane"
    assert any("`706999`" in w.value and "mise **En attente**" in w.value for w in at.warning)
    assert any("`471000`" in w.value and "**toutes** les factures sont mises En attente" in w.value for w in at.warning)
    assert not any("`471000`" in w.value and "`706999`" in w.value for w in at.warning)

    # picked from the list: saved as Pennylane's label, no longer flagged
    at.session_state[f"mp_categories_{at.session_state['mp_version_categories']}"] = {
        "edited_rows": {sales: {"category": "Prestations de services"}}, "added_rows": [], "deleted_rows": []}
    at.button(key="mp_save_categories").click().run()
    assert ws.mappings()["categories"]["demo:sales"] == "Prestations de services"
    frame, _columns = editor(at, "source_categories")
    assert frame.value["state"].iloc[sales] == ""


def test_a_refused_token_is_said_and_the_page_keeps_working(fresh_synced_workspace, use_workspace, company,
                                                            monkeypatch):
    ws = use_workspace(fresh_synced_workspace)
    monkeypatch.setenv(PL_ENV, "pl-revoked-mappings-token-91c2e8")  # unknown to Pennylane
    ws.set_pennylane(api_url=company.api_url, token=f"env:{PL_ENV}", dry_run=False)
    at = open_app("mappings")
    at.button(key="mp_pl_refresh").click().run()
    assert_clean(at)
    assert any(e.value.startswith("Les listes de Pennylane n'ont pas pu être lues : Pennylane refuse le jeton (HTTP 401)")
               for e in at.error)
    assert pennylane_lists.load(ws) is None
    assert any("une fois Pennylane connecté" in c.value for c in at.caption)
