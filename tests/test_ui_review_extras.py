"""The accountant's day in the console (AppTest, real demo connector): fixes in place,
duplicates side by side, the mappings page, reconciliation with Pennylane's confirmations,
the next document selected after a decision."""
from __future__ import annotations

import json
import re

import pytest

from ecluse import i18n
from ecluse.services import fixes, mappings, reconcile, review
from ecluse.services import sync as sync_service
from tests.test_ui_pages import assert_clean, open_app, select_rows, shown_total
from tests.ui_fixtures import ui_plugins
from tests.ui_fixtures import fresh_synced_workspace, synced_workspace, use_workspace  # noqa: F401


# -- helpers ---------------------------------------------------------------------------------
def q(ws, sql, params=()):
    with ws.db.read() as con:
        return con.execute(sql, list(params)).fetchall()


def codes(ws, doc_id):
    return {f["code"] for f in review.get_document(ws, doc_id)["findings"]}


def session(at, key, default=None):
    try:
        return at.session_state[key]
    except KeyError:
        return default


def open_document(ws, doc_id, **filters):
    """The Review page with this document alone in the list, selected."""
    doc = review.get_document(ws, doc_id)
    number = doc["number"]
    at = open_app("review")
    for name, value in filters.items():
        at.selectbox(key=f"rv_{name}.fr").set_value(value).run()
    at.text_input(key="rv_search.fr").set_value(number).run()
    grid = at.dataframe[-1].value
    row = [i for i, (n, c) in enumerate(zip(grid["Numéro"], grid["Connexion"])) if (n, c) == (number, doc["connection"])]
    assert row, f"{number} is not listed"
    select_rows(at, [row[0]])
    assert_clean(at)
    assert any(number in s.value for s in at.subheader)
    return at



def test_a_sale_without_its_client_says_client_not_supplier(fresh_synced_workspace, use_workspace):
    """A customer credit note whose client the source removed is still a sale: "Client : —"."""
    ws = use_workspace(fresh_synced_workspace)
    [(doc_id,)] = q(ws, "SELECT id FROM documents WHERE kind = 'customer_credit_note' ORDER BY id LIMIT 1")
    with ws.db.write() as con:
        con.execute("UPDATE documents SET counterparty_id = NULL WHERE id = ?", [doc_id])
    at = open_document(ws, doc_id)
    said = [m.value for m in at.markdown if m.value.startswith("**") and "—" in m.value]
    assert any("Client" in m and "Fournisseur" not in m for m in said), said


def submit(at, label):
    [button] = [b for b in at.button if b.label == label]
    button.click().run()
    assert_clean(at)
    return at


def fx_key(at, doc_id, kind, name):
    return f"fx_{kind}_{doc_id}_{session(at, 'fx_version', 0)}_{name}"


