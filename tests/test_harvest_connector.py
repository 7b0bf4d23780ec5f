"""The Harvest connector against the Harvest emulator, over real HTTP."""
from __future__ import annotations

import datetime as dt
import logging
import pathlib
import time
from decimal import Decimal as D
from typing import Any

import pytest

from ecluse import i18n
from ecluse.connectors import (
    AttachmentReady,
    AuthError,
    Checkpoint,
    ConnectorError,
    FetchContext,
    Problem,
    Said,
    SettingsError,
    validate_settings,
)
from ecluse.domain import CUSTOMER_CREDIT_NOTE, Document, json_dumps, json_loads
from ecluse.http import HttpClient, RateLimit
from ecluse.plugin_loader import Plugins
from ecluse.plugins.harvest.connector import HarvestConnector, api_base_url, web_base_url
from tests.emulators.harvest import GenerateOptions, HarvestEmulator
from tests.test_finding_texts import says_it_in_both_languages

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "harvest"
UTC = dt.timezone.utc
CREATED = dt.datetime(2024, 7, 1, 9, 0, tzinfo=UTC)


class Recorder:
    """An http_factory that builds real HttpClients and remembers them and their sleeps."""

    def __init__(self, sleep: bool = False) -> None:
        self.clients: list[tuple[str, dict[str, Any], HttpClient]] = []
        self.sleeps: list[float] = []
        self.real_sleep = sleep

    def __call__(self, base_url: str, **kw: Any) -> HttpClient:
        def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)
            if self.real_sleep:
                import time

                time.sleep(seconds)

        client = HttpClient(base_url, sleep=sleep, **kw)
        self.clients.append((base_url, kw, client))
        return client

    @property
    def api(self) -> HttpClient:
        return next(c for _, kw, c in self.clients if kw.get("service") == "Harvest")


def context(emu: HarvestEmulator, state: dict | None = None, recorder: Recorder | None = None,
            cached: set[str] | None = None, now: dt.datetime | None = None, **settings: Any) -> FetchContext:
    values = emu.settings(**settings)
    values.setdefault("start_date", "2023-01-01")
    return FetchContext(
        connection="harvest-test",
        settings=validate_settings(HarvestConnector, values),
        state=json_loads(json_dumps(state)) if state else {},  # as the core stores it
        created_at=CREATED,
        http_factory=recorder or Recorder(),
        clock=lambda: now or dt.datetime(2024, 7, 1, 12, 0, tzinfo=UTC),
        cached_source_ids=lambda since: set(cached or ()),
    )


def run(emu: HarvestEmulator, state: dict | None = None, recorder: Recorder | None = None,
        cached: set[str] | None = None, now: dt.datetime | None = None, **settings: Any):
    items = list(HarvestConnector().fetch(context(emu, state, recorder, cached, now, **settings)))
    docs = [i for i in items if isinstance(i, Document)]
    checkpoints = [i for i in items if isinstance(i, Checkpoint)]
    problems = [i for i in items if isinstance(i, Problem)]
    return items, docs, checkpoints, problems


def api_requests(emu: HarvestEmulator) -> list[str]:
    return [e.path for e in emu.log if e.path.startswith("/v2/")]


@pytest.fixture
def emu():
    with HarvestEmulator() as server:
        yield server


@pytest.fixture
def documented(emu):
    """The documentation's clients and invoices, plus a draft."""
    for client in json_loads((FIXTURES / "clients_list.json").read_text())["clients"]:
        emu.add_client(client)
    for invoice in json_loads((FIXTURES / "invoices_list.json").read_text())["invoices"]:
        emu.add_invoice(invoice)
    draft = json_loads((FIXTURES / "invoice_created_draft.json").read_text())
    emu.add_invoice(draft)
    return emu


# ---------------------------------------------------------------- settings


def test_plugin_registers_the_connector_through_its_entry_point():
    plugins = harvest_plugins()
    assert plugins.connector("harvest") is HarvestConnector


def test_settings_schema():
    values = validate_settings(HarvestConnector, {"token": "t", "account_id": "123"})
    assert values["api_url"] == "https://api.harvestapp.com/v2"
    assert HarvestConnector.setting("token").secret
    with pytest.raises(SettingsError, match="account_id"):
        validate_settings(HarvestConnector, {"token": "t"})
    with pytest.raises(SettingsError, match="start_date"):
        validate_settings(HarvestConnector, {"token": "t", "account_id": "1", "start_date": "01/02/2024"})
    # Refused when set, not at the first check: what the types cannot say.
    with pytest.raises(SettingsError, match=r"account_id: 'abc' is not a Harvest account ID.*developers"):
        validate_settings(HarvestConnector, {"token": "t", "account_id": "abc"})
    with pytest.raises(SettingsError, match=r"domain: 'ftp://x' is not a web address"):
        validate_settings(HarvestConnector, {"token": "t", "account_id": "1", "domain": "ftp://x"})
    with pytest.raises(SettingsError, match=r"domain: 'acme corp' is not a Harvest address"):
        validate_settings(HarvestConnector, {"token": "t", "account_id": "1", "domain": "acme corp"})
    for domain in ("acme", "acme.harvestapp.com", "https://acme.harvestapp.com/invoices", ""):
        validate_settings(HarvestConnector, {"token": "t", "account_id": " 42 ", "domain": domain})


@pytest.mark.parametrize("domain, url", [
    ("acme", "https://acme.harvestapp.com"),
    ("acme.harvestapp.com", "https://acme.harvestapp.com"),
    ("ACME.harvestapp.com/", "https://acme.harvestapp.com"),
    ("https://acme.harvestapp.com/client/invoices/x", "https://acme.harvestapp.com"),
    ("http://127.0.0.1:8123", "http://127.0.0.1:8123"),
])
def test_domain_becomes_a_base_url(domain, url):
    assert web_base_url(domain) == url


@pytest.mark.parametrize("domain", ["", "acme harvest", "ftp://acme.harvestapp.com", "https://"])
def test_bad_domain_is_explained(domain):
    with pytest.raises(ConnectorError, match="domain"):
        web_base_url(domain)


def test_api_url_gets_its_version():
    assert api_base_url(None) == "https://api.harvestapp.com/v2"
    assert api_base_url("https://api.harvestapp.com") == "https://api.harvestapp.com/v2"
    assert api_base_url("http://127.0.0.1:9/v2/") == "http://127.0.0.1:9/v2"


# ---------------------------------------------------------------- check()


def test_check_reports_the_account(emu):
    result = HarvestConnector().check(context(emu, start_date="2024-06-15"))
    assert result.ok, result.message
    assert "Agence Exemple" in result.message and "Bob Powell" in result.message
    assert "warning" not in result.details
    assert i18n.said(result.says, "fr") == ["Connecté au compte Harvest « Agence Exemple » en tant que Bob Powell."]
    assert [e.path for e in emu.log] == ["/v2/users/me", "/v2/company"]


