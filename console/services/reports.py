"""Ad-hoc, read-only SQL over the documented report views, and exports.

The views (schema `reports`, the search path) are the documented, stable interface. The internal
tables (`documents`, `sync_state`…) are not refused: the connection cannot write and secrets are
masked before they are stored, so reading them is safe; they may change from one version to the
next, and the page says so (rep.intro).

Queries run on a connection opened read-only with `enable_external_access = false` and a
locked configuration: they can neither write to the workspace nor read or write any other
file (no COPY TO, no read_csv('/etc/passwd'), no ATTACH, no re-enabling it with SET).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ..connectors import Said
from ..domain import json_dumps
from ..i18n import MESSAGES, decimal_places, finding_detail, said_or, t
from ..workspace import Workspace

FORMATS = ("csv", "json", "parquet", "xlsx")
VIEWS = ("invoices", "lines", "counterparties", "findings", "batches", "batch_items", "audit", "sync_runs", "problems",
         "confirmations")
# A date column used as a group is grouped by one of these: the day as it is, or the month, the
# quarter or the year it falls in (date_trunc in SQL, a DATE: the first day of the period).
GRAINS = ("day", "month", "quarter", "year")

SAVED_REPORTS: dict[str, tuple[str, str]] = {
    "monthly_totals": (
        "Totaux mensuels par connexion et statut / Monthly totals by connection and status",
        "SELECT connection, CAST(date_trunc('month', issue_date) AS DATE) AS month, status, currency, count(*) AS documents,\n"
        "       sum(total_before_tax) AS total_before_tax, sum(total_tax) AS total_tax, sum(total) AS total\n"
        "FROM invoices GROUP BY ALL ORDER BY month, connection, status, currency",
    ),
    "vat_by_rate": (
        "TVA par taux, des factures approuvées et envoyées / VAT by rate, of approved and sent invoices",
        "SELECT l.kind, l.currency, CAST(l.vat_rate AS DECIMAL(5, 2)) AS vat_rate, count(*) AS lines,\n"
        "       sum(l.amount_before_tax) AS base, sum(l.tax) AS vat\n"
        "FROM lines l JOIN invoices i ON i.id = l.document_id\n"
        "WHERE i.status IN ('approved', 'in_batch', 'sent', 'failed')  -- for the books: neither rejected nor undecided\n"
        "GROUP BY ALL ORDER BY kind, currency, vat_rate",
    ),
    "open_findings": (
        "Anomalies à traiter / Open findings",
        "SELECT i.id, i.number, i.counterparty, i.currency, f.severity, f.code, f.message, f.params\n"
        "FROM findings f JOIN invoices i ON i.id = f.document_id\n"
        "WHERE i.status IN ('to_review', 'on_hold') ORDER BY f.severity, i.issue_date",
    ),
    "sent_to_pennylane": (
        "Envoyés à Pennylane / Sent to Pennylane",
        "SELECT id, number, counterparty, total, currency, pennylane_id, sent_at, changed_after_sending\n"
        "FROM invoices WHERE status = 'sent' ORDER BY sent_at DESC",
    ),
}


class ReportError(ValueError):
    """The query failed; the message is DuckDB's, which names the problem. `said`: the same
    for the console's language (connectors.Said)."""

    def __init__(self, message: str, said: Said | None = None) -> None:
        super().__init__(message)
        self.said = said or Said("report.failed", {"error": message})


# Statements a report may run, as DuckDB's parser classifies them (a PIVOT is MULTI). Any other
# is refused before it runs, in words of ours: DuckDB's vary ("Can only delete from base table"
# for a view). The read-only sandbox stays the guard (EXPLAIN ANALYZE DELETE, say).
_QUERY_TYPES = frozenset({duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN, duckdb.StatementType.PRAGMA,
                          duckdb.StatementType.CALL, duckdb.StatementType.MULTI})


@dataclass
class QueryResult:
    table: pa.Table
    truncated: bool = False
    # The columns that hold a period (a month, a quarter, a year: grain_of), by this table's
    # names; None: said by the names themselves (`presented` keeps them under its labels).
    grains: dict[str, str] | None = None
    # The columns that hold a rate (a VAT rate: 20, 5.5), by this table's names; None: said by
    # the names themselves (`is_rate`).
    rates: tuple[str, ...] | None = None

    def periods(self) -> dict[str, str]:
        """The columns holding a period and its grain ({"Date (mois)": "month"})."""
        if self.grains is not None:
            return self.grains
        return {n: g for n in self.columns if (g := grain_of(n))}

    def rate_columns(self) -> tuple[str, ...]:
        """The columns holding a rate, written with the places it needs (20, 5.5), not its type's."""
        return self.rates if self.rates is not None else tuple(n for n in self.columns if is_rate(n))

    @property
    def columns(self) -> list[str]:
        return self.table.column_names

    @property
    def rows(self) -> list[dict[str, Any]]:
        return self.table.to_pylist()


