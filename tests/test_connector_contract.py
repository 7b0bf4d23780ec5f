"""What the core does when a connector plugin breaks its contract (ecluse.connectors): the
record is kept as a Problem that tells the plugin's author what to fix, the run goes on, and a
mistake that would change the data silently (a float amount, an unknown kind, a date in the
state) is refused rather than stored."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from ecluse import i18n
from ecluse.connectors import Checkpoint, ConnectorError, Said
from ecluse.services.setup import check_connection
from ecluse.services.sync import sync
from tests.conftest import make_doc


def q(ws, sql, *params):
    with ws.db.read() as con:
        return con.execute(sql, list(params)).fetchall()


def test_a_document_breaking_the_contract_is_a_problem_and_the_run_goes_on(workspace, plugins, fake_source,
                                                                           fake_connection):
    float_total = make_doc("3", total="65.00")
    float_total.total = 65.0  # would have failed the whole run ("unsupported operand ... float")
    no_id = make_doc("7")
    no_id.source_id = None  # was a NOT NULL constraint error that failed the page
    fake_source.pages = [[
        make_doc("1"),
        float_total,
        make_doc("4", kind="invoice"),  # not a kind: it was stored, then sent as a purchase
        make_doc("5", issue=dt.datetime(2026, 3, 2, 10, 0)),
        make_doc("6", lines=[make_doc("6").lines[0], "a line"]),
        no_id,
        make_doc("2"),
    ]]
    [report] = sync(workspace, plugins)
    assert report.status == "ok", report.error
    assert [r[0] for r in q(workspace, "SELECT source_id FROM documents ORDER BY 1")] == ["1", "2"]
    problems = dict(q(workspace, "SELECT coalesce(source_id, '-'), message FROM problems"))
    assert report.problems == len(problems) == 5
    assert "total must be a decimal.Decimal (money is never a float), got float 65.0" in problems["3"]
    assert "kind must be one of customer_invoice, customer_credit_note, supplier_invoice, supplier_credit_note, " \
           "got str 'invoice'" in problems["4"]
    assert "issue_date must be a datetime.date, got datetime" in problems["5"]
    assert "lines[2] must be an ecluse.domain.Line, got str 'a line'" in problems["6"]
    assert "source_id must be a non-empty str, got NoneType None" in problems["-"]
    # said in the console's language, the plugin author's detail as is
    [(said,)] = q(workspace, "SELECT said FROM problems WHERE source_id = '4'")
    assert i18n.said_or(problems["4"], said, "fr").startswith(
        "Le connecteur a produit un document qui ne respecte pas le contrat des connecteurs")


def test_a_validation_that_raises_on_one_document_does_not_stop_the_run(workspace, plugins, fake_source,
                                                                        fake_connection, monkeypatch):
    import ecluse.services.sync as sync_module

    real = sync_module.validate

    def picky(doc, today=None, **kw):
        if doc.source_id == "2":
            raise ArithmeticError("boom")
        return real(doc, today=today, **kw)

    monkeypatch.setattr(sync_module, "validate", picky)
    fake_source.pages = [[make_doc("1"), make_doc("2"), make_doc("3")]]
    [report] = sync(workspace, plugins)
    assert report.status == "ok"
    assert [r[0] for r in q(workspace, "SELECT source_id FROM documents ORDER BY 1")] == ["1", "3"]
    [(message,)] = q(workspace, "SELECT message FROM problems WHERE source_id = '2'")
    assert "its validation failed: ArithmeticError: boom" in message


def test_a_state_json_would_change_is_refused_with_the_pages_before_it_kept(workspace, plugins, fake_source,
                                                                             fake_connection, monkeypatch):
    def fetch(self, ctx):
        yield make_doc("1")
        yield Checkpoint({"page": 1})
        yield make_doc("2")
        yield Checkpoint({"seen": {"2"}, "through": dt.date(2026, 3, 1)})

    monkeypatch.setattr(fake_source, "fetch", fetch)
    [report] = sync(workspace, plugins)
    assert report.status == "failed"
    assert "the fake connector yielded a Checkpoint whose state is not plain JSON" in report.error
    assert report.error.endswith("seen: set {'2'}")
    # what was yielded is kept; the cursor stays at the last good checkpoint
    assert q(workspace, "SELECT count(*) FROM documents")[0][0] == 2
    assert q(workspace, "SELECT state FROM sync_state")[0][0] == '{"page":1}'

    def dated(self, ctx):
        yield Checkpoint({"through": dt.date(2026, 3, 1)})  # came back as a str on the next run

    monkeypatch.setattr(fake_source, "fetch", dated)
    [report] = sync(workspace, plugins)
    assert report.status == "failed" and report.error.endswith("through: date datetime.date(2026, 3, 1)")

    def odd(self, ctx):  # what JSON gives back otherwise: a list, None, a str
        yield Checkpoint({"cursor": {"pages": (1, 2)}})

    monkeypatch.setattr(fake_source, "fetch", odd)
    [report] = sync(workspace, plugins)
    assert report.status == "failed" and report.error.endswith("cursor.pages: tuple (1, 2)")
    for state, said in (({"n": float("nan")}, "n: float nan"), ({"big": {"x": [1, {2: 3}]}}, "big.x[1]: the key 2 is not a str")):
        monkeypatch.setattr(fake_source, "fetch", lambda self, ctx, state=state: iter([Checkpoint(state)]))
        [report] = sync(workspace, plugins)
        assert report.error.endswith(said), report.error
    big = {"clients": {str(i): {"name": f"client {i}"} for i in range(300)}, "page": 2}  # a stored part (> 4 KB)
    monkeypatch.setattr(fake_source, "fetch", lambda self, ctx: iter([Checkpoint(big)]))
    assert sync(workspace, plugins)[0].status == "ok"
    big["clients"]["7"]["seen"] = {"x"}
    assert sync(workspace, plugins)[0].error.endswith("clients.7.seen: set {'x'}")


def test_fetch_returning_none_is_said(workspace, plugins, fake_source, fake_connection, monkeypatch):
    monkeypatch.setattr(fake_source, "fetch", lambda self, ctx: None)  # the README's stub, `...`
    [report] = sync(workspace, plugins)
    assert report.status == "failed"
    assert report.error == ("the fake connector's fetch() returned None: it must yield its items (write it as a "
                            "generator, with `yield`)")


def test_check_returning_none_is_a_failed_check_said_in_both_languages(workspace, plugins, fake_source,
                                                                       fake_connection, monkeypatch):
    monkeypatch.setattr(fake_source, "check", lambda self, ctx: None)
    result = check_connection(workspace, plugins, fake_connection)
    assert not result.ok
    assert result.message == "the fake connector's check() returned NoneType instead of a CheckResult (see ecluse.connectors)"
    assert i18n.said(result.says, "fr") == [
        "Le test du connecteur fake n'a pas donné de résultat (NoneType au lieu d'un CheckResult) : le connecteur est "
        "à corriger."]


def test_a_connector_error_carries_its_said(workspace, plugins, fake_source, fake_connection, monkeypatch):
    def fetch(self, ctx):
        raise ConnectorError("ACME refused the export", Said("core.orphan_pdf"))
        yield  # a generator

    monkeypatch.setattr(fake_source, "fetch", fetch)
    [report] = sync(workspace, plugins)
    assert (report.status, report.error) == ("failed", "ACME refused the export")
    assert report.error_said == {"code": "core.orphan_pdf", "params": {}}


def test_an_int_source_id_or_an_amount_the_cache_cannot_hold_is_a_problem(workspace, plugins, fake_source,
                                                                           fake_connection):
    as_int = make_doc("8")
    as_int.source_id = 8  # failed the page ("Expected bytes, got a 'int' object")
    infinite = make_doc("9")
    infinite.total = D("Infinity")
    huge = make_doc("10")
    huge.lines[0].quantity = D("1e13")
    nan = make_doc("11")
    nan.lines[0].amount = D("NaN")
    fake_source.pages = [[make_doc("1"), as_int, infinite, huge, nan]]
    [report] = sync(workspace, plugins)
    assert report.status == "ok", report.error
    assert q(workspace, "SELECT source_id FROM documents") == [("1",)]
    problems = dict(q(workspace, "SELECT coalesce(source_id, '-'), message FROM problems"))
    assert problems["8"].endswith("source_id must be a non-empty str, got int 8")
    assert "total must be a finite decimal.Decimal below 1E+16 in size, got Infinity" in problems["9"]
    assert "lines[1].quantity must be a finite decimal.Decimal below 1E+12 in size, got 1E+13" in problems["10"]
    assert "lines[1].amount must be a finite decimal.Decimal below 1E+16 in size, got NaN" in problems["11"]
