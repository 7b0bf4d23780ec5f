"""Reconciliation queries: stages (confirmed by Pennylane or not), Écluse against Pennylane per
month, drill-downs. Documents really sent to the Pennylane emulator and read back by `confirm`."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest

from ecluse import i18n
from ecluse.connectors import Said
from ecluse.domain import CUSTOMER_CREDIT_NOTE, SUPPLIER_INVOICE
from ecluse.pennylane.client import PennylaneClient
from ecluse.services import confirm, reconcile, review, send
from ecluse.services.pennylane_gateway import PennylaneGateway
from ecluse.services.sync import sync
from tests.conftest import make_doc
from tests.emulators.pennylane import PennylaneEmulator

TOKEN = "pl-reconcile-token-7"
FEB, MAR = dt.date(2026, 2, 1), dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def emu():
    with PennylaneEmulator(token=TOKEN, rate_limit=(100, 1.0)) as e:
        yield e


@pytest.fixture
def books(workspace, plugins, fake_source, fake_connection, emu):
    """February: 6 sales invoices sent (one then edited in Pennylane, one deleted there), one
    waiting for review with an error, one rejected. March: 2 sent and confirmed, one approved
    but not sent. One purchase invoice sent in February (the other side)."""
    feb = [make_doc(f"f{i}", customer=f"c{i % 2}", total=f"{100 + 10 * i}.00", issue=dt.date(2026, 2, 2 + i))
           for i in range(6)]
    mar = [make_doc(f"m{i}", customer="c3", total=f"{200 + i}.00", issue=dt.date(2026, 3, 3 + i)) for i in range(2)]
    purchase = make_doc("p1", customer="s1", total="48.00", issue=dt.date(2026, 2, 20), kind=SUPPLIER_INVOICE)
    purchase.counterparty.role = "supplier"
    broken = make_doc("bad", customer="c9", total="77.00", issue=dt.date(2026, 2, 25))
    broken.total_tax += 5
    fake_source.pages = [feb + mar + [purchase, broken, make_doc("rej", customer="c8", total="55.00",
                                                                  issue=dt.date(2026, 2, 26))]]
    sync(workspace, plugins)
    review.decide(workspace, "reject", ["src:rej"], actor="anne", reason="test")
    review.approve_all_valid(workspace, actor="anne")
    pushed = send.push(workspace, PennylaneGateway(emu.api_url, TOKEN), actor="anne")
    assert pushed.count("failed") == 0, pushed
    sent_ids = {r[0]: r[1] for r in q(workspace, "SELECT id, pennylane_id FROM documents WHERE status = 'sent'")}
    with emu._lock:  # in Pennylane, someone edits f1's amount and deletes f2
        emu._invoices["customer"][sent_ids["src:f1"]]["currency_amount"] = "999.00"
        del emu._invoices["customer"][sent_ids["src:f2"]]
    result = confirm.confirm(workspace, PennylaneClient(emu.api_url, TOKEN))
    assert result.error is None
    # One more approved invoice in March, not sent.
    fake_source.pages = [[make_doc("m9", customer="c3", total="300.00", issue=dt.date(2026, 3, 20))]]
    with workspace.db.write() as con:
        con.execute("DELETE FROM sync_state")
    sync(workspace, plugins)
    review.decide(workspace, "approve", ["src:m9"], actor="anne")
    return workspace


def q(ws, sql, params=()):
    with ws.db.read() as con:
        return con.execute(sql, list(params)).fetchall()


def by(rows, *keys):
    return {tuple(r[k] for k in keys): r for r in rows}


def test_monthly_stages_count_confirmed_and_discrepancies(books):
    rows = by(reconcile.monthly_stages(books, side="sales"), "month", "stage")
    assert {k: (r["documents"], r["total"]) for k, r in rows.items()} == {
        (FEB, "confirmed"): (4, D("100.00") + D("130.00") + D("140.00") + D("150.00")),
        (FEB, "discrepancy"): (2, D("110.00") + D("120.00")),
        (FEB, "review"): (1, D("77.00")),
        (FEB, "rejected"): (1, D("55.00")),
        (MAR, "confirmed"): (2, D("401.00")),
        (MAR, "approved"): (1, D("300.00")),
    }
    purchases = reconcile.monthly_stages(books, side="purchases")
    assert [(r["month"], r["stage"], r["documents"], r["total"]) for r in purchases] == [
        (FEB, "confirmed", 1, D("48.00"))]


def test_a_confirmation_older_than_the_send_does_not_count(books):
    with books.db.write() as con:  # f0 sent again after the last check
        con.execute("UPDATE documents SET sent_at = now() + INTERVAL 1 HOUR WHERE id = 'src:f0'")
    rows = by(reconcile.monthly_stages(books, side="sales"), "month", "stage")
    assert rows[(FEB, "confirmed")]["documents"] == 3 and rows[(FEB, "sent")]["documents"] == 1
    feb = reconcile.pennylane_totals(books, side="sales")[0]
    assert (feb["checked"], feb["unchecked"]) == (5, 1)


def test_all_that_was_sent_and_of_it_what_the_last_check_read_back(books):
    with books.db.write() as con:  # f0 sent again after the last check
        con.execute("UPDATE documents SET sent_at = now() + INTERVAL 1 HOUR WHERE id = 'src:f0'")
    feb, mar = reconcile.pennylane_totals(books, side="sales")
    sent = D("100.00") + D("110.00") + D("120.00") + D("130.00") + D("140.00") + D("150.00")
    assert (feb["sent"], feb["sent_total"]) == (6, sent)  # everything Écluse sent, checked since or not
    assert (feb["checked"], feb["source_total"]) == (5, sent - D("100.00"))
    assert (feb["unchecked"], feb["unchecked_total"]) == (1, D("100.00"))
    assert feb["source_total"] + feb["unchecked_total"] == feb["sent_total"]
    assert all(isinstance(r[k], D) for r in (feb, mar) for k in ("sent_total", "source_total", "unchecked_total"))
    (checked_at,) = q(books, "SELECT max(checked_at) FROM confirmations")[0]
    assert feb["last_checked_at"] == mar["last_checked_at"] == checked_at
    assert (mar["sent"], mar["sent_total"], mar["unchecked_total"]) == (2, D("401.00"), 0)
    # The sent amounts agree with the monthly chart's sent, confirmed and discrepancy bars.
    stages = reconcile.monthly_stages(books, side="sales")
    assert sum(r["total"] for r in stages if r["stage"] in ("sent", "confirmed", "discrepancy")) == sent + D("401.00")
    # The document not checked yet shows what was sent, and no verdict.
    rows, _n = reconcile.confirmations_for(books, FEB, side="sales")
    f0 = next(r for r in rows if r["id"] == "src:f0")
    assert (f0["expected_amount"], f0["confirmation"], f0["difference"]) == (D("100.00"), None, None)


def test_the_backlog_counts_what_the_monthly_chart_counts_as_review(books):
    review.decide(books, "hold", ["src:bad"], actor="anne", reason="waiting for the customer's answer")
    with books.db.write() as con:  # rej back in the review stage under its other status
        con.execute("UPDATE documents SET status = 'fetched' WHERE id = 'src:rej'")

    def review_bars(**filters):
        return sum(r["documents"] for r in reconcile.monthly_stages(books, side="sales", **filters)
                   if r["stage"] == "review")

    for basis in reconcile.AGE_BASES:
        ages = reconcile.backlog_age(books, basis=basis, side="sales", currency="EUR")
        assert sum(r["documents"] for r in ages) == review_bars() == 2, basis
        assert sum(r["with_errors"] for r in ages) == 1
    assert reconcile.backlog_age(books, side="purchases", currency="EUR") == []
    with books.db.write() as con:  # the held one in dollars: in the USD charts, not in the EUR ones
        con.execute("UPDATE documents SET currency = 'USD' WHERE id = 'src:bad'")
    eur = reconcile.backlog_age(books, side="sales", currency="EUR", today=dt.date(2026, 3, 31))
    usd = reconcile.backlog_age(books, side="sales", currency="USD", today=dt.date(2026, 3, 31))
    assert [(r["bucket"], r["documents"]) for r in eur] == [("31-60", 1)] and review_bars() == 1
    assert [(r["bucket"], r["documents"], r["with_errors"]) for r in usd] == [("31-60", 1, 1)]
    assert review_bars(currency="USD") == 1
    assert sum(r["documents"] for r in reconcile.backlog_age(books, side="sales")) == 2  # every currency


def test_pennylane_totals_per_month(books):
    rows = reconcile.pennylane_totals(books, side="sales")
    assert [r["month"] for r in rows] == [FEB, MAR]
    feb, mar = rows
    sent = D("100.00") + D("110.00") + D("120.00") + D("130.00") + D("140.00") + D("150.00")
    assert feb["source_total"] == sent
    # f1 is 999.00 in Pennylane instead of 110.00, f2 is gone.
    assert feb["pennylane_total"] == sent - D("110.00") + D("999.00") - D("120.00")
    assert (feb["checked"], feb["unchecked"], feb["mismatches"], feb["amount_mismatch"], feb["missing"],
            feb["changed"]) == (6, 0, 2, 1, 1, 0)
    assert (mar["source_total"], mar["pennylane_total"], mar["mismatches"]) == (D("401.00"), D("401.00"), 0)
    assert reconcile.pennylane_totals(books, "nope", side="sales") == []
    assert reconcile.pennylane_totals(books, side="purchases")[0]["source_total"] == D("48.00")


def test_drill_down_by_stage_and_into_the_differences(books):
    docs, total = reconcile.documents_for(books, FEB, None, "src", side="sales", stage="discrepancy")
    assert total == 2 and {d["id"] for d in docs} == {"src:f1", "src:f2"}
    assert {d["confirmation"] for d in docs} == {"amount_mismatch", "missing"}
    _docs, confirmed = reconcile.documents_for(books, FEB, None, "src", side="sales", stage="confirmed")
    assert confirmed == 4
    with pytest.raises(ValueError, match="unknown stage"):
        reconcile.documents_for(books, stage="nope")
    rows, total = reconcile.confirmations_for(books, FEB, side="sales")
    assert total == 6
    assert [r["id"] for r in rows[:2]] == ["src:f1", "src:f2"]  # differences first, the largest first
    assert rows[0]["difference"] == D("889.00") and rows[0]["confirmation"] == "amount_mismatch"
    assert rows[1]["pennylane_amount"] is None and rows[1]["confirmation"] == "missing"
    only, n = reconcile.confirmations_for(books, FEB, side="sales", only_mismatches=True)
    assert n == 2 and {r["id"] for r in only} == {"src:f1", "src:f2"}


def test_stage_of_matches_the_sql(books):
    docs, _ = reconcile.documents_for(books, side=None, limit=100)
    assert docs and all(reconcile.stage_of(d["status"], d["confirmation"]) == d["stage"] for d in docs)


# -- what was sent stays what was sent ---------------------------------------------------------
def _send_then_change(ws, plugins, fake_source, emu, sent, changed, *, waiting=(), before_migration=False):
    """The `sent` documents synced (with the `waiting` ones, left to review) and sent to the
    emulator, then given by the source again as `changed` (a full read). `before_migration`:
    their items lose their amounts, as migration 17 leaves the items sent before it."""
    fake_source.pages = [sent + list(waiting)]
    sync(ws, plugins)
    review.decide(ws, "approve", [f"src:{d.source_id}" for d in sent], actor="anne")
    assert send.push(ws, PennylaneGateway(emu.api_url, TOKEN), actor="anne").count("sent") == len(sent)
    if before_migration:
        with ws.db.write() as con:
            con.execute("UPDATE batch_items SET sent_amount = NULL, sent_currency = NULL")
    fake_source.pages = [changed]
    with ws.db.write() as con:
        con.execute("DELETE FROM sync_state")
    sync(ws, plugins)


def _sent_bars(ws, **filters):
    return {(r["stage"], r["currency"]): (r["documents"], r["total"])
            for r in reconcile.monthly_stages(ws, side="sales", **filters)}


def test_the_sent_bars_count_what_was_sent_after_a_change_at_the_source(workspace, plugins, fake_source,
                                                                        fake_connection, emu):
    """Sent at 100.00 (and a credit note at -60.00), changed at the source to 250.00 (and 80.00)
    then: the chart's sent bar, its drill-down and 'Envoyé par Écluse' all say what was sent."""
    def credit(total):
        return make_doc("2", total=total, kind=CUSTOMER_CREDIT_NOTE, number="AV-2", issue=dt.date(2026, 3, 5))

    _send_then_change(workspace, plugins, fake_source, emu, [make_doc("1", total="100.00"), credit("60.00")],
                      [make_doc("1", total="250.00"), credit("80.00"), make_doc("3", total="35.00")],
                      waiting=[make_doc("3", total="30.00")])
    assert q(workspace, "SELECT id, status, changed_after_sending, total FROM documents ORDER BY id") == [
        ("src:1", "sent", True, D("250.00")), ("src:2", "sent", True, D("80.00")),
        ("src:3", "to_review", False, D("35.00"))]
    sent = D("100.00") - D("60.00")
    # The sent bar: what was sent; the review bar: the current total.
    assert _sent_bars(workspace) == {("sent", "EUR"): (2, sent), ("review", "EUR"): (1, D("35.00"))}
    [month] = reconcile.pennylane_totals(workspace, side="sales")
    assert month["sent_total"] == sent == sum(r["total"] for r in reconcile.monthly_stages(workspace, side="sales")
                                              if r["stage"] == "sent")
    assert all(isinstance(r["total"], D) for r in reconcile.monthly_stages(workspace, side="sales"))
    docs, n = reconcile.documents_for(workspace, MAR, None, "src", side="sales", stage="sent")
    assert n == 2 and [(d["id"], d["total"], d["currency"], d["current_total"], d["changed_after_sending"])
                       for d in docs] == [("src:1", D("100.00"), "EUR", D("250.00"), True),
                                          ("src:2", D("-60.00"), "EUR", D("80.00"), True)]
    assert sum(d["total"] for d in docs) == sent
    # The drill-down by status and monthly_totals agree as well.
    [by_status] = [r for r in reconcile.monthly_totals(workspace, side="sales") if r["status"] == "sent"]
    assert by_status["total"] == sent
    assert sum(d["total"] for d in reconcile.documents_for(workspace, MAR, "sent", side="sales")[0]) == sent
    # Checked in Pennylane since: the confirmed bar says the same.
    assert confirm.confirm(workspace, PennylaneClient(emu.api_url, TOKEN)).counts == {"confirmed": 2}
    assert _sent_bars(workspace)[("confirmed", "EUR")] == (2, sent)
    docs, _n = reconcile.documents_for(workspace, MAR, None, "src", side="sales", stage="confirmed")
    assert [d["total"] for d in docs] == [D("100.00"), D("-60.00")]


