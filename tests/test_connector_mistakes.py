"""What a third-party connector's mistakes look like to the user: a setting's check that raises,
a check result or stored data that echo the connection's secret, an HttpError let through by
`fetch`, a connection whose connector is not loaded. Sources are served over real HTTP on
127.0.0.1 (tests/emulators/server.py)."""
from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal as D
from typing import Any, Iterator

import pytest

from ecluse import hookimpl, i18n
from ecluse.connectors import CheckResult, Checkpoint, Connector, FetchContext, Problem, Said, Setting, SettingsError
from ecluse.domain import SUPPLIER_INVOICE, Counterparty, Document, Finding, Line
from ecluse.plugin_loader import Plugins
from ecluse.services import setup
from ecluse.services.sync import sync_connection
from ecluse.workspace import Workspace
from tests.emulators.server import EmulatorServer, Reply, Request

CHECK_SECRET = "acme-TOKEN-in-check-77qz"
LEAKY_KEY = "acme-LEAKY-key-5512wv"
ROTATED_KEY = "acme-ROTATED-key-8830pm"


def _boom(value: Any) -> None:
    raise ValueError(f"cannot parse {value}")


class CheckRaises(Connector):
    id = "mistake_checkraise"
    title = "Check raises"
    settings = (Setting("account", "Account", check=_boom, translations={"fr": {"label": "Compte"}}),
                Setting("tok", "Token", secret=True, check=_boom))

    def check(self, ctx: FetchContext) -> CheckResult:
        return CheckResult(True, "ok")

    def fetch(self, ctx: FetchContext) -> Iterator[Any]:
        yield Checkpoint({})


class Leaky(Connector):
    """Echoes its key everywhere; with `url` set, asks that server for /me and lets the
    shared HTTP layer's error through."""
    id = "mistake_leaky"
    title = "Leaky"
    kinds = (SUPPLIER_INVOICE,)
    settings = (Setting("api_key", "API key", secret=True, required=True), Setting("url", "URL", type="url"),
                Setting("rotate", "Rotate the key", type="boolean", default=False),
                Setting("key_in_state", "Key in the state", type="boolean", default=False))

    def check(self, ctx: FetchContext) -> CheckResult:
        k = ctx.settings["api_key"]
        if ctx.settings.get("url"):
            ctx.http(ctx.settings["url"], max_retries=0).get_json("/me")
        return CheckResult(False, f"refused key {k}", details={"key": k, "nested": [f"url?key={k}"]},
                           says=[Said("mistake.refused", {"key": k})])

    def fetch(self, ctx: FetchContext) -> Iterator[Any]:
        k = ctx.settings["api_key"]
        if ctx.settings.get("url"):
            ctx.http(ctx.settings["url"], max_retries=0).get_json("/me")
            return
        if ctx.settings.get("rotate"):  # an OAuth-like refresh: the new key is a secret too
            ctx.save_secret("api_key", ROTATED_KEY)
            k = ROTATED_KEY
        yield Problem(f"unreadable record (key {k})", source_id="P1", raw={"echo_url": f"https://x/api?key={k}"})
        yield Document(source_id="L1", kind=SUPPLIER_INVOICE, number="N-1", issue_date=dt.date(2026, 11, 5),
                       due_date=None, currency="EUR", total_before_tax=D("10"), total_tax=D("2"), total=D("12"),
                       counterparty=Counterparty("s1", "Supplier", role="supplier"),
                       lines=[Line("item", D(1), D(10), D(10), D(2), D(12), D(20))],
                       raw={"request": f"GET /invoices?api_key={k}", "quoted": f"{k}%20", "amount": 1.5},
                       findings=[Finding("pdf_link", "warning", f"PDF at https://x/?key={k} not read",
                                         params={"url": f"https://x/?key={k}"})])
        yield Checkpoint({"cursor": "c-1", "page": 2})
        if not ctx.settings.get("key_in_state"):
            return
        # A cursor holding the key: stored masked, the next run would ask for key=***.
        yield Document(source_id="L2", kind=SUPPLIER_INVOICE, number="N-2", issue_date=dt.date(2026, 11, 5),
                       due_date=None, currency="EUR", total_before_tax=D("10"), total_tax=D("2"), total=D("12"),
                       counterparty=Counterparty("s1", "Supplier", role="supplier"),
                       lines=[Line("item", D(1), D(10), D(10), D(2), D(12), D(20))])
        yield Checkpoint({"cursor": f"https://x/invoices?page=3&key={k}", "page": 3})


