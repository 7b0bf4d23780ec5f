"""Plugin discovery through real entry points of separately packaged plugins."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ecluse import hookimpl, i18n
from ecluse.connectors import Connector, ConnectorError, Said, Setting
from ecluse.plugin_loader import Plugins
from ecluse.services import setup
from ecluse.ui import state
from ecluse.workspace import Workspace

from tests.ui_fixtures import APP

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
    # the list is complete, and the exit code says a plugin failed (ecluse-broken, on purpose)
    assert out.returncode == 1, out.stderr
    infos = {p["name"]: p for p in json.loads(out.stdout)}
    assert infos["hello"]["status"] == "ok"
    assert infos["hello"]["connectors"] == ["hello"]
    assert infos["hello"]["distribution"] == "ecluse-hello" and infos["hello"]["version"] == "1.2.3"
    assert sorted(infos["hello"]["hooks"]) == ["register_commands", "register_connectors", "register_texts"]
    assert infos["hello"]["texts"] == ["said.hello.ready"]
    assert infos["broken"]["status"] == "failed"
    assert "RuntimeError: this plugin is broken on purpose" in infos["broken"]["error"]
    # built-ins load through the same entry points, next to the broken one
    assert infos["demo"]["status"] == "ok" and "demo" in infos["demo"]["connectors"]


def test_plugins_exits_1_when_a_plugin_failed_and_0_when_none_did(site):
    text = ecluse(site, "plugins")
    assert text.returncode == 1, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].split()[:2] == ["NAME", "STATUS"]
    assert any(line.split()[:2] == ["broken", "failed"] for line in lines)
    assert any(line.split()[:2] == ["hello", "ok"] for line in lines)
    # the reason on a line of its own under the table, which it no longer widens
    assert any(line.startswith("broken (failed): RuntimeError: this plugin is broken on purpose") for line in lines)
    assert max(len(line) for line in lines if "): " not in line) < 200
    for args in (("plugins",), ("plugins", "--json")):
        ok = ecluse(site, *args, env={"ECLUSE_LOAD_PLUGINS": "demo,hello"})
        assert ok.returncode == 0, ok.stdout + ok.stderr
    assert json.loads(ecluse(site, "plugins", "--json", env={"ECLUSE_LOAD_PLUGINS": "broken"}).stdout)[0][
        "status"] == "failed"
    assert ecluse(site, "plugins", env={"ECLUSE_LOAD_PLUGINS": "broken"}).returncode == 1
    assert "exit" in ecluse(site, "plugins", "--help").stdout.lower()


def test_a_connectors_settings_are_shown_by_the_cli(site):
    out = ecluse(site, "plugins", "--json")
    infos = {p["name"]: p for p in json.loads(out.stdout)}
    assert infos["hello"]["connector_details"] == [{
        "id": "hello", "title": "Hello (example plugin)", "description": "", "kinds": ["supplier_invoice"],
        "settings": [{"name": "greeting", "label": "Greeting", "type": "string", "required": True, "secret": False,
                      "default": None, "advanced": False, "choices": [], "help": "Any text."}],
    }]
    harvest = {s["name"]: s for s in infos["harvest"]["connector_details"][0]["settings"]}
    assert harvest["token"]["secret"] and harvest["token"]["required"]
    assert harvest["api_url"]["advanced"] and harvest["api_url"]["type"] == "url"
    assert harvest["pdfs"]["default"] is True and harvest["start_date"]["type"] == "date"
    assert infos["broken"]["connector_details"] == []
    # one connector, readable: what `connections add --set KEY=VALUE` takes
    one = ecluse(site, "plugins", "--connector", "harvest")
    assert one.returncode == 0, one.stderr  # about this connector: the broken plugin is not its business
    assert one.stdout.startswith("harvest: Harvest")
    assert "\nplugin: harvest (" in one.stdout and "\nkinds: customer_invoice, customer_credit_note\n" in one.stdout
    settings = one.stdout.split("\nsettings (connections add --set KEY=VALUE):\n", 1)[1]
    assert "  token (string, required, secret: env:VAR accepted): Personal access token — Create one at" in settings
    assert "  api_url (url, advanced, default https://api.harvestapp.com/v2): API URL — Harvest's API v2." in settings
    assert "  pdfs (boolean, default true): Fetch invoice PDFs" in settings
    assert json.loads(ecluse(site, "plugins", "--connector", "hello", "--json").stdout)["settings"][0]["name"] == "greeting"
    missing = ecluse(site, "plugins", "--connector", "nope")
    assert missing.returncode == 2 and "no connector 'nope' is loaded" in missing.stderr


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
    # the built-in not loaded: its id stays reserved, the demo connection is not the squatter's
    alone = ecluse(site, "plugins", "--json", env={"ECLUSE_LOAD_PLUGINS": "aaa_squatter"})
    [squatter] = json.loads(alone.stdout)
    assert squatter["status"] == "failed" and squatter["connectors"] == []
    assert "connector id 'demo' is reserved for Écluse's built-in connector (not loaded here)" in squatter["error"]
    check = ecluse(site, "-w", ws, "connections", "check", "demo", env={"ECLUSE_LOAD_PLUGINS": "aaa_squatter"})
    assert check.returncode != 0 and "no connector 'demo' is loaded" in check.stdout + check.stderr


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

        def fetch(self, ctx):
            yield from ()

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
    assert (a.status, b.status, c.status) == ("ok", "failed", "failed")


class Good(Connector):
    id = "good"
    title = "Good"

    def fetch(self, ctx):
        yield from ()


class Typo:
    """A good connector beside a misspelled hook."""

    @hookimpl
    def register_connectors(self, register):
        register(Good)

    @hookimpl
    def register_comands(self, cli):  # misspelled
        pass


def test_a_misspelled_hook_beside_a_good_connector_is_partial_and_the_connector_works():
    class OnlyTypo:
        @hookimpl
        def register_connector(self, register):  # misspelled: nothing of it is in use
            register(Good)

    plugins = Plugins()
    typo, only = plugins.register_object(Typo(), "typo"), plugins.register_object(OnlyTypo(), "only")
    assert typo.status == "partial" and typo.as_dict()["status"] == "partial"
    assert "unknown hook register_comands() (did you mean register_commands?)" in typo.error
    assert plugins.connector("good") is Good
    assert only.status == "failed" and only.connectors == []


# -- a plugin's own texts (hook register_texts) ------------------------------------------------------
def test_the_console_says_a_third_party_connectors_check_in_french(site, tmp_path, monkeypatch):
    """The example package as pip installed it, loaded in this process: its check's sentence
    comes in French from its own template, in i18n and on the Connexions page."""
    monkeypatch.syspath_prepend(str(site))
    # the same plugin loaded twice in one process (two plugin sets) keeps its texts both times
    first, plugins = Plugins(), Plugins()
    for each in (first, plugins):
        each.load_entrypoints(["demo", "hello"])
        [hello] = [i for i in each.infos if i.name == "hello"]
        assert hello.ok, hello.error
        assert hello.texts == ["said.hello.ready"]
    ws = Workspace(tmp_path / "ws")
    setup.ensure_workspace(ws, plugins, with_demo=False)
    ws.set_connection("h", plugins.connector("hello"), {"greeting": "Bonjour"})
    result = setup.check_connection(ws, plugins, "h")
    assert result.ok and result.message == "Bonjour, world: 1 example invoice to read"
    assert i18n.said(result.says, "fr") == ["Bonjour tout le monde : 1 facture d'exemple à lire."]
    assert i18n.said_text(result.says[0], "en") == "Bonjour, world: 1 example invoice to read"
    assert i18n.said_or("x", {"code": "hello.ready", "params": {"greeting": "Salut", "n": 2}}, "fr") == (
        "Salut tout le monde : 2 factures d'exemple à lire.")

    monkeypatch.setattr(state, "plugins", lambda: plugins)
    monkeypatch.setenv("ECLUSE_WORKSPACE", str(ws.path))
    monkeypatch.setenv("ECLUSE_ACTOR", "plugin-tester")
    monkeypatch.delenv("ECLUSE_LANG", raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/connections.py").run()
    at.button(key="cn_test_h").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success] == ["Connexion réussie. Bonjour tout le monde : 1 facture d'exemple à lire."]


def test_a_plugins_texts_cannot_change_the_consoles_and_one_key_has_one_owner():
    class Kept(Connector):
        id = "texts_kept"
        title = "Kept"

        def fetch(self, ctx):
            yield from ()

    class First:
        @hookimpl
        def register_texts(self, register):
            register("said.texts_test.hello", {"fr": "Bonjour {name}.", "en": "Hello {name}"})
            register("finding.texts_test_odd.detail", {"fr": "Ligne {line} étrange.", "en": "line {line} looks odd"})
            register("finding.gone_from_source.texts_test", {"en": "archived in the source"})  # English only

    class Second:
        @hookimpl
        def register_connectors(self, register):
            register(Kept)

        @hookimpl
        def register_texts(self, register):
            register("said.texts_test.hello", {"fr": "Salut {name}.", "en": "Hi {name}"})  # First's
            register("said.demo.ready", {"fr": "Prêt.", "en": "Ready"})  # the core's own
            register("conn.check_ok", {"fr": "Ça marche.", "en": "Works"})  # not a said./finding. key
            register("said.texts_test.no_english", {"fr": "Seulement en français."})
            register("said.texts_test.not_text", {"fr": 1, "en": "one"})
            register("said.texts_test.unknown_language", {"en": "Hello", "de": "Hallo"})
            register("said.texts_test.placeholders", {"fr": "Bonjour {nom}.", "en": "Hello {name}"})
            register("said.texts_test.broken", {"fr": "Bonjour {name.", "en": "Hello {name"})
            register("said.texts_test.bye", {"fr": "Au revoir {name}.", "en": "Goodbye {name}"})

    class Raising:
        @hookimpl
        def register_texts(self, register):
            raise ValueError("no texts today")

    plugins = Plugins()
    first = plugins.register_object(First(), "first")
    second = plugins.register_object(Second(), "second")
    raising = plugins.register_object(Raising(), "raising")
    assert first.ok, first.error
    assert first.texts == ["said.texts_test.hello", "finding.texts_test_odd.detail",
                           "finding.gone_from_source.texts_test"]
    # refused one by one, each said on the plugin (Plugins page, `ecluse plugins`); the rest loads
    assert not second.ok and second.status == "partial"  # what it registered without a mistake is in use
    assert second.texts == ["said.texts_test.bye"] and plugins.connectors["texts_kept"] is Kept
    for expected in (
        "text 'said.texts_test.hello' is already registered by plugin 'first'",
        "text 'said.demo.ready' is the console's own",
        "text 'conn.check_ok' is refused: a plugin's keys start with 'said.' or 'finding.'",
        "text 'said.texts_test.no_english' has no 'en' template",
        "text 'said.texts_test.not_text': its 'fr' template is not a str",
        "text 'said.texts_test.unknown_language': 'de' is not a language of the console (fr, en)",
        "text 'said.texts_test.placeholders': its templates do not name the same values (fr: nom; en: name)",
        "text 'said.texts_test.broken': its 'fr' template is not a format string",
    ):
        assert expected in second.error, (expected, second.error)
    assert not raising.ok and "register_texts failed: ValueError: no texts today" in raising.error
    # the console's own texts are untouched, and the plugins' are said
    assert i18n.t("conn.check_ok", "fr", message="x") == "Connexion réussie. x"
    assert i18n.said([Said("demo.ready")], "fr")[0].startswith("Connexion de démonstration prête")
    assert i18n.said([Said("texts_test.hello", {"name": "'Ada'"})], "fr") == ["Bonjour «\u00a0Ada\u00a0»."]
    assert i18n.said([Said("texts_test.bye", {"name": "Ada"})], "en") == ["Goodbye Ada"]
    assert i18n.said([Said("texts_test.no_english")], "fr") is None  # refused: the English message is shown
    assert i18n.finding_detail("texts_test_odd", "line 3 looks odd", {"line": 3}, "fr") == "Ligne 3 étrange."
    # a template given in English only is said in English on a French screen
    assert i18n.finding_detail("gone_from_source", "gone", {"variant": "texts_test"}, "fr") == "archived in the source"
    assert i18n.missing_translations() == {lang: [] for lang in i18n.LANGS}  # the core's catalogue only

    # The same plugin in another plugin set (tests, a reload) is not refused against itself.
    again = Plugins().register_object(First(), "first")
    assert again.ok and again.texts == first.texts, again.error


def test_a_connectors_check_error_is_said_from_the_plugins_template(workspace):
    class Down(Connector):
        id = "texts_down"
        title = "Down"

        def check(self, ctx):
            raise ConnectorError("ACME is down (HTTP 503)", said=Said("texts_down.down", {"status": 503}))

        def fetch(self, ctx):
            yield from ()

    class P:
        @hookimpl
        def register_connectors(self, register):
            register(Down)

        @hookimpl
        def register_texts(self, register):
            register("said.texts_down.down", {"fr": "ACME est indisponible (HTTP {status}).",
                                              "en": "ACME is down (HTTP {status})"})

    plugins = Plugins()
    assert plugins.register_object(P(), "down").ok
    workspace.set_connection("d", Down, {})
    result = setup.check_connection(workspace, plugins, "d")
    assert not result.ok and result.message == "ACME is down (HTTP 503)"
    assert i18n.said(result.says, "fr") == ["ACME est indisponible (HTTP 503)."]


def test_the_plugins_page_says_what_failed_and_what_loaded_in_part(tmp_path, monkeypatch):
    class Broken:
        @hookimpl
        def register_connectors(self, register):
            raise ValueError("boom")

    class CommandsOnly:
        """Its commands serve the CLI; its misspelled connector hook is never called."""

        @hookimpl
        def register_commands(self, cli):
            pass

        @hookimpl
        def register_connector(self, register):  # misspelled
            register(Good)

    plugins = Plugins()
    plugins.load_entrypoints(["demo"])
    plugins.register_object(Typo(), "typo")
    plugins.register_object(Broken(), "broken")
    cli_only = plugins.register_object(CommandsOnly(), "cli-only")
    assert cli_only.status == "partial" and not cli_only.in_console  # its commands work in the CLI, nothing here
    ws = Workspace(tmp_path / "ws")
    setup.ensure_workspace(ws, plugins, with_demo=True)
    monkeypatch.setattr(state, "plugins", lambda: plugins)
    monkeypatch.setenv("ECLUSE_WORKSPACE", str(ws.path))
    monkeypatch.delenv("ECLUSE_LANG", raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/plugins.py").run()
    assert not at.exception
    [error] = [e.value for e in at.error if e.value.startswith("Le plugin")]
    assert error.startswith("Le plugin « broken » n'a pas pu être chargé : register_connectors failed: ValueError: boom")
    [warning, cli_warning] = [w.value for w in at.warning if w.value.startswith("Le plugin")]
    assert warning.startswith("Le plugin « typo » est chargé en partie : ce qu'il a enregistré sans erreur fonctionne")
    assert "register_comands()" in warning
    # Partial by its CLI commands alone: the page does not say that something of it works here.
    assert cli_warning.startswith("Le plugin « cli-only » est chargé en partie : la console n'utilise rien de lui ; "
                                  "seules ses commandes peuvent servir, dans la ligne de commande `ecluse`")
    assert "register_connector()" in cli_warning
    [table] = at.dataframe
    frame = table.value
    statuses = dict(zip(frame["Nom"], frame["Statut"]))
    assert statuses == {"demo": "chargé", "typo": "en partie", "broken": "échec", "cli-only": "en partie (ligne de commande)"}
    # Each row coloured as its alert: the warning's yellow for a plugin loaded in part, red for a failure.
    styles = {}
    for cells, style in re.findall(r"([^{}]+)\{([^}]*)\}", table.proto.arrow_data.styler.styles):
        for row in re.findall(r"_row(\d+)_", cells):
            styles.setdefault(frame["Nom"][int(row)], set()).add(" ".join(style.split()).rstrip(";"))
    assert styles["typo"] == styles["cli-only"] == {"background-color: #fff6d9; color: #7a5a00"}
    assert styles["broken"] == {"background-color: #fbe3e1; color: #8a1f17"}
    assert "demo" not in styles


# -- what the loader refuses: a malformed connector, a specname hook, a taken CLI command ------------
def test_a_malformed_connector_is_refused_with_a_reason_naming_it_and_the_good_one_beside_loads():
    def fetch(self, ctx):
        yield from ()

    def connector(name, **attrs):
        return type(name, (Connector,), {"title": name, "fetch": fetch, **attrs})

    refused = {
        connector("Spaced", id="acme bad/id"):
            "connector Spaced ('acme bad/id'): id 'acme bad/id' is not a simple identifier (lower-case letters, "
            "digits, _ and -, starting with a letter, at most 63 characters)",
        connector("Upper", id="Acme"): "connector Upper ('Acme'): id 'Acme' is not a simple identifier",
        connector("Bill", id="acme_bill", kinds=("supplier_invoice", "supplier_bill")):
            "connector Bill ('acme_bill'): kinds names 'supplier_bill', not a document kind of ecluse.domain "
            "(customer_invoice, customer_credit_note, supplier_invoice, supplier_credit_note)",
        connector("OneKind", id="acme_onekind", kinds="supplier_invoice"):
            "connector OneKind ('acme_onekind'): kinds must be a tuple of document kinds",
        connector("Twice", id="acme_twice", settings=(Setting("mode", "Mode"), Setting("mode", "Mode again"))):
            "connector Twice ('acme_twice'): two settings are named 'mode': a name is the setting's key in the "
            "form and in ecluse.toml",
        connector("Number", id="acme_number", settings=(Setting("amount", "Amount", type="number"),)):
            "connector Number ('acme_number'): setting 'amount' has the type 'number', not one of string, "
            "integer, boolean, date, url, choice",
        connector("NoChoice", id="acme_nochoice", settings=(Setting("mode", "Mode", type="choice"),)):
            "connector NoChoice ('acme_nochoice'): setting 'mode' is a choice without choices",
        connector("Defaults", id="acme_defaults", settings=(
            Setting("n", "N", type="integer", default="abc"), Setting("d", "D", type="date", default="2026-02-30"),
            Setting("c", "C", type="choice", choices=("a", "b"), default="zzz"),
            Setting("b", "B", type="boolean", default="maybe"), Setting("u", "U", type="url", default="ftp://x"))):
            "connector Defaults ('acme_defaults'): setting 'n': its default 'abc' is not a whole number; "
            "setting 'd': its default '2026-02-30' is not a date (YYYY-MM-DD); "
            "setting 'c': its default 'zzz' is not one of a, b; setting 'b': its default 'maybe' is not true/false; "
            "setting 'u': its default 'ftp://x' must start with http:// or https://",
        connector("Odd", id="acme_odd", settings=(Setting("a=b", "A"), "token")):
            "connector Odd ('acme_odd'): settings[0] has the name 'a=b': a name is letters, digits, _ and -, "
            "starting with a letter or _; settings[1] is not an ecluse.connectors.Setting, got 'token'",
        type("NoFetch", (Connector,), {"id": "acme_nofetch", "title": "No fetch"}):
            "connector NoFetch ('acme_nofetch'): it does not implement fetch(): every sync would fail "
            "(NotImplementedError)",
        # the console reads translations on every page naming the connector (a str raised AttributeError)
        connector("Texts", id="acme_texts", translations={"fr": "Mauvais"}):
            "connector Texts ('acme_texts'): translations['fr'] must be a dict of texts such as {\"label\": \"...\"}",
        connector("SettingTexts", id="acme_settingtexts", settings=(Setting("t", "T", translations="oops"),)):
            "connector SettingTexts ('acme_settingtexts'): setting 't': translations must be a dict such as",
    }
    fine = connector("Fine", id="acme-fine_2", kinds=("supplier_invoice",), settings=(
        Setting("n", "N", type="integer", default="42"),
        Setting("since", "Since", type="date", default=dt.date(2026, 1, 1)),
        Setting("c", "C", type="choice", choices=("a", "b"), default="b"),
        Setting("on", "On", type="boolean", default=True),
        Setting("token", "Token", secret=True, default="env:ACME_TOKEN")))

    class Plugin:
        @hookimpl
        def register_connectors(self, register):
            for cls in refused:
                register(cls)
            register(fine)

    class OnlyBad:
        @hookimpl
        def register_connectors(self, register):
            register(next(iter(refused)))

    plugins = Plugins()
    info, only = plugins.register_object(Plugin(), "acme"), plugins.register_object(OnlyBad(), "only-bad")
    assert info.connectors == ["acme-fine_2"] and plugins.connectors == {"acme-fine_2": fine}
    assert info.status == "partial" and only.status == "failed"
    for expected in refused.values():
        assert expected in info.error, (expected, info.error)
    # Écluse's own connectors and the examples meet the same rules.
    builtins = Plugins()
    builtins.load_entrypoints(["demo", "harvest"])
    assert [(i.name, i.status) for i in builtins.infos] == [("demo", "ok"), ("harvest", "ok")]


def test_a_hook_not_decorated_with_hookimpl_is_said():
    """pluggy never sees an undecorated register_connectors: the plugin would load 'ok' and do
    nothing, and its connections say 'connecteur non chargé' with no reason anywhere."""
    class Undecorated:
        def register_connectors(self, register):
            register(Good)

    info = Plugins().register_object(Undecorated(), "undecorated")
    assert info.status == "failed" and info.connectors == []
    assert info.error == ("register_connectors() not decorated with @hookimpl (from ecluse import hookimpl): "
                          "Écluse never calls it")


def test_a_hookimpl_with_specname_is_called_and_a_misspelled_specname_is_said():
    class Named(Good):
        id = "specname_good"

    class Plugin:
        @hookimpl(specname="register_connectors")
        def connectors(self, register):
            register(Named)

        @hookimpl(specname="register_text")  # misspelled
        def texts(self, register):
            register("said.specname_good.x", {"en": "x"})

    plugins = Plugins()
    info = plugins.register_object(Plugin(), "specname")
    assert info.connectors == ["specname_good"] and plugins.connector("specname_good") is Named
    assert info.status == "partial"
    assert info.error.startswith("unknown hook register_text() (did you mean register_texts?)")


def test_a_plugin_cannot_replace_a_cli_command_and_the_first_to_add_a_name_keeps_it():
    import click
    from click.testing import CliRunner

    from ecluse.cli import cli

    class Hijack:
        @hookimpl
        def register_commands(self, cli):
            @cli.command("sync")
            def sync():
                click.echo("HIJACKED SYNC")

            @cli.commands["connections"].command("add")
            def add():
                click.echo("HIJACKED ADD")

            @cli.command("acme")
            def acme():
                click.echo("acme's")

    class Second:
        @hookimpl
        def register_commands(self, cli):
            @cli.command("acme")
            def acme():
                click.echo("second's")

    class Raising:
        @hookimpl
        def register_commands(self, cli):
            @cli.command("half-done")
            def half_done():
                pass

            raise RuntimeError("oops in register_commands")

    # The CLI's commands in a group of their own (its `connections` group too): the CLI is left as it is.
    connections = click.Group("connections", commands=dict(cli.commands["connections"].commands))
    group = click.Group("ecluse", commands={**cli.commands, "connections": connections})
    own, own_connections = dict(group.commands), dict(connections.commands)
    plugins = Plugins()
    hijack, second, raising = (plugins.register_object(p(), n) for p, n in
                               ((Hijack, "hijack"), (Second, "second"), (Raising, "raising")))
    plugins.register_commands(group)
    assert sorted(group.commands) == sorted([*own, "acme"])
    assert all(group.commands[name] is command for name, command in own.items())
    assert connections.commands == own_connections and connections.commands["add"].callback.__module__ == "ecluse.cli"
    runner = CliRunner()
    assert "HIJACKED" not in runner.invoke(group, ["sync", "--help"]).output
    assert runner.invoke(group, ["acme"]).output == "acme's\n"
    assert hijack.status == "partial" and hijack.error == (
        "command 'sync' is Écluse's own; not replaced: give yours another name; "
        "command 'connections add' is Écluse's own; not replaced: give yours another name")
    assert second.status == "failed"  # its only command was refused: nothing of it is in use
    assert second.error == "command 'acme' is already added by plugin 'hijack'; not replaced: give yours another name"
    assert raising.status == "failed"
    assert "register_commands failed: RuntimeError: oops in register_commands" in raising.error
    assert "half-done" not in group.commands  # what a failed hook added is taken out
    # Called again on the same CLI, a plugin does not take its own command for another's.
    again = Plugins()
    own_info = again.register_object(Second(), "second")
    fresh = click.Group("ecluse")
    again.register_commands(fresh)
    again.register_commands(fresh)
    assert own_info.ok and list(fresh.commands) == ["acme"], own_info.error
