"""Helpers shared by the pages: formatting, badges, tables, the settings form, error display."""
from __future__ import annotations

import datetime as dt
import io
import os
from decimal import Decimal
from typing import Any, Callable

import streamlit as st

from .. import i18n
from ..connectors import Connector, Setting, SettingsError
from ..pennylane import vat as vat_codes
from ..services import reports, review, setup
from ..services.sync import INTERRUPTED_MESSAGE, AlreadyRunning, latest_run
from ..storage.db import WorkspaceBusy
from ..workspace import WorkspaceError, env_var
from . import state
from .state import t

# Errors a service raises for the user to read: shown as a message, never as a traceback.
USER_ERRORS = (WorkspaceError, WorkspaceBusy, review.ReviewError, reports.ReportError, SettingsError, AlreadyRunning)

STATUS_COLORS = {
    "to_review": "orange", "approved": "green", "rejected": "gray", "on_hold": "violet",
    "in_batch": "blue", "sent": "green", "failed": "red", "fetched": "gray",
}
# Text colours of the status column in tables (no emoji: a browser without an emoji font shows boxes).
STATUS_TEXT_COLORS = {
    "to_review": "#9A5B00", "approved": "#1E7A45", "rejected": "#6B7280", "on_hold": "#6A4BA8",
    "in_batch": "#2A62B8", "sent": "#1F6F8B", "failed": "#B3261E", "fetched": "#6B7280",
}


# -- formatting ----------------------------------------------------------------------------
def money(value: Decimal | int | None, currency: str | None = "EUR") -> str:
    return i18n.format_money(value, currency, state.lang())


def streamlit_hints() -> None:
    """Streamlit says its hints under text inputs in English only ("Press Enter to apply"):
    in French, a style sheet shows them in French instead (the English text is set to size 0;
    Streamlit's testids, should they change, bring the English back, nothing worse)."""
    if state.lang() != "fr":
        return
    first = '[data-testid="InputInstructions"] > span:first-child'
    rules = [f"{first} {{ font-size: 0 !important; }}",
             f"{first}::after {{ font-size: 0.75rem; content: {_css_text(t('st.enter_to_apply'))}; }}"]
    for scope, key in (('[data-testid="stForm"]', "st.enter_to_submit"),
                       ('[data-testid="stTextArea"]', "st.ctrl_enter_to_apply")):
        rules.append(f"{scope} {first}::after {{ content: {_css_text(t(key))}; }}")
    st.html("<style>" + "\n".join(rules) + "</style>")


def _css_text(text: str) -> str:
    """A CSS string literal."""
    return '"' + "".join(c if c.isalnum() or c in " +()'.,:;" else f"\\{ord(c):x} " for c in text) + '"'


def date_format() -> str:
    """What a date input shows, as the pages show dates (dd/mm/yyyy in French)."""
    return "DD/MM/YYYY" if state.lang() == "fr" else "YYYY-MM-DD"


def labelled(label: str, text: str) -> str:
    """"label : text" in French (a space before the colon), "label: text" in English."""
    return f"{label} : {text}" if state.lang() == "fr" else f"{label}: {text}"


def date(value: dt.date | dt.datetime | None) -> str:
    return i18n.format_date(value, state.lang())


def datetime(value: dt.datetime | None) -> str:
    return i18n.format_datetime(value, state.lang())


def number(value: Decimal | int | None) -> str:
    """A quantity or rate with its own decimals (1,5 / 20 / 5,5)."""
    return i18n.format_number(value, state.lang(), places=None)


def percent(value: Decimal | int) -> str:
    """A rate as each language writes it: « 20 % », "20%"."""
    return number(value) + (" %" if state.lang() == "fr" else "%")


def vat_code(code: str) -> str:
    """FR_200 — 20 %: a VAT code with the rate it stands for (a bare code when it says none)."""
    rate = vat_codes.code_rate(code) if code else None
    return code if rate is None else f"{code} — {percent(rate)}"


def refusal(reason: str) -> str:
    return i18n.explain_refusal(reason, state.lang())


def finding_title(code: str) -> str:
    return t(f"finding.{code}") if i18n.has(f"finding.{code}") else code.replace("_", " ")


def said_or(text: str | None, said: Any) -> str:
    """A stored English text in the console's language when its stored Said has a template."""
    return i18n.said_or(text, said, state.lang())


def run_error(error: str | None, error_said: Any) -> str:
    """A sync run's error in the console's language when it can be said."""
    if error == INTERRUPTED_MESSAGE:
        return t("run.interrupted_error")
    return said_or(error, error_said)


