"""What every page needs: the workspace, the plugins, the language, the actor, sync jobs.

The workspace comes from ECLUSE_WORKSPACE (set by `ecluse run`) or the per-user default,
and is created with a demo connection when missing, as `ecluse run` does. Syncs run in a
background thread per connection so that a click elsewhere in the page never interrupts
them; their progress is kept here, process-wide, and read by the pages.
"""
from __future__ import annotations

import contextvars
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import streamlit as st

from .. import i18n
from ..connectors import Said
from ..plugin_loader import Plugins, get_plugins
from ..redact import redact
from ..services import setup
from ..services import sync as sync_service
from ..services.jobs import JobRegistry
from ..storage.db import WorkspaceBusy
from ..workspace import Workspace, WorkspaceError, default_path


# -- workspace and plugins -----------------------------------------------------------------
def plugins() -> Plugins:
    return get_plugins()


@st.cache_resource(show_spinner=False)
def _workspace(path: str) -> Workspace:
    ws = Workspace(path)
    setup.ensure_workspace(ws, plugins(), with_demo=True)
    return ws


def workspace() -> Workspace:
    """The console's workspace (one object per path and process)."""
    return _workspace(str(default_path().resolve()))


# -- language and actor --------------------------------------------------------------------
def _lang_code(value: Any) -> str | None:
    """The console's language a tag names ("en", "en-GB", "FR"), or None."""
    code = str(value or "").lower()[:2]
    return code if code in i18n.LANGS else None


def default_lang() -> str:
    """The language when the browser says nothing: ECLUSE_LANG, or French."""
    return _lang_code(os.environ.get("ECLUSE_LANG")) or i18n.DEFAULT_LANG


def natural_lang() -> str:
    """The language a new session takes when its URL names none: ECLUSE_LANG when the server
    sets it, else the browser's (`st.context.locale`) when the console speaks it, else French."""
    return (_lang_code(os.environ.get("ECLUSE_LANG")) or _lang_code(getattr(st.context, "locale", None))
            or i18n.DEFAULT_LANG)


# The session's language is the sidebar widget's value (`st.session_state["lang"]`), kept also
# under _LANG_KEPT and in the URL (?lang=): st.switch_page drops every widget's value, and a page
# load (F5, a link, a new tab) starts a new session, which reads the URL.
LANG_PARAM = "lang"
_LANG_KEPT = "_lang"


def note_page(path: str) -> None:
    """Called by app.py before each run of a page: `entered()` says whether this run starts a
    visit of the page (coming from another page), not a rerun within it."""
    st.session_state["_entered"] = st.session_state.get("_page") != path
    st.session_state["_page"] = path


def entered() -> bool:
    """This run starts a visit of the page: what its last visit said is no longer news."""
    return bool(st.session_state.get("_entered", True))


def settle_lang() -> str:
    """The session's language, set before anything is said (every run, before the sidebar)."""
    chosen = (_lang_code(st.session_state.get("lang")) or _lang_code(st.session_state.get(_LANG_KEPT))
              or _lang_code(st.query_params.get(LANG_PARAM)) or natural_lang())
    st.session_state["lang"] = st.session_state[_LANG_KEPT] = chosen
    show_lang_in_url(chosen)
    return chosen


def show_lang_in_url(chosen: str) -> None:
    """?lang= names the language when it is not the one a new session would take anyway."""
    if chosen == natural_lang():
        if LANG_PARAM in st.query_params:
            del st.query_params[LANG_PARAM]
    elif st.query_params.get(LANG_PARAM) != chosen:
        st.query_params[LANG_PARAM] = chosen


_FROZEN_LANG: contextvars.ContextVar[str | None] = contextvars.ContextVar("ecluse_ui_lang", default=None)


def lang() -> str:
    frozen_ = _FROZEN_LANG.get()
    if frozen_:
        return frozen_
    value = st.session_state.get("lang")
    return value if value in i18n.LANGS else default_lang()


def frozen(fn: Callable[[Any], str]) -> Callable[[Any], str]:
    """`fn` bound to this run's language: for a widget's format_func, which Streamlit may call
    again outside the script run (where the session's language cannot be read)."""
    bound = lang()

    def call(value: Any) -> str:
        token = _FROZEN_LANG.set(bound)
        try:
            return fn(value)
        finally:
            _FROZEN_LANG.reset(token)

    return call


def t(key: str, **fmt: Any) -> str:
    """The message `key` in the session's language."""
    return i18n.t(key, lang(), **fmt)


def default_actor() -> str:
    return os.environ.get("ECLUSE_ACTOR") or os.environ.get("USER") or "console"


# What the actor falls back to when nobody gave a name (no ECLUSE_ACTOR, no USER, or root).
ANONYMOUS_ACTORS = ("console", "root")


