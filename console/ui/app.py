"""Écluse console: `streamlit run console/ui/app.py` (or `ecluse run`, which sets ECLUSE_WORKSPACE).

This entry point sets up the page, the sidebar (language, the reviewer's name, the workspace)
and the navigation; every page lives in views/ and calls the same services as the CLI.
(Not pages/: a folder of that name beside the main script puts Streamlit in its legacy
multipage mode, which runs the page files directly and never this script.)
"""
from __future__ import annotations

import logging

import streamlit as st

from ecluse import __version__, i18n
from ecluse.ui import state, widgets
from ecluse.ui.state import t

log = logging.getLogger("ecluse.ui")

st.set_page_config(page_title="Écluse", page_icon=":material/water_lock:", layout="wide",
                   initial_sidebar_state="expanded")

# The language first (the page titles below are said in it): the session's, or else the URL's
# (?lang=, a page load), the browser's or French; kept across st.switch_page, which drops widgets.
state.settle_lang()
widgets.streamlit_hints()
if "actor" not in st.session_state:
    st.session_state["actor"] = state.default_actor()
else:  # kept as the session's own value: a jump to another page (st.switch_page) dropped the widget's
    st.session_state["actor"] = st.session_state["actor"]

PAGES = {
    "overview": ("views/overview.py", ":material/dashboard:"),
    "connections": ("views/connections.py", ":material/cable:"),
    "review": ("views/review.py", ":material/fact_check:"),
    "send": ("views/send.py", ":material/send:"),
    "reconciliation": ("views/reconciliation.py", ":material/query_stats:"),
    "mappings": ("views/mappings.py", ":material/rule:"),
    "reports": ("views/reports.py", ":material/table_view:"),
    "plugins": ("views/plugins.py", ":material/extension:"),
}

pages = {
    name: st.Page(path, title=t(f"nav.{name}"), icon=icon, url_path=name, default=(name == "overview"))
    for name, (path, icon) in PAGES.items()
}
st.session_state["_pages"] = pages  # for st.switch_page from one page to another

# The accountant's pages first; what a plugin author or an administrator looks at, apart.
ADMIN_PAGES = ("plugins",)
navigation = st.navigation({
    "": [page for name, page in pages.items() if name not in ADMIN_PAGES],
    t("nav.admin"): [pages[name] for name in ADMIN_PAGES],
}, position="sidebar")

with st.sidebar:
    st.segmented_control(
        t("sidebar.language"), list(i18n.LANGS), key="lang", required=True,
        format_func=lambda code: i18n.LANG_NAMES[code],
    )
    st.text_input(t("sidebar.actor"), key="actor", help=t("sidebar.actor_help"))
    if state.unsigned(state.actor()):  # decisions would be signed by nobody ("console", or no name)
        st.warning(t("sidebar.actor_unset"), icon=":material/badge:")
    try:
        path = state.workspace().path
        st.caption(t("sidebar.workspace", path=str(path)))
    except widgets.USER_ERRORS as exc:
        st.caption(str(exc))
    st.caption(f"Écluse {__version__} — {t('app.tagline')}")

state.note_page(navigation.url_path)
try:
    navigation.run()
except widgets.USER_ERRORS as exc:
    widgets.user_error(exc)
except Exception as exc:  # noqa: BLE001 - a bug is shown as a message; the traceback goes to the log
    log.exception("page %s failed", navigation.url_path)
    st.error(t("error.unexpected", kind=type(exc).__name__, message=str(exc)), icon=":material/bug_report:")
