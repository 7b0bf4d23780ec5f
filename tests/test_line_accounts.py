"""The Pennylane ledger account each line of a document will be sent to, and why
(`review.line_accounts`), checked against what the send really books on the Pennylane emulator."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from ecluse.domain import Line
from ecluse.services import fixes, mappings, pennylane_lists, review, send
from ecluse.services.pennylane_gateway import PennylaneGateway
from ecluse.services.sync import sync
from tests.conftest import make_doc
from tests.emulators.pennylane import PennylaneEmulator

TOKEN = "pl-line-accounts-token-7c1e"
# Harvest's codes: `kind:<line kind>|project:<project code>`, the missing parts left out.
HINTS = ["kind:Product|project:P1", "kind:Service", "kind:Travel|project:P1", None]


@pytest.fixture
def harvest_like(workspace, plugins, fake_source, fake_connection):
    """One invoice of four lines (25.00 + 5.00 VAT each), one per kind of accounting code."""
    doc = make_doc("1", total="120.00")
    doc.lines = [Line(f"Ligne {i}", D(1), D("25.00"), D("25.00"), D("5.00"), D("30.00"), D(20), hint)
                 for i, hint in enumerate(HINTS, start=1)]
    fake_source.pages = [[doc]]
    sync(workspace, plugins)
    workspace.set_mapping("ledger_accounts", "kind:Product", "706100")
    workspace.set_mapping("ledger_accounts", "kind:Service", "706200")
    return workspace


@pytest.fixture
def emu_chart_only(monkeypatch):
    """A live destination (the emulator) whose chart has 706100 and 706300 (disabled), for any
    workspace given to the function it yields."""
    with PennylaneEmulator(token=TOKEN, rate_limit=(50, 1.0)) as emu:
        emu.add_ledger_account("706100", "Licences")
        emu.add_ledger_account("706300", "Ancien compte", enabled=False)
        monkeypatch.setenv("ECLUSE_TEST_LINE_ACCOUNTS_TOKEN", TOKEN)
        yield lambda ws: ws.set_pennylane(api_url=emu.api_url, token="env:ECLUSE_TEST_LINE_ACCOUNTS_TOKEN",
                                          dry_run=False)


@pytest.fixture
def emu_chart(harvest_like, emu_chart_only):
    """`harvest_like` sending to the emulator whose chart has 706100 and 706300 (disabled)."""
    emu_chart_only(harvest_like)


def shown(ws, doc_id="src:1"):
    return [(a["account"], a["source"], a["via"]) for a in review.line_accounts(ws, doc_id)]


def test_each_line_says_its_account_and_why(harvest_like):
    assert shown(harvest_like) == [("706100", "part", "kind:Product"), ("706200", "code", None),
                                   (None, "none", None), (None, "none", None)]
    harvest_like.set_mapping("ledger_accounts", "*", "706000")  # the default serves what is not mapped
    assert shown(harvest_like)[2:] == [("706000", "default", None), ("706000", "default", None)]
    # a mapping of the whole code wins over its part's; a reviewer's fix over any mapping
    harvest_like.set_mapping("ledger_accounts", "kind:Product|project:P1", "706110")
    fixes.fix(harvest_like, "src:1", "lines[2].ledger_account", "706300", actor="anne")
    assert shown(harvest_like)[:2] == [("706110", "code", None), ("706300", "fixed", None)]
    assert review.line_accounts(harvest_like, "src:nope") == []


@pytest.mark.parametrize("fallback", [None, "706000"])
def test_the_accounts_are_those_the_send_books(harvest_like, fallback):
    if fallback:
        harvest_like.set_mapping("ledger_accounts", "*", fallback)
    fixes.fix(harvest_like, "src:1", "lines[4].ledger_account", "706300", actor="anne")
    expected = [a["account"] for a in review.line_accounts(harvest_like, "src:1")]
    assert expected == ["706100", "706200", fallback, "706300"]
    with PennylaneEmulator(token=TOKEN, rate_limit=(50, 1.0)) as emu:
        for number in ("706000", "706100", "706200", "706300"):
            emu.add_ledger_account(number)
        assert review.decide(harvest_like, "approve", ["src:1"], actor="anne").done == ["src:1"]
        result = send.push(harvest_like, PennylaneGateway(emu.api_url, TOKEN), actor="anne")
        assert result.count("sent") == 1, result.summary()  # a line without an account does not hold it
        [invoice] = emu.invoices("customer")
        booked = [emu.ledger_accounts[line["ledger_account_id"]]["number"] if "ledger_account_id" in line else None
                  for line in emu.invoice_lines(invoice["id"])]
    assert booked == expected


@pytest.mark.parametrize("every_line_has_its_account", [True, False])
def test_a_fallback_pennylane_lacks_holds_only_the_invoices_that_need_it(harvest_like, every_line_has_its_account):
    """The fallback "*" is asked of Pennylane only for an invoice with a line that has neither a
    reviewer's account nor a mapped code: Revue shows each line with its own account, and the
    send books them so, whatever the fallback."""
    harvest_like.set_mapping("ledger_accounts", "*", "471000")  # not in Pennylane's chart
    fixes.fix(harvest_like, "src:1", "lines[3].ledger_account", "706300", actor="anne")
    if every_line_has_its_account:
        fixes.fix(harvest_like, "src:1", "lines[4].ledger_account", "706300", actor="anne")
    expected = [a["account"] for a in review.line_accounts(harvest_like, "src:1")]
    assert ("471000" in expected) is not every_line_has_its_account
    with PennylaneEmulator(token=TOKEN, rate_limit=(50, 1.0)) as emu:
        for number in ("706100", "706200", "706300"):
            emu.add_ledger_account(number)
        assert review.decide(harvest_like, "approve", ["src:1"], actor="anne").done == ["src:1"]
        result = send.push(harvest_like, PennylaneGateway(emu.api_url, TOKEN), actor="anne")
        if not every_line_has_its_account:
            [item] = result.items
            assert item.state == "held" and "471000" in item.error
            assert not emu.invoices("customer")
            return
        assert result.count("sent") == 1, result.summary()
        [invoice] = emu.invoices("customer")
        booked = [emu.ledger_accounts[line["ledger_account_id"]]["number"] for line in emu.invoice_lines(invoice["id"])]
    assert booked == expected == ["706100", "706200", "706300", "706300"]


def test_harvest_codes_take_the_account_of_their_first_mapped_part(tmp_path, monkeypatch):
    """Through the Harvest connector (emulator, real HTTP): mapping a line kind serves every
    project's code of that kind."""
    from ecluse.plugins.harvest.connector import HarvestConnector
    from ecluse.services import sync as sync_service
    from ecluse.workspace import Workspace
    from tests.emulators.harvest import HarvestEmulator
    from tests.ui_fixtures import ui_plugins

    ws = Workspace(tmp_path / "ws")
    ws.init()
    with HarvestEmulator(rate_limit=None) as harvest:
        harvest.generate(12, seed=3)
        monkeypatch.setenv("LINE_ACCOUNTS_HARVEST_TOKEN", harvest.token)
        ws.set_connection("acme", HarvestConnector, harvest.settings(token="env:LINE_ACCOUNTS_HARVEST_TOKEN",
                                                                     start_date="2023-01-01"))
        report = sync_service.sync_connection(ws, ui_plugins(), "acme", actor="test")
        assert report.status == "ok", report.error
    with ws.db.read() as con:
        doc_id, hint = con.execute("SELECT document_id, accounting_hint FROM lines WHERE contains(accounting_hint, '|') "
                                   "ORDER BY document_id, position LIMIT 1").fetchone()
        hints = [r[0] for r in con.execute("SELECT accounting_hint FROM lines WHERE document_id = ? ORDER BY position",
                                           [doc_id]).fetchall()]
    kind = hint.split("|")[0]
    assert kind.startswith("kind:") and "project:" in hint
    ws.set_mapping("ledger_accounts", kind, "706100")
    shown = {h: (a["account"], a["source"], a["via"]) for h, a in zip(hints, review.line_accounts(ws, doc_id))}
    assert shown[hint] == ("706100", "part", kind)
    assert all(v == ("706100", "part", kind) if (h or "").startswith(kind + "|") else v[1] in ("code", "none")
               for h, v in shown.items())