def actor() -> str:
    """The name in the sidebar as it stands: emptied by the user, it is empty (a decision is then
    refused), not the ECLUSE_ACTOR it was filled in with, which the field no longer shows."""
    value = st.session_state.get("actor")
    return default_actor() if value is None else str(value).strip()


def unsigned(name: str) -> bool:
    """Whether a name signs nobody: empty, or a fallback such as "console"."""
    return not name or name in ANONYMOUS_ACTORS


class NoName(WorkspaceError):
    """A decision asked for while the console knows no name to sign it with."""


def signer() -> str:
    """The name that signs a decision (approve, reject, fix, send…). A fallback such as
    "console" would sign it for nobody: refused (NoName, shown as a message) until a name
    is given in the sidebar."""
    name = actor()
    if unsigned(name):
        raise NoName("give your name in the sidebar first: it signs every decision in the history",
                      Said("actor.missing", {}))
    return name


# -- widgets whose options are translated -------------------------------------------------
def lkey(key: str) -> str:
    """The widget key for this language. A selectbox or multiselect keeps showing the option
    texts it was first drawn with, so a widget with translated options gets one key per
    language; `keep` carries its value over from one language to the other."""
    return f"{key}.{lang()}"


def keep(key: str, default: Any = None) -> str:
    """The widget key for this language, holding the value last chosen in either language.
    Pass `on_change=state.remember, args=(key,)` to the widget."""
    widget_key = lkey(key)
    store = st.session_state.setdefault("_kept", {})
    if widget_key not in st.session_state:
        st.session_state[widget_key] = store.get(key, default)
    return widget_key


def drop_if_not_in(key: str, options: list[Any], default: Any = None) -> None:
    """Reset a kept value that is no longer one of the widget's options (a removed connection)."""
    store = st.session_state.setdefault("_kept", {})
    if key in store and store[key] not in options:
        store[key] = default
    if lkey(key) in st.session_state and st.session_state[lkey(key)] not in options:
        st.session_state[lkey(key)] = default


def remember(key: str) -> None:
    st.session_state.setdefault("_kept", {})[key] = st.session_state.get(lkey(key))


# -- messages kept across a rerun ----------------------------------------------------------
def flash(level: str, message: str) -> None:
    """Show `message` (success, info, warning, error) at the top of the next run of the page."""
    st.session_state.setdefault("_flash", []).append((level, message))


def pop_flashes() -> list[tuple[str, str]]:
    return st.session_state.pop("_flash", [])


# -- background syncs ----------------------------------------------------------------------
@dataclass
class SyncJob:
    workspace: str
    connection: str
    actor: str
    started: float = field(default_factory=time.time)
    finished: float | None = None
    report: sync_service.SyncReport | None = None
    error: str | None = None  # the run could not start or crashed (not a connector failure)
    already_running: bool = False  # another process holds the connection's sync lock
    thread: threading.Thread | None = None
    seq: int = 0

    @property
    def running(self) -> bool:
        return self.finished is None

    @property
    def ok(self) -> bool:
        return not self.running and self.error is None and self.report is not None and self.report.status == "ok"


class SyncJobs(JobRegistry[SyncJob]):
    """Process-wide registry: one sync at a time per (workspace, connection)."""

    def get(self, ws: Workspace, name: str) -> SyncJob | None:
        return self._find((str(ws.path), name))

    def jobs(self, ws: Workspace) -> list[SyncJob]:
        """The last job of each connection of the workspace, running or finished."""
        return [j for (w, _n), j in self._items() if w == str(ws.path)]

    def start(self, ws: Workspace, plugins_: Plugins, name: str, actor_: str,
              runner: Callable[..., sync_service.SyncReport] = sync_service.sync_connection) -> SyncJob:
        """Start a sync in a background thread; returns the running job if there is one already."""
        job, new = self._claim((str(ws.path), name),
                               lambda seq: SyncJob(workspace=str(ws.path), connection=name, actor=actor_, seq=seq))
        if not new:
            return job

        def progress(report: sync_service.SyncReport) -> None:
            job.report = sync_service.SyncReport(**report.as_dict())  # a snapshot for readers

        def work() -> None:
            try:
                job.report = runner(ws, plugins_, name, actor=actor_, progress=progress)
            except sync_service.AlreadyRunning as exc:
                job.already_running, job.error = True, str(exc)
            except (WorkspaceError, WorkspaceBusy) as exc:
                job.error = str(exc)
            except Exception as exc:  # noqa: BLE001 - shown to the user, never a traceback
                job.error = redact(f"{type(exc).__name__}: {exc}")
            finally:
                job.finished = time.time()

        return self._launch(job, work, f"ecluse-sync-{name}")


JOBS = SyncJobs()
