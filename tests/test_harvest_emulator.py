"""The Harvest emulator behaves as Harvest's documentation says (raw HTTP, no connector)."""
from __future__ import annotations

import base64
import json
import pathlib
from decimal import ROUND_HALF_UP, Decimal

import pytest
import requests

from ecluse.domain import json_loads
from tests.emulators.harvest import (
    GenerateOptions,
    HarvestEmulator,
    dumps,
    harvest_amounts,
    with_harvest_amounts,
)

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "harvest"


def fixture(name: str) -> dict:
    return json_loads((FIXTURES / name).read_text())


@pytest.fixture
def emu():
    with HarvestEmulator() as server:
        yield server


def headers(emu: HarvestEmulator, **over: str) -> dict[str, str]:
    base = {
        "Authorization": f"Bearer {emu.token}",
        "Harvest-Account-Id": emu.account_id,
        "User-Agent": "Ecluse tests (tests@example.org)",
    }
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def get(emu: HarvestEmulator, path: str, **kw):
    hdrs = kw.pop("headers", None) or headers(emu)
    url = path if path.startswith("http") else emu.api_url + path
    return requests.get(url, headers=hdrs, timeout=10, **kw)


# ---------------------------------------------------------------- authentication


def test_user_agent_is_required(emu):
    r = get(emu, "/users/me", headers=headers(emu, **{"User-Agent": ""}))
    assert r.status_code == 400
    assert "User-Agent" in r.json()["message"]


def test_bad_token_is_401_invalid_token(emu):
    r = get(emu, "/users/me", headers=headers(emu, Authorization="Bearer nope"))
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_token"


@pytest.mark.parametrize("status", [403, 404])
def test_wrong_account_id(status):
    with HarvestEmulator(bad_account_status=status) as emu:
        r = get(emu, "/company", headers=headers(emu, **{"Harvest-Account-Id": "999"}))
        assert r.status_code == status
        r = get(emu, "/company", headers=headers(emu, **{"Harvest-Account-Id": None}))
        assert r.status_code == status


def test_users_me_and_company(emu):
    me = get(emu, "/users/me").json()
    assert me["first_name"] == "Bob" and "administrator" in me["access_roles"]
    company = get(emu, "/company").json()
    assert company["base_uri"] == emu.url
    assert company["invoice_feature"] is True


# ---------------------------------------------------------------- invoices


def test_documented_example_is_served_with_harvest_numbers(emu):
    for invoice in fixture("invoices_list.json")["invoices"]:
        emu.add_invoice(invoice)
    r = get(emu, "/invoices")
    assert r.status_code == 200
    assert '"amount":288.9' in r.text and '"amount":10700.0' in r.text  # numbers, not strings
    body = json_loads(r.content)
    assert [i["number"] for i in body["invoices"]] == ["1001", "1000"]  # most recent issue first
    assert body["invoices"][0]["tax2_amount"] == Decimal("5.4")
    assert body["per_page"] == 100 and body["total_entries"] == 2 and body["total_pages"] == 1
    assert body["links"]["next"] is None and body["links"]["first"].startswith(emu.api_url + "/invoices?page=1")


def test_invoice_pages_and_links():
    with HarvestEmulator() as emu:
        emu.generate(25, seed=4)
        first = get(emu, "/invoices", params={"per_page": 10}).json()
        assert (first["page"], first["total_pages"], first["total_entries"]) == (1, 3, 25)
        assert first["next_page"] == 2 and first["previous_page"] is None
        ids = [i["id"] for i in first["invoices"]]
        url = first["links"]["next"]
        pages = 1
        while url:
            page = get(emu, url).json()
            ids += [i["id"] for i in page["invoices"]]
            url = page["links"]["next"]
            pages += 1
        assert pages == 3 and len(ids) == len(set(ids)) == 25
        assert page["previous_page"] == 2 and page["links"]["previous"]
        assert page["links"]["last"] == first["links"]["last"]


def test_per_page_bounds_and_cap():
    with HarvestEmulator(max_page_size=4) as emu:
        emu.generate(10, seed=1)
        assert get(emu, "/invoices", params={"per_page": 2001}).status_code == 422
        assert get(emu, "/invoices", params={"per_page": 0}).status_code == 422
        capped = get(emu, "/invoices", params={"per_page": 2000}).json()
        assert capped["per_page"] == 4 and len(capped["invoices"]) == 4 and capped["total_pages"] == 3
        assert "per_page=4" in capped["links"]["next"]