_FIRST_FROM = re.compile(r'\bfrom\s+(?:reports\.)?"?([a-z_]+)"?', re.IGNORECASE)


def export_stem(sql: str, today: dt.date, query_word: str, label: str | None = None) -> str:
    """A download's file name, without its extension: named `label` when given (the builder's
    report in the reader's words, `builder_label`), else after the saved report the query is,
    else the view it reads first, else `query_word` ("requete"); and the day:
    "ecluse-factures-par-mois-2026-11-26", "ecluse-monthly-totals-2026-11-26", "ecluse-invoices-2026-11-26"
    (hyphens between words, whichever names it)."""
    name = _slug(label) if label else None
    name = name or next((handle(key) for key, (_title, text) in SAVED_REPORTS.items()
                         if text.strip() == sql.strip()), None)
    if name is None:
        first = _FIRST_FROM.search(sql)
        name = first.group(1).lower().replace("_", "-") if first and first.group(1).lower() in VIEWS else None
    return f"ecluse-{name or query_word}-{today.isoformat()}"


def handle(key: str) -> str:
    """A ready-made report's name for people and the CLI: "monthly_totals" -> "monthly-totals"."""
    return key.replace("_", "-")


def _slug(text: str) -> str:
    """Words as a file name's: "Factures par mois" -> "factures-par-mois" (no accents, no spaces)."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def builder_label(choices: Choices, lang: str) -> str:
    """A report of the builder named in `lang` after its view and its groups, for its file:
    "factures-par-mois", "lignes-par-trimestre-et-statut", "invoices-by-month"."""
    view = t(f"rep.file.view.{choices.view}", lang) if f"rep.file.view.{choices.view}" in MESSAGES else choices.view
    grains = dict(choices.grains)
    groups = []
    for name in choices.group_by:
        grain = grains.get(name)
        if grain and grain != "day":
            groups.append(t(f"rep.grain.{grain}", lang))
        else:
            groups.append(column_label(name, lang) or name)
    if not groups:
        return _slug(view)
    return _slug(t("rep.file.grouped", lang, view=view, groups=t("rep.file.and", lang).join(groups)))


def run_query(ws: Workspace, sql: str, *, max_rows: int | None = None) -> QueryResult:
    sql = sql.strip().rstrip(";")
    try:
        with ws.db.sandbox() as con:
            rel = _relation(con, sql)
            if max_rows is None:
                return QueryResult(_unique_names(rel.to_arrow_table()))
            table = _unique_names(_fetch_limited(rel, max_rows + 1))
            truncated = table.num_rows > max_rows
            return QueryResult(table.slice(0, max_rows), truncated)
    except duckdb.Error as exc:
        raise ReportError(*_explain(exc)) from None


def check_query(ws: Workspace, sql: str) -> None:
    """Raise the ReportError `run_query` would, without running the query: it is parsed and bound
    (an unknown column, a write, two queries are refused) but no row is read (an EXPLAIN ANALYZE
    is the exception: running is what it does). A conversion that fails on a value shows at run."""
    try:
        with ws.db.sandbox() as con:
            _relation(con, sql.strip().rstrip(";"))
    except duckdb.Error as exc:
        raise ReportError(*_explain(exc)) from None


def _relation(con: duckdb.DuckDBPyConnection, sql: str) -> duckdb.DuckDBPyRelation:
    """`sql` on the sandbox's connection as a relation not yet run, or why it is refused."""
    if not sql:
        raise ReportError("the query is empty", Said("report.empty", {}))
    statements = con.extract_statements(sql)
    if any(s.type not in _QUERY_TYPES for s in statements):
        raise ReportError("reports are read-only: only queries (SELECT, WITH...) can be run",
                          Said("report.read_only", {}))
    if len(statements) > 1:  # only the last one's result would show
        raise ReportError(f"one query at a time: this text holds {len(statements)}",
                          Said("report.one_query", {"n": len(statements)}))
    con.execute("SET search_path = 'reports'")
    rel = con.sql(sql)
    if rel is None:
        raise ReportError("the query returned no result set; reports are SELECT queries")
    return rel


def _unique_names(table: pa.Table) -> pa.Table:
    """Columns named once each: `SELECT *` over a join repeats names (kind, number…), which
    neither the page's table nor the exports can hold. A repeated name gets _1, _2…"""
    names: list[str] = []
    for name in table.column_names:
        unique, n = name, 0
        while unique in names:
            n += 1
            unique = f"{name}_{n}"
        names.append(unique)
    return table if names == table.column_names else table.rename_columns(names)


def _fetch_limited(rel: duckdb.DuckDBPyRelation, n: int) -> pa.Table:
    reader = rel.to_arrow_reader(min(n, 100_000))
    batches, count = [], 0
    for batch in reader:
        batches.append(batch)
        count += batch.num_rows
        if count >= n:
            break
    if not batches:
        return reader.schema.empty_table()
    return pa.Table.from_batches(batches).slice(0, n)