def finding_detail(finding: dict[str, Any], currency: str | None = None) -> str:
    """What a finding (a row of `findings`) says, in the console's language when it can; with
    the document's `currency`, its amounts are said with it."""
    return i18n.finding_detail(finding["code"], finding["message"], finding.get("params"), state.lang(), currency)


def action_label(action: str) -> str:
    return t(f"action.{action}") if i18n.has(f"action.{action}") else action


def status_label(status: str | None) -> str:
    if not status:
        return ""
    return t(f"status.{status}") if i18n.has(f"status.{status}") else status


def status_styler(frame: Any, column: str, statuses: list[str]) -> Any:
    """`frame` as a pandas Styler whose `column` is coloured by each row's status."""
    colors = [STATUS_TEXT_COLORS.get(s, "") for s in statuses]
    return frame.style.apply(
        lambda col: [f"color: {c}; font-weight: 600" if c else "" for c in colors], subset=[column], axis=0)


def kind_label(kind: str | None) -> str:
    return t(f"kind.{kind}") if kind and i18n.has(f"kind.{kind}") else (kind or "")


def status_badge(status: str) -> None:
    st.badge(status_label(status), color=STATUS_COLORS.get(status, "gray"))  # type: ignore[arg-type]


def findings_label(errors: int, warnings: int) -> str:
    parts = []
    if errors:
        parts.append(t("findings.errors_n", n=errors))
    if warnings:
        parts.append(t("findings.warnings_n", n=warnings))
    return " · ".join(parts) if parts else "—"


def token_env_var(source: str | None) -> str | None:
    """The variable the Pennylane token is read from (`Workspace.pennylane_token_source`:
    "env:VAR"), or None (stored in secrets.toml, or none)."""
    return env_var(source) or None


def token_env_unset(source: str | None) -> str | None:
    """The token's variable when the workspace names one that this console does not have."""
    var = token_env_var(source)
    return var if var and not os.environ.get(var) else None


# -- messages ------------------------------------------------------------------------------
def show_flashes() -> None:
    # Always one container, empty or not: what follows keeps its place in the page, so an
    # expander a user opened is not taken for a new one (and closed) when a message comes or goes.
    box = st.container()
    for level, message in state.pop_flashes():
        getattr(box, level, box.info)(message)


def error_text(exc: BaseException) -> str:
    """A service error's text in the console's language when it carries a Said (`said`)."""
    said = getattr(exc, "said", None)
    return i18n.said_text(said, state.lang()) if said is not None else str(exc)


def error_line(exc: BaseException) -> str:
    """A service error as the console says it: "Erreur : …", its text a sentence."""
    text = error_text(exc)  # English texts shared with the CLI start in lower case
    return t("error.prefix", message=text[:1].upper() + text[1:])


def user_error(exc: BaseException) -> None:
    """A service error, shown as a message (its text names the problem and the fix)."""
    st.error(error_line(exc), icon=":material/error:")


def guarded(fn: Callable[[], Any]) -> Any:
    """Run `fn`; a user-facing service error becomes a message instead of a traceback."""
    try:
        return fn()
    except USER_ERRORS as exc:
        user_error(exc)
        return None


# -- tables --------------------------------------------------------------------------------
def table(rows: list[dict[str, Any]], columns: dict[str, str], *, key: str | None = None,
          height: int | str = "auto", **kwargs: Any) -> Any:
    """A read-only dataframe of `rows` showing `columns` (field → translated header)."""
    import pandas as pd

    frame = pd.DataFrame([{label: r.get(field) for field, label in columns.items()} for r in rows],
                         columns=list(columns.values()))
    return st.dataframe(frame, hide_index=True, width="stretch", height=height, key=key, **kwargs)


# -- settings form from a connector's schema -------------------------------------------------
def commands(lines: tuple[tuple[str, str], ...]) -> str:
    """Shell commands, each with its comment (a message key) in the console's language, aligned."""
    width = max(len(command) for command, _ in lines) + 3
    return "".join(f"{command:<{width}}# {t(key)}\n" for command, key in lines)


def setting_label(setting: Setting) -> str:
    return setting.text(state.lang())[0] + (" *" if setting.required else "")


