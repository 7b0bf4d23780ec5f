"""Revue → Corriger: the due date, fixed in the console (tests/test_fixes.py has the service)."""
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
