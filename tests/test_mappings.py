"""Mappings service: what the cache holds with its mapping, checks, all-or-nothing writes."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from ecluse.domain import Line
from ecluse.services import fixes, mappings, queue, review
from ecluse.services.mappings import MappingError
from ecluse.services.sync import sync
from tests.conftest import make_doc


@pytest.fixture
def cache(workspace, plugins, fake_source, fake_connection):
    docs = []
    for i, (rate, hint) in enumerate([("20", "706"), ("20", "706"), ("10", "707"), ("19.6", None), ("0", "706")]):
        doc = make_doc(str(i), customer=f"c{i % 2}", rate=rate, issue=dt.date(2026, 3, 1 + i))
        doc.lines[0].accounting_hint = hint
        docs.append(doc)
    docs[4].lines.append(Line("Export", D(1), D(0), D(0), D(0), D(0), D(0), "706", vat_code="extracom"))
    fake_source.pages = [docs]
    sync(workspace, plugins)
    return workspace


def test_ledger_accounts_list_what_the_cache_holds(cache):
    rows = mappings.ledger_accounts(cache)
    assert [(r["hint"], r["lines"], r["documents"], r["state"]) for r in rows] == [
        ("706", 4, 3, "unmapped"), ("707", 1, 1, "unmapped"), (None, 1, 1, "unmapped"), ("*", None, None, "unmapped")]
    mappings.set_ledger_account(cache, "706", " 706 000 ")
    mappings.set_ledger_account(cache, "*", "471000")
    mappings.set_ledger_account(cache, "6064", "606400")  # not in the cache yet: listed anyway
    rows = {r["hint"]: r for r in mappings.ledger_accounts(cache)}
    assert (rows["706"]["account"], rows["706"]["state"]) == ("706000", "mapped")
    assert rows["707"]["state"] == "fallback" and rows["6064"]["lines"] == 0
    assert cache.mappings()["ledger_accounts"] == {"706": "706000", "*": "471000", "6064": "606400"}
    mappings.set_ledger_account(cache, "6064", "")
    assert "6064" not in cache.mappings()["ledger_accounts"]
    with pytest.raises(MappingError, match="ledger account number"):
        mappings.set_ledger_account(cache, "706", "compte")


def test_a_kind_mapped_once_serves_every_project_of_that_kind(workspace, plugins, fake_source, fake_connection):
    from ecluse.pennylane.requests_builder import ledger_account

    docs = []
    for i, hint in enumerate(["kind:Product|project:P1", "kind:Product|project:P2", "kind:Service|project:P1",
                              "kind:Product"]):
        doc = make_doc(str(i), issue=dt.date(2026, 3, 1 + i))
        doc.lines[0].accounting_hint = hint
        docs.append(doc)
    fake_source.pages = [docs]
    sync(workspace, plugins)
    rows = mappings.ledger_accounts(workspace)
    # the parts come first, the first ones (kind:, which the send tries first) ahead, then the codes, then '*'
    assert [r["hint"] for r in rows] == ["kind:Product", "kind:Service", "project:P1", "project:P2",
                                         "kind:Product|project:P1", "kind:Product|project:P2",
                                         "kind:Service|project:P1", "*"]
    # a part counts its own lines and those of the codes made with it
    by = {r["hint"]: r for r in rows}
    assert (by["kind:Product"]["lines"], by["kind:Product"]["documents"], by["kind:Product"]["own_lines"]) == (3, 3, 1)
    assert (by["project:P1"]["lines"], by["project:P1"]["documents"], by["project:P1"]["own_lines"]) == (2, 2, 0)
    assert mappings.summary(workspace)["ledger_unmapped"] == 4  # its own line counts, not its codes' again
    mappings.set_ledger_account(workspace, "kind:Product", "707000")
    rows = {r["hint"]: r for r in mappings.ledger_accounts(workspace)}
    assert (rows["kind:Product|project:P2"]["state"], rows["kind:Product|project:P2"]["via"],
            rows["kind:Product|project:P2"]["account"]) == ("by_part", "kind:Product", "707000")
    # a part whose every code takes its account through another part says so
    assert (rows["project:P2"]["state"], rows["project:P2"]["via"], rows["project:P2"]["account"]) == (
        "by_part", "kind:Product", "707000")
    assert rows["project:P1"]["state"] == "unmapped"  # kind:Service|project:P1 still needs one
    assert mappings.summary(workspace)["ledger_unmapped"] == 1
    mappings.set_ledger_account(workspace, "kind:Service", "706000")
    rows = {r["hint"]: r for r in mappings.ledger_accounts(workspace)}
    assert (rows["project:P1"]["state"], rows["project:P1"]["vias"]) == (
        "by_parts", {"kind:Product": "707000", "kind:Service": "706000"})
    # the counter and the rows agree: no code is left without an account
    assert mappings.summary(workspace)["ledger_unmapped"] == 0
    assert not [h for h, r in rows.items() if r["state"] == "unmapped" and h != "*"]
    mappings.set_ledger_account(workspace, "kind:Service", None)
    mappings.set_ledger_account(workspace, "*", "706000")
    rows = {r["hint"]: r for r in mappings.ledger_accounts(workspace)}
    assert rows["kind:Service|project:P1"]["state"] == "fallback"
    assert mappings.summary(workspace)["ledger_unmapped"] == 0
    ids = {"kind:Product": 7, "*": 1, "kind:Product|project:P2": 9}
    line = docs[0].lines[0]
    assert ledger_account(line, ids) == 7  # by its part
    line.accounting_hint = "kind:Product|project:P2"
    assert ledger_account(line, ids) == 9  # its own mapping first
    line.accounting_hint = "kind:Service|project:P1"
    assert ledger_account(line, ids) == 1


def test_mapping_an_unusual_rate_to_a_code_of_that_rate_settles_its_error(workspace, plugins, fake_source,
                                                                          fake_connection):
    from ecluse import i18n

    doc = make_doc("1", rate="19")
    fake_source.pages = [[doc, make_doc("2")]]
    sync(workspace, plugins)

    def codes():
        return [c for (c,) in _q(workspace, "SELECT code FROM findings WHERE document_id = 'src:1' ORDER BY 1")]

    assert "unknown_vat_rate" in codes()
    with pytest.raises(MappingError, match="FR_200 is the code of 20 % VAT, not 19 %") as refused:
        mappings.set_vat(workspace, "19", "FR_200")  # would send 19 % of tax under a 20 % code
    assert i18n.said_text(refused.value.said, "fr").startswith("FR_200 est le code de la TVA à 20 %, pas à 19 %")
    assert mappings.apply(workspace, "vat", {"19": "FR_200"})  # the page's path refuses it too
    mappings.set_vat(workspace, "19", "DE_190")
    assert "unknown_vat_rate" not in codes()  # settled by the mapping, without a sync
    assert _q(workspace, "SELECT error_count FROM documents WHERE id = 'src:1'")[0][0] == 0
    mappings.set_vat(workspace, "19", None)
    assert "unknown_vat_rate" in codes()  # back with the mapping gone
    mappings.set_vat(workspace, "19", "DE_190")
    fake_source.pages.append([make_doc("3", rate="19"), make_doc("4", rate="22.5")])
    sync(workspace, plugins)  # new documents at that rate: validated with the mapping
    assert [r for r in _q(workspace, "SELECT document_id, code FROM findings WHERE code = 'unknown_vat_rate' "
                                     "ORDER BY 1")] == [("src:4", "unknown_vat_rate")]


def _q(ws, sql):
    with ws.db.read() as con:
        return con.execute(sql).fetchall()


def test_vat_rates_with_defaults_and_codes_from_the_source(cache):
    rows = {r["rate"]: r for r in mappings.vat_rates(cache)}
    assert list(rows) == ["0", "10", "19.6", "20"]
    assert (rows["20"]["default"], rows["20"]["state"], rows["20"]["code"]) == ("FR_200", "default", "FR_200")
    assert (rows["0"]["lines"], rows["0"]["lines_with_source_code"], rows["0"]["default"]) == (2, 1, "exempt")
    assert (rows["19.6"]["default"], rows["19.6"]["state"]) == (None, "unmapped")
    summary = mappings.summary(cache)
    assert (summary["vat_unmapped"], summary["vat_unmapped_lines"]) == (1, 1)
    mappings.set_vat(cache, "19,60", "FR_196")
    assert cache.mappings()["vat"] == {"19.6": "FR_196"}
    assert {r["rate"]: r["state"] for r in mappings.vat_rates(cache)}["19.6"] == "mapped"
    assert mappings.summary(cache)["vat_unmapped"] == 0
    with pytest.raises(MappingError, match="not a Pennylane vat_rate code"):
        mappings.set_vat(cache, "5.5", "FR_5.5")
    with pytest.raises(MappingError, match="VAT percentage"):
        mappings.set_vat(cache, "cent", "FR_55")


def test_a_hand_edited_invalid_code_is_shown_as_invalid(cache):
    cache.set_mapping("vat", "10", "FR_10")  # typed in ecluse.toml
    row = next(r for r in mappings.vat_rates(cache) if r["rate"] == "10")
    assert (row["mapped"], row["state"]) == ("FR_10", "invalid")
    assert mappings.summary(cache)["vat_unmapped"] == 2


def test_apply_writes_all_or_nothing(cache):
    refused = mappings.apply(cache, "vat", {"19.6": "FR_196", "10": "NOPE"})
    assert list(refused) == ["10"] and cache.mappings()["vat"] == {}
    assert mappings.apply(cache, "vat", {"19.6": "FR_196", "10": "FR_100"}) == {}
    assert cache.mappings()["vat"] == {"19.6": "FR_196", "10": "FR_100"}
    assert mappings.apply(cache, "vat", {"10": None}) == {}
    assert cache.mappings()["vat"] == {"19.6": "FR_196"}


def test_categories_and_counterparty_matches(cache):
    assert mappings.categories(cache) == [  # sales only: the source has no purchases
        {"key": "src:sales", "connection": "src", "side": "sales", "documents": 5, "source_categories": 0,
         "category": None}]
    assert [r["side"] for r in mappings.categories(cache, {"src": ("sales", "purchases")})] == ["sales", "purchases"]
    mappings.set_category(cache, "src", "  Prestations   de service ")  # both sides, as before sides
    assert cache.mappings()["categories"] == {"src": "Prestations de service"}
    assert mappings.categories(cache)[0]["category"] == "Prestations de service"
    assert mappings.category_for(cache.mappings()["categories"], "src", "supplier_invoice") == "Prestations de service"
    # One side set: the other keeps the category both had.
    assert mappings.apply(cache, "categories", {"src:purchases": "Achats"}) == {}
    categories = cache.mappings()["categories"]
    assert categories == {"src:sales": "Prestations de service", "src:purchases": "Achats"}
    assert mappings.category_for(categories, "src", "customer_credit_note") == "Prestations de service"
    assert mappings.category_for(categories, "src", "supplier_credit_note") == "Achats"
    assert mappings.category_for(categories, "other", "customer_invoice") is None
    assert list(mappings.apply(cache, "categories", {"src:ventes": "x"})) == ["src:ventes"]  # no such side
    # Both sides set again at once (ecluse mappings set category src X): what each side had goes.
    mappings.set_category(cache, "src", "Services")
    assert cache.mappings()["categories"] == {"src": "Services"}
    mappings.set_category(cache, "src:sales", "Ventes")
    mappings.set_category(cache, "src", None)  # cleared for both sides
    assert cache.mappings()["categories"] == {}
    rows, total = mappings.counterparties(cache)
    assert total == 2 and [r["documents"] for r in rows] == [3, 2]
    mappings.set_counterparty(cache, rows[0]["id"], "4242.0")
    assert cache.mappings()["counterparties"] == {rows[0]["id"]: "4242"}
    only, n = mappings.counterparties(cache, only_mapped=True)
    assert n == 1 and only[0]["match"] == "4242"
    found, n = mappings.counterparties(cache, search="client c1")
    assert n == 1 and found[0]["name"] == "Client c1"
    # A reviewer's fix is what the list shows (what is sent), not the source's value.
    fixes.fix(cache, "src:0", "counterparty.vat_number", "FR00779826296", actor="anne")
    fixed = next(r for r in mappings.counterparties(cache)[0] if r["id"] == review.get_document(cache, "src:0")["counterparty_id"])
    assert fixed["vat_number"] == "FR00779826296"
    found, n = mappings.counterparties(cache, search="FR00779826296")  # found by what the list shows
    assert n == 1 and found[0]["id"] == fixed["id"]
    with pytest.raises(MappingError, match="positive whole number"):
        mappings.set_counterparty(cache, rows[0]["id"], "-3")
    with pytest.raises(MappingError, match="not a counterparty id"):
        mappings.set_counterparty(cache, "c1", "12")


def test_queue_page_matches_the_review_service(cache):
    """The Review page's one-unit-of-work screen gives what list_documents gives."""
    review.decide(cache, "approve", ["src:0"], actor="anne")
    for filters in (review.Filters(), review.Filters(status="approved"), review.Filters(search="client c1"),
                    review.Filters(findings="clean", connection=["src"])):
        rows, total = review.list_documents(cache, filters, sort="total", descending=False, limit=2, offset=1)
        page = queue.page(cache, filters, sort="total", descending=False, limit=2, offset=1)
        assert ([r["id"] for r in page.rows], page.total) == ([r["id"] for r in rows], total)
        assert page.connections == ["src"] and page.open_problems == 0
    # Approvable: of what the filters show, awaiting review without error; what approve_all_valid
    # approves. (src:0 is approved, src:3 has an error: its 19.6 % rate is not French.)
    assert queue.page(cache, review.Filters(status="approved")).approvable == 0
    assert queue.page(cache, review.Filters(search="client c1", findings="errors")).approvable == 0
    assert queue.page(cache, review.Filters(status=["approved", "to_review"])).approvable == 3
    shown = review.Filters(search="client c1")
    approvable = queue.page(cache, shown).approvable
    assert approvable and len(review.approve_all_valid(cache, actor="a", filters=shown).done) == approvable
    assert review.approve_all_valid(cache, actor="a", filters=review.Filters(findings="errors")).done == []
    assert review.approve_all_valid(cache, actor="a", filters=review.Filters(status="approved")).done == []
    for search in (None, "client c0", "client c1"):
        _rows, to_review = review.list_documents(cache, review.Filters(status="to_review", search=search), limit=0)
        _rows, errors = review.list_documents(
            cache, review.Filters(status="to_review", search=search, findings="errors"), limit=0)
        assert queue.page(cache, review.Filters(search=search)).approvable == to_review - errors
    assert queue.page(cache, review.Filters(), pdf_pending=True).total == 0


def test_what_is_left_to_map_is_one_list_with_its_count():
    """The Overview's card and the Mappings page's banner say the same items, and count them."""
    from ecluse import i18n

    info = {"ledger_unmapped": 0, "ledger_unmapped_lines": 0, "vat_unmapped": 2, "vat_unmapped_lines": 8,
            "accounts_absent": 1, "categories_missing": 1}
    todo = mappings.todo(info)
    assert [i["code"] for i in todo] == ["vat", "accounts_absent", "categories_missing"]
    assert mappings.todo_count(todo) == 3 and mappings.todo_required(todo)  # the optional one said, not counted
    said = i18n.todo_text(todo, "fr")
    assert said.startswith("2 taux de TVA sans code Pennylane (8 lignes). 1 compte associé est absent du plan "
                           "comptable de Pennylane")
    assert said.endswith("Ventes ou achats sans catégorie par défaut : 1 (facultatif).")
    assert i18n.todo_text(todo, "en").startswith("2 VAT rates without a Pennylane code (8 lines).")
    only_optional = mappings.todo({**info, "vat_unmapped": 0, "accounts_absent": 0})
    assert mappings.todo_count(only_optional) == 0 and not mappings.todo_required(only_optional)
