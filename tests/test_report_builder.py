"""Rapports for accountants who do not write SQL: the views described column by column, a report
built from choices (services.reports.build_sql, run like a typed query), and the audit's fields
in words (services.reports.presented), on the demo cache; then the page through AppTest."""
from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from ecluse.services import fixes, reports, review
from tests.test_ui_pages import assert_clean, open_app
from tests.ui_fixtures import fresh_synced_workspace, synced_workspace, use_workspace  # noqa: F401


# -- the views, described ----------------------------------------------------------------------
def test_every_view_is_described_with_its_columns_types_and_meanings(synced_workspace):
    views = reports.view_columns(synced_workspace)
    assert list(views) == list(reports.VIEWS) and "confirmations" in views  # a documented view the list missed
    for view, columns in views.items():
        assert reports.view_description(view, "fr") and reports.view_description(view, "en"), view
        assert columns and all(c.type_label("fr") for c in columns)
    invoices = {c.name: c for c in views["invoices"]}
    assert len(invoices) == 30  # the whole list, none cut off
    assert invoices["total"].amount and invoices["total"].type_label("fr") == "Montant (DECIMAL(18,2))"
    assert invoices["issue_date"].dated and invoices["sent_at"].dated and not invoices["number"].dated
    lines = {c.name: c for c in views["lines"]}
    assert not lines["vat_rate"].amount and not lines["quantity"].amount and lines["tax"].amount
    assert reports.column_label("total_before_tax", "fr") == "Total HT"
    # A column's meaning: the view's own word on it first, else the one on every column of that name.
    assert reports.column_meaning("lines", "vat_rate", "en") == "VAT rate in percent (20.000 for 20%)."
    assert "to_review" in reports.column_meaning("invoices", "status", "fr")
    assert reports.column_meaning("sync_runs", "status", "fr") == "running, ok, failed ou interrupted."
    assert reports.column_meaning("invoices", "no_such_column", "fr") == ""


# -- a report built from choices -----------------------------------------------------------------
def test_a_grouped_report_sums_amounts_in_decimal_one_currency_a_row(synced_workspace):
    ws = synced_workspace
    views = reports.view_columns(ws)
    sql = reports.build_sql(reports.Choices(
        "invoices", ("number", "total_before_tax", "total", "kind"),
        period_column="issue_date", start=dt.date(2000, 1, 1), end=dt.date(2100, 12, 31),
        connections=("demo",), statuses=("to_review",), group_by=("kind",)), views)
    rows = reports.run_query(ws, sql).rows
    with ws.db.read() as con:
        expected = {(k, c): (n, before, total) for k, c, n, before, total in con.execute(
            "SELECT kind, currency, count(*), sum(total_before_tax), sum(total) FROM documents "
            "WHERE connection = 'demo' AND status = 'to_review' GROUP BY ALL").fetchall()}
    assert len({r["currency"] for r in rows}) > 1  # the demo has two currencies: never added up together
    assert {(r["kind"], r["currency"]): (r["row_count"], r["total_before_tax"], r["total"]) for r in rows} == expected
    assert all(type(r["total"]) is Decimal and r["total"].as_tuple().exponent == -2 for r in rows)
    assert set(rows[0]) == {"kind", "currency", "row_count", "total_before_tax", "total"}  # number is not summed
    shown = reports.presented(reports.run_query(ws, sql), "fr")
    assert shown.columns == ["Type", "Devise", "Nombre", "Total HT", "Total TTC"]


