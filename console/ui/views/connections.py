"""Connections: the sources, their settings (form from the connector's schema), test and sync."""
from __future__ import annotations

import logging
from typing import Any, Callable

import streamlit as st

from ecluse import i18n
from ecluse.redact import redact
from ecluse.services import setup
from ecluse.ui import state, widgets
from ecluse.ui.state import t


def pennylane_commands(source: str | None) -> tuple[tuple[str, str], ...]:
    """The destination's commands, naming the token's variable as configured (`source`:
    "env:VAR"), else the usual one."""
    var = widgets.token_env_var(source) or "PENNYLANE_TOKEN"
    return (
        (f"ecluse pennylane set --token-env {var} --dry-run", "cmd.pl_set_token"),
        ("ecluse pennylane check", "cmd.pl_check"),
        ("ecluse pennylane set --live", "cmd.pl_live"),
        ("ecluse pennylane set --import-as-incomplete", "cmd.pl_incomplete"),
    )


def secret_sources(ws, name: str) -> dict[str, str]:
    """Secret setting → "env:VAR" or "stored". The values themselves never leave this function."""
    stored = ws.load_secrets().get("connections", {}).get(name, {})
    return {key: (str(value) if str(value).startswith("env:") else "stored") for key, value in stored.items()}


def connector_title(connector: str) -> str:
    """A connection's connector by its title in the console's language (its id if not loaded)."""
    loaded = state.plugins().connectors
    return loaded[connector].text(state.lang())[0] if connector in loaded else connector


def overview_table(rows: list[dict[str, Any]]) -> None:
    widgets.table([{
        "name": r["name"],
        "connector": connector_title(r["connector"]),
        "enabled": "✓" if r["enabled"] else "—",
        "last_sync": widgets.datetime(r["last_sync_at"]) if r.get("last_sync_at") else "—",
        "status": t(f"run.{r['last_status']}") if r["last_status"] else "—",
        "documents": r["documents"],
        "error": widgets.run_error(r["last_error"], r["last_error_said"]),
    } for r in rows], {
        "name": t("col.name"), "connector": t("col.connector"), "enabled": t("col.enabled"),
        "last_sync": t("col.last_sync"), "status": t("col.status"), "documents": t("col.documents"),
        "error": t("col.error"),
    }, key="cn_table")


OPEN = "cn_open"  # session key: the connection whose panel the user last acted in


SAID = "cn_said"  # session key: (connection, [(level, text)]), what the last action said


def acted(ws, name: str, messages: list[tuple[str, str]] | None = None) -> None:
    """A new action on the connection (test, save, switch, sync): its panel stays open and says
    `messages` in place of what earlier actions said, the summary of a sync it ran before
    included (the table and the connection's status still show how that sync went)."""
    st.session_state[OPEN] = name
    st.session_state[SAID] = (name, list(messages or []))
    job = state.JOBS.get(ws, name)
    if job is not None and not job.running:
        st.session_state.get("_my_jobs", set()).discard(job.seq)


def said_for(name: str) -> list[tuple[str, str]]:
    """What the last action said, when it was about this connection."""
    last = st.session_state.get(SAID)
    return last[1] if last and last[0] == name else []


def shown_or_said(show: Callable[[], None], key: str, **names: str) -> bool:
    """`show()`; what a plugin's mistake makes it raise (stored settings its connector now
    refuses, a setting's default it cannot read) is said, redacted, and the page goes on.
    Returns whether `show()` went through."""
    try:
        show()  # st.rerun and st.stop raise BaseExceptions: they go through
    except Exception as exc:  # noqa: BLE001
        logging.getLogger("ecluse.console").warning("could not show %s: %s: %s", names, type(exc).__name__, exc)
        st.error(t(key, **names, error=redact(f"{type(exc).__name__}: {widgets.error_text(exc)}")),
                 icon=":material/error:")
        return False
    return True


def save_connection(ws, name: str, connector, values: dict[str, Any], *, replace: bool) -> bool:
    """Save the connection; what the save says (saved, the warnings of the settings it changed,
    or why it was refused) replaces what the connection's panel said before."""
    before = ws.connections().get(name, {}).get("settings") if replace else None
    try:
        ws.set_connection(name, connector, values, replace=replace)
    except widgets.USER_ERRORS as exc:
        if not replace:
            widgets.user_error(exc)  # the add form: said under it
        else:
            acted(ws, name, [("error", widgets.error_line(exc))])
        return False
    acted(ws, name, [("success", t("conn.saved", name=name))] + [
        ("warning", i18n.said_text(said, state.lang())) for said in setup.saved_warnings(ws, connector, name, before)])
    return True