# DuckDB's commonest refusals, said in words of ours (with what DuckDB suggests); any other
# keeps DuckDB's own text. Matched on its English first line, which names the culprit.
_EXPLAINED = (
    (re.compile(r'^Parser Error: syntax error at (?:or near "(.*)"|end of input)'), "report.syntax"),
    (re.compile(r'^Binder Error: Referenced column "(.*)" not found'), "report.no_column"),
    (re.compile(r'^Catalog Error: Table with name (\S+) does not exist'), "report.no_view"),
    (re.compile(r'^Catalog Error: (?:Scalar |Aggregate |Table )?Function with name (\S+) does not exist'),
     "report.no_function"),
    (re.compile(r'^Binder Error: column "(.*)" must appear in the GROUP BY clause'), "report.group_by"),
    (re.compile(r"^Binder Error: No function matches the given name and argument types '(.*)'"), "report.types"),
    (re.compile(r'^Conversion Error: (?:Could not convert string [\'"](.*)[\'"] to|invalid date field format: "(.*)")'),
     "report.conversion"),
)


def _explain(exc: duckdb.Error) -> tuple[str, Said]:
    """DuckDB's error as (English text, Said). The English text is DuckDB's first line."""
    lines = str(exc).splitlines()
    text = lines[0]
    if "read-only" in text.lower() or "read_only" in text.lower():
        return f"reports are read-only: {text}", Said("report.read_only", {})
    if "external access" in text.lower() or "disabled by configuration" in text.lower():
        return (f"reports cannot read or write files outside the workspace: {text}",
                Said("report.no_files", {"error": text}))
    for pattern, code in _EXPLAINED:
        match = pattern.match(text)
        if match:
            name = next((g for g in match.groups() if g is not None), "")
            if code == "report.conversion" and re.fullmatch(r"-?[\d\s]*,\d+", name):
                code = "report.decimal_comma"  # 12,5 typed as a French reader writes it
            hint = _hint(lines[1:])
            if code == "report.no_view":
                # A view named in French (factures) is that view, whatever DuckDB's spelling guess.
                hint = _VIEW_WORDS.get(_plain_word(name)) or (hint if hint in VIEWS else "")
            return text, Said(code + (".hint" if hint else ""),
                              {"name": name, "hint": hint, "error": text, "views": ", ".join(VIEWS)})
    return text, Said("report.failed", {"error": text})


# The documented views as a French reader may name them.
_VIEW_WORDS = {"factures": "invoices", "facture": "invoices", "avoirs": "invoices", "lignes": "lines",
               "tiers": "counterparties", "clients": "counterparties", "fournisseurs": "counterparties",
               "anomalies": "findings", "alertes": "findings", "erreurs": "findings", "lots": "batches",
               "envois": "batches", "historique": "audit", "synchronisations": "sync_runs", "synchros": "sync_runs",
               "problemes": "problems", "verifications": "confirmations"}


def _plain_word(name: str) -> str:
    return plain_text(name.strip('"').split(".")[-1])


def plain_text(text: str) -> str:
    """Text as two names or titles are compared: without accents or case, its spaces single."""
    import unicodedata

    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def _hint(rest: list[str]) -> str:
    """What DuckDB suggests on the lines after its error: the candidates it names."""
    for line in rest:
        found = re.findall(r'"([^"]+)"', line)
        if line.startswith(("Candidate bindings:", "Did you mean")) and found:
            return ", ".join(dict.fromkeys(found))
    return ""


# -- what the console shows ------------------------------------------------------------------
# Values the console names in words, by column: the catalogue keys tried in turn.
_WORDS = {"status": ("status.{}",), "kind": ("kind.{}",), "severity": ("severity.{}",),
          "action": ("action.{}",), "role": ("review.{}",), "state": ("send.state_{}", "rep.state.{}"),
          "resolution": ("resolution.{}",)}
# More values in words: who did it, when that is the command line or Écluse itself.
_MORE_WORDS = {"actor": ("hist.by_{}",)}
# A history entry's before and after, in words when its field is the status (À revoir).
_CHANGE_COLUMNS = ("old_value", "new_value")
# A status is a document's, unless the result has the columns of a sync run's, a batch's or a
# confirmation's (what Pennylane holds: Confirmé, Montant différent).
_STATUS_OF = ((frozenset({"fetched", "unchanged"}), ("run.{}",)), (frozenset({"dry_run", "items"}), ("batch.{}",)),
              (frozenset({"pennylane_amount", "expected_amount"}), ("rec.check_{}",)))