def test_invoice_filters(emu):
    emu.generate(200, seed=7)
    everything = [emu.invoice(r[1]) for r in emu._ordered()]
    drafts = [i for i in everything if i["state"] == "draft"]
    assert drafts, "the generator makes drafts"

    def listing(**params):
        return get(emu, "/invoices", params={"per_page": 2000, **params}).json()["invoices"]

    assert {i["id"] for i in listing(state="draft")} == {i["id"] for i in drafts}
    assert all(i["state"] != "draft" for i in listing(state="open,paid,closed"))
    issued = sorted(i["issue_date"] for i in everything)
    middle = issued[len(issued) // 2]
    assert all(i["issue_date"] >= middle for i in listing(**{"from": middle}))
    assert all(i["issue_date"] <= middle for i in listing(to=middle))
    some_client = everything[0]["client"]["id"]
    assert {i["client"]["id"] for i in listing(client_id=some_client)} == {some_client}
    emu.touch_invoice(everything[5]["id"], notes="changed")
    changed = listing(updated_since="2024-07-01T12:00:00Z")
    assert [i["id"] for i in changed] == [everything[5]["id"]]
    assert changed[0]["notes"] == "changed" and changed[0]["updated_at"] > everything[5]["updated_at"]


def test_generated_invoices_are_realistic_and_consistent(emu):
    emu.generate(400, seed=11)
    invoices = emu.invoices()
    assert len(invoices) == 400
    final = [i for i in invoices if i["state"] != "draft"]
    assert any(i["amount"] < 0 for i in final), "some credit notes"
    assert any(i["tax2"] for i in final) and any(i["discount"] for i in final)
    assert any(any(line["amount"] < 0 for line in i["line_items"]) and i["amount"] > 0 for i in final)
    lines = [len(i["line_items"]) for i in invoices]
    assert 3 <= sum(lines) / len(lines) <= 5
    for invoice in invoices:
        for line in invoice["line_items"]:
            assert line["amount"] == (line["quantity"] * line["unit_price"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
            assert line["amount"].as_tuple().exponent >= -2
        expected = harvest_amounts(invoice["line_items"], invoice["tax"], invoice["tax2"], invoice["discount"])
        assert {k: invoice[k] for k in expected} == expected
        assert invoice["client"]["id"] in {c["id"] for c in emu.clients()}
    # deterministic: the same seed gives the same data
    with HarvestEmulator() as other:
        other.generate(400, seed=11)
        assert other.invoices()[:5] == invoices[:5]


def test_documented_rule_reproduces_the_documented_examples():
    for invoice in fixture("invoices_list.json")["invoices"] + fixture("estimates_list.json")["estimates"]:
        got = harvest_amounts(invoice["line_items"], invoice["tax"], invoice["tax2"], invoice["discount"])
        assert got["amount"] == invoice["amount"]
        assert got["tax_amount"] == invoice["tax_amount"]
        assert got["tax2_amount"] == invoice["tax2_amount"]
        assert got["discount_amount"] == invoice["discount_amount"]


def test_hundred_thousand_invoices_are_served_lazily():
    with HarvestEmulator(rate_limit=None) as emu:
        emu.generate(100_000, seed=2)
        first = get(emu, "/invoices", params={"per_page": 2000}).json()
        last = get(emu, first["links"]["last"]).json()
        assert first["total_entries"] == 100_000 and first["total_pages"] == 50
        assert len(first["invoices"]) == 2000 and len(last["invoices"]) == 2000
        assert not emu._explicit  # built page by page from the seed, none kept
        served = last["invoices"][-1]
        assert emu.invoice(served["id"])["number"] == served["number"]  # built again, the same


def test_dumps_writes_decimals_as_json_numbers():
    text = dumps({"a": Decimal("288.90"), "b": Decimal("100"), "c": [Decimal("-0.5")], "s": "x\x00y"}).decode()
    assert json.loads(text) == {"a": 288.9, "b": 100.0, "c": [-0.5], "s": "x\x00y"}
    assert '"a":288.9' in text and '"b":100.0' in text


def test_with_harvest_amounts_fills_lines_and_due_amount():
    invoice = {"state": "paid", "tax": Decimal("20"), "tax2": None, "discount": None, "line_items": [
        {"quantity": Decimal("1.5"), "unit_price": Decimal("99.99"), "taxed": True},
    ]}
    with_harvest_amounts(invoice)
    assert invoice["line_items"][0]["amount"] == Decimal("149.99")  # 149.985 rounded half-up
    assert invoice["tax_amount"] == Decimal("30.00") and invoice["amount"] == Decimal("179.99")
    assert invoice["due_amount"] == 0


# ---------------------------------------------------------------- clients


def test_clients_are_cursor_paginated():
    with HarvestEmulator(max_page_size=3) as emu:
        emu.generate(10, seed=5, options=GenerateOptions(clients=8))
        first = get(emu, "/clients").json()
        assert first["page"] == 1 and first["next_page"] == 2 and first["total_entries"] == 8
        nxt = first["links"]["next"]
        assert "cursor=" in nxt and "ref=next_cursor" in nxt
        cursor = nxt.split("cursor=")[1].split("&")[0]
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=="))
        assert decoded == {"after": {"id": first["clients"][-1]["id"]}}
        middle = get(emu, nxt).json()
        assert middle["page"] is None and middle["next_page"] is None  # null between first and last
        last = get(emu, middle["links"]["next"]).json()
        assert last["links"]["next"] is None and last["page"] == 3
        ids = [c["id"] for c in first["clients"] + middle["clients"] + last["clients"]]
        assert len(ids) == len(set(ids)) == 8


def test_client_filters_and_lookup(emu):
    emu.add_client({"id": 1, "name": "Active", "updated_at": "2024-01-01T00:00:00Z"})
    emu.add_client({"id": 2, "name": "Archived", "is_active": False, "updated_at": "2024-03-01T00:00:00Z"})
    assert [c["id"] for c in get(emu, "/clients", params={"is_active": "false"}).json()["clients"]] == [2]
    assert [c["id"] for c in get(emu, "/clients", params={"updated_since": "2024-02-01T00:00:00Z"}).json()["clients"]] == [2]
    assert get(emu, "/clients/1").json()["name"] == "Active"
    assert get(emu, "/clients/3").status_code == 404


# ---------------------------------------------------------------- PDFs, limits, faults, counters


def test_pdfs_need_no_authentication(emu):
    emu.generate(3, seed=1)
    invoice = emu.invoices()[0]
    r = requests.get(f"{emu.url}/client/invoices/{invoice['client_key']}.pdf", timeout=10)
    assert r.status_code == 200 and r.content.startswith(b"%PDF-") and r.content.rstrip().endswith(b"%%EOF")
    emu.set_pdf(invoice["client_key"], b"<html>Sign in</html>", content_type="text/html")
    r = requests.get(f"{emu.url}/client/invoices/{invoice['client_key']}.pdf", timeout=10)
    assert r.status_code == 200 and r.content.startswith(b"<html>")
    assert requests.get(f"{emu.url}/client/invoices/{'0' * 40}.pdf", timeout=10).status_code == 404


def test_rate_limit_answers_429_with_retry_after():
    now = [1000.0]
    with HarvestEmulator(rate_limit=(3, 15.0), clock=lambda: now[0]) as emu:
        for _ in range(3):
            assert get(emu, "/users/me").status_code == 200
        r = get(emu, "/users/me")
        assert r.status_code == 429 and r.headers["Retry-After"] == "15"
        now[0] += 10
        assert get(emu, "/users/me").headers["Retry-After"] == "5"
        now[0] += 5
        assert get(emu, "/users/me").status_code == 200
        # PDFs are not API requests
        assert requests.get(f"{emu.url}/client/invoices/{'0' * 40}.pdf", timeout=10).status_code == 404


def test_fault_injection_and_counters(emu):
    emu.inject("/v2/invoices", 503, times=2, retry_after=2)
    assert get(emu, "/invoices").status_code == 503
    r = get(emu, "/invoices")
    assert r.status_code == 503 and r.headers["Retry-After"] == "2"
    assert get(emu, "/invoices").status_code == 200
    emu.inject("/v2/users/me", drop=True)
    with pytest.raises(requests.ConnectionError):
        get(emu, "/users/me")
    assert emu.count("/v2/invoices") == 3 and emu.count("/v2/invoices", status=503) == 2
    assert emu.counts()["/v2/users/me"] == 1
    assert emu.log[0].headers["harvest-account-id"] == emu.account_id
    emu.reset_log()
    assert emu.count() == 0
