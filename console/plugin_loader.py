"""Plugin discovery: entry points of group ``ecluse``, isolated failures, a report of what loaded.

pluggy's own ``load_setuptools_entrypoints`` stops at the first plugin that fails to import;
a broken third-party package must never take the console down, so entry points are loaded
one by one here and failures are kept for ``ecluse plugins`` and the Plugins page.
"""
from __future__ import annotations

import datetime as dt
import difflib
import importlib.metadata as md
import os
import re
import threading
import traceback
from dataclasses import dataclass, field
from collections.abc import Mapping
from typing import Any

import pluggy

from . import hookspecs, i18n
from .connectors import SETTING_TYPES, Connector, Setting
from .domain import KINDS

GROUP = "ecluse"
_HOOKS = tuple(name for name in dir(hookspecs) if name.startswith("register_"))
# A connector's id names connections (`ecluse init` names the demo's after it), widget keys,
# tables of ecluse.toml, template keys (`said.<id>.…`) and `connection:source_id` ids: the
# connection names' rule (workspace.py), starting with a letter.
CONNECTOR_ID = re.compile(r"[a-z][a-z0-9_-]{0,62}")
# A setting's name is a key of ecluse.toml and of the form, and `--set NAME=VALUE` names it.
SETTING_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


@dataclass
class PluginInfo:
    name: str
    module: str
    distribution: str | None = None
    version: str | None = None
    hooks: list[str] = field(default_factory=list)
    connectors: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # keys of the templates it added (register_texts)
    error: str | None = None
    builtin: bool = False
    # It has a register_commands hook that has not failed: its commands serve the CLI (`ecluse`)
    # only; the console never calls that hook.
    commands: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> str:
        """ok; partial: something went wrong, yet some of what it registered is in use (say a
        misspelled hook beside a working connector: its connections keep working while
        `error` says what to fix); failed: nothing of it is in use."""
        if self.ok:
            return "ok"
        return "partial" if (self.in_console or self.commands) else "failed"

    @property
    def in_console(self) -> bool:
        """Whether the console uses any of what it registered (its connectors, its texts): a
        plugin partial by its CLI commands alone does nothing in the console."""
        return bool(self.connectors or self.texts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "module": self.module,
            "distribution": self.distribution,
            "version": self.version,
            "hooks": self.hooks,
            "connectors": self.connectors,
            "texts": self.texts,
            "status": self.status,
            "error": self.error,
        }


