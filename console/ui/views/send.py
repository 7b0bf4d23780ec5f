"""Send: the Pennylane destination, a selection of approved invoices, the dry-run preview (the
exact requests, validated against the spec), the send with live per-item progress, its summary
(failures to retry, holds to fix, an interrupted batch to resume), the history and the
read-back from Pennylane. The same services as `ecluse pennylane`, `ecluse push` and
`ecluse confirm`."""
from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from decimal import Decimal
from typing import Any

import streamlit as st

from ecluse import i18n
from ecluse.domain import json_dumps
from ecluse.http import HttpError
from ecluse.redact import register_secret
from ecluse.services import batches, reconcile, review, send
from ecluse.services import confirm as confirm_service
from ecluse.ui import state, widgets
from ecluse.ui.state import t
from ecluse.workspace import env_var

ERRORS = (*widgets.USER_ERRORS, send.BatchRunning, HttpError)
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PREVIEW_PAGE = 20
STATE_ICONS = {"sent": ":material/check_circle:", "failed": ":material/cancel:", "held": ":material/pause_circle:",
               "pending": ":material/hourglass_top:"}
DEFAULT_TOKEN_VAR = "PENNYLANE_TOKEN"  # the variable the commands name while none is configured


def live_commands(source: str | None) -> tuple[tuple[str, str], ...]:
    """The commands that make the destination live, for the token as the workspace has it
    (`source`: "env:VAR", "secrets.toml" or None): a variable configured is the one named, and
    exported only when the console does not have it; a token already there is not asked for."""
    unset = widgets.token_env_unset(source)
    if source is None:
        token: tuple[tuple[str, str], ...] = (
            (f"export {DEFAULT_TOKEN_VAR}=…", "cmd.token_where"),
            (f"ecluse pennylane set --token-env {DEFAULT_TOKEN_VAR} --live", "cmd.restart"))
    elif unset:
        token = ((f"export {unset}=…", "cmd.token_where"), ("ecluse pennylane set --live", "cmd.restart"))
    else:
        token = (("ecluse pennylane set --live", "cmd.pl_live"),)
    return (*token, ("ecluse pennylane check", "cmd.pl_check"), ("ecluse push --dry-run", "cmd.push_dry"),
            ("ecluse push", "cmd.push"))


def token_text(source: str | None) -> str:
    """Where the token comes from, as the destination panel says it."""
    var = widgets.token_env_var(source)
    return t("send.token_env", var=var) if var else t("send.token_stored") if source else t("send.token_missing")


def item_state(value: str | None) -> str:
    """sent, failed, held, or pending (an item stopped between two steps)."""
    return value if value in ("sent", "failed", "held") else "pending"


def state_label(value: str | None) -> str:
    """An invoice's state in a table's cell, capitalised as the batches' statuses are ("Envoyée");
    the same word follows a label in lower case ("… · bloquée")."""
    text = t(f"send.state_{item_state(value)}")
    return text[:1].upper() + text[1:]


# -- destination ---------------------------------------------------------------------------
def destination(ws) -> None:
    cfg = ws.pennylane()
    source = ws.pennylane_token_source()
    live = not cfg.get("dry_run", True)
    var = widgets.token_env_var(source)
    st.subheader(t("send.dest_title"))
    with st.container(border=True):
        cols = st.columns([5, 3, 2, 3])
        cols[0].caption(t("send.dest_api_url"))
        cols[0].markdown(f"`{send.api_url(ws)}`")
        cols[1].caption(t("send.dest_token"))
        cols[1].markdown(token_text(source))
        cols[2].caption(t("send.dest_mode"))
        with cols[2]:
            st.badge(t("send.mode_live" if live else "send.mode_dry_run"), color="red" if live else "blue",
                     icon=":material/send:" if live else ":material/science:")
        cols[3].caption(t("send.dest_incomplete"))
        cols[3].markdown(t("send.yes") if cfg.get("import_as_incomplete") else t("send.no"))
        if widgets.token_env_unset(source):
            st.warning(t("send.env_unset", var=var), icon=":material/warning:")
        if st.button(t("send.check"), key="sd_check", icon=":material/network_check:"):
            with st.spinner(t("send.checking")):
                st.session_state["sd_check_result"] = send.check_pennylane(ws)
            remember_company(ws, st.session_state["sd_check_result"])
        show_check(st.session_state.get("sd_check_result"))
    settings_panel(ws, cfg, source)


def show_check(result: dict[str, Any] | None) -> None:
    if result is None:
        return
    company = result.get("company") or {}
    missing = result.get("missing_scopes") or []
    if result.get("ok"):
        st.success(t("send.check_ok", company=company.get("name") or "?", id=company.get("id") or "?"),
                   icon=":material/check_circle:")
    else:
        message = widgets.said_or(result.get("message"), result.get("said"))
        st.error(t("send.check_failed", message=message), icon=":material/error:")
    if result.get("scopes"):
        st.caption(t("send.scopes", scopes=", ".join(f"`{s}`" for s in result["scopes"])))
    if missing:
        st.warning(t("send.missing_scopes", scopes=", ".join(f"`{s}`" for s in missing)), icon=":material/key_off:")


