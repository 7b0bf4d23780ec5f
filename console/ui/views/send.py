"""Send: a placeholder until the Pennylane destination lands (another page will replace it)."""
from __future__ import annotations

import streamlit as st

from ecluse.services import review
from ecluse.ui import state
from ecluse.ui.state import t

st.title(t("send.title"))
st.info(t("send.building"), icon=":material/construction:")
_rows, waiting = review.list_documents(state.workspace(), review.Filters(status="approved"), limit=0)
st.metric(t("send.waiting"), waiting)
if waiting and st.button(t("send.review_link"), icon=":material/fact_check:"):
    st.session_state["review_preset"] = {"status": ["approved"]}
    st.switch_page(st.session_state["_pages"]["review"])
st.markdown(t("send.coming"))
st.code("ecluse push --dry-run   # build and validate the requests, send nothing\n"
        "ecluse push             # send", language="bash")