def test_a_document_sent_in_euros_counts_in_euros_whatever_its_currency_now(workspace, plugins, fake_source,
                                                                           fake_connection, emu):
    _send_then_change(workspace, plugins, fake_source, emu, [make_doc("1", total="100.00")],
                      [make_doc("1", total="250.00", currency="USD"), make_doc("3", total="30.00", currency="USD")],
                      waiting=[make_doc("3", total="30.00")])
    assert q(workspace, "SELECT currency FROM documents ORDER BY id") == [("USD",), ("USD",)]
    # Sent in EUR: in the EUR chart (as in 'Envoyé par Écluse'), not in the USD one.
    assert _sent_bars(workspace) == {("sent", "EUR"): (1, D("100.00"))}
    assert _sent_bars(workspace, currency="USD") == {("review", "USD"): (1, D("30.00"))}
    assert reconcile.pennylane_totals(workspace, side="sales")[0]["sent_total"] == D("100.00")
    assert reconcile.pennylane_totals(workspace, currency="USD", side="sales") == []
    docs, n = reconcile.documents_for(workspace, MAR, None, side="sales", stage="sent")
    assert n == 1 and (docs[0]["total"], docs[0]["currency"], docs[0]["current_currency"]) == (
        D("100.00"), "EUR", "USD")
    assert reconcile.documents_for(workspace, MAR, None, currency="USD", side="sales", stage="sent") == ([], 0)
    # Every currency: each document once, in the currency it counts in.
    assert _sent_bars(workspace, currency=None) == {("sent", "EUR"): (1, D("100.00")),
                                                    ("review", "USD"): (1, D("30.00"))}
    # The other side does not see it.
    assert reconcile.monthly_stages(workspace, side="purchases", currency=None) == []


