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

from ecluse.i18n import MESSAGES, said_text
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


def test_every_column_of_every_view_has_a_meaning_in_french_and_in_english(synced_workspace):
    views = reports.view_columns(synced_workspace)
    missing = [f"{view}.{c.name}" for view, columns in views.items() for c in columns
               if not (key := reports.meaning_key(view, c.name)) or not all(MESSAGES[key].get(lang) for lang in ("fr", "en"))]
    assert missing == []
    assert reports.column_meaning("counterparties", "postal_code", "fr") == "Adresse : code postal."
    assert reports.column_meaning("problems", "resolved_by", "en").startswith("Who closed it")


def test_the_meanings_of_statuses_and_messages_say_what_is_written():
    # A batch item's steps as services/send.py writes them (pending → party → upload → importing → linking → …).
    for lang in ("fr", "en"):
        state = reports.column_meaning("batch_items", "state", lang)
        assert all(s in state for s in ("pending", "party", "upload", "importing", "linking", "sent", "failed", "held"))
        assert "counterparty," not in state and "attachment" not in state
        # A batch is running, done or interrupted: a failed send fails its items, never the batch.
        batch = reports.column_meaning("batches", "status", lang)
        assert all(s in batch for s in ("running", "done", "interrupted")) and "failed" not in batch
    # A confirmation's message has nothing to say it by: the page shows it as it is, and says so.
    assert "tel quel" in reports.column_meaning("confirmations", "message", "fr")
    assert "code et params" in reports.column_meaning("findings", "message", "fr")


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
    assert reports.column_values(ws, "invoices", "connection", views) == ["demo"]
    assert set(reports.column_values(ws, "invoices", "status", views)) == {"approved", "to_review"}
    assert reports.value_label([c.name for c in views["sync_runs"]], "status", "ok", "fr") == "réussie"


# A batch item in each state services/send.py writes: one item a document.
STATES = ("sent", "sent", "failed", "held", "pending", "party", "upload", "importing", "linking")


def batch_of_every_state(ws) -> dict[str, list[str]]:
    """One batch holding an item in each state of STATES (sent ones with their amount), as the
    send leaves them; the document ids by state."""
    with ws.db.write() as con:
        ids = [r[0] for r in con.execute("SELECT id FROM documents WHERE error_count = 0 ORDER BY id LIMIT ?",
                                         [len(STATES)]).fetchall()]
        assert len(ids) == len(STATES)
        con.execute("INSERT INTO batches (id, created_at, started_at, status, dry_run, actor) "
                    "VALUES (1, now(), now(), 'interrupted', false, 'anne')")
        for doc_id, state in zip(ids, STATES):
            con.execute("INSERT INTO batch_items (batch_id, document_id, state, external_reference, updated_at, "
                        "sent_amount, sent_currency) SELECT 1, id, ?, 'ref-' || id, now(), "
                        "CASE WHEN ? IN ('sent', 'importing', 'linking') THEN total END, "
                        "CASE WHEN ? IN ('sent', 'importing', 'linking') THEN currency END FROM documents WHERE id = ?",
                        [state, state, state, doc_id])
    by_state: dict[str, list[str]] = {}
    for doc_id, state in zip(ids, STATES):
        by_state.setdefault(state, []).append(doc_id)
    return by_state


def test_the_state_filter_of_batch_items_keeps_exactly_the_items_in_those_states(fresh_synced_workspace):
    ws = fresh_synced_workspace
    by_state = batch_of_every_state(ws)
    views = reports.view_columns(ws)

    def kept(*states: str) -> list[str]:
        sql = reports.build_sql(reports.Choices("batch_items", ("document_id", "state"), statuses=states), views)
        assert ("\"state\" IN (" in sql) == bool(states)
        return sorted(r["document_id"] for r in reports.run_query(ws, sql).rows)

    assert kept("sent") == sorted(by_state["sent"]) and len(by_state["sent"]) == 2
    assert kept("party", "upload", "importing") == sorted(by_state["party"] + by_state["upload"] + by_state["importing"])
    assert kept("failed", "held") == sorted(by_state["failed"] + by_state["held"])
    assert len(kept()) == len(STATES)  # no filter: every item
    # The filter's choices, said in words on a French screen (and an English one): none left raw.
    columns = [c.name for c in views["batch_items"]]
    values = reports.column_values(ws, "batch_items", "state", views)
    assert set(values) == set(STATES)
    assert [v for v in values if reports.value_label(columns, "state", v, "fr") == v] == []
    assert reports.value_label(columns, "state", "party", "fr") == "en cours : tiers (client ou fournisseur)"
    assert [reports.value_label(columns, "state", v, "en") for v in ("party", "upload", "importing", "linking")] == [
        "in progress: counterparty (customer or supplier)", "in progress: uploading the PDF",
        "in progress: importing the invoice", "in progress: linking the credit note to its invoice"]
    shown = reports.presented(reports.run_query(ws, "SELECT state FROM batch_items WHERE state = 'importing'"), "fr")
    assert shown.rows == [{"État": "en cours : import de la facture"}]