class Plugins:
    """The loaded plugins and the connectors they registered."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(GROUP)
        self.pm.add_hookspecs(hookspecs)
        self.infos: list[PluginInfo] = []
        self.connectors: dict[str, type[Connector]] = {}
        self.connector_owner: dict[str, str] = {}
        # A template key → the plugin of this set that added it. Per set: the same plugin loaded
        # again by another set (tests, a reload) is not refused against itself.
        self.text_owner: dict[str, str] = {}
        # The built-in plugins' names, which are their connectors' ids: reserved even when the
        # built-in is not loaded (ECLUSE_LOAD_PLUGINS, an import error), so a third party
        # never takes over the connections made for a built-in connector.
        self.reserved: set[str] = set()
        # A CLI command's path ("connections add") → the plugin that added it (register_commands);
        # a command in the CLI and not here is Écluse's own.
        self.command_owner: dict[str, str] = {}

    def load_entrypoints(self, only: list[str] | None = None) -> None:
        # The built-ins first: a third-party package cannot take over a built-in connector's
        # id (or entry-point name) by sorting before it; the others in name order.
        loaded: dict[str, str] = {}  # entry-point name → its module
        eps = sorted(md.entry_points(group=GROUP), key=lambda e: (not _is_builtin(e), e.name))
        self.reserved |= {ep.name for ep in eps if _is_builtin(ep)}
        for ep in eps:
            if only is not None and ep.name not in only:
                continue
            dist = getattr(ep, "dist", None)
            info = PluginInfo(
                name=ep.name,
                module=ep.value,
                distribution=dist.metadata["Name"] if dist else None,
                version=dist.version if dist else None,
                builtin=_is_builtin(ep),
            )
            if self.pm.has_plugin(ep.name):
                if loaded.get(ep.name) != ep.value:  # the same entry point seen twice on the path is no news
                    info.error = (f"another plugin is already loaded under the name {ep.name!r} "
                                  f"({loaded.get(ep.name)}); this one was ignored: give its entry point another name")
                    self.infos.append(info)
                continue
            self.infos.append(info)
            try:
                module = ep.load()
                self.pm.register(module, name=ep.name)
            except Exception as exc:  # noqa: BLE001 - isolation is the point
                info.error = _describe(exc)
                continue
            loaded[ep.name] = ep.value
            self._registered(module, info)

    def register_object(self, plugin: Any, name: str) -> PluginInfo:
        """Register an in-process plugin (tests, embedding). Same isolation as entry points."""
        info = PluginInfo(name=name, module=getattr(plugin, "__name__", repr(plugin)))
        self.infos.append(info)
        try:
            self.pm.register(plugin, name=name)
        except Exception as exc:  # noqa: BLE001
            info.error = _describe(exc)
            return info
        self._registered(plugin, info)
        return info

    def _registered(self, plugin: Any, info: PluginInfo) -> None:
        callers = self.pm.get_hookcallers(plugin) or []
        info.hooks = sorted(h.name for h in callers)
        info.commands = "register_commands" in info.hooks
        # pluggy accepts an implementation of a hook it does not know (a misspelled name, or
        # `specname=` naming one) and never calls it: the plugin would load "ok" and do nothing.
        unknown = sorted(h.name for h in callers if h.spec is None
                         and not all(impl.optionalhook for impl in _impls(h, plugin)))
        # A function named after a hook but not decorated with @hookimpl: pluggy never sees it.
        undecorated = sorted(name for name in _HOOKS if name not in info.hooks
                             and callable(getattr(plugin, name, None)))
        self._collect_connectors(plugin, info)
        self._collect_texts(plugin, info)
        if undecorated:
            _add_error(info, f"{', '.join(f'{n}()' for n in undecorated)} not decorated with @hookimpl "
                             "(from ecluse import hookimpl): Écluse never calls it")
        if unknown:
            known = list(_HOOKS)
            said = []
            for name in unknown:
                close = difflib.get_close_matches(name, known, n=1)
                said.append(f"{name}()" + (f" (did you mean {close[0]}?)" if close else ""))
            _add_error(info, f"unknown hook {', '.join(said)}: Écluse never calls it; the hooks are "
                             f"{', '.join(known)} (see ecluse.hookspecs)")

    def _call_register(self, plugin: Any, info: PluginInfo, hook: str, register: Any) -> bool:
        """Call the plugin's implementations of `hook(register)` (by name or `specname=`); False
        when it has none or one raised (said on `info`: what it registered is then not kept)."""
        impls = _impls(getattr(self.pm.hook, hook), plugin)
        try:
            for impl in impls:
                impl.function(register=register)
        except Exception as exc:  # noqa: BLE001 - isolation is the point
            _add_error(info, f"{hook} failed: " + _describe(exc))
            return False
        return bool(impls)

    def _collect_connectors(self, plugin: Any, info: PluginInfo) -> None:
        found: list[type] = []
        if not self._call_register(plugin, info, "register_connectors", found.append):
            return
        problems = []
        for cls in found:
            problem = _connector_problem(cls)
            if problem is None and cls.id in self.connectors:
                problem = (
                    f"connector id {cls.id!r} is already registered by plugin "
                    f"{self.connector_owner[cls.id]!r}; this one was ignored"
                )
            elif problem is None and cls.id in self.reserved and not info.builtin:
                problem = (f"connector id {cls.id!r} is reserved for Écluse's built-in connector (not loaded "
                           "here); this one was ignored: give your connector an id of its own")
            if problem:
                problems.append(problem)
                continue
            self.connectors[cls.id] = cls
            self.connector_owner[cls.id] = info.name
            info.connectors.append(cls.id)
        if problems:
            _add_error(info, "; ".join(problems))

    def _collect_texts(self, plugin: Any, info: PluginInfo) -> None:
        found: list[tuple[Any, Any]] = []

        def register(key: str, template: dict[str, str]) -> None:
            found.append((key, template))

        if not self._call_register(plugin, info, "register_texts", register):
            return
        problems = []
        for key, template in found:
            problem = i18n.plugin_text_problem(key, template)
            if problem is None and key in self.text_owner:
                problem = f"text {key!r} is already registered by plugin {self.text_owner[key]!r}; this one was ignored"
            if problem:
                problems.append(problem)
                continue
            i18n.add_plugin_text(key, template)
            self.text_owner[key] = info.name
            info.texts.append(key)
        if problems:
            _add_error(info, "; ".join(problems))

    def register_commands(self, cli: Any) -> None:
        """Let plugins add CLI commands (in loading order); one failing plugin is reported, the
        others still run. A command name already taken (Écluse's own, or one a plugin added
        before) is kept as it was: the plugin's is refused and said, never silently replacing it.
        What a plugin whose hook raised had added is taken back."""
        for impl in self.pm.hook.register_commands.get_hookimpls():
            # What it may not touch: all but its own commands (this called again on one CLI).
            before = {path: command for path, command in _commands(cli).items()
                      if not any(self.command_owner.get(" ".join(path[:n])) == impl.plugin_name
                                 for n in range(1, len(path) + 1))}
            try:
                impl.function(cli=cli)
            except Exception as exc:  # noqa: BLE001
                _put_back(cli, before, drop_new=True)
                for info in self._infos(impl.plugin_name):
                    info.commands = False
                    _add_error(info, "register_commands failed: " + _describe(exc))
                continue
            taken = _put_back(cli, before, drop_new=False)
            added = [path for path in _commands(cli) if path not in before]
            for path in added:
                self.command_owner[" ".join(path)] = impl.plugin_name
            if not taken:
                continue
            said = []
            for path in taken:
                name = " ".join(path)
                owner = self.command_owner.get(name)
                whose = f"already added by plugin {owner!r}" if owner else "Écluse's own"
                said.append(f"command {name!r} is {whose}; not replaced: give yours another name")
            for info in self._infos(impl.plugin_name):
                info.commands = info.commands and bool(added)
                _add_error(info, "; ".join(said))

    def _infos(self, name: str) -> list[PluginInfo]:
        return [info for info in self.infos if info.name == name]

    def describe(self) -> list[dict[str, Any]]:
        """Each plugin as `ecluse plugins --json` gives it: `PluginInfo.as_dict()` and the
        connectors it registered with their settings (`connector_details`)."""
        return [{**info.as_dict(), "connector_details": [describe_connector(self.connectors[c]) for c in info.connectors]}
                for info in self.infos]

    def connector(self, connector_id: str) -> type[Connector]:
        try:
            return self.connectors[connector_id]
        except KeyError:
            loaded = ", ".join(sorted(self.connectors)) or "none"
            raise KeyError(
                f"no connector {connector_id!r} is loaded (loaded: {loaded}); "
                "see `ecluse plugins`"
            ) from None


def describe_connector(cls: type[Connector]) -> dict[str, Any]:
    """A connector's id, title, kinds and settings schema as plain values (in English: the CLI's
    words; the console shows the translations), for `ecluse plugins --json`."""
    return {
        "id": cls.id, "title": cls.title, "description": cls.description, "kinds": list(cls.kinds),
        "settings": [{"name": s.name, "label": s.label, "type": s.type, "required": s.required, "secret": s.secret,
                      "default": s.default, "advanced": s.advanced, "choices": list(s.choices), "help": s.help}
                     for s in cls.settings],
    }



def _add_error(info: PluginInfo, text: str) -> None:
    info.error = f"{info.error}; {text}" if info.error else text


def _is_builtin(ep: Any) -> bool:
    dist = getattr(ep, "dist", None)
    return bool(dist and dist.metadata["Name"] == "ecluse" and ep.value.startswith("ecluse."))



def _impls(caller: Any, plugin: Any) -> list[Any]:
    """The plugin's implementations of a hook (`caller`: pluggy's HookCaller, or None)."""
    return [impl for impl in (caller.get_hookimpls() if caller is not None else []) if impl.plugin is plugin]


def _commands(group: Any, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Every command of a click group, at any depth: its path ("connections", "add") → it."""
    out: dict[tuple[str, ...], Any] = {}
    for name, command in list(getattr(group, "commands", {}).items()):
        out[path + (name,)] = command
        out.update(_commands(command, path + (name,)))
    return out


