"""The console's pages through Streamlit's AppTest, on real workspaces synced from the demo connector."""
from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ecluse import i18n
from ecluse.services import reconcile, review
from ecluse.services import sync as sync_service
from ecluse.ui import state

from tests.ui_fixtures import APP, SECRET_VALUE, SecretConnector, ui_plugins
from tests.ui_fixtures import empty_workspace, fresh_synced_workspace, synced_workspace, use_workspace  # noqa: F401

PAGES = ("overview", "connections", "review", "send", "reconciliation", "reports", "plugins")
UI_DIR = Path(__file__).resolve().parents[1] / "console" / "ui"


# -- helpers ---------------------------------------------------------------------------------
def open_app(page: str = "overview") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if page != "overview":
        at.switch_page(f"views/{page}.py").run()
    assert_clean(at)
    return at


def assert_clean(at: AppTest) -> None:
    """No exception, and no unexpected error turned into a message by app.py."""
    assert not at.exception, [e.value for e in at.exception]
    unexpected = [e.value for e in at.error if "Erreur inattendue" in e.value or "Unexpected error" in e.value]
    assert not unexpected, unexpected


def texts(at: AppTest) -> str:
    """Every string of the rendered tree (element protos), to search for a value anywhere."""
    out: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(out)


def markdown_values(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def shown_total(at: AppTest) -> int:
    for value in markdown_values(at):
        match = re.fullmatch(r"\*\*(\d+)\*\* documents?", value)
        if match:
            return int(match[1])
    raise AssertionError(f"no total in {markdown_values(at)}")


def select_rows(at: AppTest, rows: list[int]) -> AppTest:
    at.session_state[at.session_state["_rv_grid_key"]] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    return at.run()


def statuses(ws, ids: list[str]) -> dict[str, str]:
    rows, _ = review.list_documents(ws, review.Filters(ids=ids), limit=len(ids))
    return {r["id"]: r["status"] for r in rows}


# -- every page ------------------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_page_renders(page, synced_workspace, use_workspace):
    use_workspace(synced_workspace)
    at = open_app(page)
    assert at.title, f"{page} has no title"


# -- overview --------------------------------------------------------------------------------
def test_overview_counts_and_last_syncs(synced_workspace, use_workspace):
    ws = use_workspace(synced_workspace)
    at = open_app()
    summary = review.status_summary(ws)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["À revoir"] == str(summary["documents"]["to_review"])
    assert metrics["Approuvé"] == str(summary["documents"]["approved"])
    assert "demo" in at.dataframe[0].value["Connexion"].tolist()


def test_overview_empty_workspace_syncs_the_demo(empty_workspace, use_workspace):
    ws = use_workspace(empty_workspace)
    at = open_app()
    assert any("vide" in i.value for i in at.info)
    at.button(key="ov_sync_demo").click().run()
    state.JOBS.wait(120)
    at.run()
    assert_clean(at)
    total = review.status_summary(ws)["total"]
    assert total > 0
    assert f"{total} documents au total dans le cache." in [c.value for c in at.caption]
    assert any("terminée" in s.label for s in at.get("status")), "the final sync status is shown"
    # The records the demo keeps as problems are one click away, listed in Revue.
    problems = len(review.list_problems(ws))
    [link] = [b for b in at.button if (b.key or "").startswith("sync_problems_")]
    assert problems == 1 and link.label == "Voir l'enregistrement en problème"  # the demo's record without an id
    link.click().run()
    assert_clean(at)
    assert at.title[0].value == "Revue"
    [expander] = [e for e in at.expander if e.label.startswith("Enregistrements en problème")]
    assert expander.proto.expanded


def test_a_sync_summary_goes_once_a_later_sync_of_its_connection_ran_elsewhere(empty_workspace, use_workspace):
    ws = use_workspace(empty_workspace)
    at = open_app()
    at.button(key="ov_sync_demo").click().run()
    state.JOBS.wait(120)
    at.run()
    assert any("terminée" in s.label for s in at.get("status"))
    at.switch_page("views/connections.py").run()
    assert any("terminée" in s.label for s in at.get("status"))  # on Connexions too
    # The same connection synced by the CLI meanwhile: this session's summary is no longer the
    # connection's last (its counts would be read as the last sync's), and goes.
    sync_service.sync_connection(ws, state.plugins(), "demo", actor="cli")
    at.run()
    assert_clean(at)
    assert not any("terminée" in s.label for s in at.get("status"))
    at.switch_page("views/overview.py").run()
    assert not any("terminée" in s.label for s in at.get("status"))
    assert len(review.status_summary(ws)["last_syncs"]) == 2


def test_a_failed_sync_summary_without_a_run_goes_once_the_connection_ran_again(empty_workspace, use_workspace,
                                                                               monkeypatch):
    """A sync that failed before it had a run (a variable not set) is superseded by a later run."""
    from ecluse.plugins.harvest.connector import HarvestConnector

    ws = use_workspace(empty_workspace)
    monkeypatch.delenv("ECLUSE_UI_UNSET_TOKEN", raising=False)
    ws.set_connection("h", HarvestConnector, {"token": "env:ECLUSE_UI_UNSET_TOKEN", "account_id": "1",
                                              "domain": "acme", "api_url": "http://127.0.0.1:9/v2"})
    at = open_app("connections")
    at.button(key="cn_sync_h").click().run()
    state.JOBS.wait(120)
    at.run()
    assert any(s.label == "Échec de la synchronisation de h" for s in at.get("status"))
    assert review.status_summary(ws)["last_syncs"] == []  # no run: it failed before one began
    monkeypatch.setenv("ECLUSE_UI_UNSET_TOKEN", "tok-ui-later")
    sync_service.sync_connection(ws, state.plugins(), "h", actor="cli")  # the CLI, later: a run (Harvest unreachable)
    at.run()
    assert_clean(at)
    assert not any(s.label == "Échec de la synchronisation de h" for s in at.get("status"))


def test_overview_attention_opens_the_filtered_review(synced_workspace, use_workspace):
    ws = use_workspace(synced_workspace)
    at = open_app()
    at.button(key="ov_open_errors").click().run()
    assert_clean(at)
    assert at.title[0].value == "Revue"
    _rows, expected = review.list_documents(ws, review.Filters(status="to_review", findings="errors"), limit=0)
    assert shown_total(at) == expected > 0


# -- review ----------------------------------------------------------------------------------
def test_review_lists_the_synced_documents(synced_workspace, use_workspace):
    ws = use_workspace(synced_workspace)
    at = open_app("review")
    _rows, total = review.list_documents(ws)
    assert total > 50, "the demo gives more than one page"
    assert shown_total(at) == total
    grid = at.dataframe[-1].value
    assert len(grid) == 50  # one page, paged in DuckDB
    assert at.number_input(key="rv_page").value == 1
    first, _ = review.list_documents(ws, limit=1)
    assert grid.iloc[0]["Numéro"] == first[0]["number"]
    assert grid.iloc[0]["Total TTC"] == i18n.format_money(first[0]["total"], first[0]["currency"], "fr")


def test_review_filters_change_the_count(synced_workspace, use_workspace):
    ws = use_workspace(synced_workspace)
    at = open_app("review")
    at.selectbox(key="rv_findings.fr").set_value("errors").run()
    _rows, errors = review.list_documents(ws, review.Filters(findings="errors"), limit=0)
    assert shown_total(at) == errors > 0
    at.selectbox(key="rv_findings.fr").set_value("all").run()
    at.multiselect(key="rv_kind.fr").set_value(["customer_invoice"]).run()
    _rows, sales = review.list_documents(ws, review.Filters(kind="customer_invoice"), limit=0)
    assert shown_total(at) == sales
    at.text_input(key="rv_search.fr").set_value("zzz-no-such-number").run()
    assert shown_total(at) == 0
    assert any("Aucun document" in i.value for i in at.info)


def test_review_pages_through_the_queue(synced_workspace, use_workspace):
    ws = use_workspace(synced_workspace)
    at = open_app("review")
    at.number_input(key="rv_page").set_value(2).run()
    second, _ = review.list_documents(ws, limit=50, offset=50)
    assert at.dataframe[-1].value.iloc[0]["Numéro"] == second[0]["number"]


def test_approving_selected_rows_changes_their_status(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    at = open_app("review")
    at.selectbox(key="rv_findings.fr").set_value("clean").run()
    page, _ = review.list_documents(ws, review.Filters(findings="clean"), limit=50)
    ids = [page[0]["id"], page[1]["id"]]
    select_rows(at, [0, 1])
    assert "**2** documents sélectionnés" in markdown_values(at)
    at.button(key="rv_approve").click().run()
    assert_clean(at)
    assert statuses(ws, ids) == {ids[0]: "approved", ids[1]: "approved"}
    assert any("2 documents approuvés" in s.value for s in at.success)
    history = review.get_document(ws, ids[0])["history"]
    assert history[-1]["action"] == "approve" and history[-1]["actor"] == "ui-tester"


def test_reject_without_reason_shows_an_error(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    at = open_app("review")
    first, _ = review.list_documents(ws, limit=1)
    select_rows(at, [0])
    at.button(key="rv_reject").click().run()
    assert_clean(at)
    assert any("Indiquez un motif pour rejeter." in e.value for e in at.error)
    assert statuses(ws, [first[0]["id"]]) == {first[0]["id"]: "to_review"}
    at.text_input(key="rv_reason").set_value("facture en double")
    at.button(key="rv_reject").click().run()
    assert statuses(ws, [first[0]["id"]]) == {first[0]["id"]: "rejected"}
    assert review.get_document(ws, first[0]["id"])["status_reason"] == "facture en double"
    assert at.text_input(key="rv_reason").value == "", "the next decision needs a reason of its own"


def test_after_a_decision_the_next_document_to_decide_is_selected(fresh_synced_workspace, use_workspace):
    """Not an approved one that happens to follow in the list: one more click on Rejeter
    would reject it."""
    ws = use_workspace(fresh_synced_workspace)
    rows, _ = review.list_documents(ws, limit=3)
    assert [r["status"] for r in rows] == ["to_review"] * 3
    review.decide(ws, "approve", [rows[1]["id"]], actor="anne", force=True, reason="vu")
    at = open_app("review")
    select_rows(at, [0])
    at.text_input(key="rv_reason").set_value("déjà saisie dans Pennylane")
    at.button(key="rv_reject").click().run()
    assert_clean(at)
    assert statuses(ws, [rows[0]["id"], rows[1]["id"]]) == {rows[0]["id"]: "rejected", rows[1]["id"]: "approved"}
    shown = [s.value for s in at.subheader]
    assert any(rows[2]["number"] in s for s in shown) and not any(rows[1]["number"] in s for s in shown), shown


def test_approve_despite_errors_needs_a_reason(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    at = open_app("review")
    at.selectbox(key="rv_findings.fr").set_value("errors").run()
    flawed, _ = review.list_documents(ws, review.Filters(findings="errors"), limit=1)
    doc_id = flawed[0]["id"]
    select_rows(at, [0, 1])
    at.text_input(key="rv_reason").set_value("montant validé avec le client")
    at.button(key="rv_approve").click().run()  # refused: errors, not forced
    assert statuses(ws, [doc_id])[doc_id] == "to_review"
    assert any(re.search(r"\d+ erreurs? à corriger", w.value) for w in at.warning)
    # The refused documents stay selected, the first one open (not the next one), the reason kept.
    assert "**2** documents sélectionnés · dont 2 avec des erreurs" in markdown_values(at)
    assert any(flawed[0]["number"] in s.value for s in at.subheader)
    assert at.text_input(key="rv_reason").value == "montant validé avec le client"
    at.text_input(key="rv_reason").set_value("")
    select_rows(at, [0])
    at.checkbox(key="rv_force").check().run()
    assert at.button(key="rv_approve").label == "Approuver malgré les erreurs"
    at.button(key="rv_approve").click().run()
    assert any("malgré les erreurs demande un motif" in e.value for e in at.error)
    assert statuses(ws, [doc_id])[doc_id] == "to_review"
    at.text_input(key="rv_reason").set_value("montant validé avec le client")
    at.button(key="rv_approve").click().run()
    assert statuses(ws, [doc_id])[doc_id] == "approved"


def test_hold_and_reopen_and_approve_all_valid(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    at = open_app("review")
    first, _ = review.list_documents(ws, limit=1)
    doc_id = first[0]["id"]
    select_rows(at, [0])
    assert at.button(key="rv_reopen").disabled  # a document to review: nothing to reopen
    at.text_input(key="rv_reason").set_value("attente du bon de commande")
    at.button(key="rv_hold").click().run()
    assert statuses(ws, [doc_id])[doc_id] == "on_hold"
    select_rows(at, [0])
    assert not at.button(key="rv_reopen").disabled and at.button(key="rv_hold").disabled
    at.button(key="rv_reopen").click().run()
    assert statuses(ws, [doc_id])[doc_id] == "to_review"
    # The confirmation says how many of them carry warnings, approved too
    with ws.db.read() as con:
        warned = con.execute("SELECT count(*) FROM documents WHERE status = 'to_review' AND error_count = 0 "
                             "AND warning_count > 0").fetchall()[0][0]
    assert warned > 0
    assert any(f"Dont **{warned}** avec des alertes" in w.value for w in at.warning)
    at.button(key="rv_all_valid_confirm").click().run()
    assert_clean(at)
    _rows, left = review.list_documents(ws, review.Filters(status="to_review"), limit=0)
    _rows, with_errors = review.list_documents(ws, review.Filters(status="to_review", findings="errors"), limit=0)
    assert left == with_errors > 0


def test_detail_of_one_document(synced_workspace, use_workspace):
    ws = use_workspace(synced_workspace)
    at = open_app("review")
    at.selectbox(key="rv_findings.fr").set_value("errors").run()
    flawed, _ = review.list_documents(ws, review.Filters(findings="errors"), limit=1)
    doc = review.get_document(ws, flawed[0]["id"])
    select_rows(at, [0])
    assert_clean(at)
    assert any(doc["number"] in s.value for s in at.subheader)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Total TTC"] == i18n.format_money(doc["total"], doc["currency"], "fr")
    errors = [e.value for e in at.error]
    first_error = next(f for f in doc["findings"] if f["severity"] == "error")
    # in French: the stored message is the English one (the CLI's), its params fill the French text
    detail = i18n.finding_detail(first_error["code"], first_error["message"], first_error["params"], "fr",
                                 doc["currency"])
    assert detail != first_error["message"] and not any(first_error["message"] in e for e in errors)
    assert any(detail in e for e in errors), "findings are shown, errors first"
    assert any("*Champ : " in e for e in errors) and not any("`" in e for e in errors), "fields in words"
    assert at.get("tab"), "lines, history and source are in tabs"
    assert at.json, "the source payload is shown"
    labels = [b.label for b in at.download_button]
    assert any(label.startswith("Télécharger") for label in labels), "the PDF can be downloaded"


def test_a_changed_document_shows_before_and_after(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    first, _ = review.list_documents(ws, limit=1)
    with ws.db.write() as con:  # as a re-sync that saw the source change the due date does
        con.execute("UPDATE documents SET changed = ? WHERE id = ?",
                    ['{"due_date": ["2026-01-31", "2026-02-28"]}', first[0]["id"]])
    at = open_app("review")
    at.selectbox(key="rv_findings.fr").set_value("changed").run()
    assert shown_total(at) == 1
    select_rows(at, [0])
    changes = at.dataframe[-1].value
    assert changes.to_dict("records") == [{"Champ": "due_date", "Avant": "2026-01-31", "Après": "2026-02-28"}]


def test_a_change_after_sending_is_marked_handled_with_what_was_done(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    rows, _ = review.list_documents(ws, limit=2)
    ids = [r["id"] for r in rows]
    with ws.db.write() as con:  # as a re-sync that saw the source change two sent invoices does
        con.execute("UPDATE documents SET status = 'sent', pennylane_id = 5, changed_after_sending = true, "
                    "changed = ? WHERE id IN (SELECT unnest(?))", ['{"due_date": ["2026-01-31", "2026-02-28"]}', ids])
    at = open_app("review")
    at.selectbox(key="rv_findings.fr").set_value("changed").run()
    assert shown_total(at) == 2
    select_rows(at, [0])

    def open_form() -> str:  # the id of the document whose form is shown
        [key] = [i.key for i in at.text_input if (i.key or "").startswith("rv_ack_reason_")]
        return key.removeprefix("rv_ack_reason_")

    def mark() -> None:
        next(b for b in at.button if b.label == "Marquer la modification comme traitée").click().run()

    doc_id = open_form()
    other_id = next(i for i in ids if i != doc_id)
    assert any("après son envoi à Pennylane" in w.value for w in at.warning)
    # A sent document: no decision buttons that would all be refused
    assert not any(b.key == "rv_approve" for b in at.button)
    assert any("Déjà envoyé à Pennylane" in c.value for c in at.caption)
    mark()
    assert any("Indiquez ce qui a été fait dans Pennylane" in e.value for e in at.error)
    assert review.get_document(ws, doc_id)["changed_after_sending"] is True
    at.text_input(key=f"rv_ack_reason_{doc_id}").input("avoir émis dans Pennylane")
    mark()
    assert_clean(at)
    assert any("marquée comme traitée" in s.value for s in at.success)
    doc = review.get_document(ws, doc_id)
    assert (doc["changed_after_sending"], doc["changed"]) == (False, None)
    assert doc["history"][-1]["reason"] == "avoir émis dans Pennylane"
    assert shown_total(at) == 1  # no longer among the changed ones; the other one still is
    # The handled document stays shown (not the other one, now in its row), its form gone
    assert not any((i.key or "").startswith("rv_ack_reason_") for i in at.text_input)
    assert review.get_document(ws, other_id)["changed_after_sending"] is True
    # Changed again by a sync while the accountant was reading: refused, the new differences shown
    select_rows(at, [0])
    assert open_form() == other_id
    with ws.db.write() as con:
        con.execute("UPDATE documents SET content_hash = 'new', changed = ? WHERE id = ?",
                    ['{"due_date": ["2026-01-31", "2026-03-31"]}', other_id])
    at.text_input(key=f"rv_ack_reason_{other_id}").input("avoir")
    mark()
    assert any("de nouveau modifié" in w.value for w in at.warning)
    assert not any("marquée comme traitée" in s.value for s in at.success)
    assert review.get_document(ws, other_id)["changed_after_sending"] is True
    mark()  # what is shown now is what is handled
    assert any("marquée comme traitée" in s.value for s in at.success)
    assert review.get_document(ws, other_id)["history"][-1]["old_value"] == '{"due_date": ["2026-01-31", "2026-03-31"]}'


def test_a_status_reason_the_sync_gave_is_said_in_french(fresh_synced_workspace, use_workspace):
    from ecluse import i18n

    ws = use_workspace(fresh_synced_workspace)
    with ws.db.read() as con:  # a finding with its params, as a Gone or a change brings back to review
        doc_id, message, code, params = con.execute(
            "SELECT document_id, message, code, params FROM findings WHERE params IS NOT NULL "
            "ORDER BY document_id LIMIT 1").fetchall()[0]
    with ws.db.write() as con:
        con.execute("UPDATE documents SET status_reason = ? WHERE id = ?", [message, doc_id])
    french = i18n.finding_detail(code, message, params, "fr")
    assert french != message
    at = open_app("review")
    at.text_input(key="rv_search.fr").input(review.get_document(ws, doc_id)["number"]).run()
    select_rows(at, [0])
    captions = [c.value for c in at.caption]
    assert any(french in c for c in captions) and not any(message in c for c in captions), captions


def test_pdf_preview_without_a_renderer_says_so(synced_workspace, use_workspace, monkeypatch):
    from ecluse.ui import widgets

    use_workspace(synced_workspace)
    monkeypatch.setattr(widgets, "pdf_pages_as_png", lambda content, **kw: None)
    at = open_app("review")
    select_rows(at, [0])
    assert any("pypdfium2" in i.value for i in at.info)


def test_problems_are_listed(synced_workspace, use_workspace):
    ws = use_workspace(synced_workspace)
    problems = review.list_problems(ws)
    assert problems, "the demo data set holds malformed records"
    at = open_app()
    at.button(key="ov_open_problems").click().run()
    assert any(f"({len(problems)})" in e.label for e in at.get("expander"))
    [frame] = [d.value for d in at.dataframe if "Message" in d.value.columns]
    messages = list(frame["Message"])
    assert messages and all(m.startswith("Enregistrement de démonstration ") and "non importé" in m
                            for m in messages), messages


def test_a_problem_is_marked_handled_with_a_reason(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    [first, *_] = review.list_problems(ws)
    at = open_app()
    at.button(key="ov_open_problems").click().run()
    at.button(key="rv_problems_dismiss").click().run()  # nothing ticked yet
    assert any("Cochez d'abord" in w.value for w in at.warning)
    at.session_state[at.session_state["_rv_problems_key"]] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    # one ticked: its whole message and payload under the list (the grid's column cuts it)
    assert [j for j in at.json] and any(m.value.startswith("Enregistrement de démonstration") for m in at.markdown)
    [frame] = [d.value for d in at.dataframe if "Message" in d.value.columns]
    assert "Numéro" in frame.columns
    dismiss = at.button(key="rv_problems_dismiss")
    assert dismiss.label == "Marquer comme traité"
    dismiss.click().run()  # no reason: refused, nothing recorded
    assert any("Dites pourquoi ces enregistrements sont traités." in e.value for e in at.error)
    assert review.list_problems(ws)[0]["id"] == first["id"]
    at.session_state[at.session_state["_rv_problems_key"]] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    [reason] = [w for w in at.text_input if w.label == "Pourquoi (obligatoire)"]
    reason.input("Facture saisie à la main dans Pennylane")
    at.button(key="rv_problems_dismiss").click().run()
    assert_clean(at)
    [row] = [p for p in review.list_problems(ws, include_resolved=True) if p["id"] == first["id"]]
    assert (row["resolution"], row["resolved_by"], row["resolved_reason"]) == (
        "dismissed", "ui-tester", "Facture saisie à la main dans Pennylane")
    assert any("marqué comme traité" in s.value for s in at.success)


def test_a_problem_ticked_is_the_one_dismissed_when_the_list_changes(fresh_synced_workspace, use_workspace):
    import datetime as dt

    from ecluse.storage.ingest import record_problems

    ws = use_workspace(fresh_synced_workspace)

    def add(source_id):
        with ws.db.write() as con:
            record_problems(con, "demo", [(source_id, f"record {source_id} unreadable", {"id": source_id}, None)],
                            now=dt.datetime.now(dt.timezone.utc), run_id=None)

    add("p1")
    at = open_app()
    at.button(key="ov_open_problems").click().run()
    ticked = review.list_problems(ws)[0]["id"]  # newest first: p1
    at.session_state[at.session_state["_rv_problems_key"]] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    add("p2")  # a sync adds a newer one between the tick and the click: row 0 is now p2
    at.run()
    assert at.button(key="rv_problems_dismiss").label == "Marquer comme traité"  # the new list: nothing ticked
    at.session_state[at.session_state["_rv_problems_key"]] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    review.dismiss_problems(ws, [ticked], actor="a colleague", reason="done meanwhile")
    [reason] = [w for w in at.text_input if w.label == "Pourquoi (obligatoire)"]
    reason.input("test")
    at.button(key="rv_problems_dismiss").click().run()
    assert any("Un enregistrement coché était déjà traité" in w.value for w in at.warning), ([w.value for w in at.warning], [e.value for e in at.error], [s.value for s in at.success])
    assert [p["source_id"] for p in review.list_problems(ws)][0] == "p2"  # left open


# -- language ----------------------------------------------------------------------------------
def test_language_switch_changes_labels(synced_workspace, use_workspace):
    use_workspace(synced_workspace)
    at = open_app("review")
    assert at.title[0].value == "Revue"
    at.selectbox(key="rv_findings.fr").set_value("errors").run()
    at.segmented_control(key="lang").set_value("en").run()
    assert_clean(at)
    assert at.title[0].value == "Review"
    findings = at.selectbox(key="rv_findings.en")  # one widget per language, same value
    assert findings.label == "Findings" and findings.value == "errors"
    assert "Total" in at.dataframe[-1].value.columns
    at.switch_page("views/overview.py").run()
    assert at.title[0].value == "Overview"
    assert at.segmented_control(key="lang").value == "en"


# -- reports -----------------------------------------------------------------------------------
def test_reports_runs_a_saved_report_and_offers_downloads(synced_workspace, use_workspace):
    use_workspace(synced_workspace)
    at = open_app("reports")
    at.selectbox(key="rp_saved.fr").set_value("monthly_totals").run()
    assert_clean(at)
    assert "FROM invoices" in at.text_area(key="rp_sql").value
    assert not any("Requête modifiée" in c.value for c in at.caption)
    sql = at.text_area(key="rp_sql").value
    at.text_area(key="rp_sql").set_value(sql.replace("ORDER BY month", "ORDER BY month DESC")).run()
    assert any(c.value.startswith("Requête modifiée : ce n'est plus le rapport « Totaux mensuels") for c in at.caption)
    at.text_area(key="rp_sql").set_value(sql).run()  # back as saved
    result = at.dataframe[-1].value
    # Columns and statuses as the console names them; one currency per row (no sum across them).
    assert list(result.columns) == ["Connexion", "Mois", "Statut", "Devise", "Documents", "Total HT", "TVA",
                                    "Total TTC"]
    assert len(result) > 0 and "À revoir" in set(result["Statut"])
    formats = json.loads(at.dataframe[-1].proto.columns)
    assert formats["Mois"]["type_config"]["format"] == "MM/YYYY"  # a month, not its first day
    assert formats["Total TTC"]["type_config"]["format"] == "localized"  # 2 430,00 in a French browser
    assert sorted(b.label for b in at.download_button) == ["CSV", "JSON", "PARQUET", "XLSX"]
    views = at.dataframe[0].value
    assert set(views.iloc[:, 0]) == set(__import__("ecluse.services.reports", fromlist=["VIEWS"]).VIEWS)
    # The SQL names, to write one's own queries.
    at.toggle(key="rp_sql_names.fr").set_value(True).run()
    assert_clean(at)
    result = at.dataframe[-1].value
    assert list(result.columns)[:4] == ["connection", "month", "status", "currency"]
    assert "to_review" in set(result["status"])


def test_reports_shows_errors_as_messages(synced_workspace, use_workspace):
    use_workspace(synced_workspace)
    at = open_app("reports")
    at.text_area(key="rp_sql").set_value("SELECT * FROM no_such_view")
    at.button(key="rp_run").click().run()
    assert_clean(at)
    assert any(e.value.startswith("La vue « no_such_view » n'existe pas") for e in at.error), [e.value for e in at.error]
    assert any("Catalog Error" in c.value for c in at.caption), "DuckDB's own text, for whoever knows SQL"
    at.text_area(key="rp_sql").set_value("SELECT * FROM Factures")  # a view named in French: that view
    at.button(key="rp_run").click().run()
    assert any(e.value == "La vue « Factures » n'existe pas. Vouliez-vous dire « invoices » ?" for e in at.error), \
        [e.value for e in at.error]
    at.text_area(key="rp_sql").set_value("SELECT numbr FROM invoices")
    at.button(key="rp_run").click().run()
    assert any("La colonne « numbr » n'existe pas" in e.value and "number" in e.value for e in at.error)
    at.text_area(key="rp_sql").set_value("SELECT status, count(*) FROM invoices")
    at.button(key="rp_run").click().run()
    assert any("« status » doit figurer dans le GROUP BY" in e.value for e in at.error)
    at.text_area(key="rp_sql").set_value("SELEC 1")
    at.button(key="rp_run").click().run()
    assert any("Erreur de syntaxe près de « SELEC »" in e.value for e in at.error)
    at.text_area(key="rp_sql").set_value("SELECT total FROM invoices WHERE total > '12,5'")
    at.button(key="rp_run").click().run()
    assert any("écrivez les décimales avec un point (12.5)" in e.value for e in at.error), [e.value for e in at.error]
    at.text_area(key="rp_sql").set_value("SELECT number FROM invoices LIMIT 3; SELECT 2")
    at.button(key="rp_run").click().run()
    assert any(e.value.startswith("Une requête à la fois : ce texte en contient 2.") for e in at.error)
    # Anything else keeps DuckDB's text.
    at.text_area(key="rp_sql").set_value("SELECT * FROM invoices UNION SELECT 1")
    at.button(key="rp_run").click().run()
    assert any(e.value.startswith("La requête a échoué : ") for e in at.error), [e.value for e in at.error]
    at.text_area(key="rp_sql").set_value("DELETE FROM invoices")
    at.button(key="rp_run").click().run()
    assert_clean(at)
    assert any("Les rapports sont en lecture seule" in e.value for e in at.error)


def test_reports_run_queries_and_refuse_anything_else(synced_workspace, use_workspace):
    from ecluse.services import reports

    ws = use_workspace(synced_workspace)
    for sql in ("SELECT 1 AS one", "WITH a AS (SELECT 1 AS x) SELECT * FROM a", "SUMMARIZE invoices",
                "DESCRIBE invoices", "PRAGMA table_info('invoices')", "CALL duckdb_tables()", "FROM invoices LIMIT 1"):
        assert reports.run_query(ws, sql).columns, sql
    for sql in ("-- note\nDELETE FROM invoices", "/* x */ DROP VIEW invoices", "WITH a AS (SELECT 1) DELETE FROM invoices",
                "SELECT 1; DROP VIEW invoices", "SET threads = 1", "COPY (SELECT 1) TO 'x.csv'"):
        with pytest.raises(reports.ReportError, match="^reports are read-only"):
            reports.run_query(ws, sql)
    assert reports.run_query(ws, "SELECT count(*) AS n FROM invoices").rows[0]["n"] > 0  # nothing was dropped


def test_exports_open_in_french_spreadsheets(synced_workspace, use_workspace):
    import io

    from openpyxl import load_workbook

    from ecluse.services import reports

    ws = use_workspace(synced_workspace)
    result = reports.run_query(ws, "SELECT 'acme' AS connection, 1234.5::DECIMAL(18, 2) AS total, NULL AS note, "
                                   "-12.5::DECIMAL(18, 2) AS credit, 19.6::DOUBLE AS rate, DATE '2026-05-01' AS day, 3 AS n")
    assert reports.export(result, "csv") == (  # the CLI's, plain
        b"connection,total,note,credit,rate,day,n\r\nacme,1234.50,,-12.50,19.6,2026-05-01,3\r\n")
    french = reports.export(result, "csv", french=True)
    assert french == "\ufeffconnection;total;note;credit;rate;day;n\r\nacme;1234,50;;-12,50;19,6;01/05/2026;3\r\n".encode()
    sheet = load_workbook(io.BytesIO(reports.export(result, "xlsx", french=True))).active
    assert sheet["B2"].value == Decimal("1234.5") and sheet["B2"].number_format == "#,##0.00"
    assert sheet["F2"].number_format == "dd/mm/yyyy"
    # Quantities and unit prices with the places a reader needs, yes/no in words, times as shown.
    more = reports.run_query(ws, "SELECT 1.000000::DECIMAL(18, 6) AS quantity, 0.123400::DECIMAL(18, 6) AS price, "
                                 "20.000::DECIMAL(6, 3) AS rate, true AS sent, TIMESTAMPTZ '2026-05-01 08:30:00+00' AS at")
    row = reports.export(more, "csv", french=True).decode("utf-8-sig").splitlines()[1].split(";")
    local = dt.datetime(2026, 5, 1, 8, 30, tzinfo=dt.timezone.utc).astimezone().strftime("%d/%m/%Y %H:%M:%S")
    assert row == ["1,00", "0,1234", "20,00", "oui", local]
    sheet = load_workbook(io.BytesIO(reports.export(more, "xlsx"))).active
    assert [sheet["A2"].number_format, sheet["B2"].number_format] == ["#,##0.00", "#,##0.0000"]
    assert sheet["E2"].number_format == "yyyy-mm-dd hh:mm:ss"
    # The saved monthly totals give a month as a day, not a midnight timestamp.
    monthly = reports.run_query(ws, reports.SAVED_REPORTS["monthly_totals"][1]).rows
    assert monthly and all(type(r["month"]) is dt.date and r["month"].day == 1 for r in monthly)


def test_reports_show_known_columns_and_values_in_the_readers_language(synced_workspace, use_workspace):
    from ecluse.services import reports

    ws = use_workspace(synced_workspace)
    raw = reports.run_query(ws, reports.SAVED_REPORTS["open_findings"][1])
    french = reports.presented(raw, "fr")
    assert french.columns == ["Identifiant", "Numéro", "Tiers", "Devise", "Gravité", "Code", "Message"]  # no params
    rows = french.rows
    assert {r["Gravité"] for r in rows} == {"Erreur", "Alerte"}  # Revue's words
    # The message in French, as Review says it (amounts with their currency), not as stored.
    stored = {(r["id"], r["code"]): r["message"] for r in raw.rows}
    totals = [r for r in rows if r["Code"] == "totals_mismatch"]
    assert totals and all("€" in r["Message"] and r["Message"] != stored[(r["Identifiant"], r["Code"])]
                          for r in totals if r["Devise"] == "EUR")
    english = reports.presented(raw, "en")
    assert english.columns[4] == "Severity" and {r["Severity"] for r in english.rows} == {"Error", "Warning"}
    # Unknown columns and values are left as they are; a label two columns would share goes to the first.
    mixed = reports.presented(reports.run_query(
        ws, "SELECT 'paid' AS status, 'customer_invoice' AS kind, 1 AS total_tax, 2 AS vat, 3 AS mine"), "fr")
    assert mixed.columns == ["Statut", "Type", "TVA", "vat", "mine"]
    assert mixed.rows == [{"Statut": "paid", "Type": "Facture client", "TVA": 1, "vat": 2, "mine": 3}]
    # Sync runs, history actions, counterparties' roles and problems, in words too.
    runs = reports.presented(reports.run_query(ws, "SELECT status, finished_at, unchanged FROM sync_runs"), "fr")
    assert runs.columns == ["Statut", "Fin", "Inchangés"] and {r["Statut"] for r in runs.rows} == {"réussie"}
    # A status is a sync run's or a batch's when the result has their columns, else a document's.
    statuses = "SELECT * FROM (VALUES ('failed'), ('interrupted')) v(status)"
    assert [r["Statut"] for r in reports.presented(reports.run_query(
        ws, f"SELECT status, 0 AS fetched FROM ({statuses})"), "fr").rows] == ["échec", "interrompue"]
    assert [r["Statut"] for r in reports.presented(reports.run_query(
        ws, f"SELECT status, false AS dry_run FROM ({statuses})"), "fr").rows] == ["failed", "interrompu"]
    assert [r["Statut"] for r in reports.presented(reports.run_query(ws, statuses), "fr").rows] == [
        "Échec d'envoi", "interrupted"]
    audit = reports.presented(reports.run_query(ws, "SELECT DISTINCT action FROM audit"), "fr")
    assert "récupéré" in {r["Action"] for r in audit.rows}
    roles = reports.presented(reports.run_query(ws, "SELECT DISTINCT role FROM counterparties"), "fr")
    assert {r["Rôle"] for r in roles.rows} <= {"Client", "Fournisseur"}
    closed = reports.presented(reports.run_query(
        ws, "SELECT 'dismissed' AS resolution, now() AS resolved_at, 'Claire' AS resolved_by, 'test' AS resolved_reason"), "fr")
    assert closed.columns == ["Clôture", "Clos le", "Clos par", "Motif de clôture"]
    assert closed.rows[0]["Clôture"] == "marqué comme traité"
    problems = reports.presented(reports.run_query(ws, "SELECT message, said FROM problems"), "fr")
    assert problems.columns == ["Message"] and problems.rows
    assert all(r["Message"].startswith("Enregistrement de démonstration") for r in problems.rows)
    # The French CSV holds what the page shows.
    csv = reports.export(reports.presented(reports.run_query(
        ws, "SELECT status, count(*) AS documents FROM invoices WHERE status = 'to_review' GROUP BY ALL"), "fr"),
        "csv", french=True).decode("utf-8-sig")
    assert csv.splitlines()[0] == "Statut;Documents" and csv.splitlines()[1].startswith("À revoir;")



def test_the_audit_exports_plain_values_and_says_automatic_reasons(fresh_synced_workspace, use_workspace):
    """The history as exported from Rapports: before and after as plain values (to_review, not
    "to_review" quoted again by the CSV), in words in the French CSV, the raw value in Parquet and
    JSON; an automatic reason in the reader's language, one stored before as it was."""
    import io

    import pyarrow.parquet as pq

    from ecluse.services import fixes, reports

    ws = use_workspace(fresh_synced_workspace)
    doc_id = review.approve_all_valid(ws, actor="Claire Martin").done[0]
    fixes.fix(ws, doc_id, "category", "Ventes web", actor="Claire Martin")
    sql = ("SELECT actor, action, field, old_value, new_value, reason, reason_said FROM audit "
           f"WHERE document_id = '{doc_id}' AND action IN ('approve', 'fix') ORDER BY id")
    result = reports.run_query(ws, sql)
    assert reports.export(result, "csv").decode().splitlines()[1:] == [
        'Claire Martin,approve,status,to_review,approved,all valid,"{""code"":""reason.all_valid"",""params"":{}}"',
        "Claire Martin,fix,category,,Ventes web,,"]
    french = reports.export(reports.presented(result, "fr"), "csv", french=True).decode("utf-8-sig").splitlines()
    assert french == ["Par;Action;Champ;Avant;Après;Motif",
                      "Claire Martin;approuvé;Statut;À revoir;Approuvé;aucune erreur : approuvé avec « Approuver tous les "
                      "valides »",
                      "Claire Martin;corrigé;Catégorie;;Ventes web;"]
    english = reports.presented(result, "en").rows[0]
    assert (english["Before"], english["After"], english["Reason"]) == (
        "To review", "Approved", "no error: approved with “Approve all valid”")
    assert json.loads(reports.export(result, "json"))[0]["old_value"] == "to_review"
    assert pq.read_table(io.BytesIO(reports.export(result, "parquet"))).column("new_value").to_pylist() == [
        "approved", "Ventes web"]
    # A row stored before the reason was said keeps its English. What a sync found changed keeps
    # its JSON, a number its text; Écluse's own name is said.
    with ws.db.write() as con:
        con.execute("UPDATE audit SET reason_said = NULL WHERE document_id = ? AND action = 'approve'", [doc_id])
        con.execute("INSERT INTO audit (recorded_at, actor, document_id, action, field, old_value, new_value) "
                    "VALUES (now(), 'ecluse', ?, 'changed', 'due_date', '12.50', ?)",
                    [doc_id, '{"due_date": ["2026-01-31", null]}'])
    assert reports.presented(reports.run_query(ws, sql), "fr").rows[0]["Motif"] == "all valid"
    changed = reports.run_query(ws, f"SELECT actor, old_value, new_value FROM audit WHERE action = 'changed' "
                                    f"AND document_id = '{doc_id}'")
    assert reports.presented(changed, "fr").rows == [
        {"Par": "Écluse", "Avant": "12.50", "Après": '{"due_date": ["2026-01-31", null]}'}]


def test_a_query_repeating_column_names_is_shown_and_exported(synced_workspace, use_workspace):
    from ecluse.services import reports

    ws = use_workspace(synced_workspace)
    result = reports.run_query(ws, "SELECT * FROM invoices i JOIN lines l ON l.document_id = i.id LIMIT 3")
    assert result.columns.count("kind") == 1 and "kind_1" in result.columns and "number_1" in result.columns
    for fmt in reports.FORMATS:
        assert reports.export(reports.presented(result, "fr"), fmt, french=True)
    # Decimals with more digits than Python's default context holds are exported whole.
    huge = reports.run_query(ws, "SELECT -1234567890123456789012345678.123456::DECIMAL(38, 6) AS amount")
    assert reports.export(huge, "csv", french=True).decode("utf-8-sig").splitlines()[1] == (
        "-1234567890123456789012345678,123456")
    assert reports.export(huge, "xlsx", french=True)
    at = open_app("reports")
    at.text_area(key="rp_sql").set_value("SELECT 1 AS a, 2 AS a, 3 AS a")
    at.button(key="rp_run").click().run()
    assert_clean(at)
    assert list(at.dataframe[-1].value.columns) == ["a", "a_1", "a_2"]


def test_reports_says_when_the_display_is_truncated(synced_workspace, use_workspace):
    use_workspace(synced_workspace)
    at = open_app("reports")
    at.text_area(key="rp_sql").set_value("SELECT * FROM range(1500)")
    at.button(key="rp_run").click().run()
    assert len(at.dataframe[-1].value) == 1000
    assert any("1000" in w.value for w in at.warning)


# -- reconciliation ------------------------------------------------------------------------------
def test_reconciliation_renders_plotly_charts(synced_workspace, use_workspace):
    ws = use_workspace(synced_workspace)
    at = open_app("reconciliation")
    charts = at.get("plotly_chart")
    assert len(charts) == 2, "monthly totals and backlog age"
    backlog = json.loads(charts[1].proto.spec)
    assert backlog["data"][0]["x"][-1] == "> 90 j" and backlog["data"][0]["x"][0] == "0–7 j"
    assert reconcile.monthly_totals(ws, side="sales")
    at.segmented_control(key="rc_side.fr").set_value("purchases").run()
    assert_clean(at)
    at.segmented_control(key="rc_basis.fr").set_value("waiting").run()
    assert_clean(at)
    assert len(at.get("plotly_chart")) == 2


def test_a_clicked_bar_selects_its_documents(synced_workspace, use_workspace):
    from ecluse.ui import widgets

    ws = use_workspace(synced_workspace)
    row = reconcile.monthly_totals(ws, side="sales")[0]
    event = {"selection": {"points": [{"x": str(row["month"]), "customdata": [
        row["month"].isoformat(), row["status"], row["connection"], row["documents"], "", ""]}]}}
    assert widgets.selected_bar(event) == (row["month"], row["status"], row["connection"])
    assert widgets.selected_bar({"selection": {"points": []}}) is None
    docs, total = reconcile.documents_for(ws, row["month"], row["status"], row["connection"], side="sales")
    assert total == row["documents"] == len(docs)
    assert sum((d["total"] for d in docs), Decimal(0)) == row["total"]


def test_reconciliation_says_all_that_was_sent_and_counts_held_documents_in_the_backlog(fresh_synced_workspace,
                                                                                       use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    with ws.db.write() as con:  # sent two days ago, checked yesterday; one sent again since; one put on hold
        con.execute("UPDATE documents SET status = 'sent', sent_at = now() - INTERVAL 2 DAY, pennylane_id = 1000 + rowid "
                    "WHERE error_count = 0 AND kind = 'customer_invoice' AND currency = 'EUR'")
        con.execute("INSERT INTO confirmations (document_id, checked_at, status, pennylane_amount, expected_amount, message) SELECT id, now() - INTERVAL 1 DAY, 'confirmed', total, total, NULL "
                    "FROM documents WHERE status = 'sent'")
        late, late_total = con.execute("SELECT id, total FROM documents WHERE status = 'sent' ORDER BY id").fetchone()
        con.execute("UPDATE documents SET sent_at = now() WHERE id = ?", [late])
        (checked_at,) = con.execute("SELECT max(checked_at) FROM confirmations").fetchone()
        sent_total = con.execute("SELECT sum(total) FROM documents WHERE status = 'sent'").fetchone()[0]
        held = con.execute("SELECT id FROM documents WHERE status = 'to_review' AND kind = 'customer_invoice' "
                           "AND currency = 'EUR' ORDER BY id").fetchone()[0]
    review.decide(ws, "hold", [held], actor="ui-tester", reason="En attente du bon de commande")
    at = open_app("reconciliation")

    def money(value):
        return i18n.format_money(value, "EUR", "fr")

    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Envoyé par Écluse"] == money(sent_total), "everything sent, checked since or not"
    assert metrics["Dont vérifié"] == money(sent_total - late_total)
    assert metrics["Dont non vérifié"] == money(late_total)
    assert metrics["Dernière vérification"] == i18n.format_datetime(checked_at, "fr")
    captions = [c.value for c in at.caption]
    assert (f"Envoyés depuis la dernière vérification, pas encore vérifiés : 1 document, {money(late_total)} ; "
            "« Confirmer avec Pennylane » (page Envoi) les relit.") in captions
    # The backlog's age counts the held document, as the monthly chart's review bars do.
    review_bars = sum(r["documents"] for r in reconcile.monthly_stages(ws, side="sales") if r["stage"] == "review")
    backlog = json.loads(at.get("plotly_chart")[-1].proto.spec)
    assert sum(sum(trace["y"]) for trace in backlog["data"]) == review_bars
    # It counts documents (in that currency), not euros; and the page says it shows sales only.
    assert "Ancienneté des documents en EUR à revoir ou mis en attente (nombre de documents)" in [
        s.value for s in at.subheader]
    assert any(c.startswith("Ventes seulement (factures et avoirs clients, en EUR)") for c in captions)
    assert any("« À revoir (y compris mis en attente) » du graphique mensuel" in c for c in captions)


# -- connections ----------------------------------------------------------------------------------
def test_connections_form_from_schema_never_shows_the_secret(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    ws.set_connection("source-a", SecretConnector, {"account": "acme", "token": SECRET_VALUE, "page_size": "25"})
    ws.set_connection("source-b", SecretConnector, {"account": "beta", "token": "env:UI_TEST_TOKEN"})
    at = open_app("connections")
    assert SECRET_VALUE not in texts(at)
    # The sources Écluse does not read yet are named as such.
    assert any(c.value.startswith("Pas encore disponibles dans Écluse : Amazon Business, GetMyInvoices.")
               for c in at.caption)
    token = at.text_input(key="cne_source-a_token")
    assert token.value == "" and token.label == "API token *"
    assert "déjà enregistré" in token.proto.placeholder
    assert token.proto.type == token.proto.PASSWORD
    assert "UI_TEST_TOKEN" in at.text_input(key="cne_source-b_token").proto.placeholder
    account = at.text_input(key="cne_source-a_account")
    assert (account.value, account.label, account.help) == ("acme", "Compte *", "L'identifiant du compte.")
    assert at.text_input(key="cne_source-a_base_url").label == "API URL"  # no translation: the connector's own
    assert at.number_input(key="cne_source-a_page_size").value == 25
    assert at.checkbox(key="cne_source-a_include_drafts").value is False
    assert at.date_input(key="cne_source-a_start").value is None
    assert at.date_input(key="cne_source-a_start").proto.format == "DD/MM/YYYY"  # as the other pages show dates
    assert at.selectbox(key="cne_source-a_region").options == ["eu", "us"]
    assert at.text_input(key="cne_source-a_base_url").value == "https://api.example.test"
    # Saving with the secret left empty keeps it.
    at.text_input(key="cne_source-a_account").set_value("acme-2")
    at.button(key="cn_save_source-a").click().run()
    assert_clean(at)
    assert ws.connection("source-a")["settings"]["account"] == "acme-2"
    assert SECRET_VALUE in ws.secrets_path.read_text(encoding="utf-8")
    assert SECRET_VALUE not in ws.config_path.read_text(encoding="utf-8")
    assert SECRET_VALUE not in texts(at)
    at.segmented_control(key="lang").set_value("en").run()
    assert_clean(at)
    account = at.text_input(key="cne_source-a_account")
    assert (account.value, account.label, account.help) == ("acme-2", "Account *", "The account id.")



def test_a_sync_whose_process_died_shows_as_interrupted_in_french(fresh_synced_workspace, use_workspace):
    import datetime as dt
    import subprocess
    import sys

    ws = use_workspace(fresh_synced_workspace)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    with ws.db.write() as con:  # what a killed `ecluse sync` leaves (tests/test_concurrency.py kills a real one)
        con.execute("INSERT INTO sync_runs (connection, started_at, status, actor, pid) VALUES ('demo', ?, 'running', 'cli', ?)",
                    [dt.datetime.now(dt.timezone.utc), int(dead.stdout)])
    at = open_app("connections")
    [row] = at.dataframe[0].value.to_dict("records")
    assert row["Statut"] == "interrompue" and "processus tué ou planté" in row["Erreur"]

def test_add_a_connection_from_the_form(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    at = open_app("connections")
    at.selectbox(key="cn_new_connector").set_value(SecretConnector.id).run()
    at.text_input(key="cn_new_name").set_value("nouvelle")
    at.text_input(key="cnn_uitest_secret_account").set_value("compte-1")
    at.text_input(key="cnn_uitest_secret_token").set_value("env:NEW_TOKEN")
    at.button(key="cn_create").click().run()
    assert_clean(at)
    assert ws.connection("nouvelle")["connector"] == SecretConnector.id
    assert ws.secret_keys("nouvelle") == ["token"]
    assert any("nouvelle" in s.value for s in at.success)
    # A missing required field is refused with the schema's message, not a traceback.
    at.selectbox(key="cn_new_connector").set_value(SecretConnector.id).run()
    # the form is emptied after a creation: new widgets, whatever the browser held in the old ones
    assert at.text_input(key="cn_new_name_1").value == "" and at.text_input(key="cnn_1_uitest_secret_account").value == ""
    at.text_input(key="cn_new_name_1").set_value("incomplete")
    at.button(key="cn_create").click().run()
    assert_clean(at)
    # Named by its label, as the form shows it ("Compte *"), not by its key.
    assert any(e.value.replace(i18n.NBSP, " ") == "Le réglage obligatoire « Compte » est vide." for e in at.error)
    assert "incomplete" not in ws.connections()


def test_saving_a_harvest_connection_that_imports_history_warns_in_french(fresh_synced_workspace, use_workspace):
    import datetime as dt

    ws = use_workspace(fresh_synced_workspace)
    at = open_app("connections")
    at.selectbox(key="cn_new_connector").set_value("harvest").run()
    # What an accountant fills in first; the API URL and the contact address, folded after them.
    from ecluse.plugins.harvest.connector import HarvestConnector

    assert [s.name for s in HarvestConnector.settings if not s.advanced] == [
        "token", "account_id", "domain", "start_date", "pdfs"]
    [advanced] = [e for e in at.expander if e.label == "Réglages avancés"]
    assert {w.key for w in advanced.get("text_input")} == {"cnn_harvest_api_url", "cnn_harvest_contact"}
    assert not advanced.proto.expanded  # their defaults stand
    at.text_input(key="cn_new_name").set_value("acme")
    at.text_input(key="cnn_harvest_token").set_value("env:HARVEST_TOKEN")
    at.text_input(key="cnn_harvest_account_id").set_value("123456")
    at.text_input(key="cnn_harvest_domain").set_value("acme")
    at.date_input(key="cnn_harvest_start_date").set_value(dt.date(2023, 1, 1))
    at.text_input(key="cnn_harvest_account_id").set_value("acme")  # not a Harvest account ID: refused in French
    at.button(key="cn_create").click().run()
    assert_clean(at)
    assert "acme" not in ws.connections()
    assert any("« acme » n'est pas un identifiant de compte Harvest" in e.value.replace(i18n.NBSP, " ") for e in at.error)
    at.text_input(key="cnn_harvest_account_id").set_value("123456")
    at.button(key="cn_create").click().run()
    assert_clean(at)
    assert ws.connection("acme")["settings"]["start_date"] == "2023-01-01"
    assert any(w.value.startswith("Import d'historique : la date de début (01/01/2023) est antérieure")
               for w in at.warning)
    # within the default window: saved without a word
    at.selectbox(key="cn_new_connector").set_value("harvest").run()
    at.text_input(key="cn_new_name_1").set_value("recent")  # the second form's widgets
    at.text_input(key="cnn_1_harvest_token").set_value("env:HARVEST_TOKEN")
    at.text_input(key="cnn_1_harvest_account_id").set_value("123456")
    at.text_input(key="cnn_1_harvest_domain").set_value("acme")
    at.date_input(key="cnn_1_harvest_start_date").set_value(dt.date.today())
    at.button(key="cn_create").click().run()
    assert "recent" in ws.connections() and not any("Import d'historique" in w.value for w in at.warning)


def test_test_sync_and_remove_a_connection(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    at = open_app("connections")
    assert at.dataframe[0].value["Connecteur"].tolist() == ["Démo (données fictives)"]  # the connector's French title
    assert [e.label for e in at.expander][:1] == ["**demo** — Démo (données fictives)"]  # and above its panel
    at.button(key="cn_test_demo").click().run()
    # the demo connector's check, said in the console's language (its message is English)
    assert any("Connexion réussie. Connexion de démonstration prête" in s.value for s in at.success)
    at.button(key="cn_sync_demo").click().run()
    state.JOBS.wait(120)
    at.run()
    assert_clean(at)
    assert any("terminée" in s.label for s in at.get("status"))
    assert not at.button(key="cn_sync_demo").disabled
    # A second sync reads the malformed record again: its problem, still open, stays one click away.
    assert [b.label for b in at.button if (b.key or "").startswith("sync_problems_")] == [
        "Voir l'enregistrement en problème"]
    at.button(key="cn_remove_demo").click().run()
    assert "demo" not in ws.connections()
    assert any("supprimée" in s.value for s in at.success)


def test_a_first_sync_that_reads_nothing_says_from_which_date(fresh_synced_workspace, use_workspace, monkeypatch):
    """A Harvest account whose invoices are all older than the connection's default start date
    (30 days before its creation): the sync says from which date it read, and the form shows
    that date under the empty 'Date de début'."""
    from ecluse.plugins.harvest.connector import HarvestConnector
    from tests.emulators.harvest import GenerateOptions, HarvestEmulator

    ws = use_workspace(fresh_synced_workspace)
    with HarvestEmulator(rate_limit=None) as emu:
        emu.generate(12, seed=3, options=GenerateOptions(clients=2))  # issued in 2023-2024
        monkeypatch.setenv("UI_TEST_HARVEST_TOKEN", emu.token)
        ws.set_connection("atelier-bis", HarvestConnector, emu.settings(token="env:UI_TEST_HARVEST_TOKEN"))
        default = (ws.created_at(ws.connection("atelier-bis")) - dt.timedelta(days=30)).date()
        shown = default.strftime("%d/%m/%Y")
        at = open_app("connections")
        assert at.date_input(key="cne_atelier-bis_start_date").value is None  # empty: the default applies
        panel = lambda: next(e for e in at.expander if e.label.startswith("**atelier-bis**"))  # noqa: E731
        assert f"Vide : {shown} (par défaut)" in [c.value for c in panel().caption]
        at.button(key="cn_sync_atelier-bis").click().run()
        state.JOBS.wait(120)
        at.run()
        assert_clean(at)
        [done] = [s for s in at.get("status") if "atelier-bis" in s.label]
        assert done.label.startswith("Synchronisation d'atelier-bis terminée")
        assert any(i.value.replace(i18n.NBSP, " ") == (
            f"Aucune facture depuis le {shown}, la date de début de la connexion : pour importer l'historique, "
            "choisissez une date plus ancienne dans ses réglages (« Date de début »).") for i in at.info), \
            [i.value for i in at.info]
        # With a start date that reaches the invoices: they are read, and nothing more is said.
        ws.set_connection("atelier-bis", HarvestConnector, {"start_date": "2023-01-01"}, replace=True)
        at.run()
        assert not any(c.value.startswith("Vide : ") for c in panel().caption)
        at.button(key="cn_sync_atelier-bis").click().run()
        state.JOBS.wait(120)
        at.run()
        assert_clean(at)
        assert review.status_summary(ws)["by_connection"].get("atelier-bis")
        assert not any(i.value.startswith("Aucune facture depuis") for i in at.info)
        # Their PDFs came with them: no "0 PDF received" (the count is of PDFs that came later).
        [counts] = [m.value for m in panel().markdown if " lus · " in m.value]
        assert re.search(r"problèmes?$", counts) and "PDF" not in counts, counts


def test_the_sync_summary_counts_the_pdfs_that_came_after_their_document(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    late = len(reconcile.pending_attachments(ws))
    assert late > 0, "the demo delivers some PDFs at the next sync"
    at = open_app("connections")
    at.button(key="cn_sync_demo").click().run()
    state.JOBS.wait(120)
    at.run()
    assert_clean(at)
    [counts] = [m.value for m in at.markdown if " lus · " in m.value or " lu · " in m.value]
    assert counts.endswith(f" · {late} {'PDF arrivé' if late < 2 else 'PDF arrivés'} après coup"), counts
    assert "reçu" not in counts
    assert not any(i.value.startswith("Aucune facture depuis") for i in at.info)  # it read some


def test_a_sync_running_elsewhere_is_a_clear_message(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    at = open_app("connections")
    with sync_service.connection_lock(ws, "demo"):  # as if `ecluse sync` were running
        at.button(key="cn_sync_demo").click().run()
        state.JOBS.wait(60)
    at.run()
    assert_clean(at)
    assert any("déjà en cours" in w.value for w in at.warning)


def test_filters_on_a_removed_connection_are_dropped(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    ws.set_connection("other", ui_plugins().connector("demo"), {})
    at = open_app("review")
    at.multiselect(key="rv_connection.fr").set_value(["other"]).run()
    assert shown_total(at) == 0
    at.switch_page("views/reconciliation.py").run()
    at.selectbox(key="rc_connection.fr").set_value("other").run()
    ws.remove_connection("other")
    at.run()
    assert_clean(at)
    at.switch_page("views/review.py").run()
    assert_clean(at)
    assert at.multiselect(key="rv_connection.fr").value == []
    assert "demo" in at.multiselect(key="rv_connection.fr").options  # documents of the cache keep theirs


def test_pennylane_settings_point_to_the_send_page(synced_workspace, use_workspace):
    use_workspace(synced_workspace)
    at = open_app("connections")
    assert any("ecluse pennylane set" in c.value for c in at.code)
    tree = texts(at)
    assert "Ouvrir la page Envoi" in tree and 'page: "send"' in tree


# -- send, plugins ---------------------------------------------------------------------------------
def test_send_page_counts_approved_documents(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    review.approve_all_valid(ws, actor="test")
    _rows, approved = review.list_documents(ws, review.Filters(status="approved"), limit=0)
    at = open_app("send")
    assert at.metric[0].value == str(approved)
    assert any("ecluse push --dry-run" in c.value for c in at.code)


def test_plugins_page_lists_plugins_and_failures(synced_workspace, use_workspace, monkeypatch):
    use_workspace(synced_workspace)
    plugins = ui_plugins()
    from ecluse.plugin_loader import PluginInfo

    broken = PluginInfo(name="broken", module="broken_pkg.plugin", error="ImportError: no module named x")
    monkeypatch.setattr(plugins, "infos", [*plugins.infos, broken])
    at = open_app("plugins")
    table = at.dataframe[0].value
    assert "demo" in table["Nom"].tolist() and "broken" in table["Nom"].tolist()
    assert any("broken" in e.value and "ImportError" in e.value for e in at.error)
    assert any("ECLUSE_LOAD_PLUGINS" in m.value for m in at.markdown)


# -- i18n --------------------------------------------------------------------------------------------
def test_every_message_exists_in_both_languages():
    assert i18n.missing_translations() == {lang: [] for lang in i18n.LANGS}
    for key, entry in i18n.MESSAGES.items():
        fields = {lang: set(re.findall(r"{(\w+)}", text)) for lang, text in entry.items()}
        assert fields["fr"] == fields["en"], f"{key}: placeholders differ {fields}"


def test_counts_agree_with_their_words():
    # No "document(s)": a count chooses its words, French taking the singular for 0 and 1.
    for key, entry in i18n.MESSAGES.items():
        for lang, text in entry.items():
            assert not re.search(r"\w\((s|x|es)\)", text.replace("http(s)", "")), f"{key} ({lang}): {text}"
    assert i18n.t("review.done_approve", "fr", n=0) == "0 document approuvé."
    assert i18n.t("review.done_approve", "fr", n=1) == "1 document approuvé."
    assert i18n.t("review.done_approve", "fr", n=2) == "2 documents approuvés."
    assert i18n.t("review.done_approve", "en", n=0) == "0 documents approved."
    assert i18n.t("review.done_approve", "en", n=1) == "1 document approved."
    # Counts given already formatted: "1 234" (fr), "1,000" (en) are plural.
    assert i18n.t("rep.rows", "fr", n=i18n.format_number(1234, "fr", places=0)) == "1\u202f234 lignes"
    assert i18n.t("rep.rows", "en", n=i18n.format_number(1000, "en", places=0)) == "1,000 rows"
    assert i18n.t("map.ledger_no_code", "fr", lines=1).startswith("1 ligne n'a pas de code comptable : elle prend")
    assert i18n.t("send.preview_no_account", "fr", n=3, docs=1).startswith("3 lignes de 1 document partiraient")
    # A form may hold the count; escaped braces are text; no count, no choice.
    assert i18n.t("review.approve_all_valid_confirm", "fr", n=1).startswith("Approuver le document à revoir")
    assert i18n.t("review.approve_all_valid_confirm", "fr", n=5).startswith("Approuver les **5** documents à revoir")
    i18n.MESSAGES["test.braces"] = {"fr": "{{n|a|b}} {n} {n|x|y}", "en": ""}
    try:
        assert i18n.t("test.braces", "en", n=0) == "{n|a|b} 0 x"  # French text, French rule: 0 is singular
        assert i18n.t("test.braces", "fr", n=Decimal("NaN")) == "{n|a|b} NaN y"
    finally:
        del i18n.MESSAGES["test.braces"]


def test_french_elides_de_before_a_name_that_starts_with_a_vowel():
    assert i18n.t("sync.done", "fr", name="atelier-bis", seconds="1,2") == "Synchronisation d'atelier-bis terminée (1,2 s)"
    assert i18n.t("sync.failed", "fr", name="Écluse") == "Échec de la synchronisation d'Écluse"
    assert i18n.t("sync.running", "fr", name="harvest") == "Synchronisation de harvest en cours…"  # h: as written
    assert i18n.t("sync.done", "fr", name="demo", seconds="1") == "Synchronisation de demo terminée (1 s)"
    assert i18n.t("sync.done", "en", name="atelier-bis", seconds="1.2") == "Sync of atelier-bis finished (1.2 s)"
    i18n.MESSAGES["test.elision"] = {"fr": "copie de {x}, code {y}", "en": "copy of {x}, code {y}"}
    try:  # a quoted value or a number is not elided, nor a word ending in "de"
        assert i18n.t("test.elision", "fr", x="«\u00a0abc\u00a0»", y="abc") == "copie de «\u00a0abc\u00a0», code abc"
        assert i18n.t("test.elision", "fr", x="42", y="x") == "copie de 42, code x"
        assert i18n.t("test.elision", "fr", x="ordre", y="x") == "copie d'ordre, code x"
    finally:
        del i18n.MESSAGES["test.elision"]


def test_every_key_used_by_the_console_exists():
    used: set[str] = set()
    for path in [*UI_DIR.rglob("*.py")]:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_]+)["']""", path.read_text(encoding="utf-8")))
    assert used, "no message key found"
    missing = sorted(k for k in used if not i18n.has(k))
    assert not missing, missing


def test_money_and_dates_follow_the_language():
    assert i18n.format_money(Decimal("1234.56"), "EUR", "fr") == "1\u202f234,56\u00a0€"
    assert i18n.format_money(Decimal("-35.4"), "EUR", "fr") == "-35,40\u00a0€"
    assert i18n.format_money(Decimal("1234.56"), "EUR", "en") == "€1,234.56"
    assert i18n.format_money(Decimal("10"), "CHF", "en") == "CHF\u00a010.00"
    # "$" alone is any dollar in French: the US dollar is "$ US"; in English, "$".
    assert i18n.format_money(Decimal("1055"), "USD", "fr") == "1\u202f055,00\u00a0$\u00a0US"
    assert i18n.format_money(Decimal("-3.5"), "usd", "fr") == "-3,50\u00a0$\u00a0US"
    assert i18n.format_money(Decimal("1055"), "USD", "en") == "$1,055.00"
    assert i18n.format_money(None, "EUR", "fr") == "—"
    assert i18n.format_date(dt.date(2026, 3, 1), "fr") == "01/03/2026"
    assert i18n.format_date(dt.date(2026, 3, 1), "en") == "2026-03-01"
    assert i18n.format_number(Decimal("5.500"), "fr", places=None) == "5,5"
    assert i18n.explain_refusal("already approved", "fr") == "déjà « Approuvé »"
    assert i18n.explain_refusal("something new", "fr") == "something new"


def test_decisions_are_not_signed_console_without_a_word(synced_workspace, use_workspace, monkeypatch):
    use_workspace(synced_workspace)
    monkeypatch.delenv("ECLUSE_ACTOR")
    monkeypatch.delenv("USER", raising=False)
    at = open_app("review")
    assert any(w.value.startswith("Indiquez votre nom") for w in at.warning), "the fallback name is pointed out"
    at.text_input(key="actor").set_value("Marie Dupont").run()
    assert not any(w.value.startswith("Indiquez votre nom") for w in at.warning)


def test_no_decision_without_a_name_and_the_name_stays_from_page_to_page(fresh_synced_workspace, use_workspace,
                                                                          monkeypatch):
    ws = use_workspace(fresh_synced_workspace)
    monkeypatch.delenv("ECLUSE_ACTOR")
    monkeypatch.delenv("USER", raising=False)
    first, _ = review.list_documents(ws, review.Filters(findings="clean"), limit=1)
    at = open_app("review")
    at.text_input(key="rv_search.fr").set_value(first[0]["number"]).run()
    select_rows(at, [0])
    at.button(key="rv_approve").click().run()
    assert_clean(at)
    assert any(e.value.startswith("Indiquez votre nom dans la barre latérale") for e in at.error)
    assert review.get_document(ws, first[0]["id"])["status"] == "to_review", "nothing was decided"
    # Given, the name signs the decision, and stays through a jump from one page to another.
    at.text_input(key="actor").set_value("Marie Dupont").run()
    at.switch_page("views/overview.py").run()
    at.button(key="ov_open_errors").click().run()
    assert_clean(at)
    assert at.title[0].value == "Revue" and at.text_input(key="actor").value == "Marie Dupont"


def test_a_name_emptied_in_the_sidebar_signs_nothing(fresh_synced_workspace, use_workspace, monkeypatch):
    # The field was filled in from ECLUSE_ACTOR; emptied, it no longer signs with that name unseen.
    ws = use_workspace(fresh_synced_workspace)
    monkeypatch.setenv("ECLUSE_ACTOR", "Claire Martin")
    first, _ = review.list_documents(ws, review.Filters(findings="clean"), limit=1)
    at = open_app("review")
    assert at.text_input(key="actor").value == "Claire Martin"
    at.text_input(key="actor").set_value("  ").run()
    assert any(w.value.startswith("Indiquez votre nom") for w in at.warning)
    at.text_input(key="rv_search.fr").set_value(first[0]["number"]).run()
    select_rows(at, [0])
    at.button(key="rv_approve").click().run()
    assert any(e.value.startswith("Indiquez votre nom dans la barre latérale") for e in at.error)
    assert review.get_document(ws, first[0]["id"])["status"] == "to_review"


def test_overview_gives_the_next_steps_beyond_review(fresh_synced_workspace, use_workspace, monkeypatch):
    from ecluse.services import mappings

    ws = use_workspace(fresh_synced_workspace)

    pages = {"Envoi": "send", "Correspondances": "mappings", "Suivi": "reconciliation"}

    def cards(at):
        """Each card of 'À traiter' that opens a page: title → (its other texts, the page its
        button, styled as the cards' « Voir », names)."""
        out = {}

        def walk(node):
            children = list(getattr(node, "children", {}).values())
            links = [pages[c.label] for c in children if getattr(c, "type", None) == "button"
                     and str(c.key).startswith("ov_page_")]
            said = [c.value for c in children if getattr(c, "type", None) in ("markdown", "caption")]
            if links and said:
                out[said[0].strip("*")] = (said[1:], links[0])
            for child in children:
                walk(child)

        walk(at.main)
        return out

    at = open_app()
    assert "**À revoir avec erreurs**" in markdown_values(at)  # what it counts (Revue's filter spans statuses)
    steps = cards(at)
    assert steps["Destination Pennylane à configurer"] == (
        ["Aucun jeton Pennylane : rien ne peut partir vers Pennylane."], "send")
    todo = mappings.summary(ws)
    assert todo["ledger_unmapped"] or todo["vat_unmapped"], "the demo leaves codes to map"
    texts_, page = steps["Correspondances à compléter"]
    assert page == "mappings"
    # one count and one list: the count adds up what a send needs; the list says the optional ones too
    count = todo["ledger_unmapped"] + todo["vat_unmapped"]  # the optional categories are said, not counted
    assert f"<span style='font-size:1.8rem;font-weight:600'>{count}</span>" in texts_
    assert texts_[-1] == i18n.todo_text(mappings.todo(todo), "fr")
    if todo["vat_unmapped"]:
        assert any(f"{todo['vat_unmapped']} taux de TVA sans code Pennylane" in x for x in texts_)
    if todo["categories_missing"]:
        assert "sans catégorie par défaut : " in texts_[-1]
    # the card's button opens its page
    at.button(key="ov_page_mappings").click().run()
    assert_clean(at)
    assert at.title[0].value == "Correspondances"
    at.switch_page("views/overview.py").run()
    # A token variable the console does not have is said; then a dry run keeps the approved ones back.
    ws.set_pennylane(token="env:UI_TEST_PL_TOKEN_UNSET")
    monkeypatch.delenv("UI_TEST_PL_TOKEN_UNSET", raising=False)
    at.run()
    assert cards(at)["Destination Pennylane à configurer"][0] == [
        "Le jeton est lu dans la variable d'environnement `UI_TEST_PL_TOKEN_UNSET`, qui n'est pas définie pour la "
        "console."]
    monkeypatch.setenv("UI_TEST_PL_TOKEN_UNSET", "pl-token")
    approved = len(review.approve_all_valid(ws, actor="test").done)
    at.run()
    steps = cards(at)
    assert "Destination Pennylane à configurer" not in steps
    assert steps["Envoi en simulation"][1] == "send" and str(approved) in steps["Envoi en simulation"][0][0]
    ws.set_pennylane(dry_run=False)
    at.run()
    assert cards(at)["Prêts à envoyer"][0][1] == "Documents approuvés, à envoyer vers Pennylane."



def test_overview_names_a_connection_whose_last_sync_failed(fresh_synced_workspace, use_workspace):
    """A failed last sync reads nothing new: a card of 'À traiter' names the connection and opens
    Connexions (it showed only as a row of 'Dernières synchronisations')."""
    ws = use_workspace(fresh_synced_workspace)
    at = open_app()
    assert not [b for b in at.button if b.key == "ov_page_connections_failing"]
    with ws.db.write() as con:
        con.execute("INSERT INTO sync_runs (connection, started_at, finished_at, status, actor, error) "
                    "VALUES ('demo', now(), now(), 'failed', 'cli', 'refused')")
    at.run()
    assert_clean(at)
    assert "**Connexions en échec**" in markdown_values(at)
    assert any("La dernière synchronisation de demo a échoué" in c.value for c in at.caption)
    at.button(key="ov_page_connections_failing").click().run()
    assert at.title[0].value == "Connexions"


def test_overview_says_the_differences_the_last_check_found_and_accounts_pennylane_lacks(
        fresh_synced_workspace, use_workspace, monkeypatch):
    from ecluse.services import mappings, pennylane_lists
    from tests.emulators.pennylane import PennylaneEmulator

    ws = use_workspace(fresh_synced_workspace)
    with ws.db.write() as con:  # four sent two days ago; checked yesterday, but one sent again since
        ids = [r[0] for r in con.execute("SELECT id FROM documents WHERE error_count = 0 ORDER BY id LIMIT 5").fetchall()]
        con.execute("UPDATE documents SET status = 'sent', sent_at = now() - INTERVAL 2 DAY, pennylane_id = 2000 + rowid "
                    "WHERE id IN (SELECT unnest(?))", [ids])
        for doc, verdict in zip(ids, ("amount_mismatch", "missing", "changed", "confirmed", "amount_mismatch")):
            con.execute("INSERT INTO confirmations (document_id, checked_at, status, pennylane_amount, expected_amount, "
                        "message) SELECT id, now() - INTERVAL 1 DAY, ?, total, total, NULL FROM documents WHERE id = ?",
                        [verdict, doc])
        con.execute("UPDATE documents SET sent_at = now() WHERE id = ?", [ids[4]])  # its check is older than the send
    at = open_app()
    found = [m for m in at.markdown if m.value == "**Écarts avec Pennylane**"]
    assert found, markdown_values(at)
    assert "<span style='font-size:1.8rem;font-weight:600'>3</span>" in markdown_values(at)
    assert any("la dernière vérification a trouvés différents dans Pennylane" in c.value for c in at.caption)
    # the cards fill one grid of equal rows (five at most a row), never a column longer than another
    buttons = [b for b in at.button if str(b.key).startswith(("ov_open_", "ov_page_"))]
    rows = -(-len(buttons) // 5)
    per_row = -(-len(buttons) // rows)
    assert (len(buttons), per_row) == (7, 4), [b.key for b in buttons]  # two rows: 4 and 3
    grid = at.columns[:len(buttons)]
    assert all(abs(c.proto.weight - 1 / per_row) < 1e-9 for c in grid)
    assert [len(c.button) for c in grid] == [1] * len(buttons)  # a card a column, rows side by side
    # the card opens Suivi with a button like the others' « Voir » (no bare link)
    assert at.button(key="ov_page_differences").label == "Suivi"
    kinds = []

    def walk(node):
        kinds.append(getattr(node, "type", None))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    assert "page_link" not in kinds
    at.button(key="ov_page_differences").click().run()
    assert_clean(at)
    assert at.title[0].value.startswith("Suivi")
    at.switch_page("views/overview.py").run()

    # a mapped account Pennylane's chart lacks makes the mappings card, once the lists are known
    hint = next(r["hint"] for r in mappings.ledger_accounts(ws) if r["hint"] not in (None, "*"))
    mappings.set_ledger_account(ws, hint, "706999")
    before = mappings.summary(ws)
    with PennylaneEmulator(token="pl-overview-token-5d2c", rate_limit=(100, 1.0)) as emu:
        emu.add_ledger_account("706000", "Prestations de services")
        monkeypatch.setenv("UI_TEST_PL_OVERVIEW_TOKEN", "pl-overview-token-5d2c")
        ws.set_pennylane(api_url=emu.api_url, token="env:UI_TEST_PL_OVERVIEW_TOKEN", dry_run=False)
        pennylane_lists.refresh(ws)
    at.run()
    assert_clean(at)
    count = before["ledger_unmapped"] + before["vat_unmapped"] + 1  # the optional categories are not counted
    assert f"<span style='font-size:1.8rem;font-weight:600'>{count}</span>" in markdown_values(at)
    assert any("1 compte associé est absent du plan comptable de Pennylane" in c.value for c in at.caption)