def test_items_sent_before_the_amount_was_recorded_count_the_current_total(workspace, plugins, fake_source,
                                                                          fake_connection, emu):
    _send_then_change(workspace, plugins, fake_source, emu,
                      [make_doc("1", total="100.00"), make_doc("2", total="-60.00", kind=CUSTOMER_CREDIT_NOTE)],
                      [make_doc("1", total="250.00"), make_doc("2", total="80.00", kind=CUSTOMER_CREDIT_NOTE)],
                      before_migration=True)
    # Nothing else to go by: the current totals, a credit note negative as the import makes it.
    assert _sent_bars(workspace) == {("sent", "EUR"): (2, D("170.00"))}
    assert reconcile.pennylane_totals(workspace, side="sales")[0]["sent_total"] == D("170.00")
    docs, _n = reconcile.documents_for(workspace, MAR, None, side="sales", stage="sent")
    assert sorted((d["id"], d["total"], d["currency"]) for d in docs) == [
        ("src:1", D("250.00"), "EUR"), ("src:2", D("-80.00"), "EUR")]


# -- at scale ----------------------------------------------------------------------------------
@pytest.mark.slow
def test_chart_queries_add_up_at_100k_documents(tmp_path):
    # Their timings are bench/review.py's; here, that they run at that size and agree.
    from bench.review import build_cache

    ws = build_cache(tmp_path / "ws", 100_000)
    with ws.db.read() as con:
        dated, awaiting = con.execute("SELECT count(*) FILTER (WHERE issue_date IS NOT NULL), "
                                      "count(*) FILTER (WHERE status IN ('to_review', 'on_hold')) FROM documents"
                                      ).fetchall()[0]
    stages = reconcile.monthly_stages(ws, currency=None, side=None)
    assert sum(r["documents"] for r in stages) == dated  # each document in one stage
    sent = sum(r["total"] for r in stages if r["stage"] in ("sent", "confirmed", "discrepancy"))
    assert sent == sum(r["sent_total"] for r in reconcile.pennylane_totals(ws, currency=None, side=None))
    for fn in (reconcile.pennylane_totals, reconcile.monthly_totals):
        assert fn(ws, side=None)
    assert sum(r["documents"] for r in reconcile.backlog_age(ws, basis="waiting")) == awaiting
    sales, purchases = (sum(r["documents"] for r in reconcile.backlog_age(ws, basis="waiting", side=side))
                        for side in ("sales", "purchases"))
    assert sales and purchases and sales + purchases == awaiting  # the page's Ventes / Achats choice
    review_bars = sum(r["documents"] for r in stages if r["stage"] == "review")
    assert sum(r["documents"] for r in reconcile.backlog_age(ws, currency=None)) == review_bars