def test_check_warns_about_a_history_import(emu):
    result = HarvestConnector().check(context(emu, start_date="2024-01-01"))
    assert result.ok
    assert "History import" in result.details["warning"] and "2024-06-01" in result.details["warning"]
    # the console: the outcome, then each warning, in its own language
    connected, history = i18n.said(result.says, "fr")
    assert connected.startswith("Connecté au compte Harvest")
    assert history.startswith("Import d'historique : la date de début (01/01/2024) est antérieure à la date par défaut "
                              "(01/06/2024, soit 30 jours avant la création de la connexion)")
    assert i18n.said(result.says, "en")[1] == result.details["warnings"][0]


def test_check_default_start_is_30_days_before_creation(emu):
    ctx = context(emu)
    ctx.settings = {k: v for k, v in ctx.settings.items() if k != "start_date"}
    result = HarvestConnector().check(ctx)
    assert result.ok and result.details["start_date"] == "2024-06-01" and "warning" not in result.details


def test_check_warns_when_the_domain_is_not_the_account(emu):
    result = HarvestConnector().check(context(emu, domain="other-account"))
    assert result.ok and "invoice PDFs would not be found" in result.details["warning"]
    assert "les PDF des factures seraient introuvables" in i18n.said(result.says, "fr")[-1]


def test_check_bad_token(emu):
    result = HarvestConnector().check(context(emu, token="wrong-secret-token"))
    assert not result.ok and result.details["reason"] == "bad_token"
    assert "HTTP 401" in result.message and "id.getharvest.com/developers" in result.message
    assert "wrong-secret-token" not in result.message
    [said] = i18n.said(result.says, "fr")
    assert said.startswith("Harvest refuse le jeton d'accès personnel (HTTP 401)") and "wrong-secret-token" not in said


@pytest.mark.parametrize("status", [403, 404])
def test_check_wrong_account(status):
    with HarvestEmulator(bad_account_status=status) as emu:
        result = HarvestConnector().check(context(emu, account_id="7654321"))
        assert not result.ok and result.details["reason"] == "wrong_account"
        assert f"HTTP {status}" in result.message and "account_id 7654321" in result.message
        # The emulator is not at Harvest's address: a 404 may as well be a wrong api_url.
        assert ("is not Harvest's API v2" in result.message) == (status == 404)
        [said] = i18n.said(result.says, "fr")
        assert f"(HTTP {status})" in said and "7654321" in said and ("ne pointe pas vers l'API v2" in said) == (status == 404)


def test_check_unreachable():
    with HarvestEmulator() as emu:
        settings = emu.settings()
    rec = Recorder()
    ctx = FetchContext("h", validate_settings(HarvestConnector, settings), created_at=CREATED, http_factory=rec)
    result = HarvestConnector().check(ctx)
    assert not result.ok and result.details["reason"] == "unreachable"
    assert "unreachable" in result.message
    assert i18n.said(result.says, "fr")[0].startswith(f"Harvest est injoignable à l'adresse {settings['api_url']}")
    # In French, the HTTP layer's (English) detail is said by its cause.
    assert i18n.said(result.says, "fr")[0].endswith(" : connexion refusée ou serveur introuvable (2 essais) ; vérifiez le "
                                                    "réseau et l'adresse du service"), i18n.said(result.says, "fr")
    assert "could not reach" not in i18n.said(result.says, "fr")[0]
    assert "could not reach" in i18n.said(result.says, "en")[0]  # English keeps the layer's own text
    assert rec.api.stats.requests == 2  # check() retries once only: the user is waiting


def test_check_non_numeric_account_id(emu):
    # Refused when set (test_settings_schema); one written by hand in ecluse.toml is refused
    # by check() before any request.
    ctx = context(emu)
    ctx.settings["account_id"] = "acme"
    result = HarvestConnector().check(ctx)
    assert not result.ok and "'acme' is not a Harvest account ID" in result.message
    assert i18n.said(result.says, "fr") == [f"«{i18n.NBSP}acme{i18n.NBSP}» n'est pas un identifiant de compte Harvest : "
                                            "c'est le nombre affiché à côté du jeton sur https://id.getharvest.com/developers."]
    ctx.settings["account_id"], ctx.settings["api_url"] = "7654321", "ftp://example.test"
    result = HarvestConnector().check(ctx)  # an api_url written by hand that no setting check saw
    assert not result.ok and "api_url: 'ftp://example.test' must be an http(s) URL" in result.message
    assert i18n.said(result.says, "fr") == [f"URL de l'API (« api_url ») : «{i18n.NBSP}ftp://example.test{i18n.NBSP}» "
                                            "doit être une URL http(s) comme https://api.harvestapp.com/v2."]


# ---------------------------------------------------------------- fetch: the documented data


def test_fetch_documented_invoices(documented):
    rec = Recorder()
    items, docs, checkpoints, problems = run(documented, recorder=rec, start_date="2017-01-01")
    assert {d.number for d in docs} == {"1001", "1000"}  # the draft 1002 is never yielded
    assert problems == [] and len(checkpoints) == 1 and items[-1] is checkpoints[-1]
    doc = next(d for d in docs if d.number == "1001")
    assert (doc.total_before_tax, doc.total_tax, doc.total) == (D("270.00"), D("18.90"), D("288.90"))
    assert doc.attachment is not None and doc.attachment.content.startswith(b"%PDF-")
    assert doc.attachment.filename == "harvest-1001.pdf" and not doc.attachment_pending
    assert doc.counterparty.address.city == "Anytown, LA"
    assert {f.code for f in doc.findings} == {"history_import"}
    assert says_it_in_both_languages(doc.findings[0]).startswith("Émise le 01/04/2017, avant le début de la période d'import par défaut")
    # headers, parameters, pacing
    invoices_call = next(e for e in documented.log if e.path == "/v2/invoices")
    assert invoices_call.headers["authorization"] == f"Bearer {documented.token}"
    assert invoices_call.headers["harvest-account-id"] == documented.account_id
    # No contact setting: the User-Agent names the token's user, asked first by the app's name alone.
    assert documented.log[0].path == "/v2/users/me" and documented.log[0].headers["user-agent"] == "Ecluse"
    assert invoices_call.headers["user-agent"] == "Ecluse (bobpowell@example.com)"
    assert invoices_call.query["per_page"] == ["2000"] and invoices_call.query["from"] == ["2017-01-01"]
    assert "updated_since" not in invoices_call.query
    assert rec.api.pacer.rate_limit == RateLimit(100, 15)
    pdf_call = next(e for e in documented.log if e.path.endswith(".pdf"))
    assert "authorization" not in pdf_call.headers and pdf_call.headers["user-agent"] == "Ecluse (bobpowell@example.com)"