# -- fixes in place --------------------------------------------------------------------------
def test_fixing_the_address_through_the_form_clears_the_error(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    # one finding per missing address: the connector's words when it said why, else validation's
    [(doc_id,)] = q(ws, "SELECT document_id FROM findings WHERE field = 'counterparty.address' AND severity = 'error' "
                        "ORDER BY document_id LIMIT 1")
    cp_id = review.get_document(ws, doc_id)["counterparty_id"]
    shared = q(ws, "SELECT count(*) FROM documents WHERE counterparty_id = ?", [cp_id])[0][0]
    at = open_document(ws, doc_id)
    assert any(f"({shared} dans le cache)" in c.value for c in at.caption), "the form says the fix is shared"
    values = {"street": "3 rue Lafayette", "postal_code": "75009", "city": "Paris", "country_alpha2": "FR"}
    for name, value in values.items():
        at.text_input(key=fx_key(at, doc_id, "cp", f"counterparty.address.{name}")).set_value(value)
    submit(at, "Enregistrer le tiers")
    assert not q(ws, "SELECT code FROM findings WHERE document_id = ? AND field = 'counterparty.address'", [doc_id])
    doc = review.get_document(ws, doc_id)
    assert (doc["counterparty"]["street"], doc["counterparty"]["postal_code"]) == ("3 rue Lafayette", "75009")
    fixed = [h for h in doc["history"] if h["action"] == "fix"]
    assert fixed and {h["actor"] for h in fixed} == {"ui-tester"}
    assert ("counterparty.address.street", '"3 rue Lafayette"') in {(h["field"], h["new_value"]) for h in fixed}
    assert any(re.search(r"^\d+ corrections? enregistrées? ;", s.value) for s in at.success)
    # The same document stays open, its fixes listed (shared with the counterparty's documents).
    assert any(doc["number"] in s.value for s in at.subheader)
    assert any("Adresse : rue → **3 rue Lafayette**" in m.value and "tous les documents du tiers" in m.value
               for m in at.markdown)


def test_corriger_names_the_default_category_of_the_documents_side(fresh_synced_workspace, use_workspace):
    from ecluse.services import mappings

    ws = use_workspace(fresh_synced_workspace)
    [(sale,)] = q(ws, "SELECT id FROM documents WHERE kind = 'customer_invoice' ORDER BY id LIMIT 1")
    [(purchase,)] = q(ws, "SELECT id FROM documents WHERE kind = 'supplier_invoice' ORDER BY id LIMIT 1")
    assert mappings.apply(ws, "categories", {"demo:sales": "Prestations de services"}) == {}
    captions = [c.value for c in open_document(ws, sale).caption]
    assert "Catégorie par défaut des ventes de la connexion : Prestations de services (page Correspondances)." in captions
    captions = [c.value for c in open_document(ws, purchase).caption]
    assert "Aucune catégorie par défaut pour les achats de cette connexion (page Correspondances)." in captions


def test_a_ledger_account_and_vat_code_fixed_on_a_line_show_in_the_lines(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    first, _ = review.list_documents(ws, review.Filters(findings="clean"), limit=1)
    doc_id = first[0]["id"]
    at = open_document(ws, doc_id, findings="clean")
    ledger = at.text_input(key=f"fx_ln_{doc_id}_1_{session(at, 'fx_version', 0)}_ledger")
    assert ledger.proto.placeholder.startswith("par exemple "), "an example, not a value already set"
    ledger.set_value("abc")
    submit(at, "Enregistrer la ligne 1")
    assert any("« abc » n'est pas un numéro de compte comptable" in e.value.replace("\u00a0", " ")
               for e in at.error), "refused in French, with the expected form"
    assert not fixes.list_fixes(ws, doc_id)
    version = session(at, "fx_version", 0)
    at.text_input(key=f"fx_ln_{doc_id}_1_{version}_ledger").set_value("706100")
    at.selectbox(key=f"fx_ln_{doc_id}_1_{version}_vat").set_value("FR_100")
    submit(at, "Enregistrer la ligne 1")
    line = review.get_document(ws, doc_id)["lines"][0]
    assert (line["ledger_account"], line["vat_code"]) == ("706100", "FR_100")
    lines = lines_shown(at)
    assert lines.iloc[0]["Compte Pennylane"] == "706100 (corrigé)"
    assert lines.iloc[0]["Code TVA Pennylane"] == "FR_100 (corrigé)"
    assert lines.iloc[0]["Code comptable (source)"] == (doc_line_hint(ws, doc_id, 0) or "—")  # the source's, kept
    # what the send gives each line right after its label: the column is narrow (the PDF beside it)
    assert list(lines.columns[:3]) == ["Libellé", "Compte Pennylane", "Code TVA Pennylane"]
    assert list(lines.columns[3:7]) == ["Total HT", "Taux TVA", "TVA", "Total TTC"]
    assert at.text_input(key=f"fx_ln_{doc_id}_1_{session(at, 'fx_version')}_ledger").value == "706100"


def doc_line_hint(ws, doc_id, index):
    """The source's accounting code of a line (fixes leave it as it is)."""
    return review.get_document(ws, doc_id)["lines"][index]["accounting_hint"]


def lines_shown(at):
    [lines] = [d.value for d in at.dataframe if "Compte Pennylane" in d.value.columns]
    return lines


def link_after(at, text):
    """The page a page link right after the alert saying `text` opens, or None."""
    found = []

    def walk(node):
        children = list(getattr(node, "children", {}).values())
        for here, after in zip(children, children[1:]):
            if text in str(getattr(here, "value", "")) and getattr(after, "type", None) == "page_link":
                found.append(after.proto.page)
        for child in children:
            walk(child)

    walk(at.main)
    return found[0] if found else None


def test_the_lines_say_the_pennylane_account_each_will_be_sent_to(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    [(doc_id,)] = q(ws, "SELECT document_id FROM lines GROUP BY 1 HAVING count(DISTINCT accounting_hint) >= 2 "
                        "AND count(accounting_hint) = count(*) ORDER BY 1 LIMIT 1")
    hints = [line["accounting_hint"] for line in review.get_document(ws, doc_id)["lines"]]
    ws.set_mapping("ledger_accounts", hints[0], "706000")
    others = [i for i, h in enumerate(hints) if h != hints[0]]
    at = open_document(ws, doc_id)
    lines = lines_shown(at)
    assert list(lines["Code comptable (source)"]) == hints, "the source's code stays beside the account"
    assert [lines.iloc[i]["Compte Pennylane"] for i in range(len(hints)) if i not in others] == \
        ["706000"] * (len(hints) - len(others))
    assert {lines.iloc[i]["Compte Pennylane"] for i in others} == {"aucun"}
    [table] = [d for d in at.dataframe if "Compte Pennylane" in d.value.columns]
    help_text = json.loads(table.proto.columns)["Compte Pennylane"]["help"]
    assert "(ou de la première de ses parties qui a une correspondance)" in help_text
    assert help_text.endswith("bloque le document (mis En attente) à l'envoi.")
    said = (f"{len(others)} ligne n'a" if len(others) == 1 else f"{len(others)} lignes n'ont") + " pas de compte Pennylane."
    [warning] = [w.value for w in at.warning if "pas de compte Pennylane" in w.value]
    assert warning.startswith(said) and "Le document n'est pas bloqué pour autant" in warning
    assert "Correspondances" in warning and "onglet Corriger" in warning
    assert link_after(at, said) is not None and "mappings" in link_after(at, said), "a link to Correspondances"
    # a default account: said as such, and nothing left to do
    ws.set_mapping("ledger_accounts", "*", "471000")
    at.run()
    assert_clean(at)
    assert {lines_shown(at).iloc[i]["Compte Pennylane"] for i in others} == {"471000 (par défaut)"}
    assert not [w for w in at.warning if "pas de compte Pennylane" in w.value]


def test_corriger_says_the_account_a_line_goes_to_by_the_lines_tabs_rule(fresh_synced_workspace, use_workspace):
    """Corriger's caption says what the Lignes tab says (`review.line_accounts`): the mapping,
    the default account, and a fix in force winning over the mapping."""
    ws = use_workspace(fresh_synced_workspace)
    [(doc_id, hint)] = q(ws, "SELECT document_id, accounting_hint FROM lines WHERE position = (SELECT min(position) "
                             "FROM lines l WHERE l.document_id = lines.document_id) AND accounting_hint IS NOT NULL "
                             "ORDER BY document_id LIMIT 1")
    ws.set_mapping("ledger_accounts", hint, "706000")
    at = open_document(ws, doc_id)
    assert f"Code comptable de la source : {hint} → compte 706000 (correspondance)." in [c.value for c in at.caption]
    fixes.fix(ws, doc_id, "lines[1].ledger_account", "706100", actor="anne")
    at.run()
    assert_clean(at)
    captions = [c.value for c in at.caption]
    assert (f"Compte 706100, corrigé sur cette ligne (au lieu de 706000 par correspondance de {hint}) ; videz le "
            "champ pour revenir à la correspondance.") in captions, "the fix, and what the mapping would have given"
    assert any(m.value.startswith("Ligne 1 : Compte comptable → **706100**") and f"Code comptable de la source : {hint}" in m.value
               for m in at.markdown), "the fix in force beside the source's code, not a 'source value'"
    if "|" in hint:  # a code made of parts, mapped by its first part: said so
        ws.set_mapping("ledger_accounts", hint, None)
        ws.set_mapping("ledger_accounts", hint.split("|")[0], "706200")
        at.run()
        assert (f"Compte 706100, corrigé sur cette ligne (au lieu de 706200 par {hint.split('|')[0]}) ; videz le champ "
                "pour revenir à la correspondance.") in [c.value for c in at.caption]
        ws.set_mapping("ledger_accounts", hint.split("|")[0], None)
        ws.set_mapping("ledger_accounts", hint, "706000")
    assert not [c for c in captions if "(correspondance)" in c], "the mapping no longer serves this line"
    assert lines_shown(at).iloc[0]["Compte Pennylane"] == "706100 (corrigé)"
    ws.set_mapping("ledger_accounts", hint, None)  # without the fix: no account, or the default one
    at.run()
    assert ("Compte 706100, corrigé sur cette ligne (sans correction, elle partirait sans compte) ; videz le champ "
            "pour retirer la correction.") in [c.value for c in at.caption]
    ws.set_mapping("ledger_accounts", "*", "471000")
    at.run()
    assert ("Compte 706100, corrigé sur cette ligne (au lieu de 471000, le compte par défaut) ; videz le champ pour "
            "revenir au compte par défaut.") in [c.value for c in at.caption]
    fixes.fix(ws, doc_id, "lines[1].ledger_account", None, actor="anne")
    ws.set_mapping("ledger_accounts", hint, None)
    ws.set_mapping("ledger_accounts", "*", "471000")
    at.run()
    assert (f"Code comptable de la source : {hint}, sans correspondance. Compte par défaut : 471000."
            in [c.value for c in at.caption])


def test_restoring_the_source_value(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    first, _ = review.list_documents(ws, limit=1)
    doc_id = first[0]["id"]
    source_name = review.get_document(ws, doc_id)["counterparty"]["name"]
    fixes.fix(ws, doc_id, "counterparty.name", "Nom corrigé SAS", actor="anne")
    at = open_document(ws, doc_id)
    assert any("Nom corrigé SAS" in m.value for m in at.markdown)
    at.button(key=f"fx_restore_{doc_id}_counterparty.name").click().run()
    assert_clean(at)
    doc = review.get_document(ws, doc_id)
    assert doc["fixes"] == [] and doc["counterparty"]["name"] == source_name
    last = doc["history"][-1]
    assert (last["action"], last["field"], last["actor"], last["new_value"]) == (
        "fix", "counterparty.name", "ui-tester", "null")
    assert any("valeur de la source rétablie" in s.value for s in at.success)
    # A line's account restored: the source gave a code, which Correspondances map; said so.
    hint = doc["lines"][0]["accounting_hint"]
    fixes.fix(ws, doc_id, "lines[1].ledger_account", "706300", actor="anne")
    at = open_document(ws, doc_id)
    at.button(key=f"fx_restore_{doc_id}_lines[1].ledger_account").click().run()
    assert_clean(at)
    assert any(s.value.endswith(f"le compte est à nouveau celui des correspondances pour le code de la source ({hint}).")
               for s in at.success), [s.value for s in at.success]


# -- duplicates --------------------------------------------------------------------------------
@pytest.fixture
def twin_workspace(fresh_synced_workspace):
    """The demo data imported twice: a second connection with the same settings."""
    ws = fresh_synced_workspace
    ws.set_connection("demo-copy", ui_plugins().connector("demo"), {})
    report = sync_service.sync_connection(ws, ui_plugins(), "demo-copy", actor="test")
    assert report.status == "ok", report.error
    return ws


def a_pair(ws):
    [(doc_id, field)] = q(ws, "SELECT document_id, field FROM findings WHERE code = 'suspected_duplicate' "
                              "AND document_id LIKE 'demo:%' ORDER BY document_id LIMIT 1")
    return doc_id, field.split(":", 1)[1]


def test_duplicates_side_by_side_and_keep_both(twin_workspace, use_workspace):
    ws = use_workspace(twin_workspace)
    doc_id, other = a_pair(ws)
    assert other.startswith("demo-copy:")
    before = q(ws, "SELECT count(*) FROM findings WHERE code = 'suspected_duplicate'")[0][0]
    at = open_document(ws, doc_id, findings="duplicates")
    assert any(tab.label == "Doublons suspectés (1)" for tab in at.tabs)
    cards = [m.value for m in at.markdown if m.value.startswith("**Ce document**") or m.value.startswith("**Doublon suspecté**")]
    assert len(cards) == 2 and "demo · " in cards[0] and "demo-copy · " in cards[1]
    number = review.get_document(ws, doc_id)["number"]
    assert all("Numéro : " + number in c for c in cards)
    # The finding names the twin as a reader knows it, without its id as a field.
    [warning] = [w.value for w in at.warning if "Doublon possible de" in w.value]
    assert f"Doublon possible de {number} (connexion demo-copy)" in warning
    assert "duplicate_of" not in warning and other not in warning
    at.button(key=f"dup_keep_{doc_id}_{other}").click().run()
    assert_clean(at)
    pair = "SELECT count(*) FROM findings WHERE code = 'suspected_duplicate' AND document_id IN (?, ?)"
    assert q(ws, pair, [doc_id, other])[0][0] == 0
    assert q(ws, "SELECT count(*) FROM findings WHERE code = 'suspected_duplicate'")[0][0] == before - 2
    assert q(ws, "SELECT document_id, other_id, actor FROM duplicate_dismissals") == [(doc_id, other, "ui-tester")]
    assert review.get_document(ws, other)["history"][-1]["action"] == "duplicate_dismissed"
    assert any("ne sera plus signalée" in s.value for s in at.success)
    assert any(tab.label == "Doublons suspectés (0)" for tab in at.tabs), "the dismissed pair stays visible"
    assert at.button(key=f"dup_restore_{doc_id}_{other}")
    # A re-sync rewrites the twin (its source record changed) and checks its duplicates again:
    # the pair stays dismissed.
    with ws.db.write() as con:  # the stored copy now differs from what the source sends
        snapshot = json.loads(con.execute("SELECT snapshot FROM documents WHERE id = ?", [other]).fetchone()[0])
        con.execute("UPDATE documents SET content_hash = 'stale', snapshot = ? WHERE id = ?",
                    [json.dumps({**snapshot, "due_date": "1999-01-01"}), other])
        con.execute("DELETE FROM sync_state WHERE connection = 'demo-copy'")
    report = sync_service.sync_connection(ws, ui_plugins(), "demo-copy", actor="test")
    assert report.status == "ok" and report.updated == 1
    assert q(ws, pair, [doc_id, other])[0][0] == 0
    at.run()
    assert_clean(at)


def test_reject_the_other_as_a_duplicate(twin_workspace, use_workspace):
    ws = use_workspace(twin_workspace)
    doc_id, other = a_pair(ws)
    number = review.get_document(ws, doc_id)["number"]
    at = open_document(ws, doc_id, findings="duplicates")
    at.button(key=f"dup_reject_other_{doc_id}_{other}").click().run()
    assert_clean(at)
    rejected = review.get_document(ws, other)
    assert rejected["status"] == "rejected" and rejected["status_reason"] == f"duplicate of {number} ({doc_id})"
    assert "suspected_duplicate" not in codes(ws, doc_id)
    assert any("rejeté comme doublon" in s.value for s in at.success)



def history(at):
    """The Historique tab's rows, as the page shows them."""
    frame = next(d.value for d in at.dataframe if {"Par", "Changement", "Motif"} <= set(d.value.columns))
    return frame.to_dict("records")


def test_the_history_says_who_sent_and_why_in_french(twin_workspace, use_workspace):
    """Revue → a document → Historique: every action, field, status and automatic reason in
    French, a send signed by whoever asked for it (not "Écluse")."""
    from ecluse.services import duplicates, send
    from ecluse.services.pennylane_gateway import PennylaneGateway
    from tests.emulators.pennylane import PennylaneEmulator

    ws = use_workspace(twin_workspace)
    doc_id, twin = a_pair(ws)
    number = review.get_document(ws, doc_id)["number"]
    duplicates.reject_duplicate(ws, twin, doc_id, actor="Claire Martin")
    # Every demo document has its copy: two more pairs kept both, so that three are valid to approve.
    for other, copy in q(ws, "SELECT document_id, substr(field, 14) FROM findings WHERE code = 'suspected_duplicate' "
                             "AND document_id LIKE 'demo:%' AND document_id <> ? ORDER BY document_id LIMIT 2", [doc_id]):
        duplicates.dismiss(ws, other, copy, actor="Claire Martin")
    review.approve_all_valid(ws, actor="Claire Martin")
    sent, failed, approved = send.approved_ids(ws)[:3]
    with PennylaneEmulator(token="pl-history-token", rate_limit=None) as emu:
        gateway = PennylaneGateway(emu.api_url, "pl-history-token", max_retries=0)
        assert send.push(ws, gateway, ids=[sent], actor="Claire Martin").count("sent") == 1
        emu.inject("POST", r"/(customer|supplier)_invoices/import$", "500", times=2)
        assert send.push(ws, PennylaneGateway(emu.api_url, "pl-history-token", max_retries=0), ids=[failed],
                         actor="Claire Martin").count("failed") == 1
    pennylane_id = review.get_document(ws, sent)["pennylane_id"]

    rows = history(open_document(ws, sent))
    assert [(r["Par"], r["Action"], r["Changement"], r["Motif"]) for r in rows[-3:]] == [
        ("Claire Martin", "approuvé", "Statut : À revoir → Approuvé",
         "aucune erreur : approuvé avec « Approuver tous les valides »"),
        ("Claire Martin", "ajouté à un lot d'envoi", "Lot n° 1", ""),
        ("Claire Martin", "envoyé à Pennylane", f"Identifiant Pennylane : {pennylane_id}", ""),
    ]
    assert "Motif : aucune erreur : approuvé avec « Approuver tous les valides »" in at_captions(
        open_document(ws, approved)), "the status reason too"

    last = history(open_document(ws, failed))[-1]
    assert (last["Par"], last["Action"], last["Changement"]) == ("Claire Martin", "échec de l'envoi", "")
    assert last["Motif"].startswith("Erreur du serveur de Pennylane (HTTP 500)")

    at = open_document(ws, twin)
    last = history(at)[-1]
    assert (last["Par"], last["Action"], last["Changement"], last["Motif"]) == (
        "Claire Martin", "rejeté", "Statut : À revoir → Rejeté", f"doublon de {number} ({doc_id})")
    assert any(f"Motif : doublon de {number}" in c for c in at_captions(at)), "the status reason too"
    # Nothing in English or raw left in these rows.
    words = " ".join(str(v) for r in rows + [last] for v in r.values())
    for raw in ("in_batch", "pennylane_id", "batch", "all valid", "duplicate of", "to_review", "Écluse"):
        assert raw not in words, raw


def at_captions(at):
    return [c.value for c in at.caption]


# -- mappings ----------------------------------------------------------------------------------
def edit(at, key, rows):
    at.session_state[key] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    return at


def test_mappings_page_writes_to_ecluse_toml(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    ledger = mappings.ledger_accounts(ws)
    hints = [r["hint"] for r in ledger if r["hint"] is not None]
    at = open_app("mappings")
    assert at.title[0].value == "Correspondances"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Codes sans compte"] == str(len([h for h in hints if h != "*"]))
    edit(at, "mp_ledger_0", {0: {"account": "706000"}, len(hints) - 1: {"account": "471000"}})
    at.button(key="mp_save_ledger").click().run()
    assert_clean(at)
    assert ws.mappings()["ledger_accounts"] == {hints[0]: "706000", "*": "471000"}
    assert any("2 correspondances enregistrées" in s.value for s in at.success)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Codes sans compte"] == "0", "the fallback covers the other codes"

    rates = [r["rate"] for r in mappings.vat_rates(ws)]
    odd = rates.index("19.6")  # no French default for 19.6 %
    editor = next(d for d in at.dataframe if "shown" in d.value.columns)
    assert editor.value["shown"].iloc[odd] == "19,6"  # the French way; the key (19.6) stays hidden
    assert "rate" not in editor.proto.column_order and "shown" in editor.proto.column_order
    edit(at, "mp_vat_0", {odd: {"code": "FR_999"}})
    at.button(key="mp_save_vat").click().run()
    assert_clean(at)
    assert any("Rien n'a été enregistré" in e.value and "FR_999" in e.value for e in at.error)
    assert ws.mappings()["vat"] == {}
    edit(at, "mp_vat_0", {odd: {"code": "FR_196"}})
    at.button(key="mp_save_vat").click().run()
    assert ws.mappings()["vat"] == {"19.6": "FR_196"}
    assert next(r for r in mappings.vat_rates(ws) if r["rate"] == "19.6")["state"] == "mapped"

    keys = [r["key"] for r in mappings.categories(ws)]  # the demo has sales and purchases: a row each
    assert "demo:sales" in keys and "demo:purchases" in keys
    editor = next(d for d in at.dataframe if "side" in d.value.columns)
    assert "key" not in editor.proto.column_order and "side" in editor.proto.column_order
    edit(at, "mp_categories_0", {keys.index("demo:sales"): {"category": "Ventes"}})
    at.button(key="mp_save_categories").click().run()
    assert ws.mappings()["categories"] == {"demo:sales": "Ventes"}

    rows, _ = mappings.counterparties(ws)
    key = f"mp_cp_{session(at, 'mp_version_counterparties', 0)}__False"
    edit(at, key, {0: {"match": "abc"}})
    at.button(key="mp_save_cp").click().run()
    assert any("abc" in e.value for e in at.error) and ws.mappings()["counterparties"] == {}
    edit(at, key, {0: {"match": "4242"}})
    at.button(key="mp_save_cp").click().run()
    assert ws.mappings()["counterparties"] == {rows[0]["id"]: "4242"}
    text = ws.config_path.read_text(encoding="utf-8")
    assert '"19.6" = "FR_196"' in text and '"demo:sales" = "Ventes"' in text and '"*" = "471000"' in text


def test_mappings_add_a_vat_rate_absent_from_the_cache(synced_workspace, use_workspace, tmp_path):
    from tests.ui_fixtures import make_workspace

    ws = use_workspace(make_workspace(tmp_path / "ws", sync=False))
    at = open_app("mappings")
    at.text_input(key="mp_vat_add_rate").set_value("8,5")
    at.selectbox(key="mp_vat_add_code").set_value("FR_85")
    submit(at, "Ajouter")
    assert ws.mappings()["vat"] == {"8.5": "FR_85"}
    at.text_input(key="mp_vat_add_rate").set_value("cent")
    at.selectbox(key="mp_vat_add_code").set_value("FR_85")
    submit(at, "Ajouter")
    assert any("« cent » n'est pas un taux de TVA en pourcentage" in e.value.replace("\u00a0", " ") for e in at.error)


# -- reconciliation ------------------------------------------------------------------------------
def send_and_confirm(ws, n_mismatch=2, n_missing=1):
    """As `ecluse push` then `ecluse confirm` would leave the cache (the send itself is tested
    against the Pennylane emulator in tests/test_reconcile.py)."""
    with ws.db.write() as con:
        con.execute(
            "UPDATE documents SET status = 'sent', sent_at = now() - INTERVAL 1 DAY, pennylane_id = 1000 + rowid "
            "WHERE error_count = 0 AND kind = 'customer_invoice' AND currency = 'EUR'")
        ids = [r[0] for r in con.execute("SELECT id FROM documents WHERE status = 'sent' ORDER BY id").fetchall()]
        con.execute(
            "INSERT INTO confirmations (document_id, checked_at, status, pennylane_amount, expected_amount, message) SELECT id, now(), 'confirmed', total, total, NULL FROM documents "
            "WHERE status = 'sent'")
        con.execute("UPDATE confirmations SET status = 'amount_mismatch', pennylane_amount = expected_amount + 10 "
                    "WHERE document_id IN (SELECT unnest(?))", [ids[:n_mismatch]])
        con.execute("UPDATE confirmations SET status = 'missing', pennylane_amount = NULL "
                    "WHERE document_id IN (SELECT unnest(?))", [ids[n_mismatch:n_mismatch + n_missing]])
    return ids


def test_reconciliation_with_confirmations(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    ids = send_and_confirm(ws)
    at = open_app("reconciliation")
    charts = at.get("plotly_chart")
    assert len(charts) == 3, "stages, Écluse against Pennylane, backlog age"
    stages = json.loads(charts[0].proto.spec)
    names = {trace["name"] for trace in stages["data"]}
    assert {"Confirmé dans Pennylane", "Écart avec Pennylane", "À revoir (y compris mis en attente)"} <= names
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Écarts"] == "3" and metrics["Dont non vérifié"] == "0,00\u00a0€"
    totals = reconcile.pennylane_totals(ws, side="sales")
    assert sum(r["mismatches"] for r in totals) == 3
    # A click on a month of the second chart lists that month's sent documents, differences first.
    month = next(r["month"] for r in totals if r["mismatches"])
    key = "rc_pl_None_EUR_sales"
    at.session_state[key] = {"selection": {"points": [{"customdata": [month.isoformat(), "mismatch", ""]}],
                                           "point_indices": [0], "box": [], "lasso": []}}
    at.run()
    assert_clean(at)
    table = next(d.value for d in at.dataframe if "Vérification" in d.value.columns)
    assert set(table["Vérification"]) <= {"Montant différent", "Supprimé de Pennylane"} and len(table) >= 1
    sent_numbers = {r[0] for r in q(ws, "SELECT number FROM documents WHERE id IN (SELECT unnest(?))", [ids[:3]])}
    assert set(table["Numéro"]) <= sent_numbers


def test_reconciliation_stage_bar_opens_its_documents(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    send_and_confirm(ws)
    row = next(r for r in reconcile.monthly_stages(ws, side="sales") if r["stage"] == "discrepancy")
    at = open_app("reconciliation")
    at.session_state["rc_monthly__EUR_sales"] = {"selection": {"points": [{"customdata": [
        row["month"].isoformat(), "discrepancy", row["connection"], row["documents"], "", ""]}],
        "point_indices": [0], "box": [], "lasso": []}}
    at.run()
    assert_clean(at)
    assert any("Écart avec Pennylane" in m.value and f"{row['documents']} document" in m.value for m in at.markdown)
    at.button(key="rc_open_review").click().run()
    assert_clean(at)
    # exactly the bar's documents (its currency and side too, which Revue's filters cannot say)
    assert at.title[0].value == "Revue" and shown_total(at) == row["documents"]
    assert any("de la barre de Suivi" in i.value and row["connection"] in i.value for i in at.info)
    at.switch_page("views/review.py").run()  # AppTest's own run goes back to the page it opened
    at.button(key="rv_clear_ids").click().run()
    assert_clean(at)
    total = shown_total(at)
    assert total > row["documents"]
    at.multiselect(key="rv_status.fr").set_value(["sent"]).run()
    assert shown_total(at) < total
    at.button(key="rv_reset").click().run()  # every filter back to its default
    assert at.multiselect(key="rv_status.fr").value == [] and not [b for b in at.button if b.key == "rv_reset"]


def test_the_sent_stage_bar_counts_what_was_sent_beside_what_the_source_says_now(fresh_synced_workspace,
                                                                                 use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    with ws.db.write() as con:  # sent in one batch (its items keep the amounts), then one changed at the source
        con.execute(
            "UPDATE documents SET status = 'sent', sent_at = now() - INTERVAL 1 DAY, pennylane_id = 1000 + rowid "
            "WHERE error_count = 0 AND kind = 'customer_invoice' AND currency = 'EUR'")
        con.execute("INSERT INTO batches (id, created_at, status, dry_run, actor) "
                    "VALUES (1, now(), 'done', false, 'anne')")
        con.execute("INSERT INTO batch_items (batch_id, document_id, state, updated_at, sent_amount, sent_currency) "
                    "SELECT 1, id, 'sent', now(), total, currency FROM documents WHERE status = 'sent'")
        changed, month, sent = con.execute(
            "SELECT id, date_trunc('month', issue_date)::DATE, total FROM documents WHERE status = 'sent' "
            "ORDER BY issue_date, id LIMIT 1").fetchone()
        con.execute("UPDATE documents SET total = total + 150, changed_after_sending = true WHERE id = ?", [changed])
    row = next(r for r in reconcile.monthly_stages(ws, side="sales") if r["stage"] == "sent" and r["month"] == month)
    at = open_app("reconciliation")
    sent_bars = sum(r["total"] for r in reconcile.monthly_stages(ws, side="sales") if r["stage"] == "sent")
    assert sent_bars == sum(r["sent_total"] for r in reconcile.pennylane_totals(ws, side="sales"))
    at.session_state["rc_monthly__EUR_sales"] = {"selection": {"points": [{"customdata": [
        month.isoformat(), "sent", row["connection"], row["documents"], "", ""]}],
        "point_indices": [0], "box": [], "lasso": []}}
    at.run()
    assert_clean(at)
    assert any(f"{row['documents']} document" in m.value and i18n.format_money(row["total"], "EUR", "fr") in m.value
               for m in at.markdown)
    assert any("1 a été modifié depuis par la source" in c.value for c in at.caption)
    table = next(d.value for d in at.dataframe if "Montant actuel à la source" in d.value.columns)
    [first] = table.to_dict("records")[:1]
    assert first["Total TTC"] == i18n.format_money(sent, "EUR", "fr")
    assert first["Montant actuel à la source"] == i18n.format_money(sent + 150, "EUR", "fr")
    assert set(table["Montant actuel à la source"][1:]) <= {""}


# -- the queue ------------------------------------------------------------------------------------
def test_after_approving_the_next_document_is_selected(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    at = open_app("review")
    at.multiselect(key="rv_status.fr").set_value(["to_review"]).run()
    at.selectbox(key="rv_findings.fr").set_value("clean").run()
    page, total = review.list_documents(ws, review.Filters(status="to_review", findings="clean"), limit=3)
    select_rows(at, [0])
    assert at.button(key="rv_approve").proto.shortcut, "approve has a keyboard shortcut"
    at.button(key="rv_approve").click().run()
    assert_clean(at)
    assert review.get_document(ws, page[0]["id"])["status"] == "approved"
    assert shown_total(at) == total - 1
    # The approved document left the list: the next one is selected, its detail open.
    assert any(page[1]["number"] in s.value for s in at.subheader)
    at.button(key="rv_approve").click().run()
    assert review.get_document(ws, page[1]["id"])["status"] == "approved"
    assert any(page[2]["number"] in s.value for s in at.subheader)


def test_finding_and_fix_fields_are_said_in_words(monkeypatch):
    from ecluse.ui import review_panels, state

    monkeypatch.setattr(state, "lang", lambda: "fr")
    assert [review_panels.field_label(f) for f in (
        "total_before_tax", "lines[2].vat_rate", "lines[1].vat_code", "counterparty.address", "counterparty.address.city",
        "attachment", "something.else")] == [
        "Total HT", "Ligne 2 : Taux TVA", "Ligne 1 : Code TVA Pennylane", "Adresse", "Adresse : ville", "PDF", "something.else"]


def test_history_says_the_cores_reasons_and_fields_in_words(monkeypatch):
    from ecluse.services import send
    from ecluse.storage.ingest import FIX_DROPPED
    from ecluse.ui import review_panels, state

    monkeypatch.setattr(state, "lang", lambda: "fr")
    gone = {"code": "gone_from_source", "message": "Harvest no longer lists this invoice (deleted).",
            "params": json.dumps({"variant": "harvest", "since": "2026-01-01"})}
    assert [review_panels.history_reason({"action": action, "reason": reason}, [gone]) for action, reason in (
        ("fix_dropped", FIX_DROPPED), ("retry", send.RETRY_REASON), ("gone_from_source", gone["message"]),
        ("reject", "doublon de la facture papier"), ("approve", None))] == [
        "la source a changé ce champ ; la correction du réviseur ne s'applique plus",
        "échec d'envoi ; approuvé de nouveau pour le prochain lot",
        widgets_finding(gone), "doublon de la facture papier", ""]
    assert widgets_finding(gone).startswith("Harvest ne liste plus cette facture") and "01/01/2026" in widgets_finding(gone)
    # Back in the source, the finding is deleted: the history still says what happened, in French.
    assert review_panels.history_reason({"action": "gone_from_source", "reason": gone["message"]}, []) == (
        "n'était plus dans la source (supprimé, ou repassé en brouillon)")
    # Who: a person as named, the command line and Écluse itself in words.
    assert [review_panels.history_actor({"actor": a}) for a in ("Claire Martin", "cli", "ecluse", None)] == [
        "Claire Martin", "ligne de commande (ecluse)", "Écluse", "—"]
    # What a sync found changed: its fields, each in words.
    assert review_panels.field_label("total, lines, attachment_sha256") == "Total TTC, Lignes, PDF"
    assert review_panels.field_label(None) == ""
    # A decision's status change, in words.
    assert review_panels.field_label("status") == "Statut"
    assert review_panels.history_change({"field": "status", "old_value": '"to_review"', "new_value": '"rejected"'}) == (
        "À revoir → Rejeté")
    assert review_panels.history_change({"field": "due_date", "old_value": None, "new_value": '"2026-03-31"'}) == (
        "— → 2026-03-31")
    assert review_panels.history_entry({"field": "status", "old_value": '"to_review"', "new_value": '"rejected"'}) == (
        "Statut : À revoir → Rejeté")
    assert review_panels.history_entry({"field": "total, lines", "old_value": None, "new_value": None}) == (
        "Total TTC, Lignes")



def test_the_history_says_sends_changes_and_automatic_reasons_in_words(monkeypatch):
    from ecluse.ui import review_panels, state, widgets

    def entry(action, field=None, old=None, new=None, reason=None, said=None):
        return {"action": action, "field": field, "old_value": old, "new_value": new, "reason": reason,
                "reason_said": said}

    monkeypatch.setattr(state, "lang", lambda: "fr")
    said = [(widgets.action_label(e["action"]), review_panels.history_entry(e)) for e in (
        entry("in_batch", "batch", new="3"), entry("sent", "pennylane_id", new="1003"),
        entry("send_failed", "pennylane_id", new="null"), entry("held_before_send", "pennylane_id"),
        entry("retry", "status", '"failed"', '"approved"'), entry("retry", "status"),
        entry("duplicate_dismissed", "duplicate_of", new='"demo-copy:S-1"'))]
    assert said == [
        ("ajouté à un lot d'envoi", "Lot n° 3"), ("envoyé à Pennylane", "Identifiant Pennylane : 1003"),
        ("échec de l'envoi", ""), ("bloqué avant l'envoi", ""), ("remis à l'envoi", "Statut : Échec d'envoi → Approuvé"),
        ("remis à l'envoi", "Statut"), ("doublon écarté (les deux gardés)", "Autre document : demo-copy:S-1")]
    # What a sync found changed, and what a change handled settled: field by field, not as JSON.
    diff = '{"due_date": ["2026-01-31", "2026-02-28"], "lines": [[{"label": "a"}], [{"label": "b"}]]}'
    assert review_panels.history_entry(entry("changed", "due_date, lines", new=diff)) == (
        "Échéance : 2026-01-31 → 2026-02-28 ; Lignes")
    assert review_panels.history_entry(entry("change_handled", old=diff)) == "Échéance : 2026-01-31 → 2026-02-28 ; Lignes"
    # Automatic reasons said from what was stored with them; a reason stored before, as it is.
    assert [review_panels.history_reason(e, []) for e in (
        entry("approve", reason="all valid", said={"code": "reason.all_valid", "params": {}}),
        entry("reject", reason="duplicate of F-1 (demo:F-1)",
              said='{"code": "reason.duplicate_of", "params": {"number": "F-1", "id": "demo:F-1"}}'),
        entry("duplicate_dismissed", reason="not a duplicate: both kept", said={"code": "reason.not_duplicate"}),
        entry("approve", reason="all valid"))] == [
        "aucune erreur : approuvé avec « Approuver tous les valides »", "doublon de F-1 (demo:F-1)",
        "pas un doublon : les deux documents sont gardés", "all valid"]
    monkeypatch.setattr(state, "lang", lambda: "en")
    assert review_panels.history_entry(entry("in_batch", "batch", new="3")) == "Batch no. 3"
    assert widgets.action_label("sent") == "sent to Pennylane"
    assert review_panels.history_entry(entry("changed", "due_date, lines", new=diff)) == (
        "Due date: 2026-01-31 → 2026-02-28; Lines")
    assert review_panels.history_reason(entry("approve", reason="all valid", said={"code": "reason.all_valid"}), []) == (
        "no error: approved with “Approve all valid”")

def widgets_finding(finding):
    from ecluse.ui import widgets

    return widgets.finding_detail(finding)


def test_corriger_says_where_amounts_are_fixed(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    flawed, _ = review.list_documents(ws, review.Filters(findings="errors"), limit=500)
    on_amount = next(d for d in flawed if any(
        f["severity"] == "error" and f["field"] in ("total", "total_before_tax", "total_tax")
        for f in review.get_document(ws, d["id"])["findings"]))
    at = open_document(ws, on_amount["id"], findings="errors")
    assert any(c.value.startswith("Les montants ne se corrigent pas ici") for c in at.caption)
    clean, _ = review.list_documents(ws, review.Filters(findings="clean"), limit=1)
    at = open_document(ws, clean[0]["id"], findings="clean")
    assert not any(c.value.startswith("Les montants ne se corrigent pas ici") for c in at.caption)


def test_a_vat_key_typed_by_hand_that_is_no_number_does_not_break_the_mappings_page(fresh_synced_workspace,
                                                                                     use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    ws.set_mapping("vat", "cinq", "FR_200")  # as someone could type it in ecluse.toml
    at = open_app("mappings")  # assert_clean: no exception
    editor = next(d for d in at.dataframe if "shown" in d.value.columns)
    assert "cinq" in list(editor.value["shown"])


def test_a_document_to_show_that_moved_to_another_page_is_shown_there(fresh_synced_workspace, use_workspace):
    """A decision can reorder the list (sorted by status, say): the document that stays
    selected, refused, is then on another page of the same list, not outside the filters."""
    from ecluse.services import queue
    from ecluse.ui.views.review import PAGE_SIZE

    ws = use_workspace(fresh_synced_workspace)
    second = queue.page(ws, review.Filters(), sort="issue_date", descending=True, limit=1, offset=PAGE_SIZE + 3).rows[0]
    assert queue.position(ws, review.Filters(), second["id"], sort="issue_date", descending=True) == PAGE_SIZE + 3
    assert queue.position(ws, review.Filters(status="sent"), second["id"]) is None  # left out by the filters
    at = open_app("review")
    assert at.number_input(key="rv_page").value == 1
    # As a refused decision leaves it (review.select_after): the document to keep selected, a fresh grid.
    at.session_state["rv_after"] = {"ids": [second["id"]], "mode": "all", "position": 0}
    at.session_state["rv_grid_version"] = session(at, "rv_grid_version", 0) + 1
    at.run()
    assert_clean(at)
    assert at.number_input(key="rv_page").value == 2
    assert any(second["number"] in s.value for s in at.subheader), "selected and open on page 2"
    assert not any("filtres" in i.value for i in at.info)


# -- "Approuver tous les valides" ----------------------------------------------------------------
def popover(at, key="rv_all_valid"):
    """The popover block of `key` (its label, whether it is open, disabled, its help)."""
    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None and "popover" in [f.name for f in proto.DESCRIPTOR.fields] \
                and proto.HasField("popover") and proto.id.endswith(key):
            return proto.popover
        for child in getattr(node, "children", {}).values():
            found = walk(child)
            if found is not None:
                return found
        return None

    return walk(at._tree)


def test_approve_all_valid_closes_once_confirmed_and_says_when_there_is_none(fresh_synced_workspace,
                                                                            use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    at = open_app("review")
    at.session_state["rv_all_valid"] = True  # the accountant opens it
    at.run()
    assert popover(at).open and not popover(at).disabled
    at.button(key="rv_all_valid_confirm").click().run()
    assert_clean(at)
    # Closed: it covered the first rows of the list that just changed.
    assert not popover(at).open and session(at, "rv_all_valid") is False
    assert any(s.value.endswith("documents approuvés.") for s in at.success)
    # None left: the button says so, and so does the popover if it is open all the same.
    assert popover(at).label == "Approuver tous les valides (0)" and popover(at).disabled
    assert popover(at).help.startswith("Aucun document à approuver")
    at.session_state["rv_all_valid"] = True
    at.run()
    assert any(m.value.startswith("Aucun document à approuver") for m in at.markdown)
    assert not [b for b in at.button if b.key == "rv_all_valid_confirm"]


def test_approve_all_valid_confirmed_after_someone_else_did_says_so(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    at = open_app("review")
    at.session_state["rv_all_valid"] = True
    at.run()
    assert review.approve_all_valid(ws, actor="un collègue").done  # meanwhile, in another browser
    at.button(key="rv_all_valid_confirm").click().run()
    assert_clean(at)
    assert any(i.value.startswith("Aucun document à approuver") for i in at.info), "not silent"
    assert not popover(at).open


# -- what the send gives each line, against Pennylane's chart; a sent document Pennylane differs on ------
def test_the_lines_say_the_vat_code_and_the_accounts_pennylane_lacks(fresh_synced_workspace, use_workspace,
                                                                     monkeypatch):
    from ecluse.services import pennylane_lists
    from tests.emulators.pennylane import PennylaneEmulator

    ws = use_workspace(fresh_synced_workspace)
    [(doc_id, hint)] = q(ws, "SELECT l.document_id, l.accounting_hint FROM lines l JOIN documents d ON d.id = "
                             "l.document_id WHERE d.status = 'to_review' AND l.position = (SELECT min(position) FROM "
                             "lines m WHERE m.document_id = l.document_id) AND l.accounting_hint IS NOT NULL "
                             "AND l.vat_rate = 20 AND l.vat_code IS NULL ORDER BY 1 LIMIT 1")
    ws.set_mapping("ledger_accounts", hint, "706000")
    ws.set_mapping("ledger_accounts", "*", "471000")
    at = open_document(ws, doc_id)
    lines = lines_shown(at)
    assert lines.iloc[0]["Code TVA Pennylane"] == "FR_200 (d'après le taux)", "not '—': the code the send gives"
    assert "Intitulé (Pennylane)" not in lines.columns, "no chart read: no names"
    token = "pl-review-lines-chart-4d2a"
    with PennylaneEmulator(token=token, rate_limit=(50, 1.0)) as emu:
        emu.add_ledger_account("706000", "Prestations de services")
        monkeypatch.setenv("ECLUSE_TEST_REVIEW_CHART_TOKEN", token)
        ws.set_pennylane(api_url=emu.api_url, token="env:ECLUSE_TEST_REVIEW_CHART_TOKEN", dry_run=False)
        pennylane_lists.refresh(ws)
    ws.set_mapping("vat", "20", "MC_200")
    at.run()
    assert_clean(at)
    lines = lines_shown(at)
    assert lines.iloc[0]["Compte Pennylane"] == "706000" and lines.iloc[0]["Intitulé (Pennylane)"] == "Prestations de services"
    assert lines.iloc[0]["Code TVA Pennylane"] == "MC_200 (correspondance du taux)"
    others = [i for i, h in enumerate(lines["Code comptable (source)"]) if h != hint]
    assert {lines.iloc[i]["Compte Pennylane"] for i in others} <= {"471000 (par défaut) ⚠ absent de Pennylane"}
    if others:
        assert any(w.value.startswith("Compte 471000 absent de Pennylane : la facture sera bloquée à l'envoi.")
                   for w in at.warning)


def test_a_sent_document_pennylane_differs_on_says_so_and_what_to_do(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    ids = send_and_confirm(ws, n_mismatch=1, n_missing=1)
    mismatch, missing, confirmed = ids[0], ids[1], ids[2]
    with ws.db.write() as con:  # as confirm.py writes a deletion: English message, and its Said
        con.execute("UPDATE confirmations SET message = 'invoice 4242 is no longer in Pennylane', "
                    "said = '{\"code\": \"confirm.missing\", \"params\": {\"pennylane_id\": 4242}}' "
                    "WHERE document_id = ?", [missing])
        con.execute("UPDATE confirmations SET message = 'Pennylane has 1 where 2 was sent', "
                    "said = '{\"code\": \"confirm.amount_mismatch\", \"params\": {}}' WHERE document_id = ?", [mismatch])
    rows = {r["id"]: r["confirmation"] for r in review.list_documents(ws, review.Filters(ids=ids[:3]))[0]}
    assert rows == {mismatch: "amount_mismatch", missing: "missing", confirmed: "confirmed"}
    at = open_document(ws, mismatch, findings="pennylane")  # the filter "Écart avec Pennylane" lists it
    [grid] = [d.value for d in at.dataframe if "Signalements" in d.value.columns]
    [row] = [i for i, n in enumerate(grid["Numéro"]) if n == review.get_document(ws, mismatch)["number"]]
    assert "écart de montant dans Pennylane" in grid["Signalements"][row]
    assert set(grid["Statut"]) == {"Envoyé"}
    assert any("où la dernière vérification a trouvé un écart : rien à décider ici" in c.value for c in at.caption)
    [shown] = [e.value for e in at.error if "Vérification dans Pennylane du" in e.value]
    assert "Pennylane a un autre montant que celui envoyé" in shown and "Corrigez le montant dans Pennylane" in shown
    expected = q(ws, "SELECT expected_amount, pennylane_amount FROM confirmations WHERE document_id = ?", [mismatch])[0]
    assert f"Envoyé : {i18n.format_money(expected[0], 'EUR', 'fr')} ; dans Pennylane : " \
           f"{i18n.format_money(expected[1], 'EUR', 'fr')}." in shown
    at = open_document(ws, missing)
    [shown] = [e.value for e in at.error if "Vérification dans Pennylane du" in e.value]
    assert "la facture 4242 n'est plus dans Pennylane" in shown, "the check's message in French"
    assert "Écluse ne peut pas la renvoyer" in shown
    at = open_document(ws, confirmed)
    assert not [e for e in at.error if "Vérification dans Pennylane" in e.value]
    assert any(c.value == "Déjà envoyé à Pennylane : plus aucune décision à prendre ici." for c in at.caption)
    # a check older than the last send is stale (sent again since): not said
    with ws.db.write() as con:
        con.execute("UPDATE documents SET sent_at = now() + INTERVAL 1 HOUR WHERE id = ?", [mismatch])
    assert review.get_document(ws, mismatch)["confirmation"] is None


# -- accounts Pennylane's chart lacks: flagged in the list, left out of "approve all valid" ----------
def read_chart(ws, monkeypatch, accounts, token="pl-review-left-out-9b3e"):
    """Pennylane's lists read (Correspondances) from the emulator, its chart holding `accounts`."""
    from ecluse.services import pennylane_lists
    from tests.emulators.pennylane import PennylaneEmulator

    with PennylaneEmulator(token=token, rate_limit=(50, 1.0)) as emu:
        for number in accounts:
            emu.add_ledger_account(number, f"Compte {number}")
        monkeypatch.setenv("ECLUSE_TEST_REVIEW_LEFT_OUT_TOKEN", token)
        ws.set_pennylane(api_url=emu.api_url, token="env:ECLUSE_TEST_REVIEW_LEFT_OUT_TOKEN", dry_run=False)
        pennylane_lists.refresh(ws)


def test_approve_all_valid_leaves_out_what_pennylane_would_hold_and_says_why(fresh_synced_workspace, use_workspace,
                                                                            monkeypatch):
    from ecluse.services import batches

    ws = use_workspace(fresh_synced_workspace)
    [(doc_id, hint)] = q(ws, "SELECT l.document_id, l.accounting_hint FROM lines l JOIN documents d ON d.id = "
                             "l.document_id WHERE d.status = 'to_review' AND d.error_count = 0 "
                             "AND l.accounting_hint IS NOT NULL ORDER BY 1 LIMIT 1")
    ws.set_mapping("ledger_accounts", hint, "471000")
    valid = review.valid_ids(ws)
    at = open_app("review")
    assert popover(at).label == f"Approuver tous les valides ({len(valid)})", "lists never read: nothing known"
    read_chart(ws, monkeypatch, ["706000"])
    held = {d for d, c in batches.preview_checks(ws, valid).by_document.items() if c.absent}  # the send page's rule
    assert doc_id in held and len(held) < len(valid)
    at.session_state["rv_all_valid"] = True
    at.run()
    assert_clean(at)
    assert popover(at).label == f"Approuver tous les valides ({len(valid) - len(held)})"
    [warning] = [w.value for w in at.warning if w.value.startswith("Laissé")]
    assert f"**{len(held)}** document" in warning and "absent du plan comptable de Pennylane" in warning
    at.button(key="rv_all_valid_confirm").click().run()
    assert_clean(at)
    assert any(w.value.startswith(f"{len(held)} document") and "compte comptable absent de Pennylane (471000)"
               in w.value for w in at.warning)
    assert {r[0] for r in q(ws, "SELECT id FROM documents WHERE status = 'to_review' AND error_count = 0")} == held
    assert review.get_document(ws, doc_id)["status"] == "to_review"
    number = review.get_document(ws, doc_id)["number"]
    at.text_input(key="rv_search.fr").set_value(number).run()
    [grid] = [d.value for d in at.dataframe if "Signalements" in d.value.columns]
    [row] = [i for i, n in enumerate(grid["Numéro"]) if n == number][:1]
    assert "compte absent de Pennylane (471000)" in grid["Signalements"][row]


# -- a document's header: a held reason, a send's warning, an invoice deleted from Pennylane -----------
def test_the_header_says_a_hold_a_send_warning_and_a_deletion_as_what_they_are(fresh_synced_workspace,
                                                                              use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    ids = send_and_confirm(ws, n_mismatch=0, n_missing=1)
    missing, warned = ids[0], ids[1]
    [(held,)] = q(ws, "SELECT id FROM documents WHERE status = 'to_review' ORDER BY id LIMIT 1")
    number = review.get_document(ws, held)["number"]
    said = {"code": "send.held_missing", "params": {
        "subject": {"fr": f"document {number}", "en": f"document {number}"},
        "missing": {"fr": "la date d'échéance", "en": "the due date"}, "why": {"fr": "", "en": ""}}}
    warn = {"code": "send.warn_ambiguous_category", "params": {"category": "Conseil"}}
    with ws.db.write() as con:  # as send.py leaves a held invoice and a sent one with a warning
        for doc_id, status, reason, action, s in (
                (held, "on_hold", f"held before sending: document {number}: missing due date", "held_before_send", said),
                (warned, "sent", "category 'Conseil' is the label of several Pennylane categories; none was set",
                 "sent", warn)):
            con.execute("UPDATE documents SET status = ?, status_reason = ?, pennylane_url = "
                        "'https://app.pennylane.com/x' WHERE id = ?", [status, reason, doc_id])
            con.execute("INSERT INTO audit (recorded_at, actor, document_id, action, field, reason, reason_said) "
                        "VALUES (now(), 'anne', ?, ?, 'pennylane_id', ?, ?)", [doc_id, action, reason, json.dumps(s)])
        con.execute("UPDATE documents SET pennylane_url = 'https://app.pennylane.com/gone' WHERE id = ?", [missing])
    at = open_document(ws, held)
    assert "Envoi bloqué : il manque : la date d'échéance" in [c.value for c in at.caption]
    assert not [c for c in at.caption if number in c.value and "bloqué" in c.value], "the header names it already"
    at = open_document(ws, warned)
    assert any(c.value.startswith("Avertissement de l'envoi : plusieurs catégories") for c in at.caption)
    assert not [c for c in at.caption if c.value.startswith("Motif")]
    assert [b for b in at.get("link_button") if b.proto.label == "Ouvrir dans Pennylane"]
    at = open_document(ws, missing)
    assert not [b for b in at.get("link_button") if b.proto.label == "Ouvrir dans Pennylane"], "it leads nowhere"
    assert any(c.value.startswith("Cette facture n'existe plus dans Pennylane") for c in at.caption)


def test_suspected_duplicates_are_left_out_of_approve_all_valid_and_refused_together(twin_workspace, use_workspace):
    # The demo imported twice: every document has its copy. "Approve all valid" leaves them to
    # review and says why; approving both of a pair is refused, in French, until one is answered.
    ws = use_workspace(twin_workspace)
    open_pairs = q(ws, "SELECT count(*) FROM documents d WHERE status = 'to_review' AND error_count = 0 AND EXISTS "
                       "(SELECT 1 FROM findings f WHERE f.document_id = d.id AND f.code = 'suspected_duplicate')")[0][0]
    assert open_pairs > 0 and review.valid_ids(ws) == []
    at = open_app("review")
    assert any(i.value.startswith(f"{open_pairs} documents sans erreur restent à revoir : ce sont des doublons "
                                  "suspectés. Gardez les deux ou rejetez l'un d'eux") for i in at.info)
    doc_id, twin = a_pair(ws)
    result = review.decide(ws, "approve", [doc_id, twin], actor="Claire Martin")
    assert result.done == [] and set(result.refused) == {doc_id, twin}
    assert i18n.explain_refusal(result.refused[doc_id], "fr").startswith("doublon suspecté de ")
