"""Correspondances (console/ui/views/mappings.py) as an accountant uses it."""
from __future__ import annotations

import json

from ecluse import i18n
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



def test_a_zero_rate_sale_abroad_has_its_own_rows(fresh_synced_workspace, use_workspace):
    """The demo's 0 % sales to EU businesses and abroad are counted apart, each with its code
    and where it comes from said; a mapping saved for a zone shows as such."""
    ws = use_workspace(fresh_synced_workspace)
    assert mappings.apply(ws, "vat", {"0:export": "exempt"}) == {}
    at = open_app("mappings")
    assert_clean(at)
    frame, _ = editor(at, "with_code")
    rows = {r["shown"]: (r["default"], r["code"]) for r in frame.value.to_dict("records")}
    assert rows["0 % client entreprise UE"] == ("crossborder", "")
    assert rows["0 % client hors UE"] == ("extracom", "exempt")
    assert rows["0"] == ("exempt", "")
    assert any("crossborder (autoliquidation)" in c.value and "extracom (export)" in c.value for c in at.caption)
    assert not any("Votre correspondance du taux 0 %" in w.value for w in at.warning)
    # A workspace that mapped 0 % (before zones existed) is told it no longer covers sales abroad.
    assert mappings.apply(ws, "vat", {"0": "exempt"}) == {}
    at = open_app("mappings")
    [said] = [w.value for w in at.warning if "Votre correspondance du taux 0 %" in w.value]
    assert "(exempt)" in said and "0 % client entreprise UE → crossborder" in said and "hors UE" not in said


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
    assert any("`706999`" in w.value and "mise **En attente**" in w.value
               and "approuvez-la de nouveau dans Revue" in w.value for w in at.warning)
    assert any("`471000`" in w.value and "ni compte propre (corrigé dans Revue) ni code associé" in w.value
               and "celles dont chaque ligne a son compte partent" in w.value for w in at.warning)
    assert not any("simulation" in i.value for i in at.info)  # a live destination: no dry-run note
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


def test_in_a_simulation_the_flags_are_said_for_a_live_send(fresh_synced_workspace, use_workspace, company,
                                                            monkeypatch):
    """A dry run accepts every account and category (send._Placeholders): lists read earlier
    flag what a live send would do, never that the simulation holds anything."""
    ws = use_workspace(fresh_synced_workspace)
    hint = next(r["hint"] for r in mappings.ledger_accounts(ws) if r["hint"] not in (None, "*"))
    mappings.set_ledger_account(ws, hint, "706999")  # not in Pennylane
    mappings.set_category(ws, "demo:sales", "Prestation de service")  # nor this
    monkeypatch.setenv(PL_ENV, PL_TOKEN)
    ws.set_pennylane(api_url=company.api_url, token=f"env:{PL_ENV}", dry_run=False)
    pennylane_lists.refresh(ws)
    ws.set_pennylane(dry_run=True)
    at = open_app("mappings")
    assert_clean(at)
    notes = [i.value for i in at.info if "simulation" in i.value]
    assert notes and all("valent pour un envoi réel" in n for n in notes)
    assert any("`706999`" in w.value and "En envoi réel, une facture" in w.value for w in at.warning)
    assert any("inconnue de Pennylane" in w.value and "En envoi réel, la facture est importée" in w.value
               for w in at.warning)
    frame, _columns = editor(at, "source_categories")
    sales = list(frame.value["key"]).index("demo:sales")
    assert frame.value["state"].iloc[sales] == "Inconnue de Pennylane : en envoi réel, la facture part sans catégorie"


def test_a_category_label_two_groups_share_is_flagged(fresh_synced_workspace, use_workspace, company, monkeypatch):
    ws = use_workspace(fresh_synced_workspace)
    internal = company.add_category_group("Formations internes")
    company.add_category("Formation", group_id=internal["id"])
    mappings.set_category(ws, "demo:sales", "Formation")
    monkeypatch.setenv(PL_ENV, PL_TOKEN)
    ws.set_pennylane(api_url=company.api_url, token=f"env:{PL_ENV}", dry_run=False)
    pennylane_lists.refresh(ws)
    at = open_app("mappings")
    assert_clean(at)
    frame, columns = editor(at, "source_categories")
    offered = {o["value"]: o["label"] for o in columns["category"]["type_config"]["options"]}
    assert list(offered).count("Formation") == 1  # offered once, naming both groups
    assert set(offered["Formation"].split(" — ")[1].split(" / ")) == {"Types de prestations", "Formations internes"}
    sales = list(frame.value["key"]).index("demo:sales")
    assert frame.value["state"].iloc[sales].startswith("Ambiguë : 2 catégories de Pennylane portent ce libellé (")
    assert any("`Formation` (" in w.value and "Formations internes" in w.value
               and "la facture part sans catégorie, avec un avertissement" in w.value for w in at.warning)
    # the header counts categories (3), the picker labels (2): it says both, and agrees
    assert any(m.value.startswith("Listes de Pennylane lues le ") and ": 3 catégories," in m.value for m in at.markdown)
    assert any(c.value == "Choisissez parmi les 2 libellés des 3 catégories de Pennylane, chacun avec son groupe "
               "(un libellé que plusieurs groupes partagent les nomme tous)." for c in at.caption)
    # a side whose category is ambiguous gets none at a live send: counted as without one
    # (sales: ambiguous; purchases: none)
    assert next(m for m in at.metric if m.label == "Ventes ou achats sans catégorie").value == "2"
    said = next(m for m in at.metric if m.label == "Ventes ou achats sans catégorie").help
    assert "inconnue de Pennylane ou ambiguë" in said
    # and it says what it counted, the ambiguous choice named
    assert ("Compté ici : 1 sans catégorie, 0 avec une catégorie inconnue de Pennylane, 1 avec un choix ambigu"
            in said)
    # the long labels of an ambiguous choice are given room
    assert columns["category"]["width"] == "large" and columns["state"]["width"] == "large"


