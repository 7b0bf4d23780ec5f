"""Fixtures shared by the console tests (AppTest and browser).

The console is exercised on a real workspace: `services.setup.ensure_workspace` and a sync of
the demo connection, exactly as `ecluse run` does on a first start. When the built-in demo
connector is not installed (a partial checkout), a small stand-in connector with the same id
is registered in-process so that the pages still have documents to show.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import pytest

from ecluse import hookimpl
from ecluse.connectors import CheckResult, Checkpoint, Connector, FetchContext, Setting
from ecluse.domain import (
    CUSTOMER_INVOICE,
    SUPPLIER_INVOICE,
    Address,
    Attachment,
    Counterparty,
    Document,
    Line,
)
from ecluse.plugin_loader import Plugins, wanted_from_env
from ecluse.services import setup
from ecluse.services import sync as sync_service
from ecluse.workspace import Workspace

APP = str(Path(__file__).resolve().parents[1] / "console" / "ui" / "app.py")
SECRET_VALUE = "s3cr3t-ui-test-value-never-shown"

_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class StandInDemo(Connector):
    """Used only when the real demo connector is not installed."""

    id = "demo"
    title = "Demo (test stand-in)"
    kinds = (CUSTOMER_INVOICE, SUPPLIER_INVOICE)
    settings = (Setting("seed", "Seed", "string", default="ecluse"),)

    def check(self, ctx: FetchContext) -> CheckResult:
        return CheckResult(True, "demo data is always available")

    def fetch(self, ctx: FetchContext) -> Iterator[Any]:
        today = ctx.now().date()
        for i in range(60):
            issue = today - dt.timedelta(days=3 * i)
            kind = CUSTOMER_INVOICE if i % 2 else SUPPLIER_INVOICE
            ht = Decimal(100 + 37 * i).quantize(Decimal("0.01"))
            tax = (ht * Decimal("0.2")).quantize(Decimal("0.01"))
            cp = Counterparty(f"c{i % 7}", f"Client {i % 7}", "customer" if kind == CUSTOMER_INVOICE else "supplier",
                              address=Address("1 rue de la Paix", "75002", "Paris", "FR"))
            line = Line("Prestation", Decimal(1), ht, ht, tax if i % 11 else tax + 5, ht + tax)
            line.vat_rate = Decimal(20)
            yield Document(
                source_id=f"S-{i:04d}", kind=kind, number=f"F-{i:04d}", issue_date=issue,
                due_date=issue + dt.timedelta(days=30), currency="EUR", total_before_tax=ht, total_tax=tax,
                total=ht + tax, counterparty=cp, lines=[line], attachment=Attachment(f"F-{i:04d}.pdf", _PDF),
                raw={"id": f"S-{i:04d}"},
            )
        yield Checkpoint({"done": True})


class _StandInPlugin:
    @staticmethod
    @hookimpl
    def register_connectors(register: Any) -> None:
        register(StandInDemo)


class SecretConnector(Connector):
    """A connector with a secret setting, to check that the form never shows a stored secret."""

    id = "uitest_secret"
    title = "UI test source"
    kinds = (SUPPLIER_INVOICE,)
    settings = (
        Setting("account", "Account", "string", required=True, help="The account id."),
        Setting("token", "API token", "string", required=True, secret=True),
        Setting("base_url", "API URL", "url", default="https://api.example.test"),
        Setting("page_size", "Page size", "integer", default=50),
        Setting("include_drafts", "Include drafts", "boolean", default=False),
        Setting("start", "Start date", "date"),
        Setting("region", "Region", "choice", default="eu", choices=("eu", "us")),
    )

    def check(self, ctx: FetchContext) -> CheckResult:
        return CheckResult(True, "ok")

    def fetch(self, ctx: FetchContext) -> Iterator[Any]:
        yield Checkpoint({})


class _SecretPlugin:
    @staticmethod
    @hookimpl
    def register_connectors(register: Any) -> None:
        register(SecretConnector)


_PLUGINS: Plugins | None = None


def ui_plugins() -> Plugins:
    """The installed plugins plus the UI test connectors, in a Plugins set of their own (the
    process-wide one that other tests see is left as it is)."""
    global _PLUGINS
    if _PLUGINS is None:
        plugins = Plugins()
        plugins.load_entrypoints(wanted_from_env())
        if "demo" not in plugins.connectors:
            plugins.register_object(_StandInPlugin, "uitest_demo")
        plugins.register_object(_SecretPlugin, "uitest_secret")
        _PLUGINS = plugins
    return _PLUGINS


def make_workspace(path: Path, *, sync: bool = True) -> Workspace:
    ws = Workspace(path)
    setup.ensure_workspace(ws, ui_plugins(), with_demo=True)
    if sync:
        report = sync_service.sync_connection(ws, ui_plugins(), "demo", actor="test")
        assert report.status == "ok", report.error
    return ws


@pytest.fixture(scope="module")
def synced_workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A workspace with the demo connection synced once (shared by a module's read-only tests)."""
    return make_workspace(tmp_path_factory.mktemp("ws-synced") / "ws")


@pytest.fixture
def fresh_synced_workspace(tmp_path: Path) -> Workspace:
    """A synced workspace of its own, for tests that change documents."""
    return make_workspace(tmp_path / "ws")


@pytest.fixture
def empty_workspace(tmp_path: Path) -> Workspace:
    """A new workspace with the demo connection and nothing synced yet."""
    return make_workspace(tmp_path / "ws", sync=False)


@pytest.fixture
def use_workspace(monkeypatch: pytest.MonkeyPatch):
    """Point the console at a workspace (`use_workspace(ws)`), with the UI test plugins."""
    from ecluse.ui import state

    monkeypatch.setattr(state, "plugins", ui_plugins)
    monkeypatch.delenv("ECLUSE_LANG", raising=False)

    def _use(ws: Workspace) -> Workspace:
        monkeypatch.setenv("ECLUSE_WORKSPACE", str(ws.path))
        monkeypatch.setenv("ECLUSE_ACTOR", "ui-tester")
        return ws

    return _use