def settings_fields(connector: type[Connector], current: dict[str, Any], stored_secrets: dict[str, str],
                    key_prefix: str, created_at: dt.datetime | None = None) -> dict[str, Any]:
    """Render one input per setting (inside a form); returns the values to save.

    A secret is a password input that never shows the stored value: left empty, the stored
    secret is kept (`Workspace.set_connection` merges). `stored_secrets` maps a secret setting
    that has a value to where it comes from: "env:VAR" or "stored". A setting left empty whose
    default depends on the connection (Harvest's start date: 30 days before `created_at`, the
    connection's creation, now for a new one) names that default under its input.
    """
    values: dict[str, Any] = {}
    main = [s for s in connector.settings if not s.advanced]
    advanced = [s for s in connector.settings if s.advanced]

    def draw(st_: Any, s: Setting) -> None:
        values[s.name] = _setting_input(st_, s, current, stored_secrets, key_prefix)
        if s.default is None and not s.secret and current.get(s.name) in (None, ""):
            default = setup.setting_default(connector, s.name, current, created_at)
            if default not in (None, ""):
                shown = date(default) if isinstance(default, dt.date) else str(default)
                st_.caption(t("conn.setting_default", value=shown))

    columns = st.columns(2)
    for index, s in enumerate(main):
        draw(columns[index % 2], s)
    if advanced:
        changed = any(current.get(s.name) not in (None, "", s.default) for s in advanced)
        with st.expander(t("conn.advanced"), expanded=changed, icon=":material/tune:"):
            columns = st.columns(2)
            for index, s in enumerate(advanced):
                draw(columns[index % 2], s)
    # Empty inputs mean "no value": leave them out so defaults apply and stored values are kept.
    return {k: v for k, v in values.items() if v is not None and v != ""}


def _setting_input(st_: Any, s: Setting, current: dict[str, Any], stored_secrets: dict[str, str],
                   key_prefix: str) -> Any:
    """One setting's input in the column `st_`; returns its value (None or "": no value)."""
    key = f"{key_prefix}_{s.name}"
    label = setting_label(s)
    help_text = s.text(state.lang())[1] or None
    if s.secret:
        source = stored_secrets.get(s.name)
        if source and source.startswith("env:"):
            placeholder = t("conn.secret_env", var=source[4:])
        elif source:
            placeholder = t("conn.secret_stored")
        else:
            placeholder = t("conn.secret_new")
        raw = st_.text_input(label, value="", type="password", key=key, placeholder=placeholder,
                             help=((help_text + "\n\n") if help_text else "") + t("conn.secret_help"),
                             autocomplete="new-password")
        return raw.strip() if raw else None
    value = current.get(s.name, s.default)
    if s.type == "boolean":
        return st_.checkbox(label, value=bool(value), key=key, help=help_text)
    if s.type == "integer":
        return st_.number_input(label, value=int(value) if value not in (None, "") else None, step=1, key=key,
                                help=help_text)
    if s.type == "date":
        parsed = dt.date.fromisoformat(str(value)) if value else None
        picked = st_.date_input(label, value=parsed, key=key, help=help_text, format=date_format())
        return picked.isoformat() if isinstance(picked, dt.date) else None
    if s.type == "choice":
        options = list(s.choices)
        index = options.index(str(value)) if value is not None and str(value) in options else None
        return st_.selectbox(label, options, index=index, key=key, help=help_text)
    return st_.text_input(label, value="" if value is None else str(value), key=key, help=help_text,
                          placeholder="https://…" if s.type == "url" else None)


# -- charts --------------------------------------------------------------------------------
def selected_bar(event: Any) -> tuple[dt.date, str, str] | None:
    """(month, status, connection) of the clicked bar of a monthly-totals chart, whose points
    carry [month ISO, status, connection, ...] as customdata; None when nothing is selected."""
    points = (event or {}).get("selection", {}).get("points", []) if event is not None else []
    for point in points:
        data = point.get("customdata")
        if data and len(data) >= 3:
            return dt.date.fromisoformat(str(data[0])[:10]), str(data[1]), str(data[2])
    return None


# -- attachments ---------------------------------------------------------------------------
def pdf_pages_as_png(content: bytes, max_pages: int = 2, scale: float = 1.4) -> list[bytes] | None:
    """PNG renderings of the first pages, or None when no PDF renderer is installed.

    Chromium has no PDF plugin when headless and `st.pdf` needs the streamlit-pdf component,
    so the preview is an image; pypdfium2 (PDFium, a wheel with no system dependency) draws it.
    """
    try:
        import pypdfium2 as pdfium  # type: ignore[import-not-found]
    except ImportError:
        return None
    pdf = pdfium.PdfDocument(content)
    try:
        images = []
        for index in range(min(max_pages, len(pdf))):
            bitmap = pdf[index].render(scale=scale)
            buf = io.BytesIO()
            bitmap.to_pil().save(buf, format="PNG")
            images.append(buf.getvalue())
        return images
    finally:
        pdf.close()


def is_image(content: bytes) -> bool:
    return content.startswith(b"\x89PNG") or content.startswith(b"\xff\xd8\xff")