def test_the_user_agent_names_a_contact_that_reaches_someone(documented):
    # Harvest asks for the app's name and a contact. Without a contact setting, the token's
    # user's e-mail: asked once (/users/me), then kept in the state for the next runs.
    _, _, checkpoints, _ = run(documented, start_date="2017-01-01")
    state = checkpoints[-1].state
    assert state["contact"] == "bobpowell@example.com"
    assert api_requests(documented).count("/v2/users/me") == 1
    documented.log.clear()
    run(documented, state=state, start_date="2017-01-01")
    assert "/v2/users/me" not in api_requests(documented)  # the next run costs no request more
    assert {e.headers["user-agent"] for e in documented.log} == {"Ecluse (bobpowell@example.com)"}
    # A contact setting is used as it is, for the API and the PDFs, and not kept in the state.
    documented.log.clear()
    _, _, checkpoints, _ = run(documented, start_date="2017-01-01", contact=" compta@acme.fr ")
    assert "/v2/users/me" not in api_requests(documented) and "contact" not in checkpoints[-1].state
    assert {e.headers["user-agent"] for e in documented.log} == {"Ecluse (compta@acme.fr)"}
    # check() reads the token's user anyway: its e-mail names the contact of the requests after it.
    documented.log.clear()
    assert HarvestConnector().check(context(documented)).ok
    assert [e.headers["user-agent"] for e in documented.log] == ["Ecluse", "Ecluse (bobpowell@example.com)"]


def test_user_agent_contact_setting(documented):
    run(documented, start_date="2017-01-01", contact="compta@agence.fr")
    assert {e.headers["user-agent"] for e in documented.log} == {"Ecluse (compta@agence.fr)"}


def test_start_date_filters_on_issue_date(documented):
    _, docs, _, _ = run(documented, start_date="2017-03-01")
    assert [d.number for d in docs] == ["1001"]


# ---------------------------------------------------------------- fetch: generated data, paging


def test_pagination_both_styles_with_small_pages():
    with HarvestEmulator(max_page_size=7) as emu:
        emu.generate(60, seed=21, options=GenerateOptions(clients=20, drafts=0.2, credits=0.1))
        _, docs, checkpoints, problems = run(emu)
        finals = [i for i in emu.invoices() if i["state"] != "draft"]
        assert sorted(d.source_id for d in docs) == sorted(str(i["id"]) for i in finals)
        assert len(finals) < 60  # some drafts were skipped
        assert problems == []
        assert emu.count("/v2/invoices") == 9  # 60 invoices, 7 per page
        assert emu.count("/v2/clients") == 3  # 20 clients, cursor pages of 7
        assert emu.count("/v2/clients/") == 0  # every client came from the listing
        assert len(checkpoints) == 9  # one per invoices page
        assert sum(d.kind == CUSTOMER_CREDIT_NOTE for d in docs) == sum(i["amount"] < 0 for i in finals) > 0
        for doc in docs:
            source = next(i for i in finals if str(i["id"]) == doc.source_id)
            assert doc.total == source["amount"]
            assert "source_totals_mismatch" not in {f.code for f in doc.findings}
            assert doc.attachment and doc.attachment.content.startswith(b"%PDF-")
        # every page's state resumes at the next page until the last one
        assert [c.state["run"]["page"] for c in checkpoints[:-1]] == list(range(2, 10))
        assert "run" not in checkpoints[-1].state and checkpoints[-1].state["invoices_since"]


def test_unparsed_addresses_are_flagged_for_the_reviewer():
    with HarvestEmulator() as emu:
        emu.generate(40, seed=3, options=GenerateOptions(clients=17, drafts=0))
        _, docs, _, _ = run(emu)
        flagged = {d.counterparty.source_id for d in docs if "address_unparsed" in {f.code for f in d.findings}}
        unparsable = {str(c["id"]) for c in emu.clients()
                      if c["address"] in (None, "", "See the contract")}
        used = {d.counterparty.source_id for d in docs}
        assert flagged == unparsable & used and flagged


# ---------------------------------------------------------------- incremental


def test_second_sync_with_nothing_changed_costs_two_requests():
    with HarvestEmulator() as emu:
        emu.generate(120, seed=8)
        _, docs, checkpoints, _ = run(emu)
        assert docs
        state = checkpoints[-1].state
        emu.reset_log()
        items, docs, checkpoints, _ = run(emu, state)
        assert docs == [] and len(checkpoints) == 1
        assert api_requests(emu) == ["/v2/clients", "/v2/invoices"]
        assert emu.count() == 2  # no PDF either
        call = emu.log[1]
        assert call.query["updated_since"] == [state["invoices_since"]]
        assert dt.datetime.fromisoformat(state["invoices_since"].replace("Z", "+00:00")) == max(
            dt.datetime.fromisoformat(i["updated_at"].replace("Z", "+00:00")) for i in emu.invoices()
        ) - dt.timedelta(minutes=5)


def test_changed_invoice_is_yielded_again_with_its_changes():
    with HarvestEmulator() as emu:
        emu.generate(50, seed=9, options=GenerateOptions(drafts=0))
        state = run(emu)[2][-1].state
        target = emu.invoices()[10]
        line = dict(target["line_items"][0], quantity=target["line_items"][0]["quantity"] + 1, amount=None)
        emu.touch_invoice(target["id"], line_items=[line] + target["line_items"][1:], notes="changed")
        emu.reset_log()
        _, docs, checkpoints, _ = run(emu, state)
        assert [d.source_id for d in docs] == [str(target["id"])]
        assert docs[0].total == emu.invoice(target["id"])["amount"] != target["amount"]
        assert emu.count("/client/invoices/") == 1
        # and the run after that is idle again
        emu.reset_log()
        _, docs, _, _ = run(emu, checkpoints[-1].state)
        assert docs == [] and emu.count() == 2


def test_draft_that_becomes_open_is_fetched():
    with HarvestEmulator() as emu:
        emu.generate(30, seed=10, options=GenerateOptions(drafts=0.5))
        draft = next(i for i in emu.invoices() if i["state"] == "draft")
        state = run(emu)[2][-1].state
        emu.touch_invoice(draft["id"], state="open")
        _, docs, _, _ = run(emu, state)
        assert [d.source_id for d in docs] == [str(draft["id"])]


def test_invoice_of_a_client_unknown_to_the_cache_is_looked_up():
    with HarvestEmulator() as emu:
        emu.generate(20, seed=12, options=GenerateOptions(drafts=0))
        state = run(emu)[2][-1].state
        # a client created long ago but missing from the cache (state from an older version)
        target = emu.invoices()[0]
        del state["clients"][str(target["client"]["id"])]
        emu.touch_invoice(target["id"], notes="again")
        emu.reset_log()
        _, docs, checkpoints, _ = run(emu, state)
        assert [d.source_id for d in docs] == [str(target["id"])]
        assert docs[0].counterparty.address_raw == emu.client(target["client"]["id"])["address"]
        assert emu.count(f"/v2/clients/{target['client']['id']}") == 1
        assert str(target["client"]["id"]) in checkpoints[-1].state["clients"]