def _put_back(cli: Any, before: dict[tuple[str, ...], Any], drop_new: bool) -> list[tuple[str, ...]]:
    """Put the commands of `before` back where a plugin replaced (or removed) them; the paths
    put back. `drop_new`: also take out the commands it added."""
    def parent(path: tuple[str, ...]) -> Any:
        return before[path[:-1]] if len(path) > 1 else cli

    taken = []
    for path, command in sorted(before.items(), key=lambda item: len(item[0])):
        if parent(path).commands.get(path[-1]) is not command:
            parent(path).commands[path[-1]] = command
            taken.append(path)
    if drop_new:
        for path in _commands(cli):
            if path not in before and (len(path) == 1 or path[:-1] in before):
                parent(path).commands.pop(path[-1], None)
    return taken


def _connector_problem(cls: Any) -> str | None:
    """What makes `cls` unfit to be registered as a connector, all of it in one sentence (None:
    it is fit). Caught here, nothing downstream (the Connexions page, ecluse.toml, the CLI, a
    sync) meets a malformed connector."""
    if not isinstance(cls, type) or not issubclass(cls, Connector):
        return f"{cls!r} is not a subclass of ecluse.connectors.Connector"
    for attr in ("id", "title"):
        if not getattr(cls, attr, None):
            return f"connector {cls.__name__} has no {attr!r}"
    problems = []
    if not isinstance(cls.id, str) or not CONNECTOR_ID.fullmatch(cls.id):
        problems.append(f"id {cls.id!r} is not a simple identifier (lower-case letters, digits, _ and -, starting "
                        "with a letter, at most 63 characters): it names connections, keys and ids")
    if not isinstance(cls.title, str):
        problems.append(f"title must be a str, got {cls.title!r}")
    if (problem := _translations_problem("", getattr(cls, "translations", {}))) is not None:
        problems.append(problem)
    kinds = getattr(cls, "kinds", ())
    if isinstance(kinds, (str, bytes)) or not isinstance(kinds, (tuple, list)):
        problems.append(f"kinds must be a tuple of document kinds ({', '.join(KINDS)}), got {kinds!r}")
    else:
        problems += [f"kinds names {kind!r}, not a document kind of ecluse.domain ({', '.join(KINDS)})"
                     for kind in kinds if kind not in KINDS]
    settings = getattr(cls, "settings", ())
    if isinstance(settings, (str, bytes)) or not isinstance(settings, (tuple, list)):
        problems.append(f"settings must be a tuple of ecluse.connectors.Setting, got {settings!r}")
        settings = ()
    seen: set[str] = set()
    for i, setting in enumerate(settings):
        problem = _setting_problem(i, setting)
        if problem is None and setting.name in seen:
            problem = (f"two settings are named {setting.name!r}: a name is the setting's key in the form and in "
                       "ecluse.toml")
        if problem:
            problems.append(problem)
        if isinstance(setting, Setting):
            seen.add(setting.name)
    if getattr(cls, "fetch", None) is Connector.fetch:
        problems.append("it does not implement fetch(): every sync would fail (NotImplementedError)")
    if problems:
        return f"connector {cls.__name__} ({cls.id!r}): " + "; ".join(problems)
    return None