# -- background syncs ----------------------------------------------------------------------
def start_sync(ws: Any, name: str) -> None:
    job = state.JOBS.start(ws, state.plugins(), name, state.actor() or state.default_actor())  # a sync is no decision
    st.session_state.setdefault("_my_jobs", set()).add(job.seq)


def sync_running(ws: Any, name: str) -> bool:
    job = state.JOBS.get(ws, name)
    return job is not None and job.running


def open_review(preset: dict[str, Any]) -> None:
    """Go to Revue with these filters (status, connection, dates…, or `special`: problems)."""
    st.session_state["review_preset"] = preset
    st.switch_page(st.session_state["_pages"]["review"])


def _problems_link(ws: Any, job: state.SyncJob) -> None:
    """The records of the connection kept as problems (by this run or an earlier one, if
    still unresolved) are listed in Revue: one click away."""
    count = review.open_problems(ws, job.connection)
    if count and st.button(t("sync.see_problems", n=count), key=f"sync_problems_{job.seq}", icon=":material/report:"):
        open_review({"special": "problems", "connection": [job.connection]})


def _counts_text(report: Any) -> str:
    text = t("sync.counts", fetched=report.fetched, created=report.created, updated=report.updated,
             unchanged=report.unchanged, problems=report.problems)
    # `attachments` counts the PDFs that came after their document (AttachmentReady), not the
    # ones that came with it: said only when there are some, by what they are.
    return text + " · " + t("sync.late_pdfs", n=report.attachments) if report.attachments else text


def _nothing_read(ws: Any, job: state.SyncJob) -> None:
    """A sync that read nothing for a connection that holds nothing: from which date it read
    (its start date, a default the user never saw), and how to read further back."""
    start = setup.start_date(ws, state.plugins(), job.connection)
    if start is None or setup.cached_documents(ws, job.connection):
        return
    connector = state.plugins().connectors.get(ws.connection(job.connection)["connector"])
    label = connector.setting("start_date").text(state.lang())[0] if connector else "start_date"
    st.info(t("sync.nothing_since", date=date(start), setting=label), icon=":material/event_busy:")


def _job_status(ws: Any, job: state.SyncJob) -> None:
    report = job.report
    if job.running:
        with st.status(t("sync.running", name=job.connection), state="running", expanded=True):
            st.write(_counts_text(report) if report else t("sync.starting"))
        return
    if job.already_running:
        st.warning(t("sync.already_running", name=job.connection) + "\n\n" + (job.error or ""),
                   icon=":material/hourglass_top:")
        return
    if job.error or report is None:
        with st.status(t("sync.failed", name=job.connection), state="error", expanded=True):
            st.write(job.error or "")
        return
    seconds = f"{report.seconds:.1f}".replace(".", "," if state.lang() == "fr" else ".")
    if report.status == "ok":
        with st.status(t("sync.done", name=job.connection, seconds=seconds), state="complete", expanded=True):
            st.write(_counts_text(report))
            if report.back_to_review or report.changed_after_sending:
                st.write(t("sync.changes", back=report.back_to_review, sent=report.changed_after_sending))
            if report.gone:
                st.warning(t("sync.gone", count=report.gone))
            if not report.fetched and not report.problems:
                _nothing_read(ws, job)
            _problems_link(ws, job)
    else:
        with st.status(t("sync.failed", name=job.connection), state="error", expanded=True):
            st.write(run_error(report.error, report.error_said))
            st.write(_counts_text(report))
            _problems_link(ws, job)


def _superseded(ws: Any, job: state.SyncJob) -> bool:
    """Whether the connection ran again since this finished job: a run row after its own, or,
    for a job that failed before it had one (a setting refused), a run started after it ended."""
    latest = latest_run(ws, job.connection)
    if latest is None:
        return False
    run_id = job.report.run_id if job.report is not None else None
    if run_id is not None:
        return latest[0] != run_id
    return job.finished is not None and latest[1].timestamp() > job.finished


def sync_panel(ws: Any, name: str) -> None:
    """Progress of the connection's sync while it runs (refreshed every second), then its
    final counts for the session that started it."""
    job = state.JOBS.get(ws, name)
    if job is None:
        return
    if not job.running and job.seq not in st.session_state.get("_my_jobs", set()):
        return
    if not job.running and _superseded(ws, job):
        return  # a later sync (the CLI's, another session's) said more recently: its counts are the ones that hold
    if job.running:
        @st.fragment(run_every=1.0)
        def live() -> None:
            current = state.JOBS.get(ws, name)
            if current is not None and not current.running:
                st.rerun()  # the whole page: lists and counts change with the new documents
            _job_status(ws, current or job)

        live()
    else:
        _job_status(ws, job)
