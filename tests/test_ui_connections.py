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


def test_testing_saved_settings_the_connector_refuses_says_why_in_the_console_language(page_ws):
    ws = page_ws
    ws.set_connection("a-bad", SecretConnector, {"account": "acme", "token": "tok-a-bad-6620", "page_size": "25"})
    config = ws.config_path.read_text(encoding="utf-8")
    ws.config_path.write_text(config.replace("page_size = 25", 'page_size = "abc"'), encoding="utf-8")
    at = open_app("connections")
    at.button(key="cn_test_a-bad").click().run()  # its form cannot show: the saved settings are tested
    assert_clean(at)
    assert "Échec du test : Page size : « abc » n'est pas un nombre entier." in panel_texts(at, "error")
    assert "tok-a-bad-6620" not in texts(at)


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


# ---------------------------------------------------------------- a Harvest connection, tested and saved

@pytest.fixture
def harvest(page_ws):
    """The page's workspace with a Harvest connection "agence" on the emulator (token stored)."""
    from ecluse.plugins.harvest.connector import HarvestConnector
    from tests.emulators.harvest import GenerateOptions, HarvestEmulator

    with HarvestEmulator(rate_limit=None) as emu:
        emu.generate(4, seed=5, options=GenerateOptions(clients=1))
        page_ws.set_connection("agence", HarvestConnector, emu.settings(start_date="2020-01-01"))
        yield page_ws, emu


def panel_texts(at, level: str) -> list[str]:
    return [e.value.replace(i18n.NBSP, " ") for e in getattr(at, level)]


def test_test_tries_what_the_form_holds_without_saving_it(harvest):
    ws, emu = harvest
    config, secrets = ws.config_path.read_text(), ws.secrets_path.read_text()
    at = open_app("connections")
    assert "« Tester » essaie les réglages tels qu'ils sont dans le formulaire, sans les enregistrer ; un secret " \
           "laissé vide est celui enregistré." in [c.value for c in at.caption]
    at.text_input(key="cne_agence_account_id").set_value("999")
    at.button(key="cn_test_agence").click().run()
    assert_clean(at)
    [error] = panel_texts(at, "error")
    assert error.startswith("Échec du test : Harvest refuse l'accès au compte 999 (HTTP 403)"), error
    assert not at.success
    # A token typed in the form is the one tried; never shown, never stored.
    at.text_input(key="cne_agence_account_id").set_value(emu.account_id)
    at.text_input(key="cne_agence_token").set_value("typed-wrong-token")
    at.button(key="cn_test_agence").click().run()
    assert_clean(at)
    [error] = panel_texts(at, "error")
    assert error.startswith("Échec du test : Harvest refuse le jeton d'accès personnel (HTTP 401)"), error
    assert "typed-wrong-token" not in texts(at).replace('value: "typed-wrong-token"', "")
    assert (ws.config_path.read_text(), ws.secrets_path.read_text()) == (config, secrets)
    # The form as saved: it works.
    at.text_input(key="cne_agence_token").set_value("")
    at.button(key="cn_test_agence").click().run()
    assert panel_texts(at, "success") == ["Connexion réussie. Connecté au compte Harvest « Agence Exemple » en tant "
                                          "que Bob Powell."]


def test_each_action_replaces_what_the_connection_said_before(harvest):
    from ecluse.ui import state

    ws, emu = harvest
    ws.save_connection_secret("agence", "token", "revoked-token")
    at = open_app("connections")
    at.button(key="cn_sync_agence").click().run()
    state.JOBS.wait(120)
    at.run()
    assert [s.label for s in at.get("status")] == ["Échec de la synchronisation d'agence"]
    # A test that fails, then a save the connector refuses: only the save's refusal is said.
    at.button(key="cn_test_agence").click().run()
    assert [e for e in panel_texts(at, "error") if e.startswith("Échec du test")]
    assert not any(s.label.startswith("Échec de la synchronisation") for s in at.get("status"))
    at.text_input(key="cne_agence_api_url").set_value("ftp://nowhere")
    at.button(key="cn_save_agence").click().run()
    assert_clean(at)
    [error] = panel_texts(at, "error")
    assert "ftp://nowhere" in error and not error.startswith("Échec du test"), error
    # The token fixed and saved: saved, and nothing else (the failed sync stays in the table).
    at.text_input(key="cne_agence_api_url").set_value(emu.api_url)
    at.text_input(key="cne_agence_token").set_value(emu.token)
    at.button(key="cn_save_agence").click().run()
    assert_clean(at)
    assert panel_texts(at, "success") == ["Connexion « agence » enregistrée."]
    assert not at.error and not at.warning  # the history import was said when its date was saved
    assert table_rows(at)["agence"]["Statut"] == "échec"
    at.button(key="cn_test_agence").click().run()
    assert [s[:18] for s in panel_texts(at, "success")] == ["Connexion réussie."]
    assert not at.error and not at.warning
    # Back from another page, an earlier visit's test result is no longer said.
    at.switch_page("views/overview.py").run()
    at.switch_page("views/connections.py").run()
    assert panel_texts(at, "success") == []
    # The start date's warning stands under the form, quietly.
    assert any(c.value.startswith(":material/warning: Import d'historique : la date de début (01/01/2020)")
               for c in at.caption)


def test_a_start_date_changed_is_warned_about_once(harvest):
    import datetime as dt

    ws, emu = harvest
    at = open_app("connections")
    future = dt.date.today() + dt.timedelta(days=60)
    at.date_input(key="cne_agence_start_date").set_value(future)
    at.button(key="cn_save_agence").click().run()
    assert_clean(at)
    [warning] = panel_texts(at, "warning")
    assert warning.startswith(f"La date de début ({future.strftime('%d/%m/%Y')}) est à venir : aucune facture")
    at.text_input(key="cne_agence_domain").set_value("")
    at.text_input(key="cne_agence_domain").set_value(emu.url)
    at.button(key="cn_save_agence").click().run()  # saved again, the date unchanged: not said again
    assert panel_texts(at, "success") == ["Connexion « agence » enregistrée."] and not at.warning


def test_a_connection_is_turned_off_and_on_from_its_panel(harvest):
    ws, _ = harvest
    at = open_app("connections")
    assert table_rows(at)["agence"]["Active"] == "✓"
    assert at.toggle(key="cn_enabled_agence").label == "Activée"
    at.toggle(key="cn_enabled_agence").set_value(False).run()
    assert_clean(at)
    assert ws.connection("agence")["enabled"] is False
    assert table_rows(at)["agence"]["Active"] == "—"
    assert at.toggle(key="cn_enabled_agence").label == "Désactivée"  # the label says the state
    assert panel_texts(at, "success") == [
        "Connexion « agence » désactivée : elle n'est plus synchronisée avec les autres ; « Synchroniser "
        "maintenant » la lit quand même."]
    ws_conn = ws.config_path.read_text().replace("enabled = false", "enabled = true")  # as the CLI would
    ws.config_path.write_text(ws_conn)
    at.run()
    assert at.toggle(key="cn_enabled_agence").value is True and ws.connection("agence")["enabled"] is True
    at.toggle(key="cn_enabled_agence").set_value(False).run()
    at.toggle(key="cn_enabled_agence").set_value(True).run()
    assert ws.connection("agence")["enabled"] is True
    assert panel_texts(at, "success") == ["Connexion « agence » activée : elle est synchronisée avec les autres."]