# -- the VAT code each line will be sent with ------------------------------------------------------
def vat_shown(ws, doc_id="src:1"):
    return [(a["vat_code"], a["vat_source"]) for a in review.lines_as_sent(ws, doc_id)]


def test_each_line_says_the_vat_code_the_send_gives_it(workspace, plugins, fake_source, fake_connection):
    """A fix, the source's valid code, else the rate's code (the workspace's mapping or the
    default): Revue's column is what the send really imports (Pennylane emulator)."""
    doc = make_doc("1", total="120.00")
    codes = ["MC_200", None, None, "not-a-code"]  # the source's; the last is no Pennylane code
    doc.lines = [Line(f"Ligne {i}", D(1), D("25.00"), D("25.00"), D("5.00"), D("30.00"), D(20), "kind:Service", code)
                 for i, code in enumerate(codes, start=1)]
    odd = make_doc("2", total="107.00", rate="7")  # no code for 7 %: the send holds it
    fake_source.pages = [[doc, odd]]
    sync(workspace, plugins)
    fixes.fix(workspace, "src:1", "lines[3].vat_code", "AT_200", actor="anne")
    assert vat_shown(workspace) == [("MC_200", "source"), ("FR_200", "default"), ("AT_200", "fixed"),
                                    ("FR_200", "default")]
    assert vat_shown(workspace, "src:2") == [(None, "none")]
    workspace.set_mapping("vat", "20", "GB_200")
    expected = vat_shown(workspace)
    assert expected == [("MC_200", "source"), ("GB_200", "mapping"), ("AT_200", "fixed"), ("GB_200", "mapping")]
    with PennylaneEmulator(token=TOKEN, rate_limit=(50, 1.0)) as emu:
        assert review.decide(workspace, "approve", ["src:1"], actor="anne", force=True, reason="vu").done == ["src:1"]
        result = send.push(workspace, PennylaneGateway(emu.api_url, TOKEN), actor="anne")
        assert result.count("sent") == 1, result.summary()
        [invoice] = emu.invoices("customer")
        sent = [line["vat_rate"] for line in emu.invoice_lines(invoice["id"])]
    assert sent == [code for code, _ in expected]