def presented(result: QueryResult, lang: str) -> QueryResult:
    """`result` as the console shows it, and its CSV and XLSX exports hold it: columns the
    console knows under their label (Statut, Total TTC…), statuses, kinds and severities in
    words (À revoir, Facture client), and a finding's message in `lang` when the query selects
    its code, message and params; a history entry's reason when it selects reason_said too, its
    before and after when its field is the status; a history entry's or a finding's field in
    words (Statut, Ligne 2 : Compte comptable), as Revue's history says it. Other columns and
    values are left as they are; a label two columns would share is given to the first only.
    The query's own names stay available (the page's 'SQL names' switch; Parquet and JSON
    exports are always as the query gives)."""
    table = result.table
    names = table.column_names
    finding = {"code", "message", "params"} <= set(names)
    problem = not finding and {"message", "said"} <= set(names)
    reason = {"reason", "reason_said"} <= set(names)
    fields = table.column("field").to_pylist() if "field" in names else None
    words = _words(names)
    # A send's audit row names the Pennylane id it got: a hold or a failure got none, and
    # says nothing of that field (neither before nor after), only its reason.
    changes = [table.column(n).to_pylist() if n in names else [None] * table.num_rows for n in _CHANGE_COLUMNS]
    labels: list[str] = []
    columns: list[pa.Array | pa.ChunkedArray] = []
    raw_periods, raw_rates = result.periods(), result.rate_columns()
    periods: dict[str, str] = {}
    rates: list[str] = []
    for name, column in zip(names, table.columns):
        if (finding and name == "params") or (problem and name == "said") or (reason and name == "reason_said"):
            continue  # the message (the reason) says them
        if name in words and pa.types.is_string(column.type):
            column = pa.array([_word(words[name], v, lang) for v in column.to_pylist()], pa.string())
        elif finding and name == "message":
            column = pa.array(_finding_messages(table, lang), pa.string())
        elif problem and name == "message":
            column = pa.array([said_or(m, s, lang) for m, s in zip(column.to_pylist(), table.column("said").to_pylist())],
                              pa.string())
        elif reason and name == "reason":
            column = pa.array([said_or(r, s, lang) if s else r
                               for r, s in zip(column.to_pylist(), table.column("reason_said").to_pylist())], pa.string())
        elif name == "field" and pa.types.is_string(column.type):  # Statut, Identifiant Pennylane
            column = pa.array([None if f in _NO_CHANGE and (b, a) == (None, None) else field_label(f, lang)
                               for f, b, a in zip(fields or (), *changes)], pa.string())
        elif fields is not None and name in _CHANGE_COLUMNS and pa.types.is_string(column.type):
            column = pa.array([_word(_WORDS["status"], v, lang) if f == "status" else v
                               for f, v in zip(fields, column.to_pylist())], pa.string())
        label = column_title(name, lang)
        labels.append(name if label in labels or label in names and label != name else label)
        columns.append(column)
        if name in raw_periods:
            periods[labels[-1]] = raw_periods[name]
        if name in raw_rates:
            rates.append(labels[-1])
    return QueryResult(pa.table(columns, names=labels), result.truncated, periods, tuple(rates))


_NO_CHANGE = ("pennylane_id",)
_GROUPED = re.compile(rf"^(.+)_({'|'.join(GRAINS[1:])})$")


def is_rate(name: str) -> bool:
    """A result column holding a rate, by its query's name: vat_rate, tax_rate…"""
    return name == "rate" or name.endswith("_rate")


def grain_of(name: str) -> str | None:
    """The grain a result column's name says (`issue_date_month`: month), None for any other."""
    grouped = _GROUPED.match(name)
    return grouped[2] if grouped else ("month" if name == "month" else None)


def column_title(name: str, lang: str) -> str:
    """A result column's label: its own, a dated group's at its grain ("Date (mois)"), else its name."""
    grouped = _GROUPED.match(name)
    if f"col.{name}" in MESSAGES:
        return t(f"col.{name}", lang)
    if grouped and f"col.{grouped[1]}" in MESSAGES:
        return t("rep.grain_label", lang, label=t(f"col.{grouped[1]}", lang), grain=t(f"rep.grain.{grouped[2]}", lang))
    return name


def _words(names: list[str]) -> dict[str, tuple[str, ...]]:
    """The catalogue keys that say each column's values, for a result of these columns."""
    return dict(_WORDS, **_MORE_WORDS,
                status=next((keys for columns, keys in _STATUS_OF if columns & set(names)), _WORDS["status"]))


def value_label(columns: list[str], name: str, value: str | None, lang: str) -> str | None:
    """A value of column `name`, of a result (a view) with these `columns`, as `presented`
    says it: `to_review` is "À revoir" for a document, a sync run's `failed` is "échec"."""
    keys = _words(columns).get(name)
    return _word(keys, value, lang) if keys else value


