"""The saved reports of the Reports page (services/reports.SAVED_REPORTS) on the demo cache."""
from __future__ import annotations

import pytest

from ecluse.services import reports, review
from tests.ui_fixtures import fresh_synced_workspace  # noqa: F401


@pytest.mark.parametrize("key", list(reports.SAVED_REPORTS))
def test_every_saved_report_runs(fresh_synced_workspace, key):
    result = reports.run_query(fresh_synced_workspace, reports.SAVED_REPORTS[key][1])
    assert result.table.num_columns > 0


def test_vat_by_rate_counts_what_goes_to_the_books(fresh_synced_workspace):
    ws = fresh_synced_workspace
    review.approve_all_valid(ws, actor="test")
    rows, _ = review.list_documents(ws, review.Filters(status="approved"), limit=3)
    review.decide(ws, "reject", [rows[0]["id"]], actor="test", reason="not ours")
    vat = reports.run_query(ws, reports.SAVED_REPORTS["vat_by_rate"][1]).rows
    with ws.db.read() as con:
        expected = con.execute(
            "SELECT sum(l.tax) FROM lines l JOIN documents d ON d.id = l.document_id "
            "WHERE d.status IN ('approved', 'in_batch', 'sent', 'failed')").fetchone()[0]
        everything = con.execute("SELECT sum(tax) FROM lines").fetchone()[0]
    assert sum(r["vat"] for r in vat) == expected != everything  # neither rejected nor still to decide
    assert all(r["vat_rate"] is None or r["vat_rate"].as_tuple().exponent == -2 for r in vat)  # 20.00: 1.05 % stays


def test_an_export_is_named_after_its_saved_report_or_the_view_it_reads():
    import datetime as dt

    from ecluse.services import reports

    day = dt.date(2026, 11, 26)
    key, (_title, sql) = next(iter(reports.SAVED_REPORTS.items()))
    assert key == "monthly_totals" and reports.export_stem(sql, day, "requete") == "ecluse-monthly-totals-2026-11-26"
    assert reports.export_stem('SELECT "status", count(*) FROM "invoices" GROUP BY ALL', day, "requete") == (
        "ecluse-invoices-2026-11-26")
    # Hyphens between words, whichever names the file (the walkthrough had ecluse-sent_to_pennylane-…
    # beside ecluse-lines-by-vat-rate-…).
    assert reports.export_stem("SELECT * FROM batch_items", day, "query") == "ecluse-batch-items-2026-11-26"
    assert all("_" not in reports.export_stem(text, day, "requete") for _title, text in reports.SAVED_REPORTS.values())
    assert reports.export_stem("select * from reports.audit where field = 'status'", day, "query") == (
        "ecluse-audit-2026-11-26")
    assert reports.export_stem("SELECT 1 FROM range(3)", day, "requete") == "ecluse-requete-2026-11-26"


def test_a_builder_report_is_named_in_the_readers_words_after_its_view_and_groups():
    import datetime as dt

    day = dt.date(2026, 11, 26)
    sql = 'SELECT CAST(date_trunc(\'month\', "issue_date") AS DATE) AS "issue_date_month" FROM "invoices"'
    by_month = reports.Choices("invoices", group_by=("issue_date",), grains=(("issue_date", "month"),))
    assert reports.builder_label(by_month, "fr") == "factures-par-mois"
    assert reports.builder_label(by_month, "en") == "invoices-by-month"
    assert reports.export_stem(sql, day, "requete", reports.builder_label(by_month, "fr")) == (
        "ecluse-factures-par-mois-2026-11-26")
    two = reports.Choices("lines", group_by=("issue_date", "connection"), grains=(("issue_date", "year"),))
    assert reports.builder_label(two, "fr") == "lignes-par-annee-et-connexion"  # no accent, no space in a file name
    assert reports.builder_label(reports.Choices("invoices", ("total",)), "fr") == "factures"
    # No label: the saved report's key, else the view, as before.
    key, (_title, saved) = next(iter(reports.SAVED_REPORTS.items()))
    assert reports.export_stem(saved, day, "requete", None) == f"ecluse-{key.replace('_', '-')}-2026-11-26"
    assert reports.export_stem(sql, day, "requete", "") == "ecluse-invoices-2026-11-26"