def test_filters_on_a_period_a_connection_and_a_status(fresh_synced_workspace):
    ws = fresh_synced_workspace
    review.approve_all_valid(ws, actor="test")
    views = reports.view_columns(ws)
    with ws.db.read() as con:
        day = con.execute("SELECT median(issue_date) FROM documents").fetchone()[0]
        first_half = con.execute("SELECT count(*) FROM documents WHERE issue_date <= ?", [day]).fetchone()[0]
        approved = con.execute("SELECT count(*) FROM documents WHERE status = 'approved'").fetchone()[0]

    def count(**choices) -> int:
        return len(reports.run_query(ws, reports.build_sql(reports.Choices("invoices", ("id",), **choices), views)).rows)

    assert 0 < count(period_column="issue_date", end=day) == first_half < count()
    assert count(period_column="issue_date", start=day + dt.timedelta(days=1)) == count() - first_half
    assert count(statuses=("approved",)) == approved > 0
    assert count(connections=("elsewhere",)) == 0
    # A date and time column is compared by its day; a batch item's status is its state.
    today = dt.date.today()
    assert count(period_column="status_changed_at", start=today - dt.timedelta(days=1), end=today + dt.timedelta(days=1)) == count()
    sql = reports.build_sql(reports.Choices("batch_items", statuses=("sent",)), views)
    assert "\"state\" IN ('sent')" in sql and reports.run_query(ws, sql).rows == []
    assert reports.column_values(ws, "invoices", "connection", views) == ["demo"]
    assert set(reports.column_values(ws, "invoices", "status", views)) == {"approved", "to_review"}
    assert reports.value_label([c.name for c in views["sync_runs"]], "status", "ok", "fr") == "réussie"


def test_the_built_query_takes_names_from_the_views_only_and_quotes_values(synced_workspace):
    ws = synced_workspace
    views = reports.view_columns(ws)
    for choices, code in ((reports.Choices("documents"), "report.unknown_view"),
                          (reports.Choices("invoices", ("number", 'total" FROM invoices; --')), "report.unknown_column"),
                          (reports.Choices("invoices", group_by=("raw",)), "report.unknown_column"),
                          (reports.Choices("invoices", period_column="number", start=dt.date(2026, 1, 1)),
                           "report.not_a_date")):
        with pytest.raises(reports.ReportError) as caught:
            reports.build_sql(choices, views)
        assert caught.value.said.code == code
    with pytest.raises(reports.ReportError):
        reports.column_values(ws, "invoices", "1; DROP VIEW invoices", views)
    tricky = "demo') OR ('1' = '1"
    sql = reports.build_sql(reports.Choices("invoices", ("number",), connections=(tricky,)), views)
    assert "'demo'') OR (''1'' = ''1'" in sql
    assert reports.run_query(ws, sql).rows == []  # a connection of that odd name, not every row


# -- the audit's fields in words ----------------------------------------------------------------------
def test_the_audit_fields_are_said_in_words_in_the_table_and_the_exports(fresh_synced_workspace):
    ws = fresh_synced_workspace
    doc_id = review.approve_all_valid(ws, actor="Claire Martin").done[0]
    fixes.fix(ws, doc_id, "category", "Ventes web", actor="Claire Martin")
    fixes.fix(ws, doc_id, "lines[1].ledger_account", "706000", actor="Claire Martin")
    with ws.db.write() as con:
        con.execute("INSERT INTO audit (recorded_at, actor, document_id, action, field, old_value, new_value) VALUES "
                    "(now(), 'ecluse', ?, 'sent', 'pennylane_id', NULL, '1003'), "
                    "(now(), 'ecluse', ?, 'changed', 'total, lines', NULL, NULL)", [doc_id, doc_id])
    sql = f"SELECT field, old_value, new_value FROM audit WHERE document_id = '{doc_id}' AND field IS NOT NULL ORDER BY id"
    result = reports.run_query(ws, sql)
    raw = ["status", "category", "lines[1].ledger_account", "pennylane_id", "total, lines"]
    assert [r["field"] for r in result.rows] == raw  # what SQL sees is unchanged
    french = reports.presented(result, "fr")
    assert [r["Champ"] for r in french.rows] == ["Statut", "Catégorie", "Ligne 1 : Compte comptable",
                                                 "Identifiant Pennylane", "Total TTC, Lignes"]
    assert french.rows[0]["Avant"] == "À revoir"  # the status's values stay in words too
    english = reports.presented(result, "en")
    assert [r["Field"] for r in english.rows][:4] == ["Status", "Category", "Line 1: Ledger account", "Pennylane id"]
    csv = reports.export(french, "csv", french=True).decode("utf-8-sig").splitlines()
    assert csv[1].startswith("Statut;") and csv[4].startswith("Identifiant Pennylane;")
    sheet = load_workbook(io.BytesIO(reports.export(french, "xlsx"))).active
    assert [sheet.cell(row=i, column=1).value for i in range(2, 5)] == ["Statut", "Catégorie", "Ligne 1 : Compte comptable"]
    assert [r["field"] for r in json.loads(reports.export(result, "json"))] == raw  # for programs, as SQL gives
    assert pq.read_table(io.BytesIO(reports.export(result, "parquet"))).column("field").to_pylist() == raw
    # A finding's field (the same paths) reads the same way; SQL still filters on the raw name.
    findings = reports.run_query(ws, "SELECT DISTINCT field FROM findings WHERE field = 'counterparty.vat_number'")
    assert reports.presented(findings, "fr").rows == [{"Champ": "N° de TVA"}]