def test_changed_client_updates_the_cache():
    with HarvestEmulator() as emu:
        emu.generate(20, seed=13, options=GenerateOptions(drafts=0))
        state = run(emu)[2][-1].state
        target = emu.invoices()[0]
        emu.touch_client(target["client"]["id"], address="9 quai Voltaire\n75007 Paris\nFrance")
        emu.touch_invoice(target["id"], notes="x")
        _, docs, _, _ = run(emu, state)
        assert docs[0].counterparty.address.postal_code == "75007"


def test_a_changed_client_has_its_invoices_read_again():
    with HarvestEmulator() as emu:
        emu.generate(30, seed=13, options=GenerateOptions(drafts=0))
        state = run(emu)[2][-1].state
        client_id = emu.invoices()[0]["client"]["id"]
        theirs = sorted(str(i["id"]) for i in emu.invoices() if i["client"]["id"] == client_id)
        emu.touch_client(client_id, address="9 quai Voltaire\n75007 Paris\nFrance")
        emu.reset_log()
        _, docs, checkpoints, _ = run(emu, state)
        # no invoice changed in Harvest: the client's invoices are read again for their new address
        assert sorted(d.source_id for d in docs) == theirs
        assert {d.counterparty.address.postal_code for d in docs} == {"75007"}
        assert api_requests(emu) == ["/v2/clients", "/v2/invoices", "/v2/invoices"]
        assert [e.query.get("client_id") for e in emu.log if e.path == "/v2/invoices"] == [None, [str(client_id)]]
        assert "reread_clients" not in checkpoints[-1].state
        emu.reset_log()
        _, docs, _, _ = run(emu, checkpoints[-1].state)
        assert docs == [] and api_requests(emu) == ["/v2/clients", "/v2/invoices"]


def test_a_client_touched_without_a_change_costs_no_request():
    with HarvestEmulator() as emu:
        emu.generate(30, seed=13, options=GenerateOptions(drafts=0))
        state = run(emu)[2][-1].state
        emu.touch_client(emu.invoices()[0]["client"]["id"])  # updated_at only
        emu.reset_log()
        _, docs, _, _ = run(emu, state)
        assert docs == [] and api_requests(emu) == ["/v2/clients", "/v2/invoices"]


def test_many_changed_clients_are_read_again_in_one_listing(monkeypatch):
    from ecluse.plugins.harvest import connector as harvest_connector

    monkeypatch.setattr(harvest_connector, "REREAD_CLIENTS_MAX", 1)
    with HarvestEmulator() as emu:
        emu.generate(30, seed=13, options=GenerateOptions(drafts=0))
        state = run(emu)[2][-1].state
        changed = sorted({i["client"]["id"] for i in emu.invoices()})[:2]
        for client_id in changed:
            emu.touch_client(client_id, address="9 quai Voltaire\n75007 Paris\nFrance")
        emu.reset_log()
        _, docs, _, _ = run(emu, state)
        assert len(docs) == len(emu.invoices())  # every invoice, from one listing
        assert api_requests(emu) == ["/v2/clients", "/v2/invoices", "/v2/invoices"]
        assert [e.query.get("client_id") for e in emu.log if e.path == "/v2/invoices"] == [None, None]
        assert {d.counterparty.address.postal_code for d in docs if int(d.counterparty.source_id) in changed} == {
            "75007"}


def test_an_interrupted_reread_is_resumed_by_the_next_run():
    with HarvestEmulator() as emu:
        emu.generate(30, seed=13, options=GenerateOptions(drafts=0))
        state = run(emu)[2][-1].state
        client_id = emu.invoices()[0]["client"]["id"]
        emu.touch_client(client_id, address="9 quai Voltaire\n75007 Paris\nFrance")
        items = HarvestConnector().fetch(context(emu, state))
        for item in items:  # the run stops after the incremental page's checkpoint
            if isinstance(item, Checkpoint):
                state = item.state
                break
        items.close()
        assert state["reread_clients"] == [str(client_id)]
        _, docs, checkpoints, _ = run(emu, state)
        assert docs and {d.counterparty.address.postal_code for d in docs} == {"75007"}
        assert "reread_clients" not in checkpoints[-1].state


def test_interrupted_run_resumes_at_the_next_page():
    with HarvestEmulator(max_page_size=5) as emu:
        emu.generate(23, seed=14, options=GenerateOptions(drafts=0))
        gen = HarvestConnector().fetch(context(emu))
        seen, last = [], None
        for item in gen:
            if isinstance(item, Document):
                seen.append(item.source_id)
            if isinstance(item, Checkpoint):
                last = item.state
                if last["run"]["page"] == 3:
                    break  # the process dies after page 2 was stored
        gen.close()
        emu.reset_log()
        _, docs, _, _ = run(emu, last)
        pages = [e.query.get("page", ["1"])[0] for e in emu.log if e.path == "/v2/invoices"]
        assert pages == ["3", "4", "5"]
        assert len(seen) == 10 and sorted(seen + [d.source_id for d in docs]) == sorted(
            str(i["id"]) for i in emu.invoices())


def test_next_page_is_read_while_the_core_stores_this_one():
    with HarvestEmulator(max_page_size=5) as emu:
        emu.generate(12, seed=27, options=GenerateOptions(drafts=0))
        gen = HarvestConnector().fetch(context(emu, pdfs="false"))
        items = []
        for item in gen:
            items.append(item)
            if isinstance(item, Checkpoint):
                break  # the core is now writing page 1; page 2 is asked for meanwhile
        deadline = time.monotonic() + 5
        while emu.count("/v2/invoices") < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        pages = [e.query.get("page", ["1"])[0] for e in emu.log if e.path == "/v2/invoices"]
        assert pages == ["1", "2"] and len([i for i in items if isinstance(i, Document)]) == 5
        rest = list(gen)  # the run goes on from the page read ahead, in order, nothing twice
        docs = [i.source_id for i in items + rest if isinstance(i, Document)]
        assert sorted(docs) == sorted(str(i["id"]) for i in emu.invoices())
        assert emu.count("/v2/invoices") == 3


def test_changing_start_date_reads_everything_again(emu):
    emu.generate(30, seed=15, options=GenerateOptions(drafts=0))
    state = run(emu)[2][-1].state
    emu.reset_log()
    _, docs, _, _ = run(emu, state, start_date="2022-06-01")
    call = next(e for e in emu.log if e.path == "/v2/invoices")
    assert "updated_since" not in call.query and call.query["from"] == ["2022-06-01"] and len(docs) == 30


def test_since_override_rereads_without_moving_the_cursor(emu):
    emu.generate(30, seed=16, options=GenerateOptions(drafts=0))
    state = run(emu)[2][-1].state
    ctx = context(emu, state)
    ctx.since = dt.date(2024, 6, 1)
    items = list(HarvestConnector().fetch(ctx))
    docs = [i for i in items if isinstance(i, Document)]
    assert docs and all(d.issue_date >= dt.date(2024, 6, 1) for d in docs)
    final = [i for i in items if isinstance(i, Checkpoint)][-1].state
    assert final["invoices_since"] == state["invoices_since"] and final["from"] == state["from"]