def remember_company(ws, result: dict[str, Any], key: str | None = None) -> None:
    """Keep a GET /me's answer for this session, keyed by the destination (URL and token)."""
    key = key or send.destination_key(ws)
    if key is not None:
        st.session_state.setdefault("sd_company", {})[key] = result


def token_company(ws) -> dict[str, Any]:
    """The check (GET /me) of the token the workspace sends with: asked once per token and
    session (the connection test's answer serves too), asked again after a failure only when
    the send is asked again (`forget_failed_company`)."""
    key = send.destination_key(ws)
    known = st.session_state.get("sd_company", {}).get(key) if key is not None else None
    if known is None:
        with st.spinner(t("send.checking")):
            known = send.check_pennylane(ws)
        remember_company(ws, known, key)
    return known


def forget_failed_company(ws) -> None:
    key = send.destination_key(ws)
    cache = st.session_state.get("sd_company", {})
    if key in cache and not cache[key].get("company"):
        del cache[key]


def company_line(result: dict[str, Any]) -> str:
    """'Société Pennylane : ACME SAS', or why it is unknown: said, never left out."""
    name = (result.get("company") or {}).get("name")
    if name:
        return t("send.confirm_company", company=name)
    reason = widgets.said_or(result.get("message"), result.get("said")) or "?"
    return t("send.confirm_company_unknown", reason=reason)


def amounts_text(totals: dict[str, Decimal]) -> str:
    """Amounts per currency, euros first: '9 826,67 €, 120,00 USD'; '—' for none."""
    ordered = sorted(totals.items(), key=lambda kv: kv[0] != "EUR")
    return ", ".join(widgets.money(v, c) for c, v in ordered) or "—"


SETTING_KEYS = ("sd_api_url", "sd_token_env", "sd_token_raw", "sd_incomplete")


def settings_panel(ws, cfg: dict[str, Any], source: str | None) -> None:
    """Change the destination. The token is either the NAME of an environment variable (stored
    as `env:NAME`) or a value typed in a password field, kept in secrets.toml and never shown."""
    live = not cfg.get("dry_run", True)
    with st.expander(t("send.settings"), icon=":material/settings:"):
        api_url = st.text_input(t("send.api_url"), value=send.api_url(ws), key="sd_api_url")
        c1, c2 = st.columns(2)
        var = c1.text_input(t("send.token_env_label"), value=widgets.token_env_var(source) or "", key="sd_token_env",
                            placeholder="PENNYLANE_TOKEN", help=t("send.token_env_help"))
        # A new field after each save: popping its key left the browser's value in it (masked), and
        # a token typed next was appended to the one saved.
        version = st.session_state.get("sd_token_version", 0)
        raw = c2.text_input(t("send.token_raw_label"), value="", type="password",
                            key=f"sd_token_raw_{version}" if version else "sd_token_raw",
                            autocomplete="new-password", help=t("send.token_raw_help"),
                            placeholder=t("send.token_raw_stored") if source == "secrets.toml" else None)
        mode = st.radio(t("send.mode"), ["dry_run", "live"], index=1 if live else 0, key=state.lkey("sd_mode"),
                        horizontal=True, format_func=state.frozen(lambda m: t(f"send.mode_{m}")))
        if mode == "live" and not live:
            st.warning(t("send.live_warning"), icon=":material/warning:")
        incomplete = st.checkbox(t("send.incomplete_label"), value=bool(cfg.get("import_as_incomplete")),
                                 key="sd_incomplete", help=t("send.incomplete_help"))
        if st.button(t("send.save"), key="sd_save", type="primary", icon=":material/save:"):
            save_settings(ws, source, api_url=api_url, var=var, raw=raw, live=mode == "live", incomplete=incomplete,
                          was_live=live)


def save_settings(ws, source: str | None, *, api_url: str, var: str, raw: str, live: bool, incomplete: bool,
                  was_live: bool) -> None:
    var = (var or "").strip()
    var = env_var(var) or var
    raw = (raw or "").strip()
    if var and not ENV_NAME.match(var):
        st.error(t("send.bad_env_name", var=var), icon=":material/error:")
        return
    if raw and var and var != widgets.token_env_var(source):
        st.error(t("send.token_both"), icon=":material/error:")
        return
    token = raw or (f"env:{var}" if var and var != widgets.token_env_var(source) else None)
    if live and token is None and source is None:
        st.error(t("send.live_needs_token"), icon=":material/error:")
        return
    if raw:
        register_secret(raw)  # redacted from every message and log from now on
    try:
        ws.set_pennylane(api_url=(api_url or "").strip() or None, token=token, dry_run=not live,
                         import_as_incomplete=incomplete)
    except ERRORS as exc:
        widgets.user_error(exc)
        return
    for key in (*SETTING_KEYS, "sd_check_result", "sd_preview"):
        st.session_state.pop(key, None)
    st.session_state["sd_token_version"] = st.session_state.get("sd_token_version", 0) + 1
    for key in [k for k in st.session_state if str(k).startswith("sd_mode.")]:
        del st.session_state[key]
    state.flash("success", t("send.saved"))
    if live and not was_live:
        state.flash("warning", t("send.now_live"))
    st.rerun()