# An audit entry's or a finding's field (`field`), in words as Revue's history says it
# (ui/review_panels.field_label): the catalogue key of each field path it knows.
_FIELD_KEYS = {
    **{f: f"col.{f}" for f in ("number", "issue_date", "due_date", "currency", "total_before_tax", "total_tax", "total",
                               "kind", "counterparty", "lines", "status", "pennylane_id")},
    **{f"counterparty.{f}": f"fx.{f}" for f in ("name", "vat_number", "siren", "siret", "email")},
    **{f"counterparty.address.{f}": f"fx.{f}" for f in ("street", "postal_code", "city")},
    "counterparty.address.country_alpha2": "fx.country", "counterparty.address": "review.address",
    "attachment": "review.tab_pdf", "attachment_sha256": "review.tab_pdf", "category": "fx.category",
    "credited_source_id": "hist.credited_source_id", "batch": "send.col_batch", "duplicate_of": "hist.duplicate_of",
}
# A line's field (lines[2].vat_code): "Ligne 2 : code TVA Pennylane".
_LINE_FIELD_KEYS = {"ledger_account": "fx.ledger_account", "vat_code": "fx.vat_code", "label": "fx.label",
                    "vat_rate": "col.vat_rate", "tax": "col.total_tax", "amount": "col.total",
                    "amount_before_tax": "col.total_before_tax", "quantity": "col.quantity", "unit_price": "col.unit_price"}
_LINE_FIELD = re.compile(r"^lines\[(\d+)\]\.(.+)$")


def field_label(field: str | None, lang: str) -> str | None:
    """A field path in words ("Statut", "Adresse : code postal", "Ligne 2 : compte comptable"),
    several ("total, lines": what a sync found changed) each in words; a path it does not know,
    as it is."""
    if not field:
        return field
    said = []
    for one in field.split(", "):
        line = _LINE_FIELD.match(one)
        if one in _FIELD_KEYS:
            one = t(_FIELD_KEYS[one], lang)
        elif line and line[2] in _LINE_FIELD_KEYS:
            one = t("fx.line_field", lang, n=line[1], field=t(_LINE_FIELD_KEYS[line[2]], lang))
        said.append(one)
    return ", ".join(said)


def _word(keys: tuple[str, ...], value: str | None, lang: str) -> str | None:
    for key in (k.format(value) for k in keys):
        if value is not None and key in MESSAGES:
            return t(key, lang)
    return value


def _finding_messages(table: pa.Table, lang: str) -> list[str | None]:
    codes, messages, params = (table.column(n).to_pylist() for n in ("code", "message", "params"))
    currencies = table.column("currency").to_pylist() if "currency" in table.column_names else [None] * len(codes)
    return [message if code is None else finding_detail(code, message or "", p, lang, currency)
            for code, message, p, currency in zip(codes, messages, params, currencies)]


# -- the views, described, and a query built from choices --------------------------------------
@dataclass(frozen=True)
class Column:
    """A column of a report view: its SQL name and DuckDB's type (DECIMAL(18,2), DATE…)."""
    name: str
    type: str

    @property
    def amount(self) -> bool:
        """Money: DECIMAL with two places (rates and quantities have more)."""
        return self.type.startswith("DECIMAL(") and self.type.endswith(",2)")

    @property
    def dated(self) -> bool:
        return self.type == "DATE" or self.type.startswith("TIMESTAMP")

    def type_label(self, lang: str) -> str:
        """The type in words, DuckDB's name beside it: "Montant (DECIMAL(18,2))"."""
        word = next((key for prefix, key in _TYPE_WORDS if self.type.startswith(prefix)), None)
        if word == "rep.type.decimal" and self.amount:
            word = "rep.type.amount"
        return f"{t(word, lang)} ({self.type})" if word else self.type


_TYPE_WORDS = (("VARCHAR", "rep.type.text"), ("BIGINT", "rep.type.integer"), ("INTEGER", "rep.type.integer"),
               ("DECIMAL", "rep.type.decimal"), ("DATE", "rep.type.date"), ("TIMESTAMP", "rep.type.timestamp"),
               ("BOOLEAN", "rep.type.boolean"), ("JSON", "rep.type.json"))
# The columns a status filter applies to (a batch item's is its state), and a count's name.
STATUS_COLUMNS = ("status", "state")
COUNT = "row_count"


def view_columns(ws: Workspace) -> dict[str, list[Column]]:
    """The documented views (VIEWS, in that order) and their columns, as DuckDB describes them."""
    result = run_query(ws, "SELECT table_name, column_name, data_type FROM information_schema.columns "
                           "WHERE table_schema = 'reports' ORDER BY table_name, ordinal_position")
    known: dict[str, list[Column]] = {}
    for row in result.rows:
        known.setdefault(row["table_name"], []).append(Column(row["column_name"], row["data_type"]))
    return {view: known[view] for view in VIEWS if view in known}


def view_description(view: str, lang: str) -> str:
    return t(f"rep.view.{view}", lang) if f"rep.view.{view}" in MESSAGES else ""


def column_label(name: str, lang: str) -> str:
    """The column's label in the console (Total TTC), as `presented` names it; '' if none."""
    return t(f"col.{name}", lang) if f"col.{name}" in MESSAGES else ""