def test_what_a_check_found_is_said_in_the_readers_language(books, emu):
    """confirmations.said (migration 21): Suivi's drill-down and Reports say the check's finding
    in French or English; a row checked before keeps its English message."""
    from ecluse import i18n

    rows, _ = reconcile.confirmations_for(books, FEB, side="sales", only_mismatches=True)
    said = {r["id"]: (i18n.said_or(r["message"], r["said"], "fr"), i18n.said_or(r["message"], r["said"], "en"))
            for r in rows}
    f2, pl_f2 = q(books, "SELECT number, pennylane_id FROM documents WHERE id = 'src:f2'")[0]
    assert said == {"src:f1": ("Pennylane a un autre montant que celui envoyé",
                               "Pennylane has another amount than the one sent"),
                    "src:f2": (f"la facture {f2} n'est plus dans Pennylane (identifiant {pl_f2})",
                               f"invoice {f2} is no longer in Pennylane (id {pl_f2})")}
    # someone edits f3 in Pennylane a day after the send, its amount unchanged
    pl_f3 = q(books, "SELECT pennylane_id FROM documents WHERE id = 'src:f3'")[0][0]
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
    with emu._lock:
        emu._invoices["customer"][pl_f3]["updated_at"] = later.isoformat()
    assert confirm.confirm(books, PennylaneClient(emu.api_url, TOKEN)).counts["changed"] == 1
    rows, _ = reconcile.confirmations_for(books, FEB, side="sales", only_mismatches=True)
    changed = next(r for r in rows if r["id"] == "src:f3")
    assert i18n.said_or(changed["message"], changed["said"], "fr") == (
        f"modifiée dans Pennylane le {i18n.format_datetime(later, 'fr')}")
    assert changed["message"].startswith("modified in Pennylane on ")
    with books.db.write() as con:  # a row checked by an older version
        con.execute("UPDATE confirmations SET said = NULL WHERE document_id = 'src:f3'")
    rows, _ = reconcile.confirmations_for(books, FEB, side="sales", only_mismatches=True)
    old = next(r for r in rows if r["id"] == "src:f3")
    assert i18n.said_or(old["message"], old["said"], "fr") == old["message"]
    # Reports: the view's message in words when the query selects said too
    from ecluse.services import reports

    result = reports.run_query(books, "SELECT status, message, said FROM confirmations WHERE status = 'missing'")
    assert reports.presented(result, "fr").rows[0]["Message"] == (
        f"la facture {f2} n'est plus dans Pennylane (identifiant {pl_f2})")