def test_confirmations_are_summed_one_currency_a_row(fresh_synced_workspace):
    ws = fresh_synced_workspace
    with ws.db.write() as con:
        eur, usd, changed = [con.execute(f"SELECT id FROM documents WHERE currency = '{c}' AND error_count = 0 "
                                         "ORDER BY id LIMIT 1 OFFSET ?", [n]).fetchone()[0]
                             for c, n in (("EUR", 0), ("USD", 0), ("EUR", 1))]
        con.execute("UPDATE documents SET status = 'sent', pennylane_id = 1000 + rowid, sent_at = now() "
                    "WHERE id IN (?, ?, ?)", [eur, usd, changed])
        con.execute("INSERT INTO batches (id, created_at, status, dry_run, actor) VALUES (1, now(), 'done', false, 'anne')")
        # Sent in dollars, then the source changed its currency: what Pennylane holds is in dollars.
        con.execute("INSERT INTO batch_items (batch_id, document_id, state, updated_at, sent_amount, sent_currency) "
                    "VALUES (1, ?, 'sent', now(), 34.20, 'EUR'), (1, ?, 'sent', now(), 175.00, 'USD'), "
                    "(1, ?, 'sent', now(), 10.00, 'USD')", [eur, usd, changed])
        # As `ecluse confirm` writes them (services/confirm.py).
        con.execute("INSERT INTO confirmations (document_id, checked_at, status, pennylane_amount, expected_amount, message) VALUES (?, now(), 'confirmed', 34.20, 34.20, NULL), "
                    "(?, now(), 'confirmed', 175.00, 175.00, NULL), "
                    "(?, now(), 'amount_mismatch', 12.00, 10.00, 'Pennylane has 12.00 where 10.00 was sent')",
                    [eur, usd, changed])
    views = reports.view_columns(ws)
    assert "currency" in {c.name for c in views["confirmations"]}
    sql = reports.build_sql(reports.Choices("confirmations", group_by=("status",)), views)
    rows = reports.run_query(ws, sql).rows
    assert rows == [
        {"status": "amount_mismatch", "currency": "USD", "row_count": 1, "pennylane_amount": Decimal("12.00"),
         "expected_amount": Decimal("10.00")},
        {"status": "confirmed", "currency": "EUR", "row_count": 1, "pennylane_amount": Decimal("34.20"),
         "expected_amount": Decimal("34.20")},
        {"status": "confirmed", "currency": "USD", "row_count": 1, "pennylane_amount": Decimal("175.00"),
         "expected_amount": Decimal("175.00")},
    ]  # never 209.20 of euros and dollars together
    shown = reports.presented(reports.run_query(ws, sql), "fr")
    assert [r["Statut"] for r in shown.rows] == ["Montant différent", "Confirmé", "Confirmé"]


def test_amounts_of_a_view_without_currency_are_never_summed(synced_workspace):
    ws = synced_workspace
    views = reports.view_columns(ws)
    # A view with amounts but no currency column (as confirmations was): refused, not summed.
    bare = {**views, "confirmations": [c for c in views["confirmations"] if c.name != "currency"]}
    with pytest.raises(reports.ReportError) as caught:
        reports.build_sql(reports.Choices("confirmations", group_by=("status",)), bare)
    said = caught.value.said
    assert said.code == "report.no_currency" and said.params["names"] == "pennylane_amount, expected_amount"
    assert said_text(said, "fr").startswith("La vue « confirmations » n'a pas de colonne de devise")
    assert said_text(said, "en").startswith("The view 'confirmations' has no currency column")
    # Counting is no sum: grouped without its amounts, or not grouped, it is built.
    assert "sum(" not in reports.build_sql(reports.Choices("confirmations", ("status",), group_by=("status",)), bare)
    assert reports.build_sql(reports.Choices("confirmations"), bare) == 'SELECT *\nFROM "confirmations"'