def column_meaning(view: str, name: str, lang: str) -> str:
    """What a column holds, where the project says it: the view's own word on it, else the
    word on every column of that name; '' when neither exists."""
    key = meaning_key(view, name)
    return t(key, lang) if key else ""


def meaning_key(view: str, name: str) -> str | None:
    """The catalogue key of `column_meaning`, None when there is none."""
    return next((k for k in (f"rep.about.{view}.{name}", f"rep.about.{name}") if k in MESSAGES), None)


@dataclass(frozen=True)
class Choices:
    """A report chosen rather than written: a view, the columns to show (all when none), a
    period on one of its date columns (either end may be open), the connections and statuses
    to keep (all when none), and the columns to group by, the amounts then summed."""
    view: str
    columns: tuple[str, ...] = ()
    period_column: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    connections: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    group_by: tuple[str, ...] = ()
    grains: tuple[tuple[str, str], ...] = ()  # (a dated group column, one of GRAINS): by day when none


def grouped_name(name: str, grain: str) -> str:
    """The result's name of a dated group column: `issue_date` by day, `issue_date_month`…"""
    return name if grain == "day" else f"{name}_{grain}"


def _grains(choices: Choices, columns: dict[str, Column]) -> dict[str, str]:
    grains = dict(choices.grains)
    for name, grain in grains.items():
        if grain not in GRAINS:
            raise ReportError(f"unknown grain {grain!r}; choose one of {', '.join(GRAINS)}",
                              Said("report.unknown_grain", {"name": grain}))
        if not _known(columns, name, "column").dated:
            raise ReportError(f"{name} is not a date", Said("report.not_a_date", {"name": name}))
    return grains


def _group_select(column: Column, grain: str | None) -> str:
    """A group column in SELECT: a date (or a time, by its day) at its grain, named for it."""
    if not grain or (grain == "day" and column.type == "DATE"):
        return _ident(column.name)
    if grain == "day":
        return f"CAST({_ident(column.name)} AS DATE) AS {_ident(column.name)}"
    return (f"CAST(date_trunc({_literal(grain)}, {_ident(column.name)}) AS DATE) "
            f"AS {_ident(grouped_name(column.name, grain))}")


def build_sql(choices: Choices, views: dict[str, list[Column]]) -> str:
    """The SQL of `choices`, run like any typed query (`run_query`). Names come from `views`
    (`view_columns`) only, quoted; values are quoted literals (the text stays editable and
    is run as it reads). Grouped, each amount column is summed in SQL (DECIMAL stays DECIMAL),
    one row per currency: the view's currency column joins the groups. A view with amounts but
    no currency column is refused rather than summed (its amounts may be in several); a chosen
    column neither summed nor grouped is not in a grouped result (`left_out` names them)."""
    columns = {c.name: c for c in _known(views, choices.view, "view")}
    for name in (*choices.columns, *choices.group_by, *filter(None, [choices.period_column])):
        _known(columns, name, "column")
    where = []
    if choices.period_column and (choices.start or choices.end):
        column = columns[choices.period_column]
        if not column.dated:
            raise ReportError(f"{column.name} is not a date", Said("report.not_a_date", {"name": column.name}))
        if choices.start and choices.end and choices.start > choices.end:  # "0 rows" would say nothing of why
            raise ReportError(f"the period is reversed: it starts on {choices.start} after it ends on {choices.end}",
                              Said("report.reversed_period", {"start": choices.start, "end": choices.end}))
        side = _ident(column.name) if column.type == "DATE" else f"CAST({_ident(column.name)} AS DATE)"
        where += [f"{side} {op} DATE {_literal(day.isoformat())}"
                  for op, day in ((">=", choices.start), ("<=", choices.end)) if day]
    status = next((c for c in STATUS_COLUMNS if c in columns), None)
    for name, values in (("connection", choices.connections), (status, choices.statuses)):
        if values and name in columns:
            where.append(f"{_ident(name)} IN ({', '.join(_literal(str(v)) for v in values)})")
    if choices.group_by:
        grains = _grains(choices, columns)
        groups = list(dict.fromkeys([*choices.group_by, *_currencies(columns)]))
        summed = _summed(choices, columns)
        select = [*(_group_select(columns[n], grains.get(n)) for n in groups), f"count(*) AS {COUNT}",
                  *(f"sum({_ident(n)}) AS {_ident(n)}" for n in summed)]
        tail = ["GROUP BY ALL", "ORDER BY ALL"]
    else:
        select = [_ident(n) for n in choices.columns] or ["*"]
        tail = [f"ORDER BY {_ident(choices.period_column)}"] if choices.period_column else []
    lines = [f"SELECT {', '.join(select)}", f"FROM {_ident(choices.view)}"]
    if where:
        lines.append("WHERE " + "\n  AND ".join(where))
    return "\n".join(lines + tail)


