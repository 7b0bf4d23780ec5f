"""Plugin discovery through real entry points of separately packaged plugins."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ecluse import hookimpl
from ecluse.connectors import Connector
from ecluse.plugin_loader import Plugins

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Install the example packages with pip into a directory of their own: the core's
    installation is not touched, exactly as if a user had `pip install`ed them."""
    target = tmp_path_factory.mktemp("site")
    for pkg in ("ecluse-hello", "ecluse-broken", "ecluse-squatter"):
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
             "--target", str(target), str(ROOT / "tests" / "plugins" / pkg)],
            check=True, capture_output=True,
        )
    return target


def ecluse(site, *args, env=None, cwd=None):
    full_env = {k: v for k, v in os.environ.items() if k != "ECLUSE_LOAD_PLUGINS"}
    full_env.update({"PYTHONPATH": str(site), **(env or {})})
    return subprocess.run([str(BIN / "ecluse"), *args], capture_output=True, text=True, env=full_env, cwd=cwd, timeout=120)


def test_external_plugin_is_discovered_and_failures_are_isolated(site):
    out = ecluse(site, "plugins", "--json")
    assert out.returncode == 0, out.stderr
    infos = {p["name"]: p for p in json.loads(out.stdout)}
    assert infos["hello"]["status"] == "ok"
    assert infos["hello"]["connectors"] == ["hello"]
    assert infos["hello"]["distribution"] == "ecluse-hello" and infos["hello"]["version"] == "1.2.3"
    assert sorted(infos["hello"]["hooks"]) == ["register_commands", "register_connectors"]
    assert infos["broken"]["status"] == "failed"
    assert "RuntimeError: this plugin is broken on purpose" in infos["broken"]["error"]
    # built-ins load through the same entry points, next to the broken one
    assert infos["demo"]["status"] == "ok" and "demo" in infos["demo"]["connectors"]


def test_a_third_party_cannot_take_a_builtin_connector_id_and_a_misspelled_hook_is_said(site, tmp_path):
    out = ecluse(site, "plugins", "--json")
    infos = {p["name"]: p for p in json.loads(out.stdout)}
    # 'aaa_squatter' sorts before 'demo', yet the built-in keeps its id and loads fine
    assert infos["demo"]["status"] == "ok" and infos["demo"]["connectors"] == ["demo"]
    squatter = infos["aaa_squatter"]
    assert squatter["status"] == "failed" and squatter["connectors"] == []
    assert "connector id 'demo' is already registered by plugin 'demo'" in squatter["error"]
    assert "unknown hook register_connector() (did you mean register_connectors?)" in squatter["error"]
    ws = str(tmp_path / "ws")
    assert ecluse(site, "-w", ws, "init").returncode == 0  # with the demo connection
    check = ecluse(site, "-w", ws, "connections", "check", "demo")
    assert check.returncode == 0, check.stdout + check.stderr


def test_external_plugin_connector_and_command_work_end_to_end(site, tmp_path):
    ws = str(tmp_path / "ws")
    assert ecluse(site, "-w", ws, "init", "--no-demo").returncode == 0
    add = ecluse(site, "-w", ws, "connections", "add", "h", "--connector", "hello", "--set", "greeting=bonjour")
    assert add.returncode == 0, add.stderr
    sync = ecluse(site, "-w", ws, "sync", "--json")
    assert sync.returncode == 0, sync.stderr
    assert json.loads(sync.stdout)[0]["created"] == 1
    assert ecluse(site, "hello").stdout.strip() == "hello from a plugin"


def test_load_plugins_env_restricts_loading(site):
    out = ecluse(site, "plugins", "--json", env={"ECLUSE_LOAD_PLUGINS": "hello"})
    assert [p["name"] for p in json.loads(out.stdout)] == ["hello"]
    out = ecluse(site, "plugins", "--json", env={"ECLUSE_LOAD_PLUGINS": ""})
    assert json.loads(out.stdout) == []


def test_in_process_registration_isolates_bad_connectors():
    class NotAConnector:
        id = "x"

    class Dup(Connector):
        id = "dup"
        title = "Dup"

    class P1:
        @hookimpl
        def register_connectors(self, register):
            register(Dup)

    class P2:
        @hookimpl
        def register_connectors(self, register):
            register(Dup)
            register(NotAConnector)

    class P3:
        @hookimpl
        def register_connectors(self, register):
            raise ValueError("boom")

    plugins = Plugins()
    a, b, c = (plugins.register_object(p(), n) for p, n in ((P1, "p1"), (P2, "p2"), (P3, "p3")))
    assert a.ok and plugins.connectors == {"dup": Dup}
    assert not b.ok and "not a subclass" in b.error and "'dup' is already registered by plugin 'p1'" in b.error
    assert not c.ok and "register_connectors failed: ValueError: boom" in c.error
    with pytest.raises(KeyError, match="no connector 'nope' is loaded"):
        plugins.connector("nope")