# -- selection -----------------------------------------------------------------------------
def selection(ws) -> tuple[review.Filters, dict[str, Any]]:
    st.subheader(t("send.selection"))
    connections = reconcile.connections(ws)
    kept = st.session_state.get("sd_connections") or []
    if any(c not in connections for c in kept):  # a connection that is gone
        st.session_state["sd_connections"] = [c for c in kept if c in connections]
    date_format = widgets.date_format()
    with st.container(border=True):
        c1, c2, c3 = st.columns([2, 1, 1])
        chosen = c1.multiselect(t("send.f_connections"), connections, key="sd_connections",
                                placeholder=t("send.all_connections"))
        date_from = c2.date_input(t("send.f_from"), value=None, key=state.lkey("sd_from"), format=date_format)
        date_to = c3.date_input(t("send.f_to"), value=None, key=state.lkey("sd_to"), format=date_format)
    filters = review.Filters(connection=chosen or None, date_from=date_from or None, date_to=date_to or None)
    summary = batches.selection_summary(ws, filters)
    cols = st.columns(3)
    cols[0].metric(t("send.m_approved"), summary["approved"], border=True)
    # One currency in the metric (euros first): "13 691,32 € + 4 608,00 £" did not fit; the
    # others are listed under it.
    totals = dict(sorted(summary["totals"].items(), key=lambda kv: kv[0] != "EUR"))
    main = next(iter(totals), "EUR")
    cols[1].metric(t("send.m_amount"), widgets.money(totals.get(main, 0), main), border=True)
    if len(totals) > 1:
        others = amounts_text({c: v for c, v in totals.items() if c != main})
        cols[1].caption(t("send.m_amount_others", amounts=others))
    cols[2].metric(t("send.m_waiting_pdf"), summary["waiting_for_pdf"], border=True, help=t("send.waiting_pdf_help"))
    if summary["approved"] == 0:
        cols = st.columns([4, 1])
        cols[0].info(t("send.none_approved"), icon=":material/info:")
        if cols[1].button(t("send.to_review"), key="sd_to_review", icon=":material/fact_check:"):
            widgets.open_review({"status": ["to_review"]})
    elif summary["waiting_for_pdf"]:
        st.caption(t("send.ready_later", ready=summary["ready"], waiting=summary["waiting_for_pdf"]))
    return filters, summary


def filters_key(filters: review.Filters) -> str:
    return json.dumps([filters.connection, str(filters.date_from), str(filters.date_to)], default=str)


# -- preview (dry run) ---------------------------------------------------------------------
def preview(ws, filters: review.Filters, summary: dict[str, Any]) -> None:
    st.subheader(t("send.preview_title"))
    st.caption(t("send.preview_intro"))
    key = filters_key(filters)
    if st.button(t("send.preview"), key="sd_preview_btn", icon=":material/preview:", disabled=summary["ready"] == 0):
        try:
            with st.spinner(t("send.preview_running")):
                result = send.dry_run(ws, replace(filters))
                checks = batches.preview_checks(ws, [i.document_id for i in result.items])
        except ERRORS as exc:
            widgets.user_error(exc)
            return
        st.session_state["sd_preview"] = (key, batches.preview_stamp(ws), result, checks)
        st.session_state["sd_preview_page"] = 1
    stored = st.session_state.get("sd_preview")
    if stored is None or stored[0] != key:
        return
    if stored[1] != batches.preview_stamp(ws):  # a decision, a fix, a sync, a mapping or Pennylane's lists since
        st.info(t("send.preview_stale"), icon=":material/update:")
        return
    show_preview(ws, stored[2], stored[3])


def plain(value: Any) -> Any:
    """JSON-ready (Decimal amounts as the strings that are sent, dates in ISO 8601)."""
    return json.loads(json_dumps(value))


def held_text(number: str | None, document_id: str, message: str | None, said: Any) -> str:
    return batches.held_text(number, document_id, message, said, state.lang())


def flag_text(check: batches.PreviewCheck, *, in_list: bool = False) -> str:
    """What a live send would do with an invoice unlike its preview, in one sentence; in a list
    whose heading says it is put On hold, its missing accounts without saying so again."""
    parts = []
    if check.absent:
        parts.append(t("send.flag_accounts_list" if in_list else "send.flag_accounts", n=len(check.absent),
                       accounts=", ".join(check.absent)))
    if check.category_problem:
        parts.append(widgets.said_or(None, {"code": f"send.flag_category_{check.category_problem}",
                                            "params": {"category": repr(check.category)}}))
    return " ; ".join(parts) if state.lang() == "fr" else "; ".join(parts)


def flag_blocks(checks: batches.PreviewChecks, numbers: dict[str, str]) -> list[tuple[str, str]]:
    """The flagged invoices in two blocks: those a live send would put On hold (an account
    Pennylane's chart lacks) first, then those that would go without their category; each with
    its icon."""
    flagged = checks.flagged()
    when = widgets.datetime(checks.read_at)
    held = {d: c for d, c in flagged.items() if c.absent}
    minor = {d: c for d, c in flagged.items() if not c.absent}
    blocks = []
    if held:
        blocks.append((t("send.preview_flags_held", n=len(held), when=when) + "\n\n" + "\n".join(
            _item(numbers.get(d, d), flag_text(c, in_list=True)) for d, c in held.items()), STATE_ICONS["held"]))
    if minor:
        blocks.append((t("send.preview_flags_minor", n=len(minor), when=when) + "\n\n" + "\n".join(
            _item(numbers.get(d, d), flag_text(c)) for d, c in minor.items()), ":material/category:"))
    return blocks