def _summed(choices: Choices, columns: dict[str, Column]) -> list[str]:
    """The amount columns a grouped report sums; refused when the view has no currency column
    (its amounts may be in several)."""
    currency = _currencies(columns)
    shown = [columns[n] for n in choices.columns] or list(columns.values())
    summed = [c.name for c in shown if c.amount and c.name not in {*choices.group_by, *currency}]
    if summed and not currency:
        raise ReportError(f"{choices.view} has no currency column: its amounts ({', '.join(summed)}) may be in "
                          "several currencies and are not added up; group without them, or write the query",
                          Said("report.no_currency", {"view": choices.view, "names": ", ".join(summed)}))
    return summed


def totals_sql(choices: Choices, views: dict[str, list[Column]]) -> str | None:
    """The totals of a grouped report, one row per currency (two currencies are never added
    up): the number of rows and each summed amount over the whole result (not only the rows a
    page shows). None when the report is not grouped or sums nothing. Kept apart from the
    report's rows: a total row among them would be summed again by whoever pivots or adds up
    an export, and Parquet and JSON are read by programs."""
    columns = {c.name: c for c in _known(views, choices.view, "view")}
    if not choices.group_by:
        return None
    currency = _currencies(columns)
    summed = _summed(choices, columns)
    if not summed:
        return None
    select = [*map(_ident, currency), f"CAST(sum({COUNT}) AS BIGINT) AS {COUNT}",
              *(f"sum({_ident(n)}) AS {_ident(n)}" for n in summed)]
    return (f"SELECT {', '.join(select)}\nFROM ({build_sql(choices, views)})\n"
            "GROUP BY ALL ORDER BY ALL")


def left_out(choices: Choices, views: dict[str, list[Column]]) -> list[str]:
    """The chosen columns a grouped report does not show: neither an amount (summed) nor a
    group (the currency joins the groups). Empty when the report is not grouped."""
    columns = {c.name: c for c in _known(views, choices.view, "view")}
    if not choices.group_by:
        return []
    groups = {*choices.group_by, *_currencies(columns)}
    return [n for n in choices.columns if n in columns and n not in groups and not columns[n].amount]


def _currencies(columns: dict[str, Column]) -> list[str]:
    return [n for n in columns if n == "currency" or n.endswith("_currency")]


def column_values(ws: Workspace, view: str, name: str, views: dict[str, list[Column]]) -> list[str]:
    """The values a column holds (a filter's choices: connections, statuses), in order."""
    _known({c.name: c for c in _known(views, view, "view")}, name, "column")
    result = run_query(ws, f"SELECT DISTINCT CAST({_ident(name)} AS TEXT) AS v FROM {_ident(view)} "
                           f"WHERE {_ident(name)} IS NOT NULL ORDER BY v")
    return [r["v"] for r in result.rows]


def _known(names: dict[str, Any], name: str, what: str) -> Any:
    if name not in names:
        raise ReportError(f"unknown {what} {name!r}", Said(f"report.unknown_{what}", {"name": name}))
    return names[name]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# A period as the console shows it (ui/views/reports.GRAIN_FORMATS): 06/2026, T2 2026, 2026.
_PERIODS = {"month": {"fr": "{d:%m/%Y}", "en": "{d:%Y-%m}"}, "quarter": {"fr": "T{q} {d:%Y}", "en": "Q{q} {d:%Y}"},
            "year": {"fr": "{d:%Y}", "en": "{d:%Y}"}}
_XLSX_PERIODS = {"month": {"fr": "mm/yyyy", "en": "yyyy-mm"}, "year": {"fr": "yyyy", "en": "yyyy"}}


def period_text(day: dt.date, grain: str, lang: str) -> str:
    """The period `day` starts, as the console shows it: "06/2026", "T2 2026", "2026"."""
    return _PERIODS[grain]["fr" if lang == "fr" else "en"].format(d=day, q=(day.month - 1) // 3 + 1)


def export(result: QueryResult, fmt: str, *, french: bool = False, as_shown: bool = False) -> bytes:
    """The result as a file. `french`: a CSV that French spreadsheets open in columns (";"
    between fields, decimal commas), values as a French reader writes them. `as_shown` (the
    console's CSV and XLSX, for people, in either language): values as the page shows them, a
    period column (a month, a quarter, a year: `QueryResult.periods`) 06/2026 rather than
    01/06/2026, times in this machine's time zone without their microseconds, yes/no rather than
    True/False, a rate with the places it needs (20, 5.5). A CSV for people (either) starts with
    a UTF-8 byte order mark, without which Excel garbles "Énergie". The default is the CLI's plain
    CSV. Parquet and JSON stay as the query gives."""
    shown = as_shown and fmt in ("csv", "xlsx")
    periods = result.periods() if shown else {}
    rates = set(result.rate_columns()) if shown else set()
    lang = "fr" if french else "en"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=";" if french else ",")
        writer.writerow(result.columns)
        readable = lang if french or shown else None
        for row in result.table.to_pylist():
            writer.writerow(["" if v is None else period_text(v, periods[k], lang)
                             if k in periods and type(v) is dt.date else _text(v, readable, k in rates)
                             for k, v in row.items()])
        return ("\ufeff" if readable else "").encode("utf-8") + buf.getvalue().encode("utf-8")
    if fmt == "json":
        return (json_dumps(result.rows, indent=1) + "\n").encode("utf-8")
    if fmt == "parquet":
        sink = pa.BufferOutputStream()
        pq.write_table(result.table, sink)
        return sink.getvalue().to_pybytes()
    if fmt == "xlsx":
        return _xlsx(result, french, periods, rates if shown else None)
    raise ReportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