def test_history_import_is_logged(emu, caplog):
    emu.generate(5, seed=1)
    with caplog.at_level(logging.WARNING):
        run(emu, start_date="2023-01-01")
    assert any("History import" in r.getMessage() for r in caplog.records)


# ---------------------------------------------------------------- rate limit and errors


def test_retry_after_is_honoured(emu):
    emu.generate(10, seed=17)
    emu.inject("/v2/invoices", 429, retry_after=7)
    rec = Recorder()
    _, docs, _, _ = run(emu, recorder=rec)
    assert docs and 7.0 in rec.sleeps
    assert emu.count("/v2/invoices", status=429) == 1 and emu.count("/v2/invoices", status=200) == 1


def test_real_rate_limit_is_survived():
    with HarvestEmulator(rate_limit=(3, 1.0), max_page_size=4) as emu:
        emu.generate(20, seed=18, options=GenerateOptions(drafts=0, clients=4))
        rec = Recorder(sleep=True)
        _, docs, _, _ = run(emu, recorder=rec)
        assert len(docs) == 20
        assert emu.count(status=429) >= 1 and rec.api.stats.throttled >= 1


@pytest.mark.parametrize("status, reason", [(401, "token"), (403, "account"), (404, "account")])
def test_auth_errors_stop_the_run_with_a_clear_message(status, reason):
    with HarvestEmulator(token="tok-SECRET-harvest") as emu:
        emu.generate(5, seed=19)
        emu.inject("/v2/invoices", status, times=10)
        with pytest.raises(AuthError) as err:
            run(emu)
    message = str(err.value)
    assert f"HTTP {status}" in message and reason in message and "/invoices" in message
    assert "tok-SECRET-harvest" not in message


def test_wrong_token_fails_before_any_document(emu):
    emu.generate(5, seed=19)
    with pytest.raises(AuthError, match="personal access token"):
        run(emu, token="nope")


def test_unreachable_source_is_a_connector_error():
    with HarvestEmulator() as emu:
        ctx = context(emu)
    with pytest.raises(ConnectorError, match="unreachable"):
        list(HarvestConnector().fetch(ctx))


def test_bad_record_is_a_problem_and_the_run_goes_on(emu):
    emu.generate(10, seed=20, options=GenerateOptions(drafts=0))
    target = emu.invoices()[3]
    emu.touch_invoice(target["id"], line_items="garbage", recompute=False)
    emu.touch_invoice(emu.invoices()[4]["id"], state="weird")
    _, docs, _, problems = run(emu)
    assert len(docs) == 8 and len(problems) == 2
    garbage = next(p for p in problems if p.source_id == str(target["id"]))
    assert "line_items" in garbage.message and garbage.raw["line_items"] == "garbage"
    # Said in the console's language too; the English template is the message
    for problem in problems:
        assert i18n.said_text(problem.said, "en") == problem.message
    weird = next(p for p in problems if p is not garbage)
    assert i18n.said_text(weird.said, "fr").replace(i18n.NBSP, " ") == (
        "Facture Harvest dans un état inconnu (« weird ») : non importée.")
    assert i18n.said_text(garbage.said, "fr").startswith("Facture Harvest illisible, non importée (")


# ---------------------------------------------------------------- PDFs


def test_non_pdf_answer_is_flagged_not_attached(emu):
    emu.generate(5, seed=22, options=GenerateOptions(drafts=0))
    target = emu.invoices()[0]
    emu.set_pdf(target["client_key"], b"<html><body>Please sign in</body></html>", content_type="text/html")
    _, docs, _, _ = run(emu)
    doc = next(d for d in docs if d.source_id == str(target["id"]))
    assert doc.attachment is None and doc.attachment_pending is False
    finding = next(f for f in doc.findings if f.code == "attachment_not_pdf")
    assert finding.severity == "error" and "text/html" in finding.message
    assert "autre chose qu'un PDF (text/html)" in says_it_in_both_languages(finding)
    assert all(d.attachment is not None for d in docs if d is not doc)


def test_missing_pdf_is_flagged(emu):
    emu.generate(3, seed=23, options=GenerateOptions(drafts=0))
    target = emu.invoices()[0]
    emu.set_pdf(target["client_key"], b"gone", status=404, content_type="text/plain")
    _, docs, _, _ = run(emu)
    doc = next(d for d in docs if d.source_id == str(target["id"]))
    assert doc.attachment is None and not doc.attachment_pending
    [finding] = [f for f in doc.findings if f.code == "attachment_unavailable"]
    assert says_it_in_both_languages(finding) == ("Harvest n'a pas fourni le PDF de la facture (HTTP 404) ; "
                                                 "joignez-le manuellement.")


def test_pdf_that_fails_transiently_is_retried_next_run(emu):
    emu.generate(3, seed=24, options=GenerateOptions(drafts=0))
    target = emu.invoices()[0]
    emu.inject(f"/client/invoices/{target['client_key']}", 503, times=10)
    _, docs, checkpoints, _ = run(emu)
    doc = next(d for d in docs if d.source_id == str(target["id"]))
    assert doc.attachment is None and doc.attachment_pending
    state = checkpoints[-1].state
    assert state["pending_pdfs"] == {str(target["id"]): target["client_key"]}
    emu.faults.clear()
    ctx = context(emu, state)
    ctx.pending_attachments = [str(target["id"])]
    items = list(HarvestConnector().fetch(ctx))
    ready = [i for i in items if isinstance(i, AttachmentReady)]
    assert [r.source_id for r in ready] == [str(target["id"])]
    assert ready[0].attachment.content.startswith(b"%PDF-")
    assert [i for i in items if isinstance(i, Checkpoint)][-1].state["pending_pdfs"] == {}


def test_pdfs_setting_off_fetches_no_pdf_and_the_reviewer_is_told(emu):
    emu.generate(12, seed=26, options=GenerateOptions(drafts=0))
    assert validate_settings(HarvestConnector, {"token": "t", "account_id": "1"})["pdfs"] is True
    _, docs, _, _ = run(emu, pdfs="false")
    assert len(docs) == 12 and emu.count("/client/invoices/") == 0
    assert all(d.attachment is None and not d.attachment_pending for d in docs)
    from ecluse.validation import validate

    assert all("missing_attachment" in {f.code for f in validate(d)} for d in docs)
    emu.reset_log()
    _, docs, _, _ = run(emu)  # on again (the default): one PDF per invoice
    assert emu.count("/client/invoices/") == 12 and all(d.attachment is not None for d in docs)


# ---------------------------------------------------------------- through the core


def harvest_plugins() -> Plugins:
    """The Harvest connector as the core loads it: through its entry point."""
    plugins = Plugins()
    plugins.load_entrypoints(only=["harvest"])
    return plugins