# -- the page ------------------------------------------------------------------------------------
def test_the_page_lists_every_column_and_builds_a_report(synced_workspace, use_workspace):
    ws = use_workspace(synced_workspace)
    at = open_app("reports")
    # Every view in a tab, each column on a row of its own with its type and meaning.
    assert len(at.tabs) == len(reports.VIEWS) and [tab.label for tab in at.tabs] == list(reports.VIEWS)
    invoices = at.table[0].value
    assert len(invoices) == 30 and "total" in invoices.index
    assert invoices.loc["total", "Type"] == "Montant (DECIMAL(18,2))"
    assert invoices.loc["total", "Signification"] == "Total toutes taxes comprises."
    assert invoices.loc["total", "Libellé affiché"] == "Total TTC"
    # A grouped report built from choices: its SQL in the box, run, shown and exported as typed SQL is.
    at.selectbox(key="rp_saved.fr").set_value("monthly_totals").run()
    at.multiselect(key="rp_b_columns.invoices.fr").set_value(["total_tax", "total"]).run()
    at.multiselect(key="rp_b_status.invoices.fr").set_value(["to_review"]).run()
    at.multiselect(key="rp_b_group.invoices.fr").set_value(["connection"]).run()
    at.button(key="rp_b_make").click().run()
    assert_clean(at)
    sql = at.text_area(key="rp_sql").value
    assert at.selectbox(key="rp_saved.fr").value == ""  # no longer the saved report: nothing says it was edited
    assert not any("Requête modifiée" in c.value for c in at.caption)
    assert sql.startswith('SELECT "connection", "currency", count(*) AS row_count, sum("total_tax")')
    assert "\"status\" IN ('to_review')" in sql
    result = at.dataframe[-1].value
    assert list(result.columns) == ["Connexion", "Devise", "Nombre", "TVA", "Total TTC"]
    expected = {r["currency"]: r["total"] for r in reports.run_query(
        ws, "SELECT currency, sum(total) AS total FROM invoices WHERE status = 'to_review' GROUP BY ALL").rows}
    assert {r["currency"]: r["total"] for r in reports.run_query(ws, sql).rows} == expected
    assert sorted(b.label for b in at.download_button) == ["CSV", "JSON", "PARQUET", "XLSX"]
    # Still editable: the text typed over it runs as ever.
    at.text_area(key="rp_sql").set_value(sql.replace("'to_review'", "'approved'"))
    at.button(key="rp_run").click().run()
    assert_clean(at)
    assert len(at.dataframe[-1].value) == 0
    # In English, the same page in English words.
    at.segmented_control(key="lang").set_value("en").run()
    assert_clean(at)
    assert at.table[0].value.loc["total", "Meaning"] == "Total including tax."
    assert at.multiselect(key="rp_b_status.invoices.en").options[0] in ("To review", "Approved")


def test_the_page_says_the_audit_fields_in_words(fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    review.approve_all_valid(ws, actor="Claire Martin")
    at = open_app("reports")
    at.text_area(key="rp_sql").set_value("SELECT action, field, new_value FROM audit WHERE field = 'status' LIMIT 2")
    at.button(key="rp_run").click().run()
    assert_clean(at)
    shown = at.dataframe[-1].value
    assert list(shown.columns) == ["Action", "Champ", "Après"] and set(shown["Champ"]) == {"Statut"}
    at.toggle(key="rp_sql_names.fr").set_value(True).run()
    assert set(at.dataframe[-1].value["field"]) == {"status"}