def _setting_problem(i: int, s: Any) -> str | None:
    """What is wrong with the `i`-th setting of a connector's schema (None: nothing)."""
    if not isinstance(s, Setting):
        return f"settings[{i}] is not an ecluse.connectors.Setting, got {s!r}"
    if not isinstance(s.name, str) or not SETTING_NAME.fullmatch(s.name):
        return (f"settings[{i}] has the name {s.name!r}: a name is letters, digits, _ and -, starting with a "
                "letter or _")
    if s.type not in SETTING_TYPES:
        return f"setting {s.name!r} has the type {s.type!r}, not one of {', '.join(SETTING_TYPES)}"
    if s.type == "choice":
        if isinstance(s.choices, (str, bytes)) or not s.choices:
            return f"setting {s.name!r} is a choice without choices: give choices=(\"a\", \"b\")"
        odd = [c for c in s.choices if not isinstance(c, str)]
        if odd:
            return f"setting {s.name!r}: its choices must be str, got {odd[0]!r}"
    if (problem := _translations_problem(f"setting {s.name!r}: ", s.translations)) is not None:
        return problem
    if s.default is not None:
        if not isinstance(s.default, (str, int, float, dt.date)):  # bool is an int
            return (f"setting {s.name!r}: its default {s.default!r} cannot be written to ecluse.toml (a str, "
                    "number, boolean or date)")
        try:
            s.parse(s.default)
        except Exception as exc:  # noqa: BLE001 - what it says is the reason
            text = str(exc)
            text = text[len(s.name) + 2:] if text.startswith(f"{s.name}: ") else text
            return f"setting {s.name!r}: its default {text}"
    return None


def _translations_problem(where: str, translations: Any) -> str | None:
    """`translations` must be {language: {field: text}} (`{"fr": {"label": "Jeton"}}`): the
    console reads them on every page that names the connector. `where` starts the reason."""
    if not isinstance(translations, Mapping):
        return f"{where}translations must be a dict such as {{\"fr\": {{\"label\": \"...\"}}}}, got {translations!r}"
    for lang, fields in translations.items():
        if not isinstance(lang, str) or not isinstance(fields, Mapping) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in fields.items()):
            return (f"{where}translations[{lang!r}] must be a dict of texts such as {{\"label\": \"...\"}}, "
                    f"got {fields!r}")
    return None


def _describe(exc: BaseException) -> str:
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" ({last[0].filename}:{last[0].lineno})" if last else ""
    return f"{type(exc).__name__}: {exc}{where}"


def wanted_from_env() -> list[str] | None:
    raw = os.environ.get("ECLUSE_LOAD_PLUGINS")
    if raw is None:
        return None
    return [name.strip() for name in raw.split(",") if name.strip()]


_lock = threading.Lock()
_cached: Plugins | None = None
_cached_key: Any = None


def get_plugins(refresh: bool = False) -> Plugins:
    """The process-wide plugin set, loaded once (per ECLUSE_LOAD_PLUGINS value)."""
    global _cached, _cached_key
    key = os.environ.get("ECLUSE_LOAD_PLUGINS")
    with _lock:
        if refresh or _cached is None or _cached_key != key:
            plugins = Plugins()
            plugins.load_entrypoints(wanted_from_env())
            _cached, _cached_key = plugins, key
        return _cached
