"""A workspace is a directory: settings, secrets, the DuckDB cache and the attachment store.

    ecluse.toml           connections, Pennylane settings, mappings (readable, reviewable text)
    secrets.toml          mode 0600: secret settings (any value may be `env:VAR`) and `[keys]`,
                          the workspace's random keys (`local_key`)
    ecluse.duckdb         the cache (see storage/)
    attachments/          content-addressed files, no extension: attachments/ab/abcdef… (sha256)
    pennylane_lists.json  the Pennylane company's categories and ledger accounts as last read,
                          tagged with an HMAC of their destination (services/pennylane_lists.py)
    locks/                `flock` files (`exclusive`): one sync per connection (sync-<name>.lock),
                          one send per workspace (send.lock)

Secrets never go to ecluse.toml or DuckDB: `set_connection` splits them out by the connector's
schema, and `settings_to_use` only resolves them in memory at use time.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import re
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any, Iterator, Mapping

import platformdirs
import tomlkit

from .connectors import Connector, Said, SettingsError, validate_settings
from .redact import register_secret
from .storage.db import Database

CONFIG = "ecluse.toml"
SECRETS = "secrets.toml"
DATABASE = "ecluse.duckdb"
ATTACHMENTS = "attachments"

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_CONFIG_HEADER = """\
# Écluse workspace settings. Safe to read, review and keep under version control:
# secrets live in secrets.toml beside this file (mode 0600), never here.
"""
_SECRETS_HEADER = """\
# Écluse secrets (mode 0600). A value may be "env:VAR" to read the environment at use time.
"""


class WorkspaceError(Exception):
    """A workspace problem the user can fix; the message says how (in English, the CLI's),
    and `said`, when given, says it in the console's language."""

    def __init__(self, message: str = "", said: Said | None = None) -> None:
        super().__init__(message)
        self.said = said


def default_path() -> Path:
    env = os.environ.get("ECLUSE_WORKSPACE")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("ecluse", appauthor=False)) / "default"


