"""The Connexions page facing a plugin's mistakes (AppTest, in French): a connection its
connector cannot show, a connector that is not loaded, a setting's check that raises, a check
result echoing the key."""
from __future__ import annotations

from typing import Any

import pytest

from ecluse import i18n
from ecluse.plugin_loader import Plugins, wanted_from_env
from tests.test_connector_mistakes import CHECK_SECRET, LEAKY_KEY, CheckRaises, Leaky, _Plugin
from tests.test_ui_pages import assert_clean, open_app, texts
from tests.ui_fixtures import SecretConnector, _SecretPlugin
from tests.ui_fixtures import fresh_synced_workspace, use_workspace  # noqa: F401

_PLUGINS: Plugins | None = None


def mistake_plugins() -> Plugins:
    """The installed plugins (the built-ins), the UI test connector and the mistaken ones."""
    global _PLUGINS
    if _PLUGINS is None:
        plugins = Plugins()
        plugins.load_entrypoints(wanted_from_env())
        plugins.register_object(_SecretPlugin, "uitest_secret")
        plugins.register_object(_Plugin(), "mistakes")
        _PLUGINS = plugins
    return _PLUGINS


@pytest.fixture
def page_ws(fresh_synced_workspace, use_workspace, monkeypatch):
    from ecluse.ui import state

    ws = use_workspace(fresh_synced_workspace)
    monkeypatch.setattr(state, "plugins", mistake_plugins)
    return ws


def table_rows(at) -> dict[str, dict[str, Any]]:
    return {r["Nom"]: r for r in at.dataframe[0].value.to_dict("records")}


def test_a_connection_its_connector_cannot_show_is_said_and_the_page_goes_on(page_ws):
    ws = page_ws
    ws.set_connection("a-bad", SecretConnector, {"account": "acme", "token": "env:UI_BAD_TOKEN", "page_size": "25"})
    config = ws.config_path.read_text(encoding="utf-8")
    ws.config_path.write_text(config.replace("page_size = 25", 'page_size = "abc"'), encoding="utf-8")
    ws.set_connection("z-good", SecretConnector, {"account": "beta", "token": "env:UI_BAD_TOKEN"})
    at = open_app("connections")
    assert_clean(at)
    [error] = [e.value for e in at.error]
    assert error.startswith("La connexion « a-bad » ne peut pas être affichée entièrement : ")
    assert "abc" in error and "ecluse connections add a-bad --update" in error
    # The connections after it, their forms and the add form are all there.
    assert set(table_rows(at)) == {"a-bad", "demo", "z-good"}
    assert at.text_input(key="cne_z-good_account").value == "beta"
    assert at.button(key="cn_test_a-bad") is not None  # its own buttons still work
    # The add form preselects the first built-in connector, never a third party's.
    select = at.selectbox(key="cn_new_connector")
    assert select.value == "demo"
    ids = [o.rpartition(" · ")[2] for o in select.options]
    assert ids.index("harvest") < ids.index(CheckRaises.id) and ids.index("demo") < ids.index(Leaky.id)


def test_a_connection_whose_connector_is_not_loaded_shows_it_in_the_table(page_ws):
    ws = page_ws
    config = ws.config_path.read_text(encoding="utf-8")
    ws.config_path.write_text(config + '\n[connections.gone]\nconnector = "acme_gone"\ncreated_at = '
                              '"2026-11-01T00:00:00+00:00"\nenabled = true\n', encoding="utf-8")
    with ws.db.write() as con:  # its last run succeeded, when its plugin still loaded
        con.execute("INSERT INTO sync_runs (connection, started_at, finished_at, status, actor) "
                    "VALUES ('gone', now(), now(), 'ok', 'test')")
    at = open_app("connections")
    rows = table_rows(at)
    assert rows["gone"]["Statut"] == "connecteur non chargé"
    assert rows["demo"]["Statut"] == "réussie"


def test_a_setting_check_that_raises_is_said_in_the_add_form_without_the_secret(page_ws):
    ws = page_ws
    at = open_app("connections")
    at.selectbox(key="cn_new_connector").set_value(CheckRaises.id).run()
    at.text_input(key="cn_new_name").set_value("acme")
    at.text_input(key="cnn_mistake_checkraise_tok").set_value(CHECK_SECRET)
    at.button(key="cn_create").click().run()
    assert_clean(at)
    assert [e.value.replace(i18n.NBSP, " ") for e in at.error] == [
        "Token : le contrôle de ce réglage par le connecteur a échoué (ValueError : cannot parse ***). "
        "Le connecteur est à corriger ; signalez-le à son auteur."]
    assert CHECK_SECRET not in texts(at)
    assert "acme" not in ws.connections()
    assert at.text_input(key="cn_new_name") is not None  # the rest of the page is there


def test_testing_a_connection_never_shows_the_key_its_check_echoes(page_ws):
    ws = page_ws
    ws.set_connection("leaky", Leaky, {"api_key": LEAKY_KEY})
    at = open_app("connections")
    at.button(key="cn_test_leaky").click().run()
    assert_clean(at)
    assert "Échec du test : refused key ***" in [e.value for e in at.error]
    assert LEAKY_KEY not in texts(at)