def show_preview(ws, result: send.BatchResult, checks: batches.PreviewChecks) -> None:
    if result.status == "nothing_to_send":
        st.info(t("send.nothing_to_send"), icon=":material/info:")
        return
    summary = result.summary()
    violations = [(r, v) for r in result.requests for v in r.violations]
    numbers = {i.document_id: i.number or i.document_id for i in result.items}
    held = [i for i in result.items if i.state == "held"]
    blocks = flag_blocks(checks, numbers)
    if not violations and not blocks:
        st.success(t("send.preview_valid", docs=len(result.items), requests=result.request_count),
                   icon=":material/verified:")
    elif not violations:  # valid requests, but a live send would not go as previewed
        st.warning(t("send.preview_conform", docs=len(result.items), requests=result.request_count),
                   icon=":material/account_tree:")
    else:
        lines = "\n".join(_item(numbers.get(r.document_id, '—'), v, f" `{r.method} {r.path}`") for r, v in violations)
        st.error(t("send.preview_invalid", n=len(violations)) + "\n\n" + lines, icon=":material/rule:")
    for block, icon in blocks:
        st.warning(block, icon=icon)
    if checks.read_at is None and any(any(c.accounts) for c in checks.by_document.values()):
        st.caption(t("send.lists_unknown"))
    if summary["lines_without_account"]:
        st.warning(t("send.preview_no_account", n=summary["lines_without_account"],
                     docs=summary["documents_without_account"]), icon=":material/account_tree:")
        pages = st.session_state.get("_pages", {})
        if "mappings" in pages:
            st.page_link(pages["mappings"], label=t("fx.open_mappings"), icon=":material/rule:")
    if held:
        lines = "\n".join(_item(i.number or i.document_id, held_text(i.number, i.document_id, i.error, i.said))
                          for i in held)
        st.warning(t("send.preview_held", n=len(held)) + "\n\n" + lines, icon=":material/pause_circle:")
    if result.fictitious:
        st.info(t("send.preview_fictitious", n=len(result.fictitious)), icon=":material/theater_comedy:")
    st.download_button(t("send.preview_download"), json_dumps({**summary, "pennylane_lists": checks.as_dict()}, indent=2),
                       file_name="ecluse-dry-run.json",
                       mime="application/json", key="sd_preview_json", icon=":material/download:", on_click="ignore")
    shared = [r for r in result.requests if r.document_id is None]
    if shared:
        with st.expander(t("send.preview_shared", n=len(shared)), icon=":material/groups:"):
            for r in shared:
                request_block(r)
    by_doc: dict[str, list[send.PlannedRequest]] = {}
    for r in result.requests:
        if r.document_id is not None:
            by_doc.setdefault(r.document_id, []).append(r)
    items = result.items
    pages = max(1, -(-len(items) // PREVIEW_PAGE))
    page = 1
    if pages > 1:
        page = int(st.number_input(t("send.preview_page", pages=pages), min_value=1, max_value=pages, step=1,
                                   key="sd_preview_page"))
    start = (page - 1) * PREVIEW_PAGE
    shown = items[start:start + PREVIEW_PAGE]
    docs, _ = review.list_documents(ws, review.Filters(ids=[i.document_id for i in shown]),
                                    limit=len(shown))
    docs_by_id = {d["id"]: d for d in docs}
    for index, item in enumerate(shown):
        requests = by_doc.get(item.document_id, [])
        bad = any(r.violations for r in requests)
        check = checks.by_document.get(item.document_id, batches.PreviewCheck())
        icon = (":material/error:" if bad else STATE_ICONS["held"] if item.state == "held" or check.absent
                else ":material/warning:" if check.flagged else STATE_ICONS["sent"])
        doc = docs_by_id.get(item.document_id, {})
        label = t("send.preview_doc", number=item.number or item.document_id, n=len(requests),
                  counterparty=doc.get("counterparty") or "—",
                  total=widgets.money(doc.get("total"), doc.get("currency")))
        if item.state == "held":
            label += " · " + t("send.state_held")
        elif check.absent:
            label += " · " + t("send.would_hold")
        with st.expander(label, icon=icon, expanded=(start + index == 0)):
            if item.state == "held":
                st.warning(held_text(item.number, item.document_id, item.error, item.said),
                           icon=":material/pause_circle:")
            if check.flagged:
                st.warning(flag_text(check), icon=":material/account_tree:")
            # What the accountant checks first (the lines as Pennylane will book them), then
            # the requests themselves.
            summary_tab, requests_tab = st.tabs([t("send.tab_lines"), t("send.tab_requests", n=len(requests))])
            with summary_tab:
                invoice_lines(requests, doc.get("currency"), check, key=f"sd_lines_{item.document_id}")
            with requests_tab:
                for r in requests:
                    request_block(r)


def invoice_lines(requests: list[send.PlannedRequest], currency: str | None, check: batches.PreviewCheck,
                  key: str) -> None:
    """The invoice's lines as its import request sends them: label, quantity, unit price, VAT
    code and amounts, and the number of the ledger account that goes with each (said absent
    when Pennylane's chart lacks it)."""
    body = next((r.body for r in requests if r.path.endswith("/import") and isinstance(r.body, dict)), None)
    if not body or not body.get("invoice_lines"):
        st.caption(t("send.no_import"))
        return

    def amount(value: Any) -> str:
        return widgets.money(Decimal(str(value)), currency) if value not in (None, "") else "—"

    def price(value: Any) -> str:  # all its places (0,123456 €), at least the cents
        if value in (None, ""):
            return "—"
        number = Decimal(str(value)).normalize()
        return i18n.format_money(number, currency, state.lang(), places=max(2, i18n.decimal_places(number)))

    def account(index: int, line: dict[str, Any]) -> str:
        number = check.accounts[index] if index < len(check.accounts) else None
        if number is None or not line.get("ledger_account_id"):
            return t("send.account_by_pennylane")
        return t("send.account_absent", number=number) if number in check.absent else number

    widgets.table([{
        "label": line.get("label") or "—",
        "quantity": widgets.number(Decimal(str(line["quantity"]))) if line.get("quantity") is not None else "—",
        "unit_price": price(line.get("raw_currency_unit_price")),
        "vat_code": line.get("vat_rate") or "—",
        "tax": amount(line.get("currency_tax")),
        "amount": amount(line.get("currency_amount")),
        "account": account(index, line),
    } for index, line in enumerate(body["invoice_lines"])], {
        "label": t("col.label"), "quantity": t("col.quantity"), "unit_price": t("col.unit_price"),
        "vat_code": t("fx.vat_code"), "tax": t("col.total_tax"), "amount": t("col.total"),
        "account": t("send.col_account"),
    }, key=key)


def request_block(r: send.PlannedRequest) -> None:
    st.markdown(f"**`{r.method} {r.path}`**")
    if r.note and not r.multipart:
        st.caption(t(f"send.note.{r.note_code}") if r.note_code else r.note)
    if r.query:
        st.caption(t("send.query", query=", ".join(f"{k}={v}" for k, v in r.query.items())))
    if r.multipart:
        file = r.multipart.get("file")
        if isinstance(file, tuple):
            st.caption(t("send.multipart", name=file[0], size=widgets.number(len(file[1])), type=file[2]))
    if r.body is not None:
        st.json(plain(r.body), expanded=1 if r.path.endswith("/import") else False)
    if r.violations:
        st.error("\n".join(f"- {v}" for v in r.violations), icon=":material/rule:")
    elif r.method != "GET":
        st.caption(t("send.request_valid"))


# -- send ----------------------------------------------------------------------------------
def send_section(ws, filters: review.Filters, summary: dict[str, Any]) -> None:
    st.subheader(t("send.send_title"))
    cfg = ws.pennylane()
    live = not cfg.get("dry_run", True)
    source = ws.pennylane_token_source()
    job = batches.JOBS.get(ws)
    running = job is not None and job.running
    elsewhere = None if running else batches.sender_elsewhere(ws)
    ready = summary["ready"]
    if not live:  # the token asked for only when there is none
        unset = widgets.token_env_unset(source)
        if source is None:
            why = t("send.why_dry_run")
        elif unset:  # configured, but not for this console (Overview says so too)
            why = t("send.why_dry_run_token_unset", var=unset)
        else:
            why = t("send.why_dry_run_has_token", token=token_text(source))
        st.info(why, icon=":material/science:")
        st.code(widgets.commands(live_commands(source)), language="bash")
    elif source is None:
        st.warning(t("send.why_no_token"), icon=":material/key_off:")
        st.code(widgets.commands(live_commands(source)), language="bash")
    if elsewhere:
        st.warning(t("send.busy_elsewhere", holder=elsewhere), icon=":material/hourglass_top:")
    can_send = live and source is not None and not running and not elsewhere
    if not running:
        failed_panel(ws, can_send)
    help_text = (t("send.disabled_dry_run") if not live else t("send.disabled_no_token") if source is None
                 else t("send.disabled_running") if running or elsewhere else t("send.disabled_nothing") if not ready
                 else None)
    if st.button(t("send.send", n=ready) if ready else t("send.send_none"), key="sd_send", type="primary",
                 icon=":material/send:",
                 disabled=not can_send or ready == 0, help=help_text):
        st.session_state["sd_confirming"] = True
        forget_failed_company(ws)  # asked again: a failure may have been passing
    if st.session_state.get("sd_confirming") and can_send and ready:
        company = token_company(ws)
        with st.container(border=True):
            st.markdown(t("send.confirm_question", n=ready))
            if company.get("company"):
                st.markdown(company_line(company))
            else:
                st.warning(company_line(company), icon=":material/domain_disabled:")
            st.markdown(t("send.confirm_amount", amounts=amounts_text(summary["ready_totals"])))
            st.caption(t("send.confirm_detail", url=send.api_url(ws)))
            bar = st.container(horizontal=True)
            if bar.button(t("send.confirm_yes"), key="sd_send_yes", type="primary", icon=":material/send:"):
                start_push(ws, filters=filters)
            if bar.button(t("send.confirm_no"), key="sd_send_no"):
                st.session_state.pop("sd_confirming", None)
                st.rerun()
    progress_panel(ws, can_send=can_send, elsewhere=bool(elsewhere))


def failed_panel(ws, can_send: bool) -> None:
    """The invoices whose last send failed, whichever batch it was: still to be sent, so said
    on arrival rather than only in that batch's detail. Retrying asks first, as sending does."""
    failed, total = review.list_documents(ws, review.Filters(status="failed"), limit=20)
    if not total:
        return
    numbers = ", ".join(r["number"] or r["id"] for r in failed) + (" …" if total > len(failed) else "")
    with st.container(border=True):
        st.warning(t("send.failed_waiting", n=total, numbers=numbers), icon=":material/cancel:")
        with st.popover(t("send.retry", n=total), icon=":material/replay:", disabled=not can_send,
                        help=None if can_send else t("send.resume_disabled")):
            st.markdown(t("send.retry_question", n=total))
            if st.button(t("send.confirm_yes"), key="sd_failed_retry", type="primary", icon=":material/send:"):
                ids, _ = review.list_documents(ws, review.Filters(status="failed"), limit=total)
                retry(ws, [r["id"] for r in ids])


def start_push(ws, *, filters: review.Filters | None = None, ids: list[str] | None = None) -> None:
    try:
        gateway = send.gateway_for(ws)
        signer = state.signer()
    except ERRORS as exc:
        widgets.user_error(exc)
        return
    job = batches.JOBS.start(ws, gateway, replace(filters) if filters is not None else None, ids=ids,
                             actor=signer)
    st.session_state.setdefault("_my_pushes", set()).add(job.seq)
    st.session_state.pop("sd_confirming", None)
    st.session_state.pop("sd_preview", None)
    st.rerun()


def progress_panel(ws, *, can_send: bool, elsewhere: bool) -> None:
    """Live progress while a push runs (refreshed every second), then its outcome for the
    session that started it; an unfinished batch with a Resume button for everyone."""
    job = batches.JOBS.get(ws)
    shown: int | None = None
    if job is not None and job.running:
        @st.fragment(run_every=1.0)
        def live() -> None:
            current = batches.JOBS.get(ws)
            if current is not None and not current.running:
                st.rerun()  # the whole page: counts, history and buttons change
            show_progress(current or job)

        live()
        return
    if job is not None and job.seq in st.session_state.get("_my_pushes", set()):
        shown = show_outcome(ws, job, can_send=can_send)
    unfinished = None if elsewhere else batches.open_batch(ws)  # being sent by another process
    if unfinished is not None and unfinished["id"] != shown:
        batch_panel(ws, unfinished["id"], prefix="sd_open", can_send=can_send)


def show_progress(job: batches.PushJob) -> None:
    total = job.total
    label = t("send.running", done=job.done, total=total) if total else t("send.preparing")
    with st.status(label, state="running", expanded=True):
        st.progress(job.done / total if total else 0.0)
        recent = list(reversed(job.items[-8:]))
        if recent:
            widgets.table([{
                "number": i.number or i.document_id, "state": state_label(i.state),
                "pennylane_id": i.pennylane_id, "message": widgets.said_or(i.error or i.warning, i.said),
            } for i in recent], {
                "number": t("col.number"), "state": t("col.status"), "pennylane_id": t("send.col_pennylane_id"),
                "message": t("col.message"),
            }, key="sd_progress_table")


def show_outcome(ws, job: batches.PushJob, *, can_send: bool) -> int | None:
    """The end of this session's push; returns the batch shown, if any."""
    if job.busy:
        st.warning(t("send.already_running", message=job.error or ""), icon=":material/hourglass_top:")
        return None
    if job.error or job.result is None:
        st.error(t("send.run_failed", message=job.error or ""), icon=":material/error:")
        return None
    if job.result.status == "nothing_to_send" or job.result.batch_id is None:
        st.info(t("send.nothing_to_send"), icon=":material/info:")
        return None
    batch_panel(ws, job.result.batch_id, prefix="sd_last", can_send=can_send, message=job.result.message)
    return job.result.batch_id


def batch_panel(ws, batch_id: int, *, prefix: str, can_send: bool, message: str | None = None) -> None:
    """One batch: its outcome, counts, every item, and what to do about failures and holds."""
    batch = batches.get_batch(ws, batch_id)
    if batch is None:
        return
    items = batches.batch_items(ws, batch_id)
    counts = {s: sum(1 for i in items if item_state(i["state"]) == s) for s in ("sent", "failed", "held", "pending")}
    with st.container(border=True):
        when = widgets.datetime(batch["finished_at"] or batch["started_at"] or batch["created_at"])
        if batch["status"] == "done":
            problems = counts["failed"] + counts["held"] + batch["warned"]
            text = t("send.batch_done", id=batch_id, when=when, sent=counts["sent"], total=len(items))
            if batch["warned"]:
                text += " " + t("send.batch_warned", n=batch["warned"])
            (st.warning if problems else st.success)(text, icon=":material/report:" if problems else ":material/task_alt:")
        else:
            st.error(t("send.batch_interrupted", id=batch_id, message=message or batch["note"] or t("send.batch_left")),
                     icon=":material/pause_circle:")
            if st.button(t("send.resume", n=counts["pending"]), key=f"{prefix}_resume", type="primary",
                         icon=":material/play_arrow:", disabled=not can_send,
                         help=None if can_send else t("send.resume_disabled")):
                start_push(ws, ids=[])  # no new document: only the unfinished batch
        cols = st.columns(4)
        for col, s in zip(cols, ("sent", "failed", "held", "pending")):
            col.metric(t(f"send.count_{s}"), counts[s])
        # A failure sent since in a later batch is no longer one: said apart, not listed again.
        later = [i for i in items if i["state"] == "failed" and i["status"] == "sent"]
        failed = [i for i in items if i["state"] == "failed" and i["status"] != "sent"]
        if later:
            st.caption(t("send.sent_later", n=len(later), numbers=", ".join(i["number"] or i["document_id"]
                                                                             for i in later)))
        held = [i for i in items if i["state"] == "held"]
        if failed:
            lines = "\n".join(_item(i['number'] or i['document_id'], widgets.said_or(i['message'], i['said']))
                              for i in failed)
            st.error(t("send.failed_list", n=len(failed)) + "\n\n" + lines, icon=":material/cancel:")
            retryable = [i["document_id"] for i in failed if i["status"] == "failed"]
            if retryable and st.button(t("send.retry", n=len(retryable)), key=f"{prefix}_retry",
                                       icon=":material/replay:", disabled=not can_send,
                                       help=None if can_send else t("send.resume_disabled")):
                retry(ws, retryable)
        if held:
            lines = "\n".join(_item(i['number'] or i['document_id'],
                                    held_text(i['number'], i['document_id'], i['message'], i['said'])) for i in held)
            st.warning(t("send.held_list", n=len(held)) + "\n\n" + lines, icon=":material/pause_circle:")
            if st.button(t("send.fix_in_review", n=len(held)), key=f"{prefix}_fix", icon=":material/fact_check:"):
                preset: dict[str, Any] = {"status": ["on_hold"]}
                if len(held) == 1 and held[0]["number"]:
                    preset["search"] = held[0]["number"]
                widgets.open_review(preset)
        items_table(items, key=f"{prefix}_items")


def items_table(items: list[dict[str, Any]], *, key: str) -> None:
    link = t("send.col_link")
    widgets.table([{
        "number": i["number"] or i["document_id"], "counterparty": i["counterparty"] or "—",
        "total": widgets.money(i["total"], i["currency"]), "state": state_label(i["state"]),
        "pennylane_id": str(i["pennylane_id"]) if i["pennylane_id"] else "—",
        "link": (i["pennylane_url"] or "") if i["state"] == "sent" else "",
        "message": widgets.said_or(i["message"], i["said"]),
    } for i in items], {
        "number": t("col.number"), "counterparty": t("col.counterparty"), "total": t("col.total"),
        "state": t("col.status"), "pennylane_id": t("send.col_pennylane_id"), "link": link,
        "message": t("col.message"),
    }, key=key, column_config={
        link: st.column_config.LinkColumn(display_text=t("send.open_file")),
        t("col.total"): st.column_config.TextColumn(alignment="right"),
    })


def retry(ws, ids: list[str]) -> None:
    try:
        send.retry_failed(ws, ids, actor=state.signer())
    except ERRORS as exc:
        widgets.user_error(exc)
        return
    start_push(ws, ids=ids)


# -- history and confirmation ----------------------------------------------------------------
def history(ws) -> None:
    st.subheader(t("send.history"))
    rows = batches.batch_history(ws)
    if not rows:
        st.caption(t("send.history_empty"))
    else:
        # The amounts right after the status, the counts after them (the narrow ones, and the
        # unfinished column only when a batch has some): ten columns cut the last ones off.
        columns = {"id": t("send.col_batch"), "when": t("col.when"), "status": t("col.status"),
                   "amount": t("send.col_amount"), "amount_sent": t("send.col_amount_sent"),
                   "sent": t("send.count_sent"), "failed": t("send.count_failed"), "held": t("send.count_held"),
                   "pending": t("send.count_pending"), "actor": t("col.actor")}
        if not any(r["pending"] for r in rows):
            del columns["pending"]
        narrow = {columns[k]: st.column_config.NumberColumn(width="small")
                  for k in ("id", "sent", "failed", "held", "pending") if k in columns}
        widgets.table([{
            "id": r["id"], "when": widgets.datetime(r["created_at"]), "actor": r["actor"],
            "status": t(f"send.bstatus_{r['status']}") if r["status"] in ("running", "done", "interrupted") else r["status"],
            "sent": r["sent"], "failed": r["failed"], "held": r["held"], "pending": r["pending"],
            "amount": amounts_text(r["totals"]), "amount_sent": amounts_text(r["sent_totals"]),
        } for r in rows], columns, key="sd_history", column_config={
            **narrow,
            # wide: a batch in three currencies gives "9 826,67 €, -32 939,11 £, 45 392,00 $US"
            t("send.col_amount"): st.column_config.TextColumn(alignment="right", width=360),
            t("send.col_amount_sent"): st.column_config.TextColumn(alignment="right", width=360),
        })
        chosen = st.selectbox(t("send.history_detail"), [r["id"] for r in rows], index=None,
                              key=state.lkey("sd_history_batch"), placeholder=t("send.history_pick"),
                              format_func=state.frozen(lambda i: t("send.batch_label", id=i)))
        if chosen is not None:
            cfg = ws.pennylane()
            batch_panel(ws, int(chosen), prefix="sd_hist",
                        can_send=not cfg.get("dry_run", True) and ws.pennylane_token_source() is not None)
    confirmation(ws)


def confirmation(ws) -> None:
    st.markdown(f"**{t('send.confirm_title')}**")
    st.caption(t("send.confirm_intro"))
    source = ws.pennylane_token_source()
    if st.button(t("send.confirm_run"), key="sd_confirm", icon=":material/fact_check:", disabled=source is None,
                 help=t("send.disabled_no_token") if source is None else None):
        run_confirmation(ws)
    if source is None:  # said, not only in the disabled button's tooltip
        st.caption(t("send.disabled_no_token"))
    outcome = st.session_state.get("sd_confirm_result")
    summary = batches.confirmation_summary(ws)
    if outcome is not None:
        if outcome.get("error"):
            st.error(t("send.confirm_error", message=outcome["error"]), icon=":material/error:")
        else:
            show_confirm_outcome(outcome, [i for i in summary["issues"] if i["checked_at"] == summary["checked_at"]])
    if not summary["counts"]:
        return
    cols = st.columns(4)
    for col, s in zip(cols, ("confirmed", "amount_mismatch", "changed", "missing")):
        col.metric(t(f"send.conf_{s}"), summary["counts"].get(s, 0))
    st.caption(t("send.confirm_checked_at", when=widgets.datetime(summary["checked_at"])))
    if summary["issues"]:
        widgets.table([{
            "number": i["number"] or i["document_id"], "status": t(f"send.conf_row_{i['status']}"),
            "expected": widgets.money(i["expected_amount"], i["currency"]),
            "pennylane": widgets.money(i["pennylane_amount"], i["currency"]),
            "message": widgets.said_or(i["message"], i["said"]),
        } for i in summary["issues"]], {
            "number": t("col.number"), "status": t("col.status"), "expected": t("send.col_expected"),
            "pennylane": t("send.col_in_pennylane"), "message": t("col.message"),
        }, key="sd_confirm_issues")


DIFFERENCES = ("amount_mismatch", "changed", "missing")


def difference_line(issue: dict[str, Any]) -> str:
    """One invoice that no longer matches, by its number: '2026-000019 : envoyée 3 443,65 €,
    3 543,65 € dans Pennylane', '… : supprimée de Pennylane', '… : modifiée dans Pennylane le …'."""
    status = issue["status"]
    if status == "amount_mismatch":
        text = t("send.conf_line_amount_mismatch", sent=widgets.money(issue["expected_amount"], issue["currency"]),
                 pennylane=widgets.money(issue["pennylane_amount"], issue["currency"]))
    elif status == "changed" and issue["said"]:
        text = widgets.said_or(issue["message"], issue["said"])
    else:
        text = t(f"send.conf_line_{status}") if status in DIFFERENCES else status
    return _item(issue['number'] or issue['document_id'], text)


def _item(name: Any, text: str, detail: str = "") -> str:
    """A list line: "- **F-12** : text" in French, "- **F-12**: text" in English; `detail` follows
    the name."""
    return "- " + widgets.labelled(f"**{name}**{detail}", text)


def show_confirm_outcome(outcome: dict[str, Any], issues: list[dict[str, Any]] | None = None) -> None:
    """A success only when every invoice read back matches; otherwise a warning naming how many
    of each kind of difference, then each invoice that differs (`issues`, the rows of that check)."""
    counts = {k: outcome["counts"].get(k, 0) for k in DIFFERENCES if outcome["counts"].get(k)}
    if not counts:
        st.success(t("send.confirm_done", n=outcome["checked"], requests=outcome["requests"]),
                   icon=":material/check_circle:")
        return
    text = t("send.confirm_done_issues", n=outcome["checked"], requests=outcome["requests"],
             differences=sum(counts.values()), issues=", ".join(t(f"send.conf_n_{k}", n=n) for k, n in counts.items()))
    order = {k: n for n, k in enumerate(DIFFERENCES)}
    listed = sorted((i for i in issues or [] if i["status"] in order),
                    key=lambda i: (order[i["status"]], i["number"] or i["document_id"]))
    if listed:
        text += "\n\n" + "\n".join(difference_line(i) for i in listed)
    st.warning(text, icon=":material/report:")


def run_confirmation(ws) -> None:
    try:
        client = confirm_service.client_for(ws)
    except ERRORS as exc:
        widgets.user_error(exc)
        return
    try:
        with st.spinner(t("send.confirm_running")):
            result = confirm_service.confirm(ws, client)
    except ERRORS as exc:
        widgets.user_error(exc)
        return
    finally:
        client.close()
    st.session_state["sd_confirm_result"] = result.as_dict()


def page() -> None:
    st.title(t("send.title"))
    st.caption(t("send.intro"))
    widgets.show_flashes()
    ws = state.workspace()
    destination(ws)
    filters, summary = selection(ws)
    preview(ws, filters, summary)
    send_section(ws, filters, summary)
    st.divider()
    history(ws)


def main() -> None:
    """The page; drawn again when storage met a transient conflict with the push thread."""
    try:
        page()
    except Exception as exc:
        retries = st.session_state.get("_sd_storage_retries", 0)
        if not batches.transient_storage_error(exc) or retries >= 3:
            raise
        st.session_state["_sd_storage_retries"] = retries + 1
        time.sleep(0.1)
        st.rerun()
    st.session_state["_sd_storage_retries"] = 0


main()