def test_a_zero_rate_sale_abroad_takes_its_zone_code(workspace, plugins, fake_source, fake_connection):
    """A 0 % line to a business client in another EU country goes as crossborder, to a client
    outside the EU as extracom, in France or to an EU consumer as exempt; a mapping of a zone
    and a fix of the client's country change it. Correspondances counts each zone's lines,
    Revue says why, and the send imports those very codes (Pennylane emulator)."""
    clients = {"1": ("BE", False), "2": ("US", False), "3": ("FR", False), "4": ("DE", True)}
    docs = []
    for source_id, (country, individual) in clients.items():
        doc = make_doc(source_id, total="100.00", rate="0", customer=f"c{source_id}")
        doc.counterparty.address.country_alpha2, doc.counterparty.is_individual = country, individual
        docs.append(doc)
    fake_source.pages = [docs]
    sync(workspace, plugins)
    ids = [f"src:{i}" for i in clients]

    def codes():
        return [vat_shown(workspace, i)[0] for i in ids]

    def zero_rows():
        return {r["rate"]: (r["lines"], r["code"], r["state"]) for r in mappings.vat_rates(workspace)}

    assert codes() == [("crossborder", "default_eu"), ("extracom", "default_export"), ("exempt", "default"),
                       ("exempt", "default")]
    assert zero_rows() == {"0": (2, "exempt", "default"), "0:eu": (1, "crossborder", "default"),
                           "0:export": (1, "extracom", "default")}
    with pytest.raises(mappings.MappingError, match="FR_200 is the code of 20"):
        mappings.set_vat(workspace, "0:export", "FR_200")
    mappings.set_vat(workspace, "0:Export", "exempt")  # the key as typed
    fixes.fix(workspace, "src:3", "counterparty.address.country_alpha2", "ch", actor="anne")
    assert codes() == [("crossborder", "default_eu"), ("exempt", "mapping_export"), ("exempt", "mapping_export"),
                       ("exempt", "default")]
    assert zero_rows() == {"0": (1, "exempt", "default"), "0:eu": (1, "crossborder", "default"),
                           "0:export": (2, "exempt", "mapped")}
    mappings.set_vat(workspace, "0:export", None)
    expected = [code for code, _ in codes()]
    assert expected == ["crossborder", "extracom", "extracom", "exempt"]
    with PennylaneEmulator(token=TOKEN, rate_limit=(50, 1.0)) as emu:
        assert review.decide(workspace, "approve", ids, actor="anne", force=True, reason="vu").done == ids
        result = send.push(workspace, PennylaneGateway(emu.api_url, TOKEN), actor="anne")
        assert result.count("sent") == 4, result.summary()
        sent = {invoice["invoice_number"]: emu.invoice_lines(invoice["id"])[0]["vat_rate"]
                for invoice in emu.invoices("customer")}
    assert [sent[f"F-{i}"] for i in clients] == expected


