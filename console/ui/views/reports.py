"""Reports: the report views described, a report built from choices, ready-made reports and the
workspace's saved ones (services.own_reports), a read-only SQL editor over the report views, with
exports; a query saved, updated or deleted under a title."""
from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from ecluse import i18n
from ecluse.connectors import Said
from ecluse.services import own_reports, reports
from ecluse.ui import state, widgets
from ecluse.ui.state import t

MAX_ROWS = 1000
MIME = {"csv": "text/csv", "json": "application/json", "parquet": "application/vnd.apache.parquet",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def views_help(ws) -> dict[str, list[reports.Column]] | None:
    """Every view with what it holds, and a tab a view listing each column (one a row, nothing
    cut off): its SQL name, the label the page gives it, its type and its meaning."""
    with st.expander(t("rep.views"), icon=":material/view_list:"):
        try:
            views = reports.view_columns(ws)
        except reports.ReportError as exc:
            query_error(exc)
            return None
        lang = state.lang()
        st.caption(t("rep.views_intro"))
        widgets.table([{"view": v, "count": len(cols), "about": reports.view_description(v, lang)}
                       for v, cols in views.items()],
                      {"view": t("col.view"), "count": t("rep.col_count"), "about": t("rep.col_description")},
                      key="rp_views")
        for tab, (view, cols) in zip(st.tabs(list(views)), views.items()):
            with tab:
                st.markdown(widgets.labelled(f"**{view}**", reports.view_description(view, lang)))
                st.table(columns_frame([{t("rep.col_sql"): c.name, t("rep.col_label"): reports.column_label(c.name, lang),
                                    t("rep.col_type"): c.type_label(lang),
                                    t("rep.col_meaning"): reports.column_meaning(view, c.name, lang)} for c in cols]))
    return views


def columns_frame(rows: list[dict[str, Any]]) -> Any:
    """A view's columns for st.table, which wraps long texts (a dataframe's cell cuts them)."""
    import pandas as pd

    return pd.DataFrame(rows).set_index(t("rep.col_sql"))


# -- the builder: a report chosen, its SQL written into the box ------------------------------
def builder(ws, views: dict[str, list[reports.Column]]) -> None:
    lang = state.lang()
    with st.expander(t("rep.builder"), expanded=True, icon=":material/construction:"):
        st.caption(t("rep.builder_intro"))
        view = st.selectbox(t("rep.b_view"), list(views), key="rp_b_view",
                            format_func=state.frozen(lambda v: f"{v} — {reports.view_description(v, state.lang())}"))
        columns = views[view]
        names = [c.name for c in columns]
        label = state.frozen(column_choice)
        key = f"{view}.{lang}"  # choices of another view (another language's labels) are not this one's
        chosen = st.multiselect(t("rep.b_columns"), names, key=f"rp_b_columns.{key}", format_func=label,
                                placeholder=t("rep.b_pick"))
        left, start_col, end_col = st.columns([2, 1, 1])
        period = left.selectbox(t("rep.b_period"), ["", *(c.name for c in columns if c.dated)], key=f"rp_b_period.{key}",
                                format_func=state.frozen(lambda n: label(n) if n else t("rep.b_no_period")))
        start = start_col.date_input(t("rep.b_start"), value=None, key="rp_b_start", disabled=not period,
                                     format=widgets.date_format())
        end = end_col.date_input(t("rep.b_end"), value=None, key="rp_b_end", disabled=not period,
                                 format=widgets.date_format())
        filters: dict[str, list[str]] = {}
        status = next((n for n in reports.STATUS_COLUMNS if n in names), None)
        for name, title in (("connection", "rep.b_connections"), (status, "rep.b_statuses")):
            if name in names:
                filters[name] = st.multiselect(
                    t(title), reports.column_values(ws, view, name, views), key=f"rp_b_{name}.{key}",
                    placeholder=t("rep.b_pick"),
                    format_func=state.frozen(lambda v, name=name: reports.value_label(names, name, v, state.lang())))
        group_by = st.multiselect(t("rep.b_group_by"), [c.name for c in columns if not c.amount],
                                  key=f"rp_b_group.{key}", format_func=label, help=t("rep.b_group_help"),
                                  placeholder=t("rep.b_pick"))
        dated = [n for n in group_by if next(c for c in columns if c.name == n).dated]
        grains = tuple((n, col.segmented_control(
            t("rep.b_grain", label=label(n)), list(reports.GRAINS), default="month", required=True,
            key=f"rp_b_grain.{key}.{n}", help=t("rep.b_grain_help"),
            format_func=state.frozen(lambda g: t(f"rep.grain.{g}"))) or "month")
            for n, col in zip(dated, st.columns(len(dated)) if dated else ()))
        choices = reports.Choices(view, tuple(chosen), period or None, start if period else None,
                                  end if period else None, tuple(filters.get("connection", ())),
                                  tuple(filters.get(status, ())) if status else (), tuple(group_by), grains)
        hidden = reports.left_out(choices, views)  # chosen, but neither summed nor a group: said, not dropped silently
        if hidden:
            st.info(t("rep.b_left_out", n=len(hidden), names=", ".join(map(label, hidden))), icon=":material/info:")
        sql, totals_query = reports.build_sql(choices, views), reports.totals_sql(choices, views)
        # Not a callback: its arguments would be the previous run's, and a date typed just before
        # the click would reach the query at the second click only. Here, the widgets' values now;
        # the SQL box and the saved report picker come after, so they may still be set.
        if st.button(t("rep.b_make"), key="rp_b_make", icon=":material/edit_note:"):
            use_sql(sql, totals_query, choices)


def column_choice(name: str) -> str:
    """A column among a widget's options: its label with its SQL name, "Total TTC (total)"."""
    label = reports.column_label(name, state.lang())
    return f"{label} ({name})" if label else name


def use_sql(sql: str, totals: str | None = None, choices: reports.Choices | None = None) -> None:
    """The builder's query into the SQL box, run; the saved report picker back to none. The
    query of its totals is kept beside it: shown under the result while that query is the one run;
    and its choices, which name its exports (factures-par-mois) while it is."""
    st.session_state["rp_sql"] = st.session_state["rp_ran"] = sql
    st.session_state["rp_totals"] = (sql, totals)
    st.session_state["rp_built"] = (sql, choices)
    st.session_state[state.lkey("rp_saved")] = ""
    state.remember("rp_saved")


MINE = "mine:"  # the picker's key of a saved report: "mine:tva-par-client"; a ready-made one's is its own


def picked_own(key: str | None, mine: dict[str, own_reports.OwnReport]) -> own_reports.OwnReport | None:
    """The saved report the picker names, if it names one of ours still there."""
    return mine.get(key.removeprefix(MINE)) if key and key.startswith(MINE) else None


def picked_report(key: str, mine: dict[str, own_reports.OwnReport]) -> tuple[str, str | None]:
    """The query of the picker's report and, for a builder's report saved, its totals' query."""
    if key.startswith(MINE):
        report = mine[key.removeprefix(MINE)]
        return report.sql, report.totals_sql
    return reports.SAVED_REPORTS[key][1], None


def pick_saved(ws) -> None:
    state.remember("rp_saved")
    key = st.session_state.get(state.lkey("rp_saved"))
    if key:
        load_report(ws, key)


def load_report(ws, key: str) -> None:
    """The report's query into the box, run (a report runs when picked), its totals beside it;
    read now, not as the page was drawn (the CLI, another tab may have saved it since). The
    version loaded is kept: an update or a deletion from this page is of that version only."""
    try:
        mine = {r.name: r for r in own_reports.all_reports(ws)}
        sql, totals = picked_report(key, mine)
    except KeyError:  # deleted meanwhile: the page says so as it is drawn again
        return
    st.session_state["rp_sql"] = st.session_state["rp_ran"] = sql
    st.session_state["rp_totals"] = (sql, totals)
    report = picked_own(key, mine)
    if report is not None:
        loaded(report.name, report.saved_at)


def loaded(name: str, saved_at: dt.datetime | None = None) -> dt.datetime | None:
    """The version of a saved report this session loaded (its saved_at): set, or read."""
    versions = st.session_state.setdefault("rp_loaded", {})
    if saved_at is not None:
        versions[name] = saved_at
    return versions.get(name)


def saved_title(key: str, mine: dict[str, own_reports.OwnReport]) -> str:
    if not key:
        return t("rep.saved_none")
    if key.startswith(MINE):
        report = picked_own(key, mine)
        return t("rep.mine_title", title=report.title, who=report.saved_by) if report else key
    fr, _sep, en = reports.SAVED_REPORTS[key][0].partition(" / ")
    return (en or fr) if state.lang() == "en" else fr


SAVE_POPOVER = "rp_save_pop"  # the popover's key: whether it is open, closed once saved


def title_key(picked: own_reports.OwnReport | None) -> str:
    """The title field's key: one per report picked, its title as the field's default. A value
    set by a callback into a field of a closed popover did not survive the next rerun."""
    return f"rp_save_title.{picked.name if picked else ''}"


def save_report(ws, key: str, replace: own_reports.OwnReport | None,
                overwrite: own_reports.OwnReport | None = None) -> None:
    """The box's query saved under the title field's text (a callback: the picker then names it).
    `replace`: the report picked, updated (renamed if the title changed) unless someone saved
    it since it was read; `overwrite`: the saved report of that title the user chose to replace."""
    title, sql = st.session_state.get(key) or "", st.session_state.get("rp_sql") or ""
    built, totals = st.session_state.get("rp_totals") or ("", None)
    st.session_state.pop("rp_save_taken", None)
    try:
        saved = own_reports.save(
            ws, title, sql, actor=state.signer(), totals_sql=totals if built.strip() == sql.strip() else None,
            replace=replace.name if replace else None,
            expected=(loaded(replace.name) or replace.saved_at) if replace else None,
            overwrite=overwrite.name if overwrite else None)
    except widgets.USER_ERRORS as exc:
        said = getattr(exc, "said", None)
        if said is not None and said.code == "report.title_taken":  # a choice, offered: replace that one
            st.session_state["rp_save_taken"] = {"name": said.params["name"], "field": key, "title": title,
                                                 "replace": replace}
            return
        if said is not None and said.code == "report.gone":
            exc = reports.ReportError(str(exc), Said("report.gone", {"name": replace.title if replace else title}))
        st.session_state["rp_save_error"] = exc
        return
    st.session_state[SAVE_POPOVER] = False
    loaded(saved.name, saved.saved_at)
    st.session_state[state.lkey("rp_saved")] = MINE + saved.name
    state.remember("rp_saved")
    st.session_state["rp_sql"] = st.session_state["rp_ran"] = saved.sql
    st.session_state["rp_totals"] = (saved.sql, saved.totals_sql)
    state.flash("success", t("rep.updated_ok" if replace or overwrite else "rep.saved_ok",
                             title=saved.title, name=saved.name)
                + (" " + t("rep.renamed", old=replace.title) if replace and replace.title != saved.title else "")
                + (" " + t("rep.replaced_other", title=overwrite.title) if overwrite and replace else ""))
    lost = next((r for r in (replace, overwrite) if r is not None and r.totals_sql and not saved.totals_sql), None)
    if lost is not None:  # they summed the query it had
        state.flash("info", t("rep.totals_dropped", title=lost.title))


def delete_report(ws, picked: own_reports.OwnReport) -> None:
    try:  # signed, as a decision is: the log says who deleted it
        gone = own_reports.delete(ws, picked.name, actor=state.signer(),
                                  expected=loaded(picked.name) or picked.saved_at)
    except widgets.USER_ERRORS as exc:
        said = getattr(exc, "said", None)
        if said is None or said.code != "report.unknown_saved":  # still there (the file busy...): still picked
            st.session_state["rp_delete_error"] = exc
            return
        # Another tab, the CLI: said with its title, and no longer picked.
        st.session_state["rp_delete_error"] = reports.ReportError(
            str(exc), Said("report.deleted_meanwhile", {"title": picked.title}))
        gone = None
    st.session_state[state.lkey("rp_saved")] = ""
    state.remember("rp_saved")
    if gone is not None:
        state.flash("success", t("rep.deleted_ok", title=gone.title))


def report_actions(ws, mine: dict[str, own_reports.OwnReport]) -> None:
    """Beside « Exécuter »: save the box's query under a title, update the report picked (its
    query, its title) or save it as a new one; delete the report picked when it is one of ours.
    Each button does what it says, whatever the title field holds."""
    picked = picked_own(st.session_state.get(state.lkey("rp_saved")), mine)
    bar = st.columns([1, 1, 1, 3] if picked else [1, 1, 4], vertical_alignment="center")
    if bar[0].button(t("rep.run"), type="primary", icon=":material/play_arrow:", key="rp_run", width="stretch"):
        st.session_state["rp_ran"] = st.session_state["rp_sql"]
    empty = not (st.session_state.get("rp_sql") or "").strip()
    with bar[1].popover(t("rep.save"), icon=":material/bookmark_add:", width="stretch", key=SAVE_POPOVER,
                        on_change="rerun"):
        field = title_key(picked)
        st.text_input(t("rep.save_title"), key=field, value=picked.title if picked else "",
                      help=t("rep.save_title_help", n=own_reports.MAX_TITLE))
        if picked is not None:
            st.caption(t("rep.save_choice", title=picked.title))
            if picked.totals_sql and (st.session_state.get("rp_sql") or "").strip() != picked.sql.strip():
                st.caption(t("rep.totals_will_go", title=picked.title))  # said before, not only after
            update, new = st.columns(2)
            update.button(t("rep.save_update", title=picked.title), key="rp_save_update", type="primary",
                          icon=":material/save:", on_click=save_report, args=(ws, field, picked), disabled=empty)
            new.button(t("rep.save_as_new"), key="rp_save_go", icon=":material/add:", on_click=save_report,
                       args=(ws, field, None), disabled=empty)
        else:
            st.caption(t("rep.save_new"))
            st.button(t("rep.save_button"), key="rp_save_go", type="primary", icon=":material/save:",
                      on_click=save_report, args=(ws, field, None), disabled=empty)
        taken = st.session_state.get("rp_save_taken")
        other = mine.get(taken["name"]) if taken else None
        # Offered for the title it was refused for, from this field: typed again or another
        # report picked, the offer goes (it would replace a report the user no longer names).
        if other is not None and taken["field"] == field and st.session_state.get(field) == taken["title"]:
            st.warning(t("rep.taken", title=other.title), icon=":material/warning:")
            st.button(t("rep.replace_other", title=other.title), key="rp_save_overwrite",
                      icon=":material/find_replace:", on_click=save_report,
                      args=(ws, field, taken["replace"], other), disabled=empty)
        error = st.session_state.pop("rp_save_error", None)
        if error is not None:  # in the popover, open until saved: under it, it would be covered
            widgets.user_error(error)
    if picked is not None:
        with bar[2].popover(t("rep.delete"), icon=":material/delete:", width="stretch"):
            st.caption(t("rep.delete_note", who=picked.saved_by, when=widgets.datetime(picked.saved_at)))
            st.button(t("rep.delete_go", title=picked.title), key="rp_delete_go", icon=":material/delete_forever:",
                      on_click=delete_report, args=(ws, picked))
    error = st.session_state.pop("rp_delete_error", None)
    if error is not None:
        widgets.user_error(error)


def gone_text(ws, name: str, title: str) -> str:
    """What became of a saved report no longer in the list, with who did it and when (the log)."""
    last = own_reports.last_change(ws, name)
    if last is None or last.action not in ("deleted", "updated", "replaced"):
        return t("rep.gone_picked", title=title)
    who, when = last.actor, widgets.datetime(last.at)
    if last.action == "updated":  # a rename: under its new title
        return t("rep.gone_renamed", title=title, new=last.title, who=who, when=when)
    key = "rep.gone_deleted" if last.action == "deleted" else "rep.gone_replaced"
    return t(key, title=title, who=who, when=when)


def report_history(ws) -> None:
    """Who saved, changed, replaced or deleted which saved report, and when; a deleted report's
    query can be copied back from here."""
    entries = own_reports.history(ws)
    if not entries:
        return
    with st.expander(t("rep.history", n=len(entries)), icon=":material/history:"):
        st.dataframe(
            [{t("rep.h_when"): widgets.datetime(e.at), t("rep.h_who"): e.actor,
              t("rep.h_action"): action_text(e),
              t("rep.h_title"): e.title, t("rep.h_sql"): e.sql} for e in entries],
            hide_index=True, width="stretch", key="rp_history")
        st.caption(t("rep.history_note"))


def action_text(entry: own_reports.LogEntry) -> str:
    if entry.previous_title:
        return t("rep.h_renamed", old=entry.previous_title)
    return {"saved": t("rep.h_saved"), "updated": t("rep.h_updated"), "replaced": t("rep.h_replaced"),
            "deleted": t("rep.h_deleted")}.get(entry.action, entry.action)


def exports(ws, sql: str, sql_names: bool, mine: dict[str, own_reports.OwnReport]) -> None:
    st.markdown(t("rep.export"))
    st.caption(t("rep.export_names"))
    cols = st.columns(len(reports.FORMATS))

    lang = state.lang()

    def make(fmt: str) -> Any:  # the full result, on click
        def build() -> bytes:
            result = reports.run_query(ws, sql)
            if fmt in ("csv", "xlsx") and not sql_names:  # for people; Parquet and JSON for programs
                result = reports.presented(result, lang)
            # A month as the page shows it (06/2026, not 01/06/2026), SQL names or not.
            return reports.export(result, fmt, french=lang == "fr", as_shown=True)
        return build

    built, choices = st.session_state.get("rp_built") or ("", None)
    label = reports.builder_label(choices, lang) if choices and built.strip() == sql else None
    # A saved report picked names its file (its handle is its title's words already); a
    # ready-made one is found by its query (export_stem), even when someone saved a copy of it.
    picked = picked_own(st.session_state.get(state.lkey("rp_saved")), mine)
    if picked is not None and picked.sql.strip() == sql:
        label = picked.name
    stem = reports.export_stem(sql, dt.date.today(), t("rep.file_query"), label)
    for col, fmt in zip(cols, ("csv", "xlsx", "parquet", "json")):
        col.download_button(fmt.upper(), data=make(fmt), file_name=f"{stem}.{fmt}", mime=MIME[fmt],
                            key=f"rp_dl_{fmt}", icon=":material/download:", on_click="ignore", width="stretch")


# A date at a grain as the reader writes it (moment.js formats): 05/2026, T2 2026, 2026.
GRAIN_FORMATS = {"month": {"fr": "MM/YYYY", "en": "YYYY-MM"}, "quarter": {"fr": "[T]Q YYYY", "en": "[Q]Q YYYY"},
                 "year": {"fr": "YYYY", "en": "YYYY"}}


def column_formats(result: reports.QueryResult, names: list[str] | None = None) -> dict[str, Any]:
    """Decimals (money) with their places as the reader's browser writes numbers (2 430,00 in
    French), rates with the places they need (20, 5,5), whole days without a time, dates as the
    reader writes them, a month (a quarter, a year: `names`, the query's own names, say which) as
    a month. Keyed by `result`'s names."""
    import pyarrow as pa

    lang = state.lang()
    day = "DD/MM/YYYY" if lang == "fr" else "YYYY-MM-DD"
    grains = {reports.column_title(n, lang): g for n in names or result.columns if (g := reports.grain_of(n))}
    grains |= {n: g for n in result.columns if (g := reports.grain_of(n))}
    rates = set(result.rate_columns())
    config: dict[str, Any] = {}
    for field in result.table.schema:
        if pa.types.is_decimal(field.type) and field.name in rates:
            # No step: the places the rate needs (20, 5,5), as Revue shows it, not its type's (20.000).
            config[field.name] = st.column_config.NumberColumn(format="localized")
        elif pa.types.is_decimal(field.type):
            # The step gives the places shown: 2 430,00, not 2 430.
            config[field.name] = st.column_config.NumberColumn(format="localized", step=10 ** -field.type.scale)
        elif pa.types.is_date(field.type):  # a month (date_trunc) as a month: 05/2026
            grain = grains.get(field.name)
            config[field.name] = st.column_config.DateColumn(format=GRAIN_FORMATS[grain][lang] if grain else day)
        elif pa.types.is_timestamp(field.type):
            config[field.name] = st.column_config.DatetimeColumn(format=f"{day} HH:mm")
    return config


# The builder's own refusals: no DuckDB text to show under them.
BUILDER_REFUSALS = ("report.no_currency", "report.unknown_view", "report.unknown_column", "report.not_a_date",
                    "report.unknown_grain", "report.reversed_period")


def query_error(exc: reports.ReportError) -> None:
    """The refusal in words of ours, and DuckDB's own text under it for whoever knows SQL."""
    widgets.user_error(exc)
    if exc.said.code not in ("report.failed", "report.empty", "report.read_only", "report.one_query", *BUILDER_REFUSALS):
        st.caption(t("rep.duckdb", text=str(exc)))


def main() -> None:
    st.title(t("rep.title"))
    st.caption(t("rep.intro"))
    ws = state.workspace()
    views = views_help(ws)
    if views:
        try:
            builder(ws, views)
        except reports.ReportError as exc:
            query_error(exc)
    if "rp_sql" not in st.session_state:  # a widget's value goes when its page is left: kept beside it
        st.session_state["rp_sql"] = st.session_state.get("rp_sql_kept", "")
    widgets.show_flashes()
    mine = {r.name: r for r in own_reports.all_reports(ws)}
    options = ["", *reports.SAVED_REPORTS, *(MINE + name for name in mine)]
    kept = st.session_state.get("_kept", {}).get("rp_saved")
    titles = st.session_state.setdefault("rp_titles", {})
    if kept and kept not in options:  # deleted meanwhile (another tab, the CLI): said, not dropped silently
        st.info(gone_text(ws, kept.removeprefix(MINE), titles.get(kept, kept.removeprefix(MINE))),
                icon=":material/info:")
    titles.update({MINE + r.name: r.title for r in mine.values()})
    state.drop_if_not_in("rp_saved", options, "")
    title = state.frozen(lambda key: saved_title(key, mine))
    st.selectbox(t("rep.saved"), options, key=state.keep("rp_saved", ""), format_func=title,
                 on_change=pick_saved, args=(ws,), help=t("rep.saved_help"))
    st.text_area(t("rep.sql"), key="rp_sql", height=160, help=t("rep.sql_help"),
                 placeholder="SELECT status, count(*) AS documents FROM invoices GROUP BY ALL")
    st.session_state["rp_sql_kept"] = st.session_state["rp_sql"]
    chosen = st.session_state.get(state.lkey("rp_saved"))
    if chosen and st.session_state["rp_sql"].strip() != picked_report(chosen, mine)[0].strip():
        # The picker still names the report the text came from: say it is no longer that one,
        # and offer it back (picking it again in the list would change nothing: it is the value).
        note, back = st.columns([4, 1], vertical_alignment="center")
        own = picked_own(chosen, mine)
        if own is not None:
            note.caption(t("rep.mine_edited", title=own.title))
        else:
            note.caption(t("rep.saved_edited", title=title(chosen)))
        back.button(t("rep.back_to_report"), key="rp_back", icon=":material/undo:", on_click=load_report,
                    args=(ws, chosen), width="stretch")
    report_actions(ws, mine)
    report_history(ws)
    sql = (st.session_state.get("rp_ran") or "").strip()
    if not sql:
        st.caption(t("rep.empty_sql"))
        return
    try:
        result = reports.run_query(ws, sql, max_rows=MAX_ROWS)
    except reports.ReportError as exc:
        query_error(exc)
        return
    top = st.columns([3, 2], vertical_alignment="center")
    top[0].caption(t("rep.rows", n=i18n.format_number(result.table.num_rows, state.lang(), places=0)))
    sql_names = top[1].toggle(t("rep.sql_names"), key=state.keep("rp_sql_names", False), help=t("rep.sql_names_help"),
                             on_change=state.remember, args=("rp_sql_names",))
    if result.truncated:
        st.warning(t("rep.truncated", n=MAX_ROWS), icon=":material/content_cut:")
    shown = result if sql_names else reports.presented(result, state.lang())
    st.dataframe(shown.table.to_pandas(), hide_index=True, width="stretch", key="rp_result",
                 column_config=column_formats(shown, result.columns), placeholder="")  # no value: an empty cell
    totals(ws, sql, sql_names)
    exports(ws, sql, sql_names, mine)


def totals(ws, sql: str, sql_names: bool) -> None:
    """Under a grouped report the builder made (while it is the query run), its totals per
    currency over the whole result; kept out of the rows and exports (services.reports.totals_sql)."""
    built, query = st.session_state.get("rp_totals") or ("", None)
    if not query or built.strip() != sql:
        return
    try:
        result = reports.run_query(ws, query)
    except reports.ReportError as exc:
        query_error(exc)
        return
    if not result.table.num_rows:  # no row in the report: no total to head
        return
    shown = result if sql_names else reports.presented(result, state.lang())
    st.markdown(t("rep.totals"))
    st.dataframe(shown.table.to_pandas(), hide_index=True, width="stretch", key="rp_totals_table",
                 column_config=column_formats(shown), placeholder="")
    st.caption(t("rep.totals_note"))


main()