# -- differences never cancel out, counts on whole-number axes ----------------------------------
def test_an_invoice_and_a_credit_note_that_differ_do_not_cancel_out(workspace, plugins, fake_source, fake_connection,
                                                                     emu, monkeypatch):
    """Suivi's walkthrough: +21 361,26 € differing from Pennylane and a −20 810,07 € credit note
    deleted there made a 551,19 € sliver. The discrepancy bar adds the amounts without sign; the
    page's charts say so, and count the differences on an axis of whole numbers."""
    import json

    from tests.test_ui_pages import assert_clean, open_app

    docs = [make_doc("1", total="21361.26"), make_doc("2", total="-20810.07", kind=CUSTOMER_CREDIT_NOTE, number="AV-2"),
            make_doc("3", total="500.00")]
    fake_source.pages = [docs]
    sync(workspace, plugins)
    review.decide(workspace, "approve", [f"src:{d.source_id}" for d in docs], actor="anne")
    assert send.push(workspace, PennylaneGateway(emu.api_url, TOKEN), actor="anne").count("sent") == 3
    ids = {r[0]: r[1] for r in q(workspace, "SELECT id, pennylane_id FROM documents")}
    with emu._lock:  # in Pennylane: the invoice's amount edited, the credit note deleted
        emu._invoices["customer"][ids["src:1"]]["currency_amount"] = "21000.00"
        del emu._invoices["customer"][ids["src:2"]]
    assert confirm.confirm(workspace, PennylaneClient(emu.api_url, TOKEN)).error is None
    rows = by(reconcile.monthly_stages(workspace, side="sales"), "stage")
    discrepancy = rows[("discrepancy",)]
    assert discrepancy["documents"] == 2 and discrepancy["total"] == D("551.19")  # net: what the chart showed
    assert discrepancy["abs_total"] == reconcile.stage_measure(discrepancy) == D("42171.33")
    assert reconcile.stage_measure(rows[("confirmed",)]) == D("500.00")  # the other stages: their net total
    docs_, _n = reconcile.documents_for(workspace, MAR, None, side="sales", stage="discrepancy")
    assert sum(abs(d["total"]) for d in docs_) == D("42171.33")

    # The page builds its figures from them.
    from ecluse.ui import state
    from tests.ui_fixtures import ui_plugins

    monkeypatch.setattr(state, "plugins", ui_plugins)
    monkeypatch.delenv("ECLUSE_LANG", raising=False)
    monkeypatch.setenv("ECLUSE_WORKSPACE", str(workspace.path))
    monkeypatch.setenv("ECLUSE_ACTOR", "ui-tester")
    at = open_app("reconciliation")
    assert_clean(at)
    monthly, pennylane = (json.loads(c.proto.spec) for c in at.get("plotly_chart")[:2])
    [bar] = [d for d in monthly["data"] if d["customdata"][0][1] == "discrepancy"]
    assert bar["name"] == "Écart avec Pennylane" and bar["y"] == [42171.33]
    assert bar["customdata"][0][4] == "42\u202f171,33\xa0€"
    assert "%{customdata[4]} (montants en valeur absolue)" in bar["hovertemplate"]
    assert any("ne s'annulent pas" in c.value for c in at.caption)
    [marks] = [d for d in pennylane["data"] if d.get("yaxis") == "y2"]
    assert marks["y"] == [2]
    axis = pennylane["layout"]["yaxis2"]
    assert axis["dtick"] == 1 and axis["tickformat"] == ",d"  # 0, 1, 2: never 0, 0, 1, 1, 2, 2
    at.segmented_control(key="lang").set_value("en").run()
    assert_clean(at)
    [bar] = [d for d in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
             if d["customdata"][0][1] == "discrepancy"]
    assert "(amounts without sign)" in bar["hovertemplate"]
    assert any("do not cancel out" in c.value for c in at.caption)


