"""Plugins: what loaded, what failed and why, and how to add one."""
from __future__ import annotations

import os

import streamlit as st

from ecluse.ui import state
from ecluse.ui.state import t

st.title(t("plg.title"))
st.caption(t("plg.intro"))
infos = state.plugins().infos
for info in infos:
    if info.status == "failed":
        st.error(t("plg.failed", name=info.name, error=info.error), icon=":material/extension_off:")
    elif info.status == "partial":
        # Partial by its CLI commands alone: nothing of it works here (the console never calls that hook).
        st.warning(t("plg.partial" if info.in_console else "plg.partial_cli", name=info.name, error=info.error),
                   icon=":material/extension:")
# A row as its alert above: red for a failure, the warning's yellow for a plugin loaded in part.
ROW_STYLES = {"failed": "background-color: #fbe3e1; color: #8a1f17",
              "partial": "background-color: #fff6d9; color: #7a5a00"}
if infos:
    statuses = [i.status for i in infos]

    def highlight(row):
        return [ROW_STYLES.get(statuses[row.name], "")] * len(row)

    import pandas as pd

    def status_label(info) -> str:
        if info.status == "partial":
            return t("plg.partly" if info.in_console else "plg.partly_cli")
        return t("plg.ok" if info.status == "ok" else "plg.ko")

    frame = pd.DataFrame([{
        t("col.name"): i.name, t("col.status"): status_label(i),
        t("col.version"): i.version or "—", t("col.connectors"): ", ".join(i.connectors),
        t("col.hooks"): ", ".join(i.hooks), t("col.module"): i.module, t("col.error"): i.error or "",
    } for i in infos])
    st.dataframe(frame.style.apply(highlight, axis=1), hide_index=True, width="stretch", key="pl_table")
else:
    st.info(t("plg.none"))

st.subheader(t("plg.load_title"))
st.markdown(t("plg.load_text"))
current = os.environ.get("ECLUSE_LOAD_PLUGINS")
st.caption(t("plg.load_current", value=current if current is not None else t("plg.load_unset")))
st.subheader(t("plg.ship_title"))
st.markdown(t("plg.ship_text"))
st.code('[project.entry-points.ecluse]\nmy_source = "my_package.ecluse_plugin"', language="toml")
st.code('''from ecluse import hookimpl
from ecluse.connectors import Connector, Setting


class MySource(Connector):
    id = "my_source"
    title = "My source"
    settings = (Setting("token", "API token", secret=True, required=True),)

    def check(self, ctx): ...
    def fetch(self, ctx): ...


@hookimpl
def register_connectors(register):
    register(MySource)''', language="python")
