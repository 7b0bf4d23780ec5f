"""Workspace set-up and connection management shared by the CLI and the console."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Callable, Mapping

from .. import i18n
from ..connectors import CheckResult, Connector, ConnectorError, FetchContext, Said, SettingsError, settings_warnings
from ..plugin_loader import Plugins
from ..redact import redact
from ..workspace import Workspace, WorkspaceError
from ..http import HttpError
from .sync import INTERRUPTED, INTERRUPTED_MESSAGE, _said, http_failure_said, shown_status

DEMO_CONNECTION = "demo"
NOT_LOADED = "not_loaded"  # a connection's status when its connector is not loaded (a plugin's import error)


def ensure_workspace(ws: Workspace, plugins: Plugins, *, with_demo: bool = True) -> bool:
    """Create the workspace if needed; a new one gets a demo connection so that everything
    works with no credentials. Returns True when the workspace was created."""
    created = ws.init()
    if created and with_demo and "demo" in plugins.connectors and not ws.connections():
        ws.set_connection(DEMO_CONNECTION, plugins.connector("demo"), {})
    return created


def describe_connections(ws: Workspace, plugins: Plugins) -> list[dict[str, Any]]:
    """Connections with their last sync and document count; secret settings by name only."""
    conns = ws.connections()
    with ws.db.read() as con:
        last = {r[0]: r[1:] for r in con.execute(
            "SELECT connection, started_at, status, error, pid, error_said FROM sync_runs WHERE id IN "
            "(SELECT max(id) FROM sync_runs GROUP BY connection)"
        ).fetchall()}
        counts = dict(con.execute("SELECT connection, count(*) FROM documents GROUP BY 1").fetchall())
    rows = []
    for name, conn in sorted(conns.items()):
        cls = plugins.connectors.get(conn.get("connector", ""))
        run = last.get(name)
        status = shown_status(run[1], run[3]) if run else None
        # A connection whose connector is not loaded cannot sync: that, not its last run, is its status.
        shown = NOT_LOADED if cls is None else status
        rows.append({
            "name": name,
            "connector": conn.get("connector"),
            "connector_loaded": cls is not None,
            "title": cls.title if cls else None,
            "enabled": conn.get("enabled", True),
            "created_at": conn.get("created_at"),
            "settings": conn.get("settings", {}),
            "secrets": ws.secret_keys(name),
            "last_sync": run[0].strftime("%Y-%m-%d %H:%M") if run and run[0] else None,
            "last_sync_at": run[0] if run else None,  # the same, for the console to format
            "last_status": shown,
            "last_run_status": status,  # the last run's own, even when the connector is not loaded
            "last_error": (run[2] or (INTERRUPTED_MESSAGE if status == INTERRUPTED else None)) if run else None,
            "last_error_said": run[4] if run else None,  # JSON text (connectors.Said), or None
            "documents": int(counts.get(name, 0)),
        })
    return rows


def saved_warnings(ws: Workspace, connector: type[Connector], name: str,
                   before: Mapping[str, Any] | None = None) -> list[Said]:
    """What the connector's settings say about the connection as saved (a history import,
    say): the console and the CLI show it right after a save. `before`: the settings before
    this save; then only the settings this save changed are said (a warning is said once, not
    at every save). None: all of them (a new connection, or the standing list of the console)."""
    conn = ws.connection(name)
    settings = conn.get("settings", {})
    if before is not None:
        settings = {k: v for k, v in settings.items() if before.get(k) != v}
    return settings_warnings(connector, settings, ws.created_at(conn) or dt.datetime.now(dt.timezone.utc))


def set_enabled(ws: Workspace, name: str, enabled: bool) -> None:
    """Turn a connection on or off: a sync of all connections (`ecluse sync` with no name)
    leaves a disabled one out; it can still be synced by name."""
    ws.set_connection_enabled(name, enabled)


def setting_default(connector: type[Connector], name: str, settings: dict[str, Any],
                    created_at: dt.datetime | None) -> Any:
    """What the connector's setting `name` stands for while empty (`Connector.setting_default`),
    for a connection created at `created_at` (None: one being created now); None when the
    connector cannot say (a plugin's failure included: this is only said, never used)."""
    now = dt.datetime.now(dt.timezone.utc)
    try:
        return connector.setting_default(name, settings, created_at or now, now)
    except Exception:  # noqa: BLE001
        return None


def start_date(ws: Workspace, plugins: Plugins, name: str) -> dt.date | None:
    """The first issue date a full read of the connection asks its source for, when its
    connector has a `start_date` setting: the date saved, or the one it stands for when empty
    (Harvest: 30 days before the connection was created). None for another connector."""
    try:
        conn = ws.connection(name)
    except WorkspaceError:  # removed meanwhile
        return None
    cls = plugins.connectors.get(conn.get("connector", ""))
    if cls is None or not any(s.name == "start_date" and s.type == "date" for s in cls.settings):
        return None
    settings = conn.get("settings", {})
    value = settings.get("start_date") or setting_default(cls, "start_date", settings, ws.created_at(conn))
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def cached_documents(ws: Workspace, name: str) -> int:
    """How many documents of the connection the cache holds."""
    with ws.db.read() as con:
        return int(con.execute("SELECT count(*) FROM documents WHERE connection = ?", [name]).fetchone()[0])


def check_connection(ws: Workspace, plugins: Plugins, name: str) -> CheckResult:
    """Run the connector's credential check on the saved settings; never raises for a
    source-side failure."""
    return _check(ws, plugins, name, None)


def check_settings(ws: Workspace, plugins: Plugins, name: str, values: Mapping[str, Any]) -> CheckResult:
    """Run the connector's check on the settings a form holds, not saved: `values` over the
    saved ones as a save would merge them (a secret left empty keeps the saved one). Nothing
    is stored, a rotated credential neither when a secret was typed in."""
    return _check(ws, plugins, name, values)


def _check(ws: Workspace, plugins: Plugins, name: str, values: Mapping[str, Any] | None) -> CheckResult:
    """The saved settings (`values` None: named by connection in a refusal, as a sync says it)
    or a form's over them, checked by the connector. A rotated credential is saved back unless
    the form typed a secret of its own."""
    conn = ws.connection(name)
    try:
        cls = plugins.connector(conn["connector"])
    except KeyError as exc:
        return CheckResult(False, str(exc).strip('"'))
    try:
        settings = ws.resolve_settings(name, cls) if values is None else ws.settings_to_use(name, cls, values)
    except (SettingsError, WorkspaceError) as exc:  # English for the CLI; its Said for the console's language
        said = getattr(exc, "said", None)
        return CheckResult(False, str(exc), says=[said] if said else [])
    typed = values is not None and any(s.secret and values.get(s.name) not in (None, "") for s in cls.settings)
    saver = None if typed else (lambda key, value: ws.save_connection_secret(name, key, value))
    return _checked(ws, cls, name, settings, saver)


def _checked(ws: Workspace, cls: type[Connector], name: str, settings: dict[str, Any],
             secret_saver: Callable[[str, str], None] | None) -> CheckResult:
    """The connector's check of `settings` (resolved) for the connection `name`, redacted; the
    warnings its saved settings already say (a standing caption of the console) left out."""
    conn = ws.connection(name)
    ctx = FetchContext(connection=name, settings=settings, created_at=ws.created_at(conn), secret_saver=secret_saver)
    try:
        result = cls().check(ctx)
    except ConnectorError as exc:  # with its Said, redacted as a sync's: said in the console's language
        said = _said(exc)
        return CheckResult(False, redact(str(exc)), says=[Said(**said)] if said else [])
    except HttpError as exc:  # the shared HTTP layer's, let through: said as a sync says it
        said = http_failure_said(exc, name)
        return CheckResult(False, redact(f"{i18n.said_text(Said(**said), 'en')} ({exc})"), says=[Said(**said)])
    except Exception as exc:  # noqa: BLE001 - a plugin bug is reported, not raised
        return CheckResult(False, redact(f"the {cls.id} connector failed: {type(exc).__name__}: {exc}"))
    if not isinstance(result, CheckResult):  # a stub `def check(self, ctx): ...` returns None
        said = Said("core.bad_check_result", {"connector": cls.id, "type": type(result).__name__})
        return CheckResult(False, i18n.said_text(said, "en"), says=[said])
    result = _redacted_result(result)
    if result.ok and len(result.says) > 1:
        standing = _redacted_result(CheckResult(True, "", {}, saved_warnings(ws, cls, name))).says  # alike
        result.says = result.says[:1] + [s for s in result.says[1:] if s not in standing]
    return result


def _redacted_result(result: CheckResult) -> CheckResult:
    """A connector's check result with the connection's secrets masked in its text, details and
    Saids (a connector echoing the key it was refused is common): `redact`, with which the
    settings checked were registered (`Workspace.settings_to_use`)."""

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return redact(value)
        if isinstance(value, dict):
            return {clean(k): clean(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v) for v in value]
        # a date or an amount stays one: the console writes it in the reader's format
        return value if value is None or isinstance(value, (bool, int, float, dt.date, Decimal)) else clean(str(value))
    says = [Said(str(s.code), clean(s.params) if isinstance(s.params, dict) else {}) if isinstance(s, Said) else s
            for s in (result.says or [])]
    return CheckResult(bool(result.ok), clean("" if result.message is None else str(result.message)),
                       clean(result.details) if isinstance(result.details, dict) else {}, says)
