"""Fixtures shared by the console tests (AppTest and browser).

The console is exercised on a real workspace: `services.setup.ensure_workspace` and a sync of
the built-in demo connection, exactly as `ecluse run` does on a first start. One more
connector, with a secret setting of every type, is registered for the connection form tests.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from ecluse import hookimpl
from ecluse.connectors import CheckResult, Checkpoint, Connector, FetchContext, Setting
from ecluse.domain import SUPPLIER_INVOICE
from ecluse.plugin_loader import Plugins, wanted_from_env
from ecluse.services import setup
from ecluse.services import sync as sync_service
from ecluse.workspace import Workspace

APP = str(Path(__file__).resolve().parents[1] / "console" / "ui" / "app.py")
SECRET_VALUE = "s3cr3t-ui-test-value-never-shown"


class SecretConnector(Connector):
    """A connector with a secret setting, to check that the form never shows a stored secret."""

    id = "uitest_secret"
    title = "UI test source"
    kinds = (SUPPLIER_INVOICE,)
    settings = (
        Setting("account", "Account", "string", required=True, help="The account id.",
                translations={"fr": {"label": "Compte", "help": "L'identifiant du compte."}}),
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
        failures = "; ".join(f"{i.name}: {i.error}" for i in plugins.infos if i.error)
        assert "demo" in plugins.connectors, f"the built-in demo connector did not load ({failures or 'not installed'})"
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


