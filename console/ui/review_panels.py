"""Two panels of the Review page's detail: fixes in place, and suspected duplicates side by side.

Both call the services the CLI uses (`services.fixes`, `services.duplicates`); after a change
they hand the document back to the page (`done(doc_id)`), which reruns with that document
still selected and its findings read again.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Callable

import streamlit as st

from ..domain import CUSTOMER_KINDS, SENT
from ..pennylane import vat as vat_codes
from ..services import batches, duplicates, fixes, mappings, queue, reports, send
from ..storage import documents
from ..storage.ingest import FIX_DROPPED, GONE
from . import state, widgets
from .state import t

Done = Callable[[str], None]

# The counterparty's fields a fix may set (storage's list), each labelled as the history and
# Reports say it (`field_label`).
COUNTERPARTY_FIELDS = (*(f"counterparty.{f}" for f in documents.COUNTERPARTY_FIELDS),
                       *(f"counterparty.address.{f}" for f in documents.ADDRESS_FIELDS))
# History fields an entry sets rather than changes (it has no "before"): said with their value
# alone ("Lot n° 1", "Identifiant Pennylane : 1003"), not at all without one (a failed send).
_SET_FIELDS = frozenset({"batch", "pennylane_id", "duplicate_of", "attachment"})
# Where an entry keeps what a sync found changed ({field: [before, after]}): a change's after,
# what a 'change handled' settled.
_DIFF_SIDE = {"changed": "new_value", "changed_after_sending": "new_value", "change_handled": "old_value"}


def field_label(field: str | None) -> str:
    """A fix's, a finding's or an audit entry's field path in words: "Adresse : code postal",
    "Ligne 2 : compte comptable", "Total HT"; several ("total, lines": what a sync found
    changed) each in words (`reports.field_label`, as Reports says an audit row's field)."""
    return reports.field_label(field, state.lang()) or ""


# A finding on an amount: no form here changes amounts (they are the source's, to the cent).
_AMOUNT_FIELD = re.compile(r"^(total|total_before_tax|total_tax|lines\[\d+\]\.(amount|amount_before_tax|tax|quantity|unit_price))$")


# Reasons the core writes in English (audit.reason), said in the user's language.
_CORE_REASONS = {("fix_dropped", FIX_DROPPED): "hist.fix_dropped", ("retry", send.RETRY_REASON): "hist.retry"}


def short(value: Any) -> str:
    """A stored value in a table cell: "—" for none, JSON for a dict or a list."""
    if value is None:
        return "—"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def loads(value: Any) -> Any:
    """A JSON column's text decoded; a text that is not JSON as it is."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def history_change(entry: dict[str, Any]) -> str:
    """An audit entry's "before → after"; a status in words ("À revoir → Rejeté")."""
    if entry["old_value"] is None and entry["new_value"] is None:
        return ""
    sides = [loads(entry["old_value"]), loads(entry["new_value"])]
    if entry["field"] == "status":
        return " → ".join(widgets.status_label(v) if isinstance(v, str) else short(v) for v in sides)
    return " → ".join(short(v) for v in sides)


def history_entry(entry: dict[str, Any]) -> str:
    """An audit entry's field and change in one cell, in words: "Statut : À revoir → Rejeté",
    "Lot n° 1", "Identifiant Pennylane : 1003", and what a sync found changed field by field
    ("Échéance : 2026-01-31 → 2026-02-28 ; Lignes")."""
    diff = loads(entry[_DIFF_SIDE[entry["action"]]]) if entry.get("action") in _DIFF_SIDE else None
    if isinstance(diff, dict) and diff:
        return (" ; " if state.lang() == "fr" else "; ").join(_difference(f, pair) for f, pair in diff.items())
    if entry["field"] in _SET_FIELDS:
        value = loads(entry["new_value"])
        if value is None:
            return ""
        return t("hist.batch", n=value) if entry["field"] == "batch" else widgets.labelled(field_label(entry["field"]),
                                                                                         short(value))
    field, change = field_label(entry["field"]), history_change(entry)
    if field and change:
        return widgets.labelled(field, change)
    return field or change


def _difference(field: str, pair: Any) -> str:
    """One field a sync found changed: "Total TTC : 100.00 → 120.00"; a part with its own
    fields (the lines, the counterparty) by its name only (the Modifications tab details it)."""
    if isinstance(pair, list) and len(pair) == 2 and not any(isinstance(v, (dict, list)) for v in pair):
        return widgets.labelled(field_label(field), " → ".join(short(v) for v in pair))
    return field_label(field)


def history_actor(entry: dict[str, Any]) -> str:
    """Who: a person's name as given; the command line's and Écluse's own names in words."""
    key = {"cli": "hist.by_cli", "ecluse": "hist.by_ecluse"}.get(entry["actor"] or "")
    return t(key) if key else entry["actor"] or "—"


def history_reason(entry: dict[str, Any], findings: list[dict[str, Any]]) -> str:
    """An audit entry's reason in the user's language when the core wrote it; a reviewer's
    own words as they are."""
    reason = entry["reason"] or ""
    if entry.get("reason_said"):  # one the core gave since it records what it says (all valid, a duplicate…)
        return widgets.said_or(reason, entry["reason_said"])
    key = _CORE_REASONS.get((entry["action"], reason))
    if key:
        return t(key)
    # A reason that is a finding's message (gone from the source) is said as that finding is;
    # once the document is back in the source, that finding is gone and the fact is said.
    said = next((f for f in findings if reason and f["message"] == reason), None)
    if said:
        return widgets.finding_detail(said)
    return t("hist.gone") if entry["action"] == GONE else reason


def status_reason(doc: dict[str, Any]) -> str:
    """A document's status reason (as `review.get_document` gives it) in the user's language: a
    reason the sync gave (a finding's message) as that finding is said, one the core gave a
    decision (all valid, a duplicate's rejection) as its history entry is; a person's words as
    they are."""
    reason, entry = _reason_entry(doc)
    return history_reason(entry or {"action": None, "reason": reason}, doc.get("findings") or [])


def _reason_entry(doc: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """The document's status reason and the latest history entry that gave it, if any."""
    reason = doc.get("status_reason") or ""
    entry = next((h for h in reversed(doc.get("history") or []) if reason and h["reason"] == reason), None)
    return reason, entry


def status_caption(doc: dict[str, Any]) -> str:
    """The header's line under a document's status: "Motif : …" for a decision's reason; for an
    invoice held before sending, "Envoi bloqué : il manque : …" without the invoice the
    header names (the send page's short form, `batches.held_text`); for a sent one, its send's
    warnings ("Avertissement de l'envoi : …"), which are no decision's reason."""
    reason, entry = _reason_entry(doc)
    if entry is not None and entry.get("action") == "held_before_send" and doc.get("status") != SENT:
        text = batches.held_text(doc.get("number"), doc["id"], reason, entry.get("reason_said"), state.lang())
        return t("review.status_reason_held", reason=text)
    if doc.get("status") == SENT:
        return t("review.status_reason_sent", reason=status_reason(doc))
    return t("review.status_reason", reason=status_reason(doc))


def _attempt(fn: Callable[[], Any]) -> tuple[bool, Any]:
    """(True, result), or (False, None) after showing a service's refusal as a message."""
    try:
        return True, fn()
    except widgets.USER_ERRORS as exc:
        widgets.user_error(exc)
        return False, None


def _text(value: Any) -> str:
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:  # a fixed due date, stored as ISO text: said as the pages say dates
            return widgets.date(dt.date.fromisoformat(value))
        except ValueError:
            pass
    return "—" if value in (None, "") else str(value)


def _counterparty_value(cp: dict[str, Any], path: str) -> str:
    return str(cp.get(path.rsplit(".", 1)[1]) or "")


# -- fixes -----------------------------------------------------------------------------------
def _apply(ws, doc_id: str, changes: list[tuple[str, str | None]]) -> list[str]:
    """Call `fixes.fix` for each change; returns the error messages (the others are applied)."""
    try:
        signer = state.signer()
    except widgets.USER_ERRORS as exc:  # no name: nothing is fixed, said once
        return [widgets.error_text(exc)]
    errors = []
    for field, new in changes:
        try:
            fixes.fix(ws, doc_id, field, new, actor=signer)
        except widgets.USER_ERRORS as exc:
            errors.append(widgets.labelled(field_label(field), widgets.error_text(exc)))
    return errors


def _finish(doc_id: str, applied: int, errors: list[str], done: Done) -> None:
    if errors:
        st.error("\n\n".join(errors), icon=":material/error:")
        if not applied:
            return
    if applied:
        state.flash("success", t("fx.saved", n=applied))
        done(doc_id)


def counterparty_form(ws, doc: dict[str, Any], done: Done, version: int) -> None:
    cp = doc.get("counterparty")
    if not cp:
        st.info(t("fx.no_counterparty"))
        return
    fixed = {f["field"] for f in doc["fixes"]}
    shared = queue.counterparty_documents(ws, doc.get("counterparty_id"))
    st.markdown(f"**{t('fx.counterparty_title', name=cp.get('name') or '—')}**")
    st.caption(t("fx.counterparty_shared", n=shared))
    raw = " ".join(str(cp.get("address_raw") or "").split())
    if raw:  # a free-text address the connector could not split: what to copy into the fields
        st.caption(t("fx.address_raw", text=raw))
    with st.form(key=f"fx_cp_{doc['id']}_{version}", border=True):
        values: dict[str, str] = {}
        columns = st.columns(3)
        for index, path in enumerate(COUNTERPARTY_FIELDS):
            current = _counterparty_value(cp, path)
            values[path] = columns[index % 3].text_input(
                field_label(path), value=current, key=f"fx_cp_{doc['id']}_{version}_{path}",
                help=t("fx.country_help") if path.endswith("country_alpha2") else None,
                placeholder=t("fx.empty_ph"))
        st.caption(t("fx.restore_hint"))
        submitted = st.form_submit_button(t("fx.save_counterparty"), type="primary", icon=":material/save:")
    if not submitted:
        return
    changes: list[tuple[str, str | None]] = []
    for path in COUNTERPARTY_FIELDS:
        new, current = (values[path] or "").strip(), _counterparty_value(cp, path)
        if new == current or (not new and path not in fixed):
            continue  # unchanged, or a source value cannot be blanked (empty restores it)
        changes.append((path, new or None))
    if not changes:
        st.info(t("fx.nothing_changed"))
        return
    errors = _apply(ws, doc["id"], changes)
    _finish(doc["id"], len(changes) - len(errors), errors, done)


def _vat_choice_label(code: str, default: str | None) -> str:
    if code:
        return widgets.vat_code(code)
    return t("fx.vat_code_default", code=default) if default else t("fx.vat_code_none")


def _account_caption(accounts: list[dict[str, Any]], number: int, hint: str | None) -> None:
    """The account line `number` goes to at the send and why, by the rule Revue's Lignes tab
    shows (`review.line_accounts`): its fix, its code's mapping (or a part's), the default
    account, or none (then a link to Correspondances)."""
    account = accounts[number - 1] if number <= len(accounts) else {"account": None, "source": "none", "via": None}
    source = account["source"]
    if source == "fixed":  # and what the mappings would give it without the fix
        unfixed = account.get("unfixed") or {"account": None, "source": "none", "via": None}
        st.caption(t(f"fx.hint_fixed_{unfixed['source']}", account=account["account"], previous=unfixed["account"],
                     part=unfixed["via"], hint=hint))
        return
    key = {"code": "fx.hint_mapped", "part": "fx.hint_part"}.get(source)
    if key:
        st.caption(t(key, hint=hint, account=account["account"], part=account["via"]))
        return
    st.caption((t("fx.hint_unmapped", hint=hint) if hint else t("fx.hint_none"))
               + (" " + t("fx.fallback", account=account["account"]) if source == "default" else ""))
    pages = st.session_state.get("_pages", {})
    if "mappings" in pages and source == "none":
        st.page_link(pages["mappings"], label=t("fx.open_mappings"), icon=":material/rule:")


def lines_form(ws, doc: dict[str, Any], done: Done, version: int) -> None:
    lines = doc["lines"]
    if not lines:
        return
    st.markdown(f"**{t('fx.lines_title')}**")
    labels = {i: t("fx.line_option", n=i, label=line.get("label") or "—",
                   rate="—" if line.get("vat_rate") is None else widgets.number(line["vat_rate"]))
              for i, line in enumerate(lines, start=1)}
    number = st.selectbox(t("fx.line"), list(labels), format_func=labels.get, key=f"fx_line_{doc['id']}") or 1
    line = lines[number - 1]
    valid = vat_codes.ordered_codes()
    as_sent = doc["lines_as_sent"]  # `review.lines_as_sent`, read by the page
    # The code the line's rate gives (for 0 %, the client's country too): what "no fix" means.
    rate_default = as_sent[number - 1]["vat_default"] if number <= len(as_sent) else None
    current_code = line.get("vat_code") if line.get("vat_code") in vat_codes.valid_codes() else ""
    current_account = str(line.get("ledger_account") or "")
    hint = line.get("accounting_hint")  # the source's code (a fix leaves it as it is)
    _account_caption(as_sent, number, hint)
    with st.form(key=f"fx_ln_{doc['id']}_{number}_{version}", border=True):
        c1, c2 = st.columns(2)
        # An example in the line's own class: the source's code as an account (6256 → 625600), else
        # a sales or purchases account.
        example = (hint.ljust(6, "0") if hint and hint.isdigit() and len(hint) <= 6
                   else "706000" if doc["kind"] in CUSTOMER_KINDS else "607000")
        account = c1.text_input(t("fx.ledger_account"), value=current_account, placeholder=t("fx.example", value=example),
                                key=f"fx_ln_{doc['id']}_{number}_{version}_ledger", help=t("fx.ledger_help"))
        options = ["", *valid]
        code = c2.selectbox(t("fx.vat_code"), options, index=options.index(current_code),
                            format_func=state.frozen(lambda c: _vat_choice_label(c, rate_default)),
                            key=f"fx_ln_{doc['id']}_{number}_{version}_vat", help=t("fx.vat_help"))
        label = st.text_input(t("fx.label"), value=line.get("label") or "",
                              key=f"fx_ln_{doc['id']}_{number}_{version}_label")
        submitted = st.form_submit_button(t("fx.save_line", n=number), type="primary", icon=":material/save:")
    if not submitted:
        return
    prefix = f"lines[{number}]"
    fixed = {f["field"] for f in doc["fixes"]}
    changes: list[tuple[str, str | None]] = []
    account = (account or "").strip()
    if account != current_account:
        try:
            changes.append((f"{prefix}.ledger_account", mappings.check_ledger_account(account)))
        except mappings.MappingError as exc:
            st.error(widgets.error_text(exc), icon=":material/error:")
            return
    if (code or "") != current_code and (code or f"{prefix}.vat_code" in fixed):
        changes.append((f"{prefix}.vat_code", code or None))
    label = (label or "").strip()
    if label != (line.get("label") or "") and (label or f"{prefix}.label" in fixed):
        changes.append((f"{prefix}.label", label or None))
    if not changes:
        st.info(t("fx.nothing_changed"))
        return
    errors = _apply(ws, doc["id"], changes)
    _finish(doc["id"], len(changes) - len(errors), errors, done)


def category_form(ws, doc: dict[str, Any], done: Done, version: int) -> None:
    st.markdown(f"**{t('fx.category')}**")
    default = mappings.category_for(ws.mappings()["categories"], doc["connection"], doc["kind"])
    side = f"fx.category_{mappings.side_of(doc['kind'])}"
    st.caption(t("fx.category_default", category=default, side=t(side).lower()) if default
               else t("fx.category_no_default", side=t(side).lower()))
    current = doc.get("category_hint") or ""
    with st.form(key=f"fx_cat_{doc['id']}_{version}", border=True):
        label = st.text_input(t("fx.category_label"), value=current, placeholder=t("fx.example", value=t(side)),
                              key=f"fx_cat_{doc['id']}_{version}_value")
        submitted = st.form_submit_button(t("fx.save_category"), icon=":material/save:")
    if not submitted:
        return
    label = (label or "").strip()
    if label == current:
        st.info(t("fx.nothing_changed"))
        return
    errors = _apply(ws, doc["id"], [("category", label or None)])
    _finish(doc["id"], 1 - len(errors), errors, done)


def due_date_form(ws, doc: dict[str, Any], done: Done, version: int) -> None:
    """The due date, fixed here when the source's is missing or wrong (Pennylane's deadline);
    a change of it at the source later drops the fix, as for any field."""
    st.markdown(f"**{t('col.due_date')}**")
    current = doc.get("due_date")
    with st.form(key=f"fx_due_{doc['id']}_{version}", border=True):
        picked = st.date_input(t("fx.due_date_label"), value=current, format=widgets.date_format(),
                               key=f"fx_due_{doc['id']}_{version}_value", help=t("fx.due_date_help"))
        submitted = st.form_submit_button(t("fx.save_due_date"), icon=":material/save:")
    if not submitted:
        return
    if picked == current:
        st.info(t("fx.nothing_changed"))
        return
    errors = _apply(ws, doc["id"], [("due_date", picked.isoformat() if picked else None)])
    _finish(doc["id"], 1 - len(errors), errors, done)


def current_fixes(ws, doc: dict[str, Any], done: Done, editable: bool) -> None:
    st.markdown(f"**{t('fx.current', n=len(doc['fixes']))}**")
    if not doc["fixes"]:
        st.caption(t("fx.none"))
        return
    for fx in doc["fixes"]:
        with st.container(border=True):
            cols = st.columns([5, 3, 2], vertical_alignment="center")
            shared = f"  \n:blue-badge[{t('fx.shared_badge')}]" if fx["shared"] else ""
            # a fixed account stands beside the source's accounting code, not an account of the source
            source = t("fx.col_source_code" if fx["field"].endswith(".ledger_account") else "fx.col_source")
            cols[0].markdown(f"{field_label(fx['field'])} → **{_text(fx['value'])}**  \n"
                             f":gray[{widgets.labelled(source, _text(fx['source_value']))}]{shared}")
            cols[1].markdown(f":gray[{fx['actor']}  \n{widgets.datetime(fx['recorded_at'])}]")
            if editable and cols[2].button(t("fx.restore"), key=f"fx_restore_{doc['id']}_{fx['field']}",
                                           icon=":material/undo:", help=t("fx.restore_help"), width="stretch"):
                errors = _apply(ws, doc["id"], [(fx["field"], None)])
                if errors:
                    st.error("\n\n".join(errors), icon=":material/error:")
                else:
                    # A line's account: the source gave a code (707), which Correspondances maps.
                    key = "fx.restored_account" if fx["field"].endswith(".ledger_account") else "fx.restored"
                    state.flash("success", t(key, field=field_label(fx["field"]), value=_text(fx["source_value"])))
                    done(doc["id"])


def fixes_tab(ws, doc: dict[str, Any], done: Done) -> None:
    """Forms to fix the counterparty, a line, the category; the fixes in force, each with
    a button that restores the source's value."""
    version = st.session_state.get("fx_version", 0)  # new widgets (fresh values) after each change
    editable = doc["status"] in fixes.EDITABLE_STATUSES
    if not editable:
        st.info(t("fx.not_editable", status=widgets.status_label(doc["status"])), icon=":material/lock:")
    else:
        st.caption(t("fx.intro"))
        counts: dict[tuple[str, str], int] = {}
        for f in doc["findings"]:
            if f["code"] != "suspected_duplicate":
                counts[(f["code"], f["severity"])] = counts.get((f["code"], f["severity"]), 0) + 1
        if counts:  # what is left to fix, in view of the forms
            st.markdown(t("fx.left", items=" · ".join(
                (":red[{}]" if severity == "error" else ":orange[{}]").format(
                    widgets.finding_title(code) + (f" ({n})" if n > 1 else ""))
                for (code, severity), n in counts.items())))
            if any(_AMOUNT_FIELD.match(f["field"] or "") for f in doc["findings"] if f["severity"] == "error"):
                st.caption(t("fx.amounts_elsewhere"))
        counterparty_form(ws, doc, done, version)
        lines_form(ws, doc, done, version)
        due_date_form(ws, doc, done, version)
        category_form(ws, doc, done, version)
    current_fixes(ws, doc, done, editable)


# -- duplicates --------------------------------------------------------------------------------
_CARD_FIELDS = ("connection", "number", "issue_date", "counterparty", "totals", "status", "pdf")


def _card_values(d: dict[str, Any]) -> dict[str, str]:
    currency = d.get("currency")
    sha = d.get("attachment_sha256")
    return {
        "connection": f"{d['connection']} · `{d['source_id']}`",
        "number": d.get("number") or "—",
        "issue_date": widgets.date(d.get("issue_date")),
        "counterparty": (d.get("counterparty") or "—") + (f" ({d['counterparty_vat_number']})"
                                                          if d.get("counterparty_vat_number") else ""),
        "totals": " / ".join(widgets.money(d.get(f), currency) for f in ("total_before_tax", "total_tax", "total")),
        "status": widgets.status_label(d.get("status")),
        "pdf": f"`{sha[:12]}…`" if sha else t("dup.no_pdf"),
    }


def _card(ws, d: dict[str, Any], other: dict[str, Any], title: str) -> None:
    mine, theirs = _card_values(d), _card_values(other)
    lines = [f"**{title}**"]
    for name in _CARD_FIELDS:
        text = mine[name]
        if name != "connection" and text != theirs[name]:
            text = f":orange[**{text}**]"  # what differs from the other document
        lines.append(widgets.labelled(t(f"dup.f_{name}"), text))
    if d.get("pennylane_url"):
        lines.append(f"[{t('dup.in_pennylane')}]({d['pennylane_url']})")
    st.markdown("  \n".join(lines))
    sha = d.get("attachment_sha256")
    content = ws.get_attachment(sha) if sha else None
    if content is not None:
        try:
            images = [content] if widgets.is_image(content) else widgets.pdf_pages_as_png(content, max_pages=1,
                                                                                             scale=0.7)
        except Exception:  # noqa: BLE001 - a damaged file: no thumbnail
            images = []
        for png in images or []:
            st.image(png, width=240)


def duplicates_tab(ws, doc_id: str, done: Done, open_doc: Done) -> None:
    """Each suspected twin beside the document, what differs highlighted, and the choice:
    keep both, reject this one or reject the other."""
    view = duplicates.side_by_side(ws, doc_id)
    if view is None:
        return
    this = view["document"]

    def reject(target: str, twin_of: str, key: str) -> None:
        """A button that rejects `target` as a duplicate of `twin_of`."""
        if not st.button(t(f"dup.{key}"), key=f"dup_{key}_{doc_id}_{target if target != doc_id else twin_of}",
                         icon=":material/block:", width="stretch", help=t(f"dup.{key}_help")):
            return
        ok, result = _attempt(lambda: duplicates.reject_duplicate(ws, target, twin_of, actor=state.signer()))
        if not ok:
            return
        number = this.get("number") if target == doc_id else next(
            (tw.get("number") for tw in view["twins"] if tw["id"] == target), None)
        if result.done:
            state.flash("success", t("dup.rejected", number=number or target))
        for why in result.refused.values():
            state.flash("warning", t("dup.refused", why=widgets.refusal(why)))
        done(doc_id)

    if view["twins"]:
        st.caption(t("dup.intro"))
    for twin in view["twins"]:
        other = twin["id"]
        reasons = " · ".join(t(f"dup.reason_{r}") for r in twin["reasons"]) or t("dup.reason_other")
        st.markdown(f"**{t('dup.pair', other=twin.get('number') or other, connection=twin['connection'])}** — {reasons}")
        left, right = st.columns(2)
        with left.container(border=True, height="stretch"):
            _card(ws, this, twin, t("dup.this_document"))
            reject(doc_id, other, "reject_this")
        with right.container(border=True, height="stretch"):
            _card(ws, twin, this, t("dup.twin"))
            reject(other, doc_id, "reject_other")
            if st.button(t("dup.open_twin"), key=f"dup_open_{doc_id}_{other}", icon=":material/open_in_new:",
                         width="stretch"):
                open_doc(other)
        if st.button(t("dup.keep_both"), key=f"dup_keep_{doc_id}_{other}", icon=":material/done_all:",
                     type="primary", help=t("dup.keep_both_help"), width="stretch"):
            if _attempt(lambda: duplicates.dismiss(ws, doc_id, other, actor=state.signer()))[0]:
                state.flash("success", t("dup.kept"))
                done(doc_id)
        st.divider()
    if view["dismissed"]:
        st.markdown(f"**{t('dup.dismissed_title')}**")
        for d in view["dismissed"]:
            cols = st.columns([3, 2], vertical_alignment="center")
            cols[0].markdown(t("dup.dismissed_line", number=d.get("number") or d["id"], connection=d["connection"],
                               actor=d["dismissed_by"], when=widgets.datetime(d["dismissed_at"])))
            if cols[1].button(t("dup.restore"), key=f"dup_restore_{doc_id}_{d['id']}", icon=":material/undo:"):
                if _attempt(lambda: duplicates.restore(ws, doc_id, d["id"], actor=state.signer()))[0]:
                    state.flash("info", t("dup.restored"))
                    done(doc_id)