class _Plugin:
    @hookimpl
    def register_connectors(self, register: Any) -> None:
        register(CheckRaises)
        register(Leaky)


@pytest.fixture
def mistakes() -> Plugins:
    p = Plugins()
    p.register_object(_Plugin(), "mistakes")
    return p


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:  # tests/conftest.py's, a new one
    return workspace


def q(ws: Workspace, sql: str) -> list[tuple[Any, ...]]:
    with ws.db.read() as con:
        return con.execute(sql).fetchall()


# -- 1. a setting's check that raises -------------------------------------------------------
def test_a_setting_check_that_raises_is_a_settings_error_that_never_shows_the_secret(ws, mistakes):
    with pytest.raises(SettingsError) as caught:
        ws.set_connection("acme", CheckRaises, {"tok": CHECK_SECRET})
    text = str(caught.value)
    assert text == "tok: the connector's check of this setting failed: ValueError: cannot parse ***"
    assert CHECK_SECRET not in repr(caught.value.said)
    assert i18n.said_text(caught.value.said, "fr") == (
        "Token : le contrôle de ce réglage par le connecteur a échoué (ValueError : cannot parse ***). Le connecteur "
        "est à corriger ; signalez-le à son auteur.")
    assert caught.value.__cause__ is None and caught.value.__suppress_context__  # no traceback naming it
    with pytest.raises(SettingsError, match="^account: the connector's check of this setting failed: ValueError"):
        ws.set_connection("acme", CheckRaises, {"account": "12345678"})
    assert "acme" not in ws.connections()


# -- 2. a check result that echoes the key --------------------------------------------------
def test_a_check_result_is_redacted_of_the_connection_secrets(ws, mistakes):
    ws.set_connection("leaky", Leaky, {"api_key": LEAKY_KEY})
    result = setup.check_connection(ws, mistakes, "leaky")
    assert not result.ok
    assert result.message == "refused key ***"
    assert result.details == {"key": "***", "nested": ["url?key=***"]}
    assert [(s.code, s.params) for s in result.says] == [("mistake.refused", {"key": "***"})]
    assert LEAKY_KEY not in repr(result)


# -- 3. secrets a connector copies into what is stored --------------------------------------
@pytest.mark.parametrize("rotate", [False, True])
def test_secrets_copied_into_what_is_stored_are_masked_and_a_state_holding_one_is_refused(ws, mistakes, rotate):
    """Raw payloads, a problem's payload and a connector's findings are masked (a key the
    connector rotated during the run too); a checkpoint whose state holds a secret fails the
    run, said, its page not stored: masked, the cursor would be broken on the next run."""
    ws.set_connection("leaky", Leaky, {"api_key": LEAKY_KEY, "rotate": rotate, "key_in_state": True})
    report = sync_connection(ws, mistakes, "leaky")
    assert report.status == "failed" and "Checkpoint whose state holds a secret" in report.error, report.error
    raws = dict(q(ws, "SELECT number, raw FROM documents"))  # N-2 is kept, without the state that named it
    assert json.loads(raws["N-1"]) == {"request": "GET /invoices?api_key=***", "quoted": "***%20", "amount": 1.5}
    [(problem_raw, message)] = q(ws, "SELECT raw, message FROM problems")
    assert json.loads(problem_raw) == {"echo_url": "https://x/api?key=***"}
    assert message == "unreadable record (key ***)"
    [(f_message, f_params)] = q(ws, "SELECT message, params FROM findings WHERE code = 'pdf_link'")
    assert f_message == "PDF at https://x/?key=*** not read" and json.loads(f_params) == {"url": "https://x/?key=***"}
    [(state,)] = q(ws, "SELECT state FROM sync_state")
    assert json.loads(state) == {"cursor": "c-1", "page": 2}
    blob = (ws.path / "ecluse.duckdb").read_bytes()
    assert LEAKY_KEY.encode() not in blob and ROTATED_KEY.encode() not in blob