def test_sync_service_end_to_end(workspace):
    from ecluse.services.sync import sync_connection

    plugins = harvest_plugins()
    with HarvestEmulator(max_page_size=15) as emu:
        emu.generate(40, seed=25, options=GenerateOptions(drafts=0.1))
        workspace.set_connection("hv", HarvestConnector, emu.settings(start_date="2023-01-01"))
        report = sync_connection(workspace, plugins, "hv")
        assert report.status == "ok", report.error
        finals = [i for i in emu.invoices() if i["state"] != "draft"]
        assert report.fetched == report.created == len(finals) and report.problems == 0
        emu.reset_log()
        again = sync_connection(workspace, plugins, "hv")
        assert again.status == "ok" and again.fetched == 0
        assert api_requests(emu) == ["/v2/clients", "/v2/invoices"]
        emu.touch_invoice(finals[0]["id"], notes="edited")
        third = sync_connection(workspace, plugins, "hv")
        assert third.fetched == 1


def test_a_sync_refused_by_harvest_is_told_in_the_console_s_language(workspace):
    from ecluse.services import review, setup
    from ecluse.services.sync import sync_connection

    plugins = harvest_plugins()
    with HarvestEmulator() as emu:
        emu.generate(5, seed=25, options=GenerateOptions(drafts=0))
        workspace.set_connection("hv", HarvestConnector, emu.settings(token="revoked-token-value", pdfs="false"))
        report = sync_connection(workspace, plugins, "hv")
    assert report.status == "failed" and "HTTP 401" in report.error
    assert report.error_said == {"code": "harvest.bad_token", "params": {"token_page": "https://id.getharvest.com/developers"}}
    [row] = setup.describe_connections(workspace, plugins)
    run = review.status_summary(workspace)["last_syncs"][0]
    for error, said in ((report.error, report.error_said), (row["last_error"], row["last_error_said"]),
                        (run["error"], run["error_said"])):  # the sync panel, Connexions, Vue d'ensemble
        assert i18n.said_or(error, said, "fr").startswith("Harvest refuse le jeton d'accès personnel (HTTP 401)")
        assert i18n.said_or(error, said, "en").startswith("Harvest refused the personal access token (HTTP 401)")
    assert i18n.said_or("as stored", None, "fr") == "as stored"  # an error without a Said
    assert "revoked-token-value" not in str(report.error_said)


def test_an_address_completed_in_harvest_sends_unsent_invoices_back_to_review(workspace):
    from ecluse.services import review
    from ecluse.services.sync import sync_connection

    plugins = harvest_plugins()
    with HarvestEmulator() as emu:
        emu.generate(40, seed=25, options=GenerateOptions(drafts=0))
        workspace.set_connection("hv", HarvestConnector, emu.settings(start_date="2023-01-01", pdfs="false"))
        assert sync_connection(workspace, plugins, "hv").status == "ok"
        client_id = emu.invoices()[0]["client"]["id"]
        theirs = [f"hv:{i['id']}" for i in emu.invoices() if i["client"]["id"] == client_id]
        assert len(theirs) >= 2
        approved, sent = theirs[0], theirs[1]
        done = review.decide(workspace, "approve", [approved], actor="anne", force=True, reason="test").done
        assert done == [approved]
        with workspace.db.write() as con:
            con.execute("UPDATE documents SET status = 'sent', pennylane_id = 9 WHERE id = ?", [sent])
        emu.touch_client(client_id, address="9 quai Voltaire\n75007 Paris\nFrance")
        report = sync_connection(workspace, plugins, "hv")
        assert report.status == "ok" and report.updated == len(theirs)
        assert report.changed_after_sending == 1 and report.back_to_review == len(theirs) - 1
        doc = review.get_document(workspace, approved)
        assert doc["status"] == "to_review" and "counterparty" in doc["changed"]
        assert review.get_document(workspace, sent)["changed_after_sending"] is True


def test_deleted_invoices_are_told_by_a_full_listing_and_once_a_day():
    from ecluse.connectors import Gone

    with HarvestEmulator() as emu:
        emu.generate(30, seed=13, options=GenerateOptions(drafts=0))
        items, docs, checkpoints, _ = run(emu)
        cached = {d.source_id for d in docs}
        state = checkpoints[-1].state
        deleted, drafted = emu.invoices()[0], emu.invoices()[1]
        emu.delete_invoice(deleted["id"])
        emu.touch_invoice(drafted["id"], state="draft")
        # the same day: an incremental run lists nothing more, and cannot see a deletion
        emu.reset_log()
        items, _, checkpoints, _ = run(emu, state, cached=cached)
        assert not [i for i in items if isinstance(i, Gone)]
        assert api_requests(emu) == ["/v2/clients", "/v2/invoices"]
        # a day later: one listing of every invoice since start_date tells both
        emu.reset_log()
        later = dt.datetime(2024, 7, 2, 12, 30, tzinfo=UTC)
        items, _, checkpoints, _ = run(emu, checkpoints[-1].state, cached=cached, now=later)
        gone = [i for i in items if isinstance(i, Gone)]
        assert sorted(g.source_id for g in gone) == sorted([str(deleted["id"]), str(drafted["id"])])
        assert "no longer lists this invoice" in gone[0].message
        assert items[-1] is checkpoints[-1] and checkpoints[-1].state["listed_at"] == "2024-07-02T12:30:00Z"
        assert api_requests(emu) == ["/v2/clients", "/v2/invoices", "/v2/invoices"]
        assert [e.query.get("updated_since") for e in emu.log if e.path == "/v2/invoices"][1] is None
        # `ecluse sync --since`: its full read tells them too, with the page that ends it
        ctx = context(emu, checkpoints[-1].state, cached=cached, now=later)
        ctx.since = dt.date(2023, 1, 1)
        items = list(HarvestConnector().fetch(ctx))
        assert sorted(i.source_id for i in items if isinstance(i, Gone)) == sorted(g.source_id for g in gone)


def test_an_empty_listing_flags_nothing():
    from ecluse.connectors import Gone

    with HarvestEmulator() as emu:
        emu.generate(5, seed=13, options=GenerateOptions(drafts=0))
        cached = {str(i["id"]) for i in emu.invoices()}
        for invoice in emu.invoices():
            emu.delete_invoice(invoice["id"])
        items, _, _, _ = run(emu, cached=cached)
        assert not [i for i in items if isinstance(i, Gone)]