def _atomic_write(path: Path, text: str, mode: int | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class Workspace:
    # One lock per process for read-modify-write of the TOML files; writes are atomic renames,
    # so a concurrent reader in another process sees either the old or the new file.
    _file_lock = threading.RLock()

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path).expanduser().resolve() if path else default_path().resolve()
        self.db = Database(self.path / DATABASE)

    # -- files ---------------------------------------------------------------------------
    @property
    def config_path(self) -> Path:
        return self.path / CONFIG

    @property
    def secrets_path(self) -> Path:
        return self.path / SECRETS

    @property
    def attachments_dir(self) -> Path:
        return self.path / ATTACHMENTS

    def exists(self) -> bool:
        return self.config_path.exists()

    def init(self) -> bool:
        """Create the workspace if needed. Returns True when it was created."""
        with self._file_lock:
            created = not self.exists()
            self.path.mkdir(parents=True, exist_ok=True)
            self.attachments_dir.mkdir(exist_ok=True)
            if created:
                doc = tomlkit.document()
                doc.add(tomlkit.comment(_CONFIG_HEADER.strip().splitlines()[0][2:]))
                doc.add(tomlkit.comment(_CONFIG_HEADER.strip().splitlines()[1][2:]))
                ws = tomlkit.table()
                ws["id"] = uuid.uuid4().hex[:12]
                ws["created_at"] = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
                doc["workspace"] = ws
                pl = tomlkit.table()
                pl["api_url"] = "https://app.pennylane.com/api/external/v2"
                pl["dry_run"] = True
                pl["import_as_incomplete"] = False
                doc["pennylane"] = pl
                doc["connections"] = tomlkit.table(is_super_table=True)
                mappings = tomlkit.table(is_super_table=True)
                mappings["ledger_accounts"] = tomlkit.table()
                mappings["vat"] = tomlkit.table()
                mappings["categories"] = tomlkit.table()
                doc["mappings"] = mappings
                _atomic_write(self.config_path, tomlkit.dumps(doc))
            if not self.secrets_path.exists():
                _atomic_write(self.secrets_path, _SECRETS_HEADER, mode=0o600)
        self.db.ensure_schema()
        return created

    def require(self) -> None:
        if not self.exists():
            raise WorkspaceError(
                f"no workspace at {self.path}; create it with `ecluse --workspace {self.path} init`"
            )

    def load_config(self) -> tomlkit.TOMLDocument:
        self.require()
        try:
            return tomlkit.parse(self.config_path.read_text(encoding="utf-8"))
        except tomlkit.exceptions.TOMLKitError as exc:
            raise WorkspaceError(f"{self.config_path} is not valid TOML: {exc}") from None

    def save_config(self, doc: tomlkit.TOMLDocument) -> None:
        _atomic_write(self.config_path, tomlkit.dumps(doc))

    def load_secrets(self) -> tomlkit.TOMLDocument:
        if not self.secrets_path.exists():
            return tomlkit.document()
        mode = self.secrets_path.stat().st_mode & 0o777
        if mode & 0o077:
            # Tighten rather than refuse: the file is ours and the fix is obvious.
            os.chmod(self.secrets_path, 0o600)
        try:
            return tomlkit.parse(self.secrets_path.read_text(encoding="utf-8"))
        except tomlkit.exceptions.TOMLKitError:
            # Never echo the parser's message: it quotes the offending line, a secret maybe.
            raise WorkspaceError(f"{self.secrets_path} is not valid TOML; fix or recreate it") from None

    def save_secrets(self, doc: tomlkit.TOMLDocument) -> None:
        _atomic_write(self.secrets_path, tomlkit.dumps(doc), mode=0o600)

    @property
    def workspace_id(self) -> str:
        return str(self.load_config().get("workspace", {}).get("id", "default"))

    # -- connections ---------------------------------------------------------------------
    @staticmethod
    def created_at(conn: Mapping[str, Any]) -> dt.datetime | None:
        """When a connection (a value of `connections()`) was created: stored as ISO text."""
        value = conn.get("created_at")
        return dt.datetime.fromisoformat(value) if isinstance(value, str) else value

    def connections(self) -> dict[str, dict[str, Any]]:
        """name → {"connector", "created_at", "settings" (non-secret), "enabled"}."""
        conns = self.load_config().get("connections", {})
        return {name: _plain(value) for name, value in conns.items()}

    def connection(self, name: str) -> dict[str, Any]:
        conns = self.connections()
        if name not in conns:
            known = ", ".join(sorted(conns)) or "none"
            raise WorkspaceError(f"no connection named {name!r} (connections: {known})")
        return conns[name]

    def set_connection(
        self,
        name: str,
        connector: type[Connector],
        values: dict[str, Any],
        *,
        replace: bool = False,
    ) -> dict[str, Any]:
        """Create or update a connection. Secret values go to secrets.toml only."""
        if not _NAME_RE.match(name):
            raise WorkspaceError(f"invalid connection name {name!r}: use lower-case letters, digits, - and _",
                                 Said("workspace.bad_name", {"name": repr(name)}))
        with self._file_lock:
            config = self.load_config()
            conns = config.setdefault("connections", tomlkit.table(is_super_table=True))
            existing = _plain(conns.get(name, {}))
            if existing and not replace and existing.get("connector") != connector.id:
                raise WorkspaceError(f"connection {name!r} already exists with connector {existing.get('connector')!r}")
            secrets_doc = self.load_secrets()
            old_secrets = _plain(secrets_doc.get("connections", {}).get(name, {}))
            merged = {**existing.get("settings", {}), **old_secrets, **values}
            validated = validate_settings(connector, merged)
            public = {k: v for k, v in validated.items() if not connector.setting(k).secret}
            secret = {k: v for k, v in validated.items() if connector.setting(k).secret}
            table = tomlkit.table()
            table["connector"] = connector.id
            table["created_at"] = existing.get("created_at") or dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
            table["enabled"] = existing.get("enabled", True)
            settings_table = tomlkit.table()
            for k, v in public.items():
                settings_table[k] = v
            table["settings"] = settings_table
            conns[name] = table
            self.save_config(config)
            sconns = secrets_doc.setdefault("connections", tomlkit.table(is_super_table=True))
            if secret:
                stable = tomlkit.table()
                for k, v in secret.items():
                    stable[k] = v
                sconns[name] = stable
            elif name in sconns:
                del sconns[name]
            self.save_secrets(secrets_doc)
        return self.connection(name)

    def set_connection_enabled(self, name: str, enabled: bool) -> None:
        """Turn a connection on or off (a sync of all connections leaves a disabled one out)."""
        with self._file_lock:
            config = self.load_config()
            if name not in config.get("connections", {}):
                raise WorkspaceError(f"no connection named {name!r}")
            config["connections"][name]["enabled"] = bool(enabled)
            self.save_config(config)

    def remove_connection(self, name: str) -> None:
        with self._file_lock:
            config = self.load_config()
            if name not in config.get("connections", {}):
                raise WorkspaceError(f"no connection named {name!r}")
            del config["connections"][name]
            self.save_config(config)
            secrets_doc = self.load_secrets()
            if name in secrets_doc.get("connections", {}):
                del secrets_doc["connections"][name]
                self.save_secrets(secrets_doc)

    def save_connection_secret(self, name: str, key: str, value: str) -> None:
        """Store a rotated credential (OAuth refresh token) for a connection, right away."""
        with self._file_lock:
            doc = self.load_secrets()
            conns = doc.setdefault("connections", tomlkit.table(is_super_table=True))
            if name not in conns:
                conns[name] = tomlkit.table()
            conns[name][key] = value
            self.save_secrets(doc)

    def secret_keys(self, name: str) -> list[str]:
        """Names of the secret settings present for a connection (never the values)."""
        return sorted(_plain(self.load_secrets().get("connections", {}).get(name, {})))

    def resolve_settings(self, name: str, connector: type[Connector]) -> dict[str, Any]:
        """Settings with secrets merged and `env:VAR` resolved: in memory only, at use time.
        Raises WorkspaceError; one the schema refuses keeps its Said (the console's language)."""
        try:
            return self.settings_to_use(name, connector)
        except SettingsError as exc:
            raise WorkspaceError(f"connection {name!r}: {exc}", exc.said) from None

    def settings_to_use(self, name: str, connector: type[Connector],
                        values: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The connection's saved settings with its secrets merged and `values` (a form's, not
        saved) over them as `set_connection` merges them, validated and `env:VAR` resolved, in
        memory only; the secrets are redacted from every log and error text from then on.
        `resolve_settings` (a sync, a test of the saved settings) and `setup.check_settings`
        (a test of the form) both come here, so what they accept cannot drift apart. Raises
        SettingsError (with its Said) when the schema refuses them, WorkspaceError otherwise."""
        conn = self.connection(name)
        secret_values = _plain(self.load_secrets().get("connections", {}).get(name, {}))
        validated = validate_settings(connector, {**conn.get("settings", {}), **secret_values, **(values or {})})
        resolved = {}
        for key, value in validated.items():
            try:
                resolved[key] = resolve_env(value, f"connection {name!r} setting {key!r}")
            except WorkspaceError as exc:
                raise WorkspaceError(str(exc), Said("workspace.env_unset", {
                    "connection": name, "setting": connector.setting(key).said_name(), "var": env_var(value)})) from None
        for key, value in resolved.items():
            if connector.setting(key).secret:
                register_secret(value)
        return resolved

    # -- Pennylane and mappings ------------------------------------------------------------
    def pennylane(self) -> dict[str, Any]:
        return _plain(self.load_config().get("pennylane", {}))

    def set_pennylane(self, *, api_url: str | None = None, token: str | None = None, **flags: Any) -> None:
        with self._file_lock:
            config = self.load_config()
            pl = config.setdefault("pennylane", tomlkit.table())
            if api_url:
                if not api_url.startswith(("http://", "https://")):
                    raise WorkspaceError(f"the API URL {api_url!r} must start with http:// or https://",
                                         Said("workspace.api_url_scheme", {"url": api_url}))
                pl["api_url"] = api_url.rstrip("/")
            for key, value in flags.items():
                if value is not None:
                    pl[key] = value
            self.save_config(config)
            if token is not None:
                secrets_doc = self.load_secrets()
                spl = secrets_doc.setdefault("pennylane", tomlkit.table())
                spl["token"] = token
                self.save_secrets(secrets_doc)

    def pennylane_token(self) -> str | None:
        raw = _plain(self.load_secrets().get("pennylane", {})).get("token")
        if raw is None:
            return None
        token = resolve_env(raw, "Pennylane token")
        register_secret(token)
        return token

    def pennylane_token_source(self) -> str | None:
        """Where the token comes from, for display (`env:VAR` or 'secrets.toml'), never the value."""
        raw = _plain(self.load_secrets().get("pennylane", {})).get("token")
        if raw is None:
            return None
        return raw if str(raw).startswith("env:") else "secrets.toml"

    def local_key(self, name: str, *, create: bool = False) -> bytes | None:
        """A random key of this workspace (32 bytes), kept in secrets.toml (`[keys]`, mode 0600)
        and never elsewhere: what keys a digest that must not be computable from ecluse.toml or
        the files beside it (`services/pennylane_lists.py`). None when there is none yet and
        `create` is false; raises `WorkspaceError` when secrets.toml is not valid TOML."""
        with self._file_lock:
            doc = self.load_secrets()
            value = _plain(doc.get("keys", {})).get(name)
            if not value and create:
                value = os.urandom(32).hex()
                keys = doc.setdefault("keys", tomlkit.table())
                keys[name] = value
                self.save_secrets(doc)
        if not value:
            return None
        register_secret(str(value))
        try:
            return bytes.fromhex(str(value))
        except ValueError:
            raise WorkspaceError(f"{self.secrets_path}: keys.{name} is not a hexadecimal key; remove it") from None

    def mappings(self) -> dict[str, dict[str, str]]:
        m = _plain(self.load_config().get("mappings", {}))
        return {key: {str(k): str(v) for k, v in m.get(key, {}).items()} for key in ("ledger_accounts", "vat", "categories", "counterparties")}

    def set_mapping(self, kind: str, key: str, value: str | None) -> None:
        if kind not in ("ledger_accounts", "vat", "categories", "counterparties"):
            raise WorkspaceError(f"unknown mapping {kind!r}")
        with self._file_lock:
            config = self.load_config()
            mappings = config.setdefault("mappings", tomlkit.table(is_super_table=True))
            table = mappings.setdefault(kind, tomlkit.table())
            if value in (None, ""):
                if key in table:
                    del table[key]
            else:
                table[key] = value
            self.save_config(config)

    # -- exclusive work ----------------------------------------------------------------------
    @contextlib.contextmanager
    def exclusive(self, name: str) -> Iterator[str | None]:
        """Hold `locks/<name>.lock` for a long piece of work (a sync, a batch). Non-blocking:
        yields None when held, or the holder's description ("pid 123") when another process
        or thread has it. flock is released by the kernel if the process dies."""
        lock_dir = self.path / "locks"
        lock_dir.mkdir(exist_ok=True)
        with open(lock_dir / f"{name}.lock", "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.seek(0)
                yield fh.read().strip() or "another process"
                return
            fh.seek(0)
            fh.truncate()
            fh.write(f"pid {os.getpid()}")
            fh.flush()
            yield None

    # -- attachment store ----------------------------------------------------------------
    def attachment_path(self, sha256: str) -> Path:
        return self.attachments_dir / sha256[:2] / sha256

    def put_attachment(self, content: bytes) -> str:
        sha = hashlib.sha256(content).hexdigest()
        path = self.attachment_path(sha)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        return sha

    def get_attachment(self, sha256: str) -> bytes | None:
        path = self.attachment_path(sha256)
        return path.read_bytes() if path.exists() else None


def env_var(value: Any) -> str | None:
    """The variable an "env:VAR" setting names, or None (a value given as it is, or none)."""
    return value[4:] if isinstance(value, str) and value.startswith("env:") else None


def resolve_env(value: Any, what: str) -> Any:
    var = env_var(value)
    if var is not None:
        resolved = os.environ.get(var)
        if not resolved:
            raise WorkspaceError(f"{what} refers to the environment variable {var}, which is not set")
        return resolved
    return value


def _plain(value: Any) -> Any:
    """tomlkit containers → plain dicts/lists (tomlkit items subclass str/int/...)."""
    if hasattr(value, "unwrap"):
        return value.unwrap()
    return value