def test_a_chosen_column_a_grouped_report_does_not_show_is_named(synced_workspace):
    views = reports.view_columns(synced_workspace)
    choices = reports.Choices("lines", ("label", "number", "amount", "currency"), group_by=("vat_rate",))
    assert reports.left_out(choices, views) == ["label", "number"]  # the amount is summed, the currency a group
    sql = reports.build_sql(choices, views)
    assert '"label"' not in sql and 'sum("amount")' in sql
    assert reports.left_out(reports.Choices("lines", ("label",)), views) == []  # not grouped: every column shows
    assert reports.left_out(reports.Choices("lines", ("label", "amount"), group_by=("label",)), views) == []


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
    result = at.dataframe[-2].value  # its totals under it (dataframe[-1])
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


def test_the_builder_says_batch_item_states_in_words_and_names_columns_a_grouped_report_leaves_out(
        fresh_synced_workspace, use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    by_state = batch_of_every_state(ws)
    at = open_app("reports")
    at.selectbox(key="rp_b_view").set_value("batch_items").run()
    assert_clean(at)
    states = at.multiselect(key="rp_b_state.batch_items.fr")
    assert "en cours : tiers (client ou fournisseur)" in states.options and "en cours : envoi du PDF" in states.options
    assert not set(states.options) & {"party", "upload", "importing", "linking", "pending"}
    states.select("party").select("upload").run()
    at.button(key="rp_b_make").click().run()
    assert_clean(at)
    assert sorted(at.dataframe[-1].value["Document"]) == sorted(by_state["party"] + by_state["upload"])
    # Grouped, a chosen column that is neither summed nor a group is named, with what to do.
    at.selectbox(key="rp_b_view").set_value("lines").run()
    at.multiselect(key="rp_b_columns.lines.fr").set_value(["label", "amount"]).run()
    assert not at.info
    at.multiselect(key="rp_b_group.lines.fr").set_value(["vat_rate"]).run()
    assert_clean(at)
    [info] = [i.value for i in at.info]
    assert "Libellé (label) n'y figure pas" in info and "« Regrouper par »" in info
    at.segmented_control(key="lang").set_value("en").run()
    at.multiselect(key="rp_b_columns.lines.en").set_value(["label", "number", "amount"]).run()
    at.multiselect(key="rp_b_group.lines.en").set_value(["vat_rate"]).run()
    assert any("Label (label), Number (number) are not in it" in i.value for i in at.info)


def test_the_page_refuses_to_sum_amounts_without_a_currency_in_words_of_its_own(synced_workspace, use_workspace,
                                                                               monkeypatch):
    use_workspace(synced_workspace)
    views = reports.view_columns(synced_workspace)
    bare = {**views, "confirmations": [c for c in views["confirmations"] if c.name != "currency"]}
    monkeypatch.setattr(reports, "view_columns", lambda ws: bare)  # a view as confirmations was before migration 20
    at = open_app("reports")
    at.selectbox(key="rp_b_view").set_value("confirmations").run()
    at.multiselect(key="rp_b_group.confirmations.fr").set_value(["status"]).run()
    assert [e.value for e in at.exception] == []
    assert any("n'a pas de colonne de devise" in e.value for e in at.error)
    assert not any("Message de DuckDB" in c.value for c in at.caption)  # the refusal is ours, not DuckDB's
    assert not any(b.key == "rp_b_make" for b in at.button)  # nothing to write and run


# -- every column labelled; dates grouped by month, quarter or year; totals per currency -------------
def test_every_column_of_every_view_has_a_label_in_french_and_in_english(synced_workspace):
    views = reports.view_columns(synced_workspace)
    missing = [f"{view}.{c.name}.{lang}" for view, columns in views.items() for c in columns for lang in ("fr", "en")
               if not MESSAGES.get(f"col.{c.name}", {}).get(lang)]
    assert missing == []
    assert reports.column_label("reason_said", "fr") == "Motif (code)"
    confirmations = reports.run_query(synced_workspace, "SELECT checked_at, pennylane_amount, expected_amount, said "
                                                        "FROM confirmations")
    assert reports.presented(confirmations, "fr").columns == ["Vérifié le", "Montant dans Pennylane", "Montant envoyé",
                                                              "Message (code)"]
    assert reports.presented(confirmations, "en").columns == ["Checked at", "Amount in Pennylane", "Amount sent",
                                                              "Message (code)"]


def test_a_date_group_is_grouped_by_day_month_quarter_or_year(synced_workspace):
    ws = synced_workspace
    views = reports.view_columns(ws)

    def grouped(grain: str | None, column: str = "issue_date") -> reports.QueryResult:
        return reports.run_query(ws, reports.build_sql(reports.Choices(
            "invoices", ("total",), group_by=(column,), grains=((column, grain),) if grain else ()), views))

    def expected(part: str) -> dict:
        with ws.db.read() as con:
            return {(p, c): (n, total) for p, c, n, total in con.execute(
                f"SELECT CAST(date_trunc('{part}', issue_date) AS DATE), currency, count(*), sum(total) "
                "FROM documents GROUP BY ALL").fetchall()}

    with ws.db.read() as con:
        days = con.execute("SELECT count(DISTINCT (issue_date, currency)) FROM documents").fetchone()[0]
    months = expected("month")
    assert len(grouped(None).rows) == len(grouped("day").rows) == days  # by day, as before
    for grain in ("month", "quarter", "year"):
        rows = grouped(grain).rows
        assert {(r[f"issue_date_{grain}"], r["currency"]): (r["row_count"], r["total"]) for r in rows} == expected(grain)
    assert len(months) < days and all(d.day == 1 for d, _c in months)
    assert [r["issue_date_month"] for r in grouped("month").rows] == sorted(r["issue_date_month"]
                                                                            for r in grouped("month").rows)
    shown = reports.presented(grouped("quarter"), "fr")
    assert shown.columns == ["Date (trimestre)", "Devise", "Nombre", "Total TTC"]
    assert reports.presented(grouped("month"), "en").columns[0] == "Date (month)"
    # A time by its day (not by the instant), and refusals: a grain that is none, a grain on a non-date.
    assert 'CAST("status_changed_at" AS DATE) AS "status_changed_at"' in reports.build_sql(reports.Choices(
        "invoices", group_by=("status_changed_at",), grains=(("status_changed_at", "day"),)), views)
    for grains, code in (((("issue_date", "week'); DROP"),), "report.unknown_grain"),
                         ((("number", "month"),), "report.not_a_date")):
        with pytest.raises(reports.ReportError) as caught:
            reports.build_sql(reports.Choices("invoices", group_by=("issue_date", "number"), grains=grains), views)
        assert caught.value.said.code == code
    assert said_text(caught.value.said, "fr") == "La colonne « number » n'est pas une date."


def test_a_grouped_report_has_its_totals_per_currency_over_the_whole_result(synced_workspace):
    ws = synced_workspace
    views = reports.view_columns(ws)
    choices = reports.Choices("invoices", ("total_before_tax", "total"), group_by=("issue_date", "status"),
                              grains=(("issue_date", "month"),))
    totals = reports.run_query(ws, reports.totals_sql(choices, views)).rows
    with ws.db.read() as con:
        expected = [{"currency": c, "row_count": n, "total_before_tax": before, "total": total}
                    for c, n, before, total in con.execute(
                        "SELECT currency, count(*), sum(total_before_tax), sum(total) FROM documents "
                        "GROUP BY ALL ORDER BY ALL").fetchall()]
    assert len(expected) > 1 and totals == expected  # one row a currency: never euros and dollars added up
    assert all(type(r["total"]) is Decimal and type(r["row_count"]) is int for r in totals)
    # The report's own rows hold no total row: an export stays its rows only.
    assert sum(r["row_count"] for r in reports.run_query(ws, reports.build_sql(choices, views)).rows) == sum(
        r["row_count"] for r in totals)
    assert reports.presented(reports.run_query(ws, reports.totals_sql(choices, views)), "fr").columns == [
        "Devise", "Nombre", "Total HT", "Total TTC"]
    assert reports.totals_sql(reports.Choices("invoices", ("total",)), views) is None  # not grouped
    assert reports.totals_sql(reports.Choices("invoices", ("status",), group_by=("status",)), views) is None  # no sum


def test_a_hold_in_the_history_names_no_field_and_empty_values_stay_empty(fresh_synced_workspace):
    ws = fresh_synced_workspace
    doc_id = review.approve_all_valid(ws, actor="Claire Martin").done[0]
    with ws.db.write() as con:  # as services/send.py writes a hold, and a send
        con.execute("INSERT INTO audit (recorded_at, actor, document_id, action, field, new_value, reason) VALUES "
                    "(now(), 'Claire Martin', ?, 'held_before_send', 'pennylane_id', NULL, 'held before sending'), "
                    "(now(), 'Claire Martin', ?, 'sent', 'pennylane_id', '1093', NULL)", [doc_id, doc_id])
    result = reports.run_query(ws, f"SELECT action, field, old_value, new_value FROM audit WHERE document_id = "
                                   f"'{doc_id}' AND action IN ('held_before_send', 'sent') ORDER BY id")
    assert [r["field"] for r in result.rows] == ["pennylane_id", "pennylane_id"]  # SQL sees what is stored
    shown = reports.presented(result, "fr").rows
    assert shown[0] == {"Action": "bloqué avant l'envoi", "Champ": None, "Avant": None, "Après": None}
    assert shown[1]["Champ"] == "Identifiant Pennylane" and shown[1]["Après"] == "1093"
    csv = reports.export(reports.presented(result, "fr"), "csv", french=True).decode("utf-8-sig").splitlines()
    assert csv[1] == "bloqué avant l'envoi;;;" and "None" not in "".join(csv)


def test_the_page_groups_a_date_by_month_and_shows_totals_per_currency_under_the_table(synced_workspace,
                                                                                        use_workspace):
    ws = use_workspace(synced_workspace)
    at = open_app("reports")
    at.multiselect(key="rp_b_columns.invoices.fr").set_value(["total"]).run()
    at.multiselect(key="rp_b_group.invoices.fr").set_value(["issue_date"]).run()
    assert_clean(at)
    grain = at.segmented_control(key="rp_b_grain.invoices.fr.issue_date")
    assert grain.value == "month" and grain.options == ["jour", "mois", "trimestre", "année"]  # a month by default
    at.button(key="rp_b_make").click().run()
    assert_clean(at)
    assert "date_trunc('month', \"issue_date\")" in at.text_area(key="rp_sql").value
    result, totals = at.dataframe[-2:]  # the report, and its totals under it
    with ws.db.read() as con:
        months = con.execute("SELECT count(DISTINCT (date_trunc('month', issue_date), currency)) FROM documents")
        months = months.fetchone()[0]
        expected = dict(con.execute("SELECT currency, sum(total) FROM documents GROUP BY ALL").fetchall())
    assert list(result.value.columns) == ["Date (mois)", "Devise", "Nombre", "Total TTC"] and len(result.value) == months
    assert result.proto.placeholder == ""  # a missing value shows as an empty cell, not "None"
    totals = totals.value
    assert list(totals.columns) == ["Devise", "Nombre", "Total TTC"]
    assert dict(zip(totals["Devise"], totals["Total TTC"])) == expected and len(expected) > 1
    assert any("par devise" in m.value for m in at.markdown) and any("sans ce total" in c.value for c in at.caption)
    # By year: one row a currency and year. Typed SQL of one's own: no totals the page cannot vouch for.
    at.segmented_control(key="rp_b_grain.invoices.fr.issue_date").set_value("year").run()
    at.button(key="rp_b_make").click().run()
    assert_clean(at)
    assert list(at.dataframe[-2].value.columns)[0] == "Date (année)"
    at.text_area(key="rp_sql").set_value("SELECT currency, sum(total) AS total FROM invoices GROUP BY ALL")
    at.button(key="rp_run").click().run()
    assert_clean(at)
    assert len(at.dataframe) == 2 and list(at.dataframe[-1].value.columns) == ["Devise", "Total TTC"]


def spy_downloads(monkeypatch) -> dict[str, tuple[str, object]]:
    """The page's download buttons, by label, as they are drawn: (file name, data or its callable)."""
    from streamlit.delta_generator import DeltaGenerator

    downloads: dict[str, tuple[str, object]] = {}
    button = DeltaGenerator.download_button

    def spy(self, label, data, file_name=None, *args, **kwargs):
        downloads[label] = (file_name, data)
        return button(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", spy)
    return downloads


def test_exports_for_people_show_a_period_as_the_page_does_and_are_named_after_the_report(synced_workspace,
                                                                                         use_workspace, monkeypatch):
    """The walkthrough's report by month showed 06/2026 while its CSV said 01/06/2026 (the
    caption promises the values as shown), and the file was named after the SQL view."""
    import re

    use_workspace(synced_workspace)
    downloads = spy_downloads(monkeypatch)
    at = open_app("reports")
    at.multiselect(key="rp_b_columns.invoices.fr").set_value(["total"]).run()
    at.multiselect(key="rp_b_group.invoices.fr").set_value(["issue_date"]).run()
    at.button(key="rp_b_make").click().run()
    assert_clean(at)
    name, data = downloads["CSV"]
    assert re.fullmatch(r"ecluse-factures-par-mois-\d{4}-\d\d-\d\d\.csv", name)
    assert downloads["XLSX"][0] == name.replace(".csv", ".xlsx")
    csv = data().decode("utf-8-sig").splitlines()
    assert csv[0].startswith("Date (mois);Devise;")
    assert csv[1:] and all(re.match(r"\d\d/\d{4};[A-Z]{3};", line) for line in csv[1:])  # 06/2026, as shown
    sheet = load_workbook(io.BytesIO(downloads["XLSX"][1]())).active
    cell = sheet.cell(2, 1)
    assert isinstance(cell.value, dt.datetime) and cell.number_format == "mm/yyyy"  # a date still, shown 06/2026
    # For programs, as the query gives: the month's first day.
    parquet = pq.read_table(io.BytesIO(downloads["PARQUET"][1]()))
    assert all(d.day == 1 for d in parquet.column("issue_date_month").to_pylist())
    assert json.loads(downloads["JSON"][1]())[0]["issue_date_month"].endswith("-01")
    # By quarter, in SQL names too: T2 2026.
    at.segmented_control(key="rp_b_grain.invoices.fr.issue_date").set_value("quarter").run()
    at.button(key="rp_b_make").click().run()
    at.toggle(key="rp_sql_names.fr").set_value(True).run()
    assert_clean(at)
    name, data = downloads["CSV"]
    assert name.startswith("ecluse-factures-par-trimestre-")
    lines = data().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("issue_date_quarter;") and all(re.match(r"T[1-4] \d{4};", line) for line in lines[1:])
    assert re.fullmatch(r"T[1-4] \d{4}", load_workbook(io.BytesIO(downloads["XLSX"][1]())).active.cell(2, 1).value)
    # In English: the reader's words.
    at.toggle(key="rp_sql_names.fr").set_value(False).run()
    at.segmented_control(key="lang").set_value("en").run()
    assert_clean(at)
    assert downloads["CSV"][0].startswith("ecluse-invoices-by-quarter-")
    assert all(re.match(r"Q[1-4] \d{4},", line) for line in downloads["CSV"][1]().decode().splitlines()[1:])
    # A query typed over it: named after the view it reads, as before.
    at.text_area(key="rp_sql").set_value("SELECT currency, count(*) AS n FROM invoices GROUP BY ALL")
    at.button(key="rp_run").click().run()
    assert_clean(at)
    assert downloads["CSV"][0].startswith("ecluse-invoices-2")


def test_export_as_shown_writes_months_quarters_and_years_as_the_page(synced_workspace):
    sql = ("SELECT CAST(date_trunc('month', issue_date) AS DATE) AS month, "
           "CAST(date_trunc('year', issue_date) AS DATE) AS issue_date_year, issue_date FROM invoices "
           "ORDER BY issue_date LIMIT 1")
    result = reports.run_query(synced_workspace, sql)
    day = result.rows[0]["issue_date"]
    french = reports.export(reports.presented(result, "fr"), "csv", french=True, as_shown=True)
    assert french.decode("utf-8-sig").splitlines()[1] == f"{day:%m/%Y};{day:%Y};{day:%d/%m/%Y}"  # the day stays a day
    english = reports.export(result, "csv", as_shown=True).decode().splitlines()[1]
    assert english == f"{day:%Y-%m},{day:%Y},{day.isoformat()}"
    assert reports.export(result, "csv").decode().splitlines()[1].startswith(f"{day:%Y-%m}-01,")  # the CLI's: raw
    assert reports.period_text(dt.date(2026, 4, 1), "quarter", "fr") == "T2 2026"


# -- the third walkthrough: the dates on screen, a reversed period, exports as shown in both languages ----
def test_the_builder_runs_the_dates_on_screen_even_when_the_button_is_clicked_straight_after_typing(
        synced_workspace, use_workspace):
    """A "To" date typed then the button clicked at once ran the previous date (the button's
    callback took the query the run before had written)."""
    use_workspace(synced_workspace)
    at = open_app("reports")
    at.selectbox(key="rp_b_period.invoices.fr").set_value("issue_date").run()
    at.date_input(key="rp_b_start").set_value(dt.date(2026, 10, 1)).run()
    at.date_input(key="rp_b_end").set_value(dt.date(2026, 10, 31)).run()
    at.button(key="rp_b_make").click().run()
    assert "\"issue_date\" <= DATE '2026-10-31'" in at.text_area(key="rp_sql").value
    # Typed and clicked in one go, as a browser sends them: the date on screen.
    at.date_input(key="rp_b_end").set_value(dt.date(2026, 10, 15))
    at.button(key="rp_b_make").click().run()
    assert_clean(at)
    sql = at.text_area(key="rp_sql").value
    assert "\"issue_date\" <= DATE '2026-10-15'" in sql and "2026-10-31" not in sql
    assert at.session_state["rp_ran"] == sql  # and that is the query run


def test_a_reversed_period_is_said_and_not_run(synced_workspace, use_workspace):
    views = reports.view_columns(synced_workspace)
    with pytest.raises(reports.ReportError) as caught:
        reports.build_sql(reports.Choices("invoices", period_column="issue_date", start=dt.date(2026, 10, 31),
                                          end=dt.date(2026, 10, 1)), views)
    assert said_text(caught.value.said, "fr") == ("La période est inversée : « Du » (31/10/2026) est après « Au » "
                                                  "(01/10/2026). Échangez les deux dates.")
    assert said_text(caught.value.said, "en") == ("The period is reversed: “From” (2026-10-31) is after “To” "
                                                  "(2026-10-01). Swap the two dates.")
    one_day = reports.Choices("invoices", period_column="issue_date", start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 1))
    assert "<= DATE '2026-10-01'" in reports.build_sql(one_day, views)  # a single day is no reversed period
    use_workspace(synced_workspace)
    at = open_app("reports")
    at.selectbox(key="rp_b_period.invoices.fr").set_value("issue_date").run()
    at.multiselect(key="rp_b_group.invoices.fr").set_value(["connection"]).run()
    at.date_input(key="rp_b_start").set_value(dt.date(2026, 10, 31)).run()
    at.date_input(key="rp_b_end").set_value(dt.date(2026, 10, 1)).run()
    assert_clean(at)
    assert any("La période est inversée" in e.value for e in at.error)
    assert not any("Message de DuckDB" in c.value for c in at.caption)
    assert not any(b.key == "rp_b_make" for b in at.button)  # nothing to write and run
    assert "rp_ran" not in at.session_state and not any("**Total**" in m.value for m in at.markdown)


def test_a_grouped_report_with_no_rows_has_no_totals_heading(synced_workspace, use_workspace):
    use_workspace(synced_workspace)
    at = open_app("reports")
    at.multiselect(key="rp_b_connection.invoices.fr").set_value(["demo"]).run()
    at.multiselect(key="rp_b_group.invoices.fr").set_value(["connection"]).run()
    at.button(key="rp_b_make").click().run()
    assert any("**Total**" in m.value for m in at.markdown)  # rows, and their totals
    at.selectbox(key="rp_b_period.invoices.fr").set_value("issue_date").run()
    at.date_input(key="rp_b_start").set_value(dt.date(2017, 1, 1)).run()  # long before the demo's invoices
    at.date_input(key="rp_b_end").set_value(dt.date(2017, 1, 31)).run()
    at.button(key="rp_b_make").click().run()
    assert_clean(at)
    assert len(at.dataframe[-1].value) == 0
    assert not any("**Total**" in m.value for m in at.markdown) and not any("sans ce total" in c.value
                                                                             for c in at.caption)


SHOWN_SQL = ("SELECT TIMESTAMPTZ '2026-11-26 19:31:19.293643+00' AS sent_at, false AS changed_after_sending, "
             "'Énergie Claire' AS counterparty, CAST(20 AS DECIMAL(6, 3)) AS vat_rate, "
             "CAST(12.5 AS DECIMAL(18, 2)) AS total, DATE '2026-10-15' AS issue_date "
             "UNION ALL SELECT NULL, true, 'Nuage', 5.5, 3, NULL")


def test_csv_and_xlsx_exports_show_values_as_the_page_in_english_as_in_french(synced_workspace):
    """The English CSV said 2026-11-26 19:31:19.293643+00:00 and False where the page showed
    2026-11-26 19:31 and a checkbox, rates 20.000, and had no byte order mark (Excel garbled
    "Énergie Claire"); the French one said 26/11/2026 19:31:19 and non."""
    result = reports.run_query(synced_workspace, SHOWN_SQL)
    local = dt.datetime(2026, 11, 26, 19, 31, 19, tzinfo=dt.timezone.utc).astimezone()
    english = reports.export(reports.presented(result, "en"), "csv", as_shown=True)
    assert english.startswith("\ufeff".encode())  # Excel reads UTF-8
    assert english.decode("utf-8-sig").splitlines() == [
        "Sent at,Changed after sending,Counterparty,VAT rate,Total,Date",
        f"{local:%Y-%m-%d %H:%M:%S},no,Énergie Claire,20,12.50,2026-10-15", ",yes,Nuage,5.5,3.00,"]
    french = reports.export(reports.presented(result, "fr"), "csv", french=True, as_shown=True)
    assert french.decode("utf-8-sig").splitlines()[1:] == [
        f"{local:%d/%m/%Y %H:%M:%S};non;Énergie Claire;20;12,50;15/10/2026", ";oui;Nuage;5,5;3,00;"]
    # In SQL names too (the page's switch): the values as shown all the same.
    assert reports.export(result, "csv", as_shown=True).decode("utf-8-sig").splitlines()[2] == ",yes,Nuage,5.5,3.00,"
    # The CLI's CSV stays as the query gives, for programs.
    raw = reports.export(result, "csv").decode()
    assert not raw.startswith("\ufeff") and ",False,Énergie Claire,20.000,12.50," in raw
    for lang in ("en", "fr"):
        sheet = load_workbook(io.BytesIO(reports.export(reports.presented(result, lang), "xlsx", french=lang == "fr",
                                                        as_shown=True))).active
        sent, changed, _name, rate = (sheet.cell(2, c) for c in range(1, 5))
        assert changed.value == ("no" if lang == "en" else "non") and sheet.cell(3, 2).value in ("yes", "oui")
        assert rate.value == 20 and rate.number_format == "General" and sheet.cell(3, 4).value == 5.5
        assert sent.value == local.replace(tzinfo=None) and sent.number_format.endswith("hh:mm:ss")
    # Rates on the page: the places they need (20, 5,5), as Revue writes them.
    assert reports.presented(result, "fr").rate_columns() == ("Taux TVA",)


def test_the_page_exports_in_english_as_shown_and_names_its_files_with_hyphens(fresh_synced_workspace,
                                                                                use_workspace, monkeypatch):
    import re

    use_workspace(fresh_synced_workspace)
    downloads = spy_downloads(monkeypatch)
    at = open_app("reports")
    at.segmented_control(key="lang").set_value("en").run()
    picker = at.selectbox(key="rp_saved.en")
    assert picker.label == "Report" and "then those saved in this workspace" in picker.help
    assert "AS" in at.text_area(key="rp_sql").help
    picker.set_value("sent_to_pennylane").run()
    assert_clean(at)
    assert re.fullmatch(r"ecluse-sent-to-pennylane-\d{4}-\d\d-\d\d\.csv", downloads["CSV"][0])
    at.text_area(key="rp_sql").set_value(SHOWN_SQL)
    at.button(key="rp_run").click().run()
    assert_clean(at)
    csv = downloads["CSV"][1]()
    assert csv.startswith("\ufeff".encode()) and csv.decode("utf-8-sig").splitlines()[2] == ",yes,Nuage,5.5,3.00,"
    config = json.loads(at.dataframe[-1].proto.columns)
    assert config["VAT rate"]["type_config"] == {"type": "number", "format": "localized"}  # no step: 20, 5.5
    assert config["Total"]["type_config"]["step"] == 0.01  # money keeps its two places
    at.segmented_control(key="lang").set_value("fr").run()
    picker = at.selectbox(key="rp_saved.fr")
    assert picker.label == "Rapport" and "puis ceux enregistrés dans cet espace de travail" in picker.help
    # Internal tables are read, not refused (read-only, secrets masked): the page no longer says
    # "documented views only", it says they may change.
    assert any("les tables internes (documents…) se lisent aussi" in c.value for c in at.caption)
    at.text_area(key="rp_sql").set_value("SELECT count(*) AS n FROM documents")
    at.button(key="rp_run").click().run()
    assert_clean(at)
    assert not at.error and at.dataframe[-1].value["n"][0] > 0