def test_an_account_is_checked_against_the_pennylane_chart_last_read(harvest_like, emu_chart):
    """With the chart read (Correspondances), each account has its name, and one Pennylane lacks
    (the send holds the invoice) or has disabled is said so; a fixed line says what the
    mappings would have given it."""
    assert [(a["chart"], a["account_label"]) for a in review.lines_as_sent(harvest_like, "src:1")] == \
        [(None, None)] * 4, "no chart read yet: nothing to say"
    pennylane_lists.refresh(harvest_like)
    harvest_like.set_mapping("ledger_accounts", "*", "471000")
    fixes.fix(harvest_like, "src:1", "lines[2].ledger_account", "706300", actor="anne")
    assert review.lines_as_sent(harvest_like, "src:1", chart=False)[0]["chart"] is None
    shown = review.lines_as_sent(harvest_like, "src:1")
    assert [(a["account"], a["chart"], a["account_label"]) for a in shown] == [
        ("706100", "ok", "Licences"), ("706300", "disabled", "Ancien compte"), ("471000", "absent", None),
        ("471000", "absent", None)]
    assert shown[1]["unfixed"] == {"account": "706200", "source": "code", "via": None}
    assert "unfixed" not in shown[0]
    fixes.fix(harvest_like, "src:1", "lines[1].ledger_account", "706200", actor="anne")
    assert review.lines_as_sent(harvest_like, "src:1")[0]["unfixed"] == {"account": "706100", "source": "part",
                                                                         "via": "kind:Product"}


def test_approve_all_valid_leaves_out_an_invoice_the_send_would_hold(harvest_like, emu_chart):
    """Once the chart is read, "approve all valid" (the CLI's and the console's) leaves awaiting
    review an invoice whose account Pennylane lacks, and says which accounts; the send page's
    check (`batches.preview_checks`) and this one agree. Never read: nothing is known, approved."""
    from ecluse.services import batches

    assert review.accounts_absent(harvest_like, ["src:1"]) == {}, "no chart read yet"
    pennylane_lists.refresh(harvest_like)  # 706100 and 706300: the line mapped to 706200 would hold it
    assert review.accounts_absent(harvest_like, ["src:1"]) == {"src:1": ["706200"]}
    assert batches.preview_checks(harvest_like, ["src:1"]).by_document["src:1"].absent == ("706200",)
    result = review.approve_all_valid(harvest_like, actor="anne")
    assert result.done == [] and result.refused == {} and result.left_out == {"src:1": ["706200"]}
    assert result.as_dict()["left_out"] == {"src:1": {"accounts_absent": ["706200"]}}  # `ecluse review approve --json`
    assert review.get_document(harvest_like, "src:1")["status"] == "to_review"
    fixes.fix(harvest_like, "src:1", "lines[2].ledger_account", "706100", actor="anne")
    result = review.approve_all_valid(harvest_like, actor="anne")
    assert result.done == ["src:1"] and result.left_out == {} and "left_out" not in result.as_dict()