# A day, and a time, as the console writes them in CSV and XLSX (a time in this machine's zone).
_DAYS = {"fr": ("%d/%m/%Y", "dd/mm/yyyy"), "en": ("%Y-%m-%d", "yyyy-mm-dd")}


def _text(value: Any, lang: str | None = None, rate: bool = False) -> str:
    """A CSV cell. `lang` None: as Python writes it (the CLI's CSV). Else as the reader sees it on
    the page: yes/no (oui/non), dates as 31/01/2026 (2026-01-31), times in this machine's time
    zone (as the console shows them) to the second, a rate with its needed places (20, 5.5), in
    French with decimal commas."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str, ensure_ascii=False)
    if lang is None:
        return str(value)
    comma = "," if lang == "fr" else "."
    if isinstance(value, bool):
        return t("rep.yes" if value else "rep.no", lang)
    if isinstance(value, Decimal):
        return (_rate(value) if rate else str(_trimmed(value))).replace(".", comma)
    if isinstance(value, float):
        return str(value).replace(".", comma)
    if isinstance(value, dt.datetime):
        return _local(value).strftime(f"{_DAYS[lang][0]} %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime(_DAYS[lang][0])
    return str(value)


def _local(value: dt.datetime) -> dt.datetime:
    """A time as the console shows it: in this machine's time zone, without microseconds."""
    return (value.astimezone() if value.tzinfo else value).replace(microsecond=0)


def _rate(value: Decimal) -> str:
    """A rate with the places it needs, as the page shows it: 20.000 is 20, 5.500 is 5.5."""
    return f"{value.normalize():f}" if value.is_finite() else str(value)


def _trimmed(value: Decimal) -> Decimal:
    """A decimal with the places a reader needs, two at least: a quantity stored as 1.000000
    is 1.00, a unit price of 0.123400 is 0.1234 (amounts keep their two)."""
    if not value.is_finite() or value.as_tuple().exponent >= -2:
        return value
    with localcontext() as ctx:
        ctx.prec = 80  # DECIMAL(38, s) holds more digits than the default context's 28
        places = max(2, decimal_places(value.normalize()))
        return value.quantize(Decimal(1).scaleb(-places))


def _xlsx(result: QueryResult, french: bool = False, periods: dict[str, str] | None = None,
          rates: set[str] | None = None) -> bytes:
    """`rates` None: values as the query gives (booleans as Excel's TRUE/FALSE); else, as the
    page shows them, booleans in words and these columns' rates with their needed places."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    lang = "fr" if french else "en"
    day = _DAYS[lang][1]
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet("report")
    sheet.append(result.columns)
    for row in result.table.to_pylist():
        cells: list[Any] = []
        for k, v in row.items():
            grain = (periods or {}).get(k) if type(v) is dt.date else None
            if grain in _XLSX_PERIODS:  # a month, a year: a date still, written as the page shows it
                cell = WriteOnlyCell(sheet, value=v)
                cell.number_format = _XLSX_PERIODS[grain]["fr" if french else "en"]
                v = cell
            elif grain:  # a quarter: no Excel format says T2 2026
                v = period_text(v, grain, "fr" if french else "en")
            elif isinstance(v, bool) and rates is not None:
                v = t("rep.yes" if v else "rep.no", lang)
            elif isinstance(v, Decimal) and k in (rates or ()):  # General: Excel writes 20 and 5,5
                v = Decimal(_rate(v))
            elif isinstance(v, dt.datetime):  # Excel has no time zones: this machine's, as the console shows
                cell = WriteOnlyCell(sheet, value=_local(v).replace(tzinfo=None))
                cell.number_format = f"{day} hh:mm:ss"
                v = cell
            elif isinstance(v, dt.date):
                cell = WriteOnlyCell(sheet, value=v)
                cell.number_format = day
                v = cell
            elif isinstance(v, (dict, list)):
                v = json.dumps(v, default=str, ensure_ascii=False)
            elif isinstance(v, Decimal):  # amounts with their places, grouped as the reader's Excel does
                v = _trimmed(v)
                cell = WriteOnlyCell(sheet, value=v)
                places = decimal_places(v)
                cell.number_format = "#,##0" + ("." + "0" * places if places > 0 else "")
                v = cell
            cells.append(v)
        sheet.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
