"""The console's language: chosen in the sidebar, it survives the jumps between pages (the
buttons that open another page with st.switch_page), a page load (F5, a link, a new tab: ?lang=
in the URL) and, when nothing says otherwise, follows the browser's (French for another one)."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from ecluse.services import reconcile
from ecluse.ui import state

from tests.test_ui_pages import assert_clean, open_app
from tests.ui_fixtures import APP
from tests.ui_fixtures import fresh_synced_workspace, synced_workspace, use_workspace  # noqa: F401


def in_english(at: AppTest) -> AppTest:
    at.segmented_control(key="lang").set_value("en").run()
    assert_clean(at)
    assert at.query_params.get("lang") == "en", "the choice is kept in the URL"
    return at


def assert_review_in_english(at: AppTest) -> None:
    assert_clean(at)
    assert at.title[0].value == "Review"
    assert at.segmented_control(key="lang").value == "en"
    assert at.query_params.get("lang") == "en", "a reload of the page it opened stays in English"


def load(*, locale: str | None = None, lang: str | None = None) -> AppTest:
    """A page load: a new session, from a browser of `locale`, at a URL with ?lang=`lang`."""
    at = AppTest.from_file(APP, default_timeout=60)
    if locale:
        at.context = {"locale": locale}
    if lang:
        at.query_params["lang"] = lang
    at.run()
    assert_clean(at)
    return at


def title(at: AppTest) -> str:
    return at.title[0].value


# -- jumps from one page to another --------------------------------------------------------
def test_the_overview_open_button_keeps_english(synced_workspace, use_workspace):
    use_workspace(synced_workspace)
    at = in_english(open_app())
    at.button(key="ov_open_to_review").click().run()
    assert_review_in_english(at)
    assert at.multiselect(key="rv_status.en").value == ["to_review"]


def test_the_problem_link_of_a_sync_keeps_english(fresh_synced_workspace, use_workspace):
    use_workspace(fresh_synced_workspace)
    at = in_english(open_app("connections"))
    at.button(key="cn_sync_demo").click().run()
    state.JOBS.wait(120)
    at.run()
    [link] = [b for b in at.button if (b.key or "").startswith("sync_problems_")]
    assert link.label == "See the record kept as a problem"
    link.click().run()
    assert_review_in_english(at)
    [problems] = [e for e in at.expander if e.label.startswith("Records kept as problems")]
    assert problems.proto.expanded


def test_the_reconciliation_open_in_review_button_keeps_english(synced_workspace, use_workspace):
    ws = use_workspace(synced_workspace)
    row = reconcile.monthly_stages(ws, side="sales")[0]
    at = in_english(open_app("reconciliation"))
    at.session_state["rc_monthly__EUR_sales"] = {"selection": {"points": [{"customdata": [
        row["month"].isoformat(), row["stage"], row["connection"], row["documents"], "", ""]}],
        "point_indices": [0], "box": [], "lasso": []}}
    at.run()
    assert_clean(at)
    at.button(key="rc_open_review").click().run()
    assert_review_in_english(at)


def test_back_to_french_after_a_jump_in_english(synced_workspace, use_workspace):
    use_workspace(synced_workspace)
    at = in_english(open_app())
    at.button(key="ov_open_to_review").click().run()
    at.segmented_control(key="lang").set_value("fr").run()
    assert title(at) == "Revue"
    assert "lang" not in at.query_params, "French is what a French browser gets anyway: the URL stays clean"
    at.switch_page("views/overview.py").run()
    assert title(at) == "Vue d'ensemble"


# -- a page load: F5, a link, a new tab ----------------------------------------------------
def test_a_page_load_takes_the_language_of_its_url(synced_workspace, use_workspace):
    use_workspace(synced_workspace)
    at = load(lang="en")
    assert title(at) == "Overview" and at.segmented_control(key="lang").value == "en"
    at.button(key="ov_open_to_review").click().run()
    assert_review_in_english(at)
    assert title(load(lang="xx")) == "Vue d'ensemble"  # not a language of the console


@pytest.mark.parametrize(("locale", "expected"), [
    ("en-US", "Overview"), ("en", "Overview"), ("fr-FR", "Vue d'ensemble"), ("de-DE", "Vue d'ensemble"),
    (None, "Vue d'ensemble"),
])
def test_a_new_session_speaks_the_browser_language(locale, expected, synced_workspace, use_workspace):
    use_workspace(synced_workspace)
    at = load(locale=locale)
    assert title(at) == expected
    assert "lang" not in at.query_params  # nothing chosen: nothing in the URL


def test_the_url_and_the_server_setting_beat_the_browser(synced_workspace, use_workspace, monkeypatch):
    use_workspace(synced_workspace)
    at = load(locale="en-GB", lang="fr")
    assert title(at) == "Vue d'ensemble"
    assert at.query_params.get("lang") == "fr", "French chosen in an English browser stays in the URL"
    monkeypatch.setenv("ECLUSE_LANG", "fr")
    assert title(load(locale="en-GB")) == "Vue d'ensemble"


def test_french_chosen_in_an_english_browser_survives_a_jump(synced_workspace, use_workspace):
    use_workspace(synced_workspace)
    at = load(locale="en-US")
    assert title(at) == "Overview"
    at.segmented_control(key="lang").set_value("fr").run()
    assert at.query_params.get("lang") == "fr"
    at.button(key="ov_open_to_review").click().run()
    assert_clean(at)
    assert title(at) == "Revue" and at.query_params.get("lang") == "fr"


def test_streamlit_s_own_hints_are_said_in_french_and_left_alone_in_english(synced_workspace, use_workspace):
    # Streamlit says "Press Enter to apply" under a text input in English only: in French, a
    # style sheet of the console says it instead (its rendering is checked in test_browser).
    use_workspace(synced_workspace)
    at = load(locale="fr-FR")
    [sheet] = [h.proto.body for h in at.get("html") if "InputInstructions" in h.proto.body]
    assert 'content: "Entrée pour valider"' in sheet and 'content: "Entrée pour envoyer"' in sheet
    assert '[data-testid="stTextArea"]' in sheet and "(\\2318  sur Mac)" in sheet  # ⌘, escaped for CSS (the escape takes one space)
    in_english(at)
    assert not [h for h in at.get("html") if "InputInstructions" in h.proto.body]
