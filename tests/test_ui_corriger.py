"""Revue → Corriger: the due date fixed in the console, the address as the source gave it (tests/test_fixes.py has the service)."""
from __future__ import annotations

import datetime as dt

from ecluse.services import review
from tests.test_ui_pages import assert_clean
from tests.test_ui_review_extras import open_document, submit
from tests.ui_fixtures import fresh_synced_workspace, use_workspace  # noqa: F401


def test_the_due_date_is_fixed_from_corriger(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    rows, _ = review.list_documents(ws, review.Filters(status="to_review"), limit=1)
    doc_id = rows[0]["id"]
    at = open_document(ws, doc_id)
    [picker] = [d for d in at.date_input if d.label == "Date d'échéance envoyée à Pennylane"]
    new = dt.date(2030, 1, 31)
    picker.set_value(new)
    submit(at, "Enregistrer l'échéance")
    assert_clean(at)
    doc = review.get_document(ws, doc_id)
    assert doc["due_date"] == new
    assert [(f["field"], f["actor"]) for f in doc["fixes"]] == [("due_date", "ui-tester")]
    assert any("31/01/2030" in m.value for m in at.markdown)  # the fix in force, said as a date


def test_corriger_shows_the_address_as_the_source_gave_it(fresh_synced_workspace, use_workspace):
    # A free-text address the connector could not split: its text is shown above the fields.
    ws = use_workspace(fresh_synced_workspace)
    with ws.db.read() as con:
        row = con.execute("SELECT d.id, c.address_raw FROM documents d JOIN counterparties c ON c.id = d.counterparty_id "
                          "WHERE c.address_raw IS NOT NULL AND c.address_raw <> '' ORDER BY d.id LIMIT 1").fetchone()
    assert row, "the demo has a counterparty with its address as one text"
    doc_id, raw = row
    at = open_document(ws, doc_id)
    assert f"Adresse telle que la source l'a donnée : « {' '.join(raw.split())} »" in [c.value for c in at.caption]