def check_messages(result) -> list[tuple[str, str]]:
    """A test's result as messages: in the console's language when the connector said it
    sentence by sentence; the sentences after a success's first are warnings."""
    texts = i18n.said(result.says, state.lang()) or [result.message]
    first = ("success", t("conn.check_ok", message=texts[0])) if result.ok else (
        "error", t("conn.check_failed", message=texts[0]))
    return [first] + [("warning", text) for text in texts[1:]]


def test_button(ws, where, name: str, *, disabled: bool = False) -> None:
    """Test the connection as saved (a connector with no settings, or whose form cannot show)."""
    if where.button(t("conn.test"), key=f"cn_test_{name}", icon=":material/network_check:", disabled=disabled):
        with st.spinner(t("conn.test") + "…"):
            result = setup.check_connection(ws, state.plugins(), name)
        acted(ws, name, check_messages(result))


def switched(ws, name: str) -> None:
    """The connection's "Enabled" toggle was clicked: saved at once, and said."""
    enabled = bool(st.session_state[f"cn_enabled_{name}"])
    try:
        setup.set_enabled(ws, name, enabled)
    except widgets.USER_ERRORS as exc:
        acted(ws, name, [("error", widgets.error_line(exc))])
    else:
        acted(ws, name, [("success", t("conn.enabled_on" if enabled else "conn.enabled_off", name=name))])


def connection_panel(ws, row: dict[str, Any]) -> None:
    name = row["name"]
    plugins = state.plugins()
    connector = plugins.connectors.get(row["connector"])
    running = widgets.sync_running(ws, name)
    if connector is None:
        st.warning(t("conn.not_loaded", connector=row["connector"]))
    bar = st.container(horizontal=True, vertical_alignment="center")
    # Testing what the form holds is the form's own button; without a form, the saved settings.
    test_slot = bar.empty()
    if connector is None or not connector.settings:
        test_button(ws, test_slot, name, disabled=connector is None)
    if bar.button(t("conn.sync"), key=f"cn_sync_{name}", icon=":material/sync:", type="primary",
                  disabled=running or connector is None):
        acted(ws, name)
        widgets.start_sync(ws, name)
        st.rerun()
    with bar.popover(t("conn.remove"), icon=":material/delete:"):
        st.markdown(t("conn.remove_confirm", name=name))
        if st.button(t("conn.remove_yes"), key=f"cn_remove_{name}", type="primary"):
            try:
                ws.remove_connection(name)
            except widgets.USER_ERRORS as exc:
                widgets.user_error(exc)
            else:
                state.flash("success", t("conn.removed", name=name))
                st.rerun()
    # What ecluse.toml says (changed by the CLI meanwhile, say), the user's click aside.
    st.session_state[f"cn_enabled_{name}"] = bool(row["enabled"])
    # The label says the state (a toggle off still reading "Enabled" was taken for on).
    bar.toggle(t("conn.enabled" if row["enabled"] else "conn.disabled"), key=f"cn_enabled_{name}",
               help=t("conn.enabled_help"),
               on_change=switched, args=(ws, name))
    # Filled last, after the form's buttons: what this run's action said, in place of what the
    # earlier ones did (a sync's summary included).
    said = st.container()
    if connector is not None:
        st.markdown(f"**{t('conn.edit')}**")
        if not connector.settings:
            st.caption(t("conn.no_settings"))
        elif not shown_or_said(lambda: edit_form(ws, row, connector), "conn.cannot_show", name=name):
            test_button(ws, test_slot, name)
    with said:
        for level, text in said_for(name):
            getattr(st, level)(text)
        widgets.sync_panel(ws, name)


def edit_form(ws, row: dict[str, Any], connector) -> None:
    name = row["name"]
    with st.form(f"cn_edit_{name}", border=False):
        values = widgets.settings_fields(connector, row["settings"], secret_sources(ws, name), f"cne_{name}",
                                         created_at=ws.created_at(row))
        # What the saved settings deserve a word about (a history import, say): said here, once
        # an alert when they were saved, not again at every test or save.
        for said in setup.saved_warnings(ws, connector, name):
            st.caption(":material/warning: " + i18n.said_text(said, state.lang()))
        if any(s.required for s in connector.settings):
            st.caption(t("conn.required_note"))
        buttons = st.container(horizontal=True)
        test = buttons.form_submit_button(t("conn.test"), icon=":material/network_check:", key=f"cn_test_{name}")
        save = buttons.form_submit_button(t("conn.save"), icon=":material/save:", key=f"cn_save_{name}")
        st.caption(t("conn.test_note"))
        if test:
            with st.spinner(t("conn.test") + "…"):
                result = setup.check_settings(ws, state.plugins(), name, values)
            acted(ws, name, check_messages(result))
        if save and save_connection(ws, name, connector, values, replace=True):
            st.rerun()