# -- 4. an HttpError let through by fetch ---------------------------------------------------
@pytest.fixture
def source() -> Iterator[dict[str, Any]]:
    answer: dict[str, Any] = {"status": 401}

    def route(req: Request) -> Reply:
        return Reply(answer["status"], b'{"error": "invalid_token"}')

    with EmulatorServer(route) as srv:
        answer["url"] = srv.url
        yield answer


def test_credentials_refused_through_the_http_layer_fail_the_run_said_not_as_a_crash(ws, mistakes, source, caplog):
    ws.set_connection("leaky", Leaky, {"api_key": LEAKY_KEY, "url": source["url"]})
    with caplog.at_level(logging.INFO):
        report = sync_connection(ws, mistakes, "leaky")
    assert report.status == "failed"
    assert report.error_said["code"] == "sync.http_refused"
    assert "failed unexpectedly" not in report.error and "(HTTP 401)" in report.error
    assert i18n.said_text(Said(**report.error_said), "fr") == (
        "La source (127.0.0.1) a refusé les identifiants de la connexion (HTTP 401) : vérifiez le jeton de la "
        "connexion « leaky » (page Connexions), puis relancez la synchronisation.")
    assert not [r for r in caplog.records if r.exc_info], "a traceback is for real crashes only"
    [(status, error_said)] = q(ws, "SELECT status, error_said FROM sync_runs")
    assert status == "failed" and json.loads(error_said)["code"] == "sync.http_refused"
    [row] = setup.describe_connections(ws, mistakes)
    assert row["last_status"] == "failed" and row["last_error_said"]


def test_credentials_refused_in_a_check_are_said_as_in_a_sync(ws, mistakes, source):
    ws.set_connection("leaky", Leaky, {"api_key": LEAKY_KEY, "url": source["url"]})
    result = setup.check_connection(ws, mistakes, "leaky")
    assert not result.ok and [s.code for s in result.says] == ["sync.http_refused"]
    assert "connector failed" not in result.message and "(HTTP 401)" in result.message


def test_a_server_error_and_an_unreachable_source_are_said_too(ws, mistakes, source):
    source["status"] = 404
    ws.set_connection("leaky", Leaky, {"api_key": LEAKY_KEY, "url": source["url"]})
    report = sync_connection(ws, mistakes, "leaky")
    assert report.error_said["code"] == "sync.http_status" and report.error_said["params"]["status"] == 404
    assert i18n.said_text(Said(**report.error_said), "fr").startswith(
        "La source (127.0.0.1) a répondu par une erreur (HTTP 404) : ")
    ws.set_connection("leaky", Leaky, {"url": "http://127.0.0.1:9"}, replace=True)  # nothing listens on port 9
    report = sync_connection(ws, mistakes, "leaky")
    assert report.status == "failed" and report.error_said["code"] == "sync.http_unreachable"
    assert i18n.said_text(Said(**report.error_said), "fr").startswith("La source (127.0.0.1) est injoignable : ")


# -- 5. a connection whose connector is not loaded ------------------------------------------
def test_a_connection_whose_connector_is_not_loaded_says_so_rather_than_its_last_run(ws, mistakes):
    ws.set_connection("leaky", Leaky, {"api_key": LEAKY_KEY})
    assert sync_connection(ws, mistakes, "leaky").status == "ok"
    [row] = setup.describe_connections(ws, mistakes)
    assert (row["last_status"], row["last_run_status"]) == ("ok", "ok")
    [row] = setup.describe_connections(ws, Plugins())  # the plugin failed to import
    assert (row["connector_loaded"], row["last_status"], row["last_run_status"]) == (False, "not_loaded", "ok")
    assert i18n.t("run.not_loaded", "fr") == "connecteur non chargé"