def test_a_deleted_invoice_goes_back_to_review_and_a_sent_one_is_flagged(workspace):
    from ecluse.services import review
    from ecluse.services.sync import sync_connection

    plugins = harvest_plugins()
    day = [dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)]
    with HarvestEmulator() as emu:
        emu.generate(20, seed=25, options=GenerateOptions(drafts=0))
        workspace.set_connection("hv", HarvestConnector, emu.settings(start_date="2023-01-01", pdfs="false"))
        sync = lambda: sync_connection(workspace, plugins, "hv", clock=lambda: day[0])  # noqa: E731
        assert sync().status == "ok"
        approved, sent, rejected = (f"hv:{i['id']}" for i in emu.invoices()[:3])
        assert review.decide(workspace, "approve", [approved], actor="anne", force=True, reason="t").done == [approved]
        assert review.decide(workspace, "reject", [rejected], actor="anne", reason="t").done == [rejected]
        with workspace.db.write() as con:
            con.execute("UPDATE documents SET status = 'sent', pennylane_id = 9 WHERE id = ?", [sent])
        for doc_id in (approved, sent, rejected):
            emu.delete_invoice(int(doc_id.split(":")[1]))
        day[0] += dt.timedelta(days=1, minutes=1)
        report = sync()
        assert report.status == "ok" and report.gone == 2  # the rejected one is left alone
        doc = review.get_document(workspace, approved)
        assert doc["status"] == "to_review" and "gone_from_source" in [f["code"] for f in doc["findings"]]
        [finding] = [f for f in doc["findings"] if f["code"] == "gone_from_source"]
        assert i18n.finding_detail(finding["code"], finding["message"], finding["params"], "en") == finding["message"]
        assert i18n.finding_detail(finding["code"], finding["message"], finding["params"], "fr") == (
            "Harvest ne liste plus cette facture parmi ses factures finalisées émises depuis le 01/01/2023 "
            "(supprimée, ou repassée en brouillon). Vérifiez-la dans Harvest avant de l'envoyer, ou rejetez-la.")
        assert doc["history"][-1]["action"] == "gone_from_source"
        assert review.get_document(workspace, sent)["changed_after_sending"] is True
        assert "gone_from_source" not in [f["code"] for f in review.get_document(workspace, rejected)["findings"]]
        # the next day again: flagged once, not twice
        day[0] += dt.timedelta(days=1, minutes=1)
        assert sync().gone == 0
        with workspace.db.read() as con:
            assert con.execute("SELECT count(*) FROM findings WHERE code = 'gone_from_source'").fetchone()[0] == 2
        # restored in Harvest (here: edited again): the finding goes
        emu.touch_invoice(int(approved.split(":")[1]), notes="restored")
        assert sync().status == "ok"
        doc = review.get_document(workspace, approved)
        assert "gone_from_source" not in [f["code"] for f in doc["findings"]]


def test_a_start_date_before_the_default_window_is_warned_about_when_saved(workspace):
    from ecluse.services import setup

    workspace.set_connection("old", HarvestConnector, {"token": "t", "account_id": "1", "domain": "acme",
                                                       "start_date": "2020-01-01", "contact": "compta@acme.fr"})
    created = dt.datetime.fromisoformat(workspace.connection("old")["created_at"])
    [said] = setup.saved_warnings(workspace, HarvestConnector, "old")
    assert (said.code, said.params) == ("harvest.history_import", {"start": dt.date(2020, 1, 1),
                                                                  "default": (created - dt.timedelta(days=30)).date()})
    workspace.set_connection("new", HarvestConnector, {"token": "t", "account_id": "1", "domain": "acme",
                                                       "contact": "compta@acme.fr"})
    assert setup.saved_warnings(workspace, HarvestConnector, "new") == []  # no start_date: the default window
    # No example address stands for the contact: left empty, nothing to say; the example
    # address typed in (or kept from an older version) is said.
    assert HarvestConnector.setting("contact").default is None
    workspace.set_connection("plain", HarvestConnector, {"token": "t", "account_id": "1", "domain": "acme"})
    assert setup.saved_warnings(workspace, HarvestConnector, "plain") == []
    workspace.set_connection("example", HarvestConnector, {"token": "t", "account_id": "1", "domain": "acme",
                                                           "contact": "contact@example.org"})
    [said] = setup.saved_warnings(workspace, HarvestConnector, "example")
    assert i18n.said_text(said, "fr").startswith("E-mail de contact : Harvest demande une adresse qui joigne")


def test_a_warning_is_said_when_its_setting_is_saved_not_at_every_save(workspace):
    from ecluse.services import setup

    workspace.set_connection("old", HarvestConnector, {"token": "t", "account_id": "1", "start_date": "2020-01-01"})
    before = dict(workspace.connection("old")["settings"])
    workspace.set_connection("old", HarvestConnector, {"domain": "acme"}, replace=True)  # the start date stays
    assert setup.saved_warnings(workspace, HarvestConnector, "old", before) == []
    before = dict(workspace.connection("old")["settings"])
    workspace.set_connection("old", HarvestConnector, {"start_date": "2019-01-01"}, replace=True)
    [said] = setup.saved_warnings(workspace, HarvestConnector, "old", before)
    assert said.code == "harvest.history_import" and said.params["start"] == dt.date(2019, 1, 1)
    # All of them, for the console's standing list.
    assert [s.code for s in setup.saved_warnings(workspace, HarvestConnector, "old")] == ["harvest.history_import"]


def test_a_start_date_still_to_come_is_warned_about_when_saved_and_tested(workspace):
    from ecluse.services import setup

    future = dt.date.today() + dt.timedelta(days=90)
    with HarvestEmulator() as emu:
        workspace.set_connection("later", HarvestConnector, emu.settings(start_date=future.isoformat()))
        [said] = setup.saved_warnings(workspace, HarvestConnector, "later")
        assert said.code == "harvest.future_start"
        assert i18n.said_text(said, "fr") == (
            f"La date de début ({future.strftime('%d/%m/%Y')}) est à venir : aucune facture n'est lue avant cette "
            "date, une synchronisation d'ici là n'en trouve aucune. Choisissez une date passée pour lire les "
            "factures déjà émises.")
        result = HarvestConnector().check(context(emu, start_date=future.isoformat(),
                                                  now=dt.datetime.now(dt.timezone.utc)))
        assert result.ok and [s.code for s in result.says] == ["harvest.connected", "harvest.future_start"]
        assert "no invoice is read before that date" in result.message


@pytest.mark.parametrize("pasted, stored", [
    ("https://id.getharvest.com/accounts/1234567", "1234567"),
    (" 1234567 ", "1234567"),
    ("id.getharvest.com/accounts/1234567/", "1234567"),
])
def test_an_account_id_pasted_as_an_address_is_read_as_its_number(pasted, stored):
    settings = validate_settings(HarvestConnector, {"token": "t", "account_id": pasted})
    assert settings["account_id"] == stored


@pytest.mark.parametrize("pasted", ["https://id.getharvest.com/accounts/12/34", "https://acme.harvestapp.com", "acme 12"])
def test_an_account_id_with_no_single_number_is_refused(pasted):
    with pytest.raises(SettingsError) as info:
        validate_settings(HarvestConnector, {"token": "t", "account_id": pasted})
    assert "is not a Harvest account ID" in str(info.value)


def test_a_pasted_account_address_is_saved_as_its_number_and_works(workspace):
    from ecluse.services import setup

    with HarvestEmulator() as emu:
        workspace.set_connection("h", HarvestConnector, emu.settings(
            account_id=f"https://id.getharvest.com/accounts/{emu.account_id}", start_date="2024-06-15"))
        assert workspace.connection("h")["settings"]["account_id"] == emu.account_id
        assert setup.check_connection(workspace, harvest_plugins(), "h").ok