def test_revues_check_by_code_agrees_with_the_send_pages_check_by_document(workspace, plugins, fake_source,
                                                                         fake_connection, emu_chart_only):
    """`review.accounts_absent` applies the send's rule once per accounting code (Revue asks it
    of every valid document); `batches.preview_checks` applies it document by document. Codes
    mapped, served by a part, by '*', none at all, and a reviewer's fixes: the same answer."""
    from ecluse.services import batches

    hints = ["kind:Product|project:P1", "kind:Service", "kind:Other", None, "kind:Product", "project:P9"]
    docs = []
    for n in range(12):
        doc = make_doc(str(n), total="60.00")
        doc.lines = [Line(f"L{i}", D(1), D("25.00"), D("25.00"), D("5.00"), D("30.00"), D(20), hints[(n + i) % 6])
                     for i in range(2)]
        docs.append(doc)
    fake_source.pages = [docs]
    sync(workspace, plugins)
    ids = [f"src:{n}" for n in range(12)]
    workspace.set_mapping("ledger_accounts", "kind:Product", "706100")  # in the chart
    workspace.set_mapping("ledger_accounts", "kind:Service", "706200")  # not in the chart
    fixes.fix(workspace, "src:1", "lines[1].ledger_account", "706300", actor="anne")  # in the chart (disabled)
    fixes.fix(workspace, "src:2", "lines[2].ledger_account", "709999", actor="anne")  # not in the chart
    emu_chart_only(workspace)
    pennylane_lists.refresh(workspace)

    def by_document():
        checks = batches.preview_checks(workspace, ids).by_document
        return {d: sorted(c.absent) for d, c in checks.items() if c.absent}

    def by_code():
        return {d: sorted(numbers) for d, numbers in review.accounts_absent(workspace, ids).items()}

    assert by_code() == by_document() and by_code()  # no fallback: codes without a mapping have no account
    workspace.set_mapping("ledger_accounts", "*", "471000")  # a fallback the chart lacks
    assert by_code() == by_document() and len(by_code()) > len(ids) // 2
    workspace.set_mapping("ledger_accounts", "*", "706100")
    assert by_code() == by_document()


@pytest.mark.parametrize("fallback", [None, "471000"])
def test_one_rule_gives_each_line_the_account_the_send_asks_pennylane_for(fallback):
    """`review.accounts_of`, the rule Revue, the preview, "approve all valid" and a fix's history
    share: its numbers are those the send asks Pennylane's chart for (`account_numbers`, which
    it holds an invoice on), and a line alone gets what it gets among its document's lines (as
    `accounts_absent` asks it, once per code); `chart_lacks` holds on an absent account only."""
    import datetime as dt

    from ecluse.domain import fixed_account_hint
    from ecluse.pennylane import requests_builder as rb

    mapping = {"kind:Product": "706100", "kind:Service": "706200", "kind:Product|project:P2": "706110",
               **({"*": fallback} if fallback else {})}
    hints = ["kind:Product|project:P1", "kind:Product|project:P2", "kind:Service", "kind:Other", None,
             fixed_account_hint("706300"), "project:P9|kind:Service"]
    lines = [Line(f"L{i}", D(1), D("25.00"), D("25.00"), D("5.00"), D("30.00"), D(20), hint)
             for i, hint in enumerate(hints)]
    shown = review.accounts_of(lines, mapping)
    assert [(a["account"], a["source"], a["via"]) for a in shown] == [
        ("706100", "part", "kind:Product"), ("706110", "code", None), ("706200", "code", None),
        (fallback, "default" if fallback else "none", None), (fallback, "default" if fallback else "none", None),
        ("706300", "fixed", None), ("706200", "part", "kind:Service")]
    assert {a["account"] for a in shown} - {None} == set(rb.account_numbers(lines, mapping).values())
    assert [review.accounts_of([line], mapping)[0] for line in lines] == shown
    chart = pennylane_lists.Lists(dt.datetime.now(dt.timezone.utc), ledger_accounts=[
        {"number": "706100", "label": "Licences", "enabled": True},
        {"number": "706300", "label": "Ancien compte", "enabled": False}])
    assert [review.chart_lacks(chart, a["account"]) for a in shown] == [
        False, True, True, bool(fallback), bool(fallback), False, True]