# Sources Écluse means to read and does not yet (unless a plugin brings a connector of that id).
NOT_BUILT = (("amazon_business", "Amazon Business"), ("getmyinvoices", "GetMyInvoices"))


def add_form(ws, existing: list[str]) -> None:
    plugins = state.plugins()
    with st.expander(t("conn.add"), expanded=not existing, icon=":material/add_link:",
                     key="cn_add_expander"):  # keyed: a change of language keeps it open
        if not plugins.connectors:
            st.warning(t("conn.no_connectors"))
            return
        # The built-ins first, the first of them chosen (a third-party one, possibly broken, is
        # never rendered unasked); then the others by id.
        builtin = {c for info in plugins.infos if info.builtin for c in info.connectors}
        ids = sorted(plugins.connectors, key=lambda i: (i not in builtin, i))
        not_built = [name for connector_id, name in NOT_BUILT if connector_id not in plugins.connectors]
        if not_built:
            st.caption(t("conn.not_built", names=", ".join(not_built), n=len(not_built)))
        connector_id = st.selectbox(t("conn.connector"), ids, key="cn_new_connector", index=0 if ids[0] in builtin else None,
                                    placeholder=t("conn.choose_connector"),
                                    format_func=state.frozen(lambda i: f"{plugins.connectors[i].text(state.lang())[0]} · {i}"))
        if connector_id is None:
            return
        shown_or_said(lambda: new_connection_form(ws, existing, plugins.connectors[connector_id], connector_id),
                      "conn.cannot_show_form", connector=connector_id)


def new_connection_form(ws, existing: list[str], connector, connector_id: str) -> None:
    description = connector.text(state.lang())[1]
    if description:
        st.caption(description)
    # A new set of widgets once a connection is created: deleting their keys left the browser's
    # values in the form (a second "agence" was one click away).
    version = st.session_state.get("cn_new_version", 0)
    suffix = f"_{version}" if version else ""
    with st.form(f"cn_new{suffix}", border=False):
        name = st.text_input(t("conn.name") + " *", key=f"cn_new_name{suffix}", help=t("conn.name_help"))  # required
        values = widgets.settings_fields(connector, {}, {}, f"cnn{suffix}_{connector_id}")
        if any(s.required for s in connector.settings):
            st.caption(t("conn.required_note"))
        if st.form_submit_button(t("conn.create"), type="primary", icon=":material/add:", key="cn_create"):
            name = (name or "").strip()
            if not name:
                st.error(t("conn.name_required"))
            elif name in existing:
                st.error(t("conn.exists", name=name))
            elif save_connection(ws, name, connector, values, replace=False):
                st.session_state["cn_new_version"] = version + 1  # an empty form for the next one
                st.rerun()


def pennylane_settings(ws) -> None:
    st.subheader(t("conn.pennylane"))
    cfg = ws.pennylane()
    token = ws.pennylane_token_source()
    yes_no = lambda v: t("conn.yes") if v else t("conn.no")  # noqa: E731
    items = [
        (t("conn.pl_api_url"), f"`{cfg.get('api_url') or '—'}`"),
        (t("conn.pl_token"), f"`{token}`" if token else t("conn.pl_token_missing")),
        (t("conn.pl_dry_run"), yes_no(cfg.get("dry_run", True))),
        (t("conn.pl_incomplete"), yes_no(cfg.get("import_as_incomplete", False))),
    ]
    with st.container(border=True):
        for col, (label, text) in zip(st.columns([3, 2, 2, 2]), items):
            col.caption(label)
            col.markdown(text)
    st.markdown(t("conn.pl_change"))
    st.code(widgets.commands(pennylane_commands(token)), language="bash")
    pages = st.session_state.get("_pages") or {}
    if "send" in pages:
        st.page_link(pages["send"], label=t("conn.pl_open_send"), icon=":material/send:")


def main() -> None:
    st.title(t("conn.title"))
    st.caption(t("conn.intro"))
    if state.entered():  # a test's result from an earlier visit would sit beside newer news
        st.session_state.pop(SAID, None)
    widgets.show_flashes()
    ws = state.workspace()
    rows = setup.describe_connections(ws, state.plugins())
    if rows:
        overview_table(rows)
    else:
        st.info(t("conn.none"))
    for row in rows:
        title = f"**{row['name']}** — {connector_title(row['connector'])}"
        running = widgets.sync_running(ws, row["name"])
        # The connection last acted on stays open: its test result or sync summary is in it.
        expanded = running or len(rows) == 1 or st.session_state.get(OPEN) == row["name"]
        with st.expander(title, expanded=expanded, icon=":material/cable:"):
            shown_or_said(lambda: connection_panel(ws, row), "conn.cannot_show", name=row["name"])
    add_form(ws, [r["name"] for r in rows])
    st.divider()
    pennylane_settings(ws)


main()