def test_checking_the_settings_of_a_form_tests_them_without_saving_them(workspace):
    from ecluse.services import setup

    plugins = harvest_plugins()
    with HarvestEmulator() as emu:
        workspace.set_connection("h", HarvestConnector, emu.settings(start_date="2020-01-01"))
        config, secrets = workspace.config_path.read_text(), workspace.secrets_path.read_text()
        # A wrong account number in the form: what is tested, not what is saved.
        result = setup.check_settings(workspace, plugins, "h", {"account_id": "999"})
        assert not result.ok and "account_id 999" in result.message
        assert setup.check_connection(workspace, plugins, "h").ok  # the saved one still works
        # A token typed in the form is the one tried, and never stored.
        result = setup.check_settings(workspace, plugins, "h", {"token": "typed-wrong-token"})
        assert not result.ok and [s.code for s in result.says] == ["harvest.bad_token"]
        assert "typed-wrong-token" not in result.message
        # A value the form holds that a save would refuse: said, as a save would.
        result = setup.check_settings(workspace, plugins, "h", {"api_url": "ftp://x"})
        assert not result.ok and i18n.said(result.says, "fr")[0].startswith("URL de l'API")
        assert (workspace.config_path.read_text(), workspace.secrets_path.read_text()) == (config, secrets)
        # The saved history import is not said again at each test; a start date changed in the
        # form is (it is news).
        result = setup.check_settings(workspace, plugins, "h", {})
        assert result.ok and [s.code for s in result.says] == ["harvest.connected"]
        result = setup.check_settings(workspace, plugins, "h", {"start_date": "2019-01-01"})
        assert result.ok and [s.code for s in result.says] == ["harvest.connected", "harvest.history_import"]


def test_a_test_of_the_saved_settings_and_of_the_form_refuse_and_say_alike(workspace, monkeypatch):
    """Both resolve the settings as a sync does (`Workspace.settings_to_use`): what the schema
    refuses keeps its Said for the console, and an unset variable or a secret is said alike."""
    from ecluse.services import setup
    from ecluse.workspace import WorkspaceError

    plugins = harvest_plugins()
    with HarvestEmulator() as emu:
        workspace.set_connection("h", HarvestConnector, emu.settings())
        config = workspace.config_path.read_text(encoding="utf-8")
        workspace.config_path.write_text(config.replace(emu.api_url, "ftp://x"), encoding="utf-8")  # edited by hand
        saved = setup.check_connection(workspace, plugins, "h")
        assert not saved.ok and saved.message == "connection 'h': api_url: 'ftp://x' must start with http:// or https://"
        assert i18n.said(saved.says, "fr") == [f"URL de l'API : «{i18n.NBSP}ftp://x{i18n.NBSP}» doit commencer par "
                                               "http:// ou https://."]
        with pytest.raises(WorkspaceError) as caught:  # what a sync reports, its Said kept
            workspace.resolve_settings("h", HarvestConnector)
        assert str(caught.value) == saved.message and caught.value.said == saved.says[0]
        form = setup.check_settings(workspace, plugins, "h", {})
        assert (form.ok, form.message, form.says) == (False, "api_url: 'ftp://x' must start with http:// or https://",
                                                      saved.says)
        assert setup.check_settings(workspace, plugins, "h", {"api_url": emu.api_url}).ok
        # A token read from a variable that is not set: the same English sentence, never a value.
        monkeypatch.delenv("ECLUSE_TEST_UNSET_TOKEN", raising=False)
        workspace.config_path.write_text(config, encoding="utf-8")
        workspace.set_connection("h", HarvestConnector, {"token": "env:ECLUSE_TEST_UNSET_TOKEN"})
        unset = ("connection 'h' setting 'token' refers to the environment variable ECLUSE_TEST_UNSET_TOKEN, "
                 "which is not set")
        assert (setup.check_connection(workspace, plugins, "h").message,
                setup.check_settings(workspace, plugins, "h", {}).message) == (unset, unset)
        form = setup.check_settings(workspace, plugins, "h", {"token": "env:ECLUSE_TEST_UNSET_TOKEN"})
        assert (form.ok, form.message) == (False, unset)
        assert i18n.said(form.says, "fr") == [  # and in the console's language, with what to do
            "Le réglage « Jeton d'accès personnel » de la connexion « h » renvoie à la variable d'environnement "
            "ECLUSE_TEST_UNSET_TOKEN, qui n'est pas définie : définissez-la là où tourne Écluse (puis redémarrez la "
            "console), ou saisissez la valeur dans le formulaire de la connexion."]
        from ecluse.services.sync import sync_connection
        report = sync_connection(workspace, plugins, "h", actor="t")  # a sync says the same
        assert report.status == "failed" and report.error == unset
        assert i18n.said_text(Said(**report.error_said), "en") == unset + (
            ": set it where Écluse runs (then restart the console), or type the value in the connection's form")
        monkeypatch.setenv("ECLUSE_TEST_UNSET_TOKEN", emu.token)
        assert setup.check_connection(workspace, plugins, "h").ok
        form = setup.check_settings(workspace, plugins, "h", {"account_id": "999"})
        assert not form.ok and emu.token not in repr(form)


def test_a_connection_is_turned_off_and_on(workspace):
    from ecluse.services import setup
    from ecluse.services.sync import sync

    plugins = harvest_plugins()
    with HarvestEmulator() as emu:
        emu.generate(3, seed=4)
        workspace.set_connection("h", HarvestConnector, emu.settings(start_date="2023-01-01"))
        setup.set_enabled(workspace, "h", False)
        assert workspace.connection("h")["enabled"] is False
        assert [r["enabled"] for r in setup.describe_connections(workspace, plugins)] == [False]
        assert sync(workspace, plugins) == []  # all connections: this one left out
        workspace.set_connection("h", HarvestConnector, {"domain": emu.url}, replace=True)
        assert workspace.connection("h")["enabled"] is False  # a save keeps it off
        setup.set_enabled(workspace, "h", True)
        [report] = sync(workspace, plugins)
        assert report.connection == "h" and report.status == "ok"


def test_an_empty_web_address_takes_the_one_harvest_reports_for_the_pdfs(emu, workspace):
    """No warning for an empty "Harvest web address" with PDFs on: the PDFs are read on the
    address Harvest gives for the account (/company's base_uri), as the help says."""
    from ecluse.services import setup

    emu.generate(2, seed=6, options=GenerateOptions(drafts=0))
    ctx = context(emu)
    ctx.settings = {k: v for k, v in ctx.settings.items() if k != "domain"}
    docs = [d for d in HarvestConnector().fetch(ctx) if isinstance(d, Document)]
    assert docs and all(d.attachment is not None and d.attachment.content.startswith(b"%PDF-") for d in docs)
    assert "/v2/company" in api_requests(emu)
    workspace.set_connection("h", HarvestConnector, {k: v for k, v in emu.settings().items() if k != "domain"})
    assert setup.saved_warnings(workspace, HarvestConnector, "h") == []
    assert "l'adresse que Harvest donne pour le compte" in HarvestConnector.setting("domain").text("fr")[1]