def test_the_pennylane_chart_names_what_was_sent_after_the_last_check_only_when_there_is_some(books, monkeypatch):
    """Suivi's second chart: « Envoyé depuis, non vérifié » read oddly and stood in the legend
    with nothing behind it. Said « Envoyé après la dernière vérification », and only when a
    document was sent after the last check."""
    import json

    from ecluse.ui import state
    from tests.test_ui_pages import assert_clean, open_app
    from tests.ui_fixtures import ui_plugins

    monkeypatch.setattr(state, "plugins", ui_plugins)
    monkeypatch.delenv("ECLUSE_LANG", raising=False)
    monkeypatch.setenv("ECLUSE_WORKSPACE", str(books.path))
    monkeypatch.setenv("ECLUSE_ACTOR", "ui-tester")

    def bars(at):
        spec = json.loads(at.get("plotly_chart")[1].proto.spec)
        return [d["name"] for d in spec["data"] if d.get("type") == "bar"], spec

    at = open_app("reconciliation")
    assert_clean(at)
    names, _spec = bars(at)
    # Nothing sent after the last check: what was checked and what Pennylane holds, no empty entry.
    assert len(names) == 2 and names[0] == "Envoyé, vérifié" and not any(n.startswith("Envoyé") for n in names[1:])
    with books.db.write() as con:  # f0 sent again after the last check
        con.execute("UPDATE documents SET sent_at = now() + INTERVAL 1 HOUR WHERE id = 'src:f0'")
    at = open_app("reconciliation")
    assert_clean(at)
    names, spec = bars(at)
    assert names[:2] == ["Envoyé, vérifié", "Envoyé après la dernière vérification"] and len(names) == 3
    [after] = [d for d in spec["data"] if d["name"] == "Envoyé après la dernière vérification"]
    assert after["y"][0] == 100.0
    at.segmented_control(key="lang").set_value("en").run()
    names, _spec = bars(at)
    assert "Sent after the last check" in names and not any("since" in n for n in names)


def test_an_invoice_archived_in_pennylane_is_not_confirmed(books, emu):
    """Archived in Pennylane: still there with its amount, but put aside; said as such."""
    [(pl_id,)] = q(books, "SELECT pennylane_id FROM documents WHERE id = 'src:f0'")
    with emu._lock:
        emu._invoices["customer"][pl_id]["archived_at"] = "2026-11-20T09:30:00Z"
    assert confirm.confirm(books, PennylaneClient(emu.api_url, TOKEN)).error is None
    [(status, said)] = q(books, "SELECT status, said FROM confirmations WHERE document_id = 'src:f0' "
                                "ORDER BY checked_at DESC LIMIT 1")
    assert status == "changed"
    assert i18n.said_text(Said(**json.loads(said)), "fr").startswith("archivée dans Pennylane le 20/11/2026")