def test_one_category_is_said_in_good_french():
    from ecluse import i18n

    said = i18n.t("map.pl_categories_known", "fr", n=1)
    assert said == "Choisissez la seule catégorie de Pennylane (avec son groupe)."
    assert i18n.t("map.pl_categories_known", "en", n=1) == "Pick Pennylane's only category (with its group)."


def test_a_damaged_secrets_file_does_not_take_the_page_down(fresh_synced_workspace, use_workspace, company):
    ws = use_workspace(fresh_synced_workspace)
    ws.set_pennylane(api_url=company.api_url, dry_run=False)
    ws.secrets_path.write_text('[pennylane\ntoken = "pl-\n', encoding="utf-8")  # not TOML
    at = open_app("mappings")
    assert_clean(at)
    assert at.button(key="mp_pl_refresh").disabled
    assert any("`secrets.toml`" in c.value and "n'est pas un TOML valide" in c.value for c in at.caption)
    assert at.button(key="mp_save_ledger")  # the mappings still work


def test_codes_served_through_a_part_say_which_account_they_get(fresh_synced_workspace, use_workspace, company,
                                                                monkeypatch):
    """Harvest's codes are made of parts (kind:Service|project:P1): the parts come first, kind:
    ahead, count what they serve, and every code served through one says the account it gets,
    with that account's label in Pennylane (absent, disabled)."""
    ws = use_workspace(fresh_synced_workspace)
    with ws.db.write() as con:
        con.execute("UPDATE lines SET accounting_hint = 'kind:Service|project:P1' WHERE accounting_hint = '706'")
        con.execute("UPDATE lines SET accounting_hint = 'kind:Product|project:P2' WHERE accounting_hint = '707'")
        con.execute("UPDATE lines SET accounting_hint = 'kind:Product' WHERE accounting_hint = '6256'")
        service = con.execute("SELECT count(*), count(DISTINCT document_id) FROM lines "
                              "WHERE accounting_hint = 'kind:Service|project:P1'").fetchone()
        product = con.execute("SELECT count(*), count(DISTINCT document_id) FROM lines "
                              "WHERE accounting_hint LIKE 'kind:Product%'").fetchone()
    company.add_ledger_account("704000", "Travaux", enabled=False)
    mappings.set_ledger_account(ws, "kind:Service", "706999")  # not in Pennylane
    mappings.set_ledger_account(ws, "kind:Product", "704000")  # disabled there
    monkeypatch.setenv(PL_ENV, PL_TOKEN)
    ws.set_pennylane(api_url=company.api_url, token=f"env:{PL_ENV}", dry_run=False)
    lists = pennylane_lists.refresh(ws)
    assert lists.flags(mappings.ledger_accounts(ws), [])["accounts_disabled"] == ["704000"]
    at = open_app("mappings")
    assert_clean(at)
    frame, columns = editor(at, "hint")
    hints = list(frame.value["hint"])
    assert hints[:4] == ["kind:Service", "kind:Product", "project:P1", "project:P2"]
    row = {h: frame.value.iloc[i] for i, h in enumerate(hints)}
    # a part counts its own lines and those of the codes made with it (the column's help says so)
    assert (row["kind:Product"]["lines"], row["kind:Product"]["documents"]) == tuple(product)
    assert (row["kind:Service"]["lines"], row["kind:Service"]["documents"]) == tuple(service)
    assert "celles des codes composés qui la contiennent" in columns["lines"]["help"]
    for code in ("project:P1", "kind:Service|project:P1"):
        # the state says what a live send finds there, on the rows that inherit the account too
        assert row[code]["state"] == ("Par kind:Service → 706999 — 706999 absent de Pennylane : "
                                      "mise En attente à l'envoi")
        assert row[code]["account"] == ""
        assert row[code]["pennylane"] == "706999 par kind:Service : Absent de Pennylane"
    assert row["project:P2"]["pennylane"] == "704000 par kind:Product : Travaux — désactivé dans Pennylane"
    assert row["kind:Product"]["pennylane"] == "Travaux — désactivé dans Pennylane"
    assert row["kind:Product"]["state"] == "Désactivé dans Pennylane"
    assert row["kind:Service"]["state"] == "Absent de Pennylane : mise En attente à l'envoi"
    assert row["project:P2"]["state"] == "Par kind:Product → 704000 — 704000 désactivé dans Pennylane"
    # long cells are given room
    assert columns["state"]["width"] == "large" and columns["pennylane"]["width"] == "large"
    # the banner lists the absent account with the rest, as the Overview's card does
    banner = next(w.value for w in at.warning if "compte associé est absent du plan comptable" in w.value)
    info = mappings.summary(ws, lists=lists)
    assert banner == i18n.todo_text(mappings.todo(info), "fr")
    assert info["accounts_absent"] == 1
    assert any("`704000`" in w.value and "désactivé dans Pennylane" in w.value for w in at.warning)
    assert not any(s == "Sans correspondance" for h, s in zip(hints, frame.value["state"])
                   if h.startswith(("kind:", "project:")))
