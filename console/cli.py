"""The `ecluse` command line. It calls the same services as the console.

Exit codes: 0 success; 1 the work ran but something failed (a sync, an item, a plugin that did
not load); 2 bad usage or configuration. Errors are one line on stderr, without secrets.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from . import __version__, i18n
from .connectors import SettingsError
from .domain import STATUSES, json_dumps
from .plugin_loader import Plugins, describe_connector, get_plugins
from .redact import redact
from .services import mappings as mapping_service
from .services import batches, own_reports, pennylane_lists, reports, review, setup
from .services import send as send_service
from .services import sync as sync_service
from .storage.db import WorkspaceBusy
from .workspace import Workspace, WorkspaceError

EXPECTED_ERRORS = (WorkspaceError, SettingsError, WorkspaceBusy, review.ReviewError, reports.ReportError,
                   send_service.BatchRunning, mapping_service.MappingError)


class Ctx:
    def __init__(self, workspace: str | None) -> None:
        self.workspace_arg = workspace

    @property
    def ws(self) -> Workspace:
        return Workspace(self.workspace_arg)

    def existing(self) -> Workspace:
        ws = self.ws
        ws.require()
        return ws


def actor() -> str:
    return os.environ.get("ECLUSE_ACTOR") or os.environ.get("USER") or "cli"


def emit_json(data: Any) -> None:
    click.echo(json_dumps(data, indent=2, sort_keys=False))


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"ecluse: {redact(message)}", err=True)
    sys.exit(code)


def table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    if not rows:
        click.echo("(nothing)")
        return
    text = [[("" if r.get(c) is None else str(r.get(c))) for c in columns] for r in rows]
    widths = [max(len(c), *(len(t[i]) for t in text)) for i, c in enumerate(columns)]
    click.echo("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths)).rstrip())
    for t in text:
        click.echo("  ".join(v.ljust(w) for v, w in zip(t, widths)).rstrip())


class Group(click.Group):
    """Turns expected errors into one line on stderr and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EXPECTED_ERRORS as exc:
            fail(str(exc))
        except KeyError as exc:  # unknown connector id, from the plugin registry
            fail(str(exc).strip('"'))


@click.group(cls=Group)
@click.option("--workspace", "-w", envvar="ECLUSE_WORKSPACE", type=click.Path(file_okay=False),
              help="Workspace directory (default: $ECLUSE_WORKSPACE or the per-user data directory).")
@click.version_option(__version__, prog_name="ecluse")
@click.pass_context
def cli(ctx: click.Context, workspace: str | None) -> None:
    """Écluse: invoices from business tools into Pennylane, with an accountant's review."""
    ctx.obj = Ctx(workspace)


@cli.command()
@click.option("--no-demo", is_flag=True, help="Do not add the demo connection to a new workspace.")
@click.pass_obj
def init(obj: Ctx, no_demo: bool) -> None:
    """Create the workspace (and a demo connection in a new one)."""
    ws = obj.ws
    created = setup.ensure_workspace(ws, get_plugins(), with_demo=not no_demo)
    click.echo(f"{'created' if created else 'already initialised'}: {ws.path}")


# -- Pennylane ---------------------------------------------------------------------------
@cli.group()
def pennylane() -> None:
    """Pennylane destination settings."""


@pennylane.command("set")
@click.option("--api-url", help="Base URL of the Company API v2 (an emulator or a proxy, for instance).")
@click.option("--token-env", metavar="VAR", help="Read the API token from this environment variable at use time.")
@click.option("--dry-run/--live", "dry_run", default=None, help="Send for real (--live) or only build and validate requests.")
@click.option("--import-as-incomplete/--import-as-complete", default=None, help="Land invoices in Pennylane's 'to process' inbox.")
@click.pass_obj
def pennylane_set(obj: Ctx, api_url: str | None, token_env: str | None, dry_run: bool | None, import_as_incomplete: bool | None) -> None:
    """Configure the Pennylane API URL and token (the token itself is never stored in ecluse.toml)."""
    ws = obj.existing()
    if token_env is not None and not token_env.replace("_", "").isalnum():
        fail(f"--token-env expects a variable name, got {token_env!r}")
    if token_env and dry_run is None:
        dry_run = False  # configuring a token means sending for real; --dry-run keeps it off
    ws.set_pennylane(api_url=api_url, token=f"env:{token_env}" if token_env else None,
                     dry_run=dry_run, import_as_incomplete=import_as_incomplete)
    cfg = ws.pennylane()
    click.echo(f"api_url={cfg.get('api_url')} token={ws.pennylane_token_source() or 'not set'} "
               f"dry_run={str(cfg.get('dry_run', True)).lower()}")


@pennylane.command("check")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def pennylane_check(obj: Ctx, as_json: bool) -> None:
    """Test the token (GET /me): company, scopes, and the scopes still missing."""
    result = send_service.check_pennylane(obj.existing())
    if as_json:
        emit_json(result)
    else:
        click.echo(("ok: " if result["ok"] else "failed: ") + result["message"])
    if not result["ok"]:
        sys.exit(1)


# -- push ----------------------------------------------------------------------------------
@cli.command()
@click.option("--dry-run", is_flag=True, help="Build and validate the requests against the official spec; send nothing.")
@click.option("--connection", multiple=True, help="Only documents of this connection (repeatable).")
@click.option("--from", "date_from", type=click.DateTime(formats=["%Y-%m-%d"]), help="Issued on or after this date.")
@click.option("--to", "date_to", type=click.DateTime(formats=["%Y-%m-%d"]), help="Issued on or before this date.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def push(obj: Ctx, dry_run: bool, connection: tuple[str, ...], date_from: dt.datetime | None,
         date_to: dt.datetime | None, as_json: bool) -> None:
    """Send approved documents to Pennylane (resuming an interrupted batch first)."""
    ws = obj.existing()
    filters = review.Filters(connection=list(connection) or None,
                             date_from=date_from.date() if date_from else None,
                             date_to=date_to.date() if date_to else None)
    configured_dry = bool(ws.pennylane().get("dry_run", True))
    if dry_run or configured_dry:
        result = send_service.dry_run(ws, filters)
        if configured_dry and not dry_run and not as_json:
            click.echo("dry run: this workspace has dry_run = true (ecluse.toml); "
                       "`ecluse pennylane set --live` to send for real", err=True)
    else:
        result = send_service.push(ws, send_service.gateway_for(ws), filters, actor=actor(),
                                   progress=None if as_json else _push_progress)
    summary = result.summary()
    # What the dry run cannot see (it accepts every account and category), from the lists last read
    checks = batches.preview_checks(ws, [i.document_id for i in result.items]) if result.dry_run else None
    if checks is not None:
        summary["pennylane_lists"] = checks.as_dict()
    if as_json:
        emit_json(summary)
    else:
        if result.dry_run:
            click.echo(f"dry run: {len(result.items)} document(s), {result.request_count} request(s), "
                       f"{summary['violations']} spec violation(s), {summary['held']} held")
            for doc_id, check in (checks.flagged() if checks else {}).items():
                said = [f"account {n} is not in Pennylane's chart: a live send holds it" for n in check.absent]
                if check.category_problem:
                    said.append(f"category {check.category!r} is {check.category_problem} in Pennylane: "
                                "a live send sets none")
                click.echo(f"warning: {doc_id}: " + "; ".join(said), err=True)
            if result.fictitious:
                click.echo(f"warning: {len(result.fictitious)} made-up invoice(s) of a demo connector: shown here, "
                           "but a live send to Pennylane holds them (reject them, or remove the demo connection, "
                           "before going live)", err=True)
            if summary["lines_without_account"]:
                click.echo(f"warning: {summary['lines_without_account']} line(s) of "
                           f"{summary['documents_without_account']} document(s) have no ledger account: Pennylane "
                           "will choose one itself (to set it: ecluse mappings list / set ledger-account)")
        else:
            click.echo(f"batch {result.batch_id}: sent {summary['sent']}, failed {summary['failed']}, "
                       f"held {summary['held']}" + (f", pending {summary['pending']}" if summary["pending"] else ""))
        for item in result.items:
            if item.state in ("failed", "held"):
                click.echo(f"{item.state} {item.document_id} ({item.number}): {item.error}", err=True)
        if result.message:
            click.echo(result.message, err=True)
    problems = summary["failed"] + summary["held"] + summary["pending"] + summary.get("violations", 0)
    if problems or result.status == "interrupted":
        sys.exit(1)


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def confirm(obj: Ctx, as_json: bool) -> None:
    """Read back from Pennylane what was sent; flag amount mismatches and deleted invoices."""
    from .services import confirm as confirm_service

    ws = obj.existing()
    client = confirm_service.client_for(ws)
    try:
        result = confirm_service.confirm(ws, client)
    finally:
        client.close()
    if as_json:
        emit_json(result.as_dict())
    else:
        click.echo(f"checked {result.checked}: " + ", ".join(f"{k} {v}" for k, v in sorted(result.counts.items()))
                   + f" ({result.requests} request(s))")
    if result.error:
        fail(result.error, 1)
    if any(k != "confirmed" for k in result.counts):
        sys.exit(1)


# The names on the command line → the mapping tables of ecluse.toml.
MAPPING_KINDS = {"ledger-account": "ledger_accounts", "vat": "vat", "category": "categories",
                 "counterparty": "counterparties"}


@cli.group("mappings")
def mappings_group() -> None:
    """Accounting codes → ledger accounts, VAT rates → Pennylane codes, categories, counterparties."""


@mappings_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def mappings_list(obj: Ctx, as_json: bool) -> None:
    """What the cache holds and what each maps to (the same listing as the Mappings page)."""
    ws = obj.existing()
    ledger, vat, cats = (mapping_service.ledger_accounts(ws), mapping_service.vat_rates(ws),
                         mapping_service.categories(ws))
    matches = ws.mappings()["counterparties"]
    summary = mapping_service.summary(ws, ledger, vat, cats)
    if as_json:
        emit_json({"ledger_accounts": ledger, "vat": vat, "categories": cats, "counterparties": matches,
                   "summary": summary})
        return
    click.echo("Ledger accounts (accounting code → account number; * is the fallback)")
    table(ledger, ["hint", "lines", "documents", "account", "state"])
    click.echo("\nVAT rates (percentage → Pennylane vat_rate code)")
    table(vat, ["rate", "lines", "lines_with_source_code", "mapped", "code", "state"])
    click.echo("\nDefault category per connection and side (sales, purchases)")
    table(cats, ["connection", "side", "documents", "category"])
    click.echo("\nCounterparty matches (counterparty id → Pennylane id)")
    table([{"counterparty": k, "pennylane_id": v} for k, v in sorted(matches.items())], ["counterparty", "pennylane_id"])


@mappings_group.command("set")
@click.argument("kind", type=click.Choice(sorted(MAPPING_KINDS)))
@click.argument("key")
@click.argument("value", required=False)
@click.pass_obj
def mappings_set(obj: Ctx, kind: str, key: str, value: str | None) -> None:
    """Map KEY to VALUE in ecluse.toml; without VALUE the mapping is removed.

    \b
    ecluse mappings set ledger-account 706 706000   (an accounting code; * for every other)
    ecluse mappings set vat 5.5 FR_55
    ecluse mappings set vat 0:eu crossborder        (0 % sales to an EU business client; 0:export outside the EU)
    ecluse mappings set category acme:sales "Ventes" (a connection's sales; acme:purchases, or acme for both)
    ecluse mappings set counterparty acme:customer:42 1234
    """
    ws = obj.existing()
    refused = mapping_service.apply(ws, MAPPING_KINDS[kind], {key: value or None})
    if refused:
        fail(f"{key}: {refused[key]}")
    click.echo(f"{kind} {key} → {value}" if value else f"{kind} {key}: mapping removed")


@mappings_group.command("pennylane")
@click.option("--refresh", is_flag=True, help="Read the lists from Pennylane first (GET /categories, /category_groups, "
                                              "/ledger_accounts); needs a live destination and its token.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def mappings_pennylane(obj: Ctx, refresh: bool, as_json: bool) -> None:
    """The Pennylane company's categories and ledger accounts, as last read (the Mappings
    page's 'Actualiser depuis Pennylane'), and what the mappings name that it lacks or that
    several of its categories share (what a live send does with them; a dry run accepts all).

    Exits 1 when a mapping names such an account or category, when --refresh could not read
    the lists from Pennylane (refused, unreachable) or when they were never read; 2 (a
    configuration to fix) when nothing can be read: a dry run, no token, its variable unset
    or secrets.toml invalid (`ecluse pennylane set`).
    """
    ws = obj.existing()
    why = pennylane_lists.unavailable(ws)
    reason = None if why is None else (why["reason"].replace("_", " ") + (f": {why['var']}" if why.get("var") else ""))
    if refresh:
        if reason is not None:
            fail(f"nothing can be read from Pennylane ({reason}); make the destination live with its token: "
                 "`ecluse pennylane set --live --token-env VAR`")
        try:
            pennylane_lists.refresh(ws)
        except pennylane_lists.ListsError as exc:
            fail(f"the lists could not be read from Pennylane: {exc}", 1)
    lists = pennylane_lists.load(ws)
    if lists is None:
        if reason is not None:
            fail(f"the lists were never read from this destination, and nothing can be read now ({reason})")
        fail("the lists were never read from this destination; run `ecluse mappings pennylane --refresh`", 1)
    flags = lists.flags(mapping_service.ledger_accounts(ws), mapping_service.categories(ws))
    if as_json:
        emit_json({"fetched_at": lists.fetched_at.isoformat(), "dry_run": pennylane_lists.dry_run(ws),
                   "categories": lists.categories, "ledger_accounts": lists.ledger_accounts, **flags})
    else:
        click.echo(f"Read from Pennylane at {lists.fetched_at.isoformat()}")
        click.echo("\nCategories")
        table(lists.categories, ["id", "label", "group"])
        click.echo("\nLedger accounts")
        table(lists.ledger_accounts, ["number", "label", "enabled"])
        if any(flags.values()) and pennylane_lists.dry_run(ws):
            click.echo("the destination is a dry run, which accepts every account and category: "
                       "what follows applies to a live send")
        for number in flags["accounts_absent"]:
            click.echo(f"mapped account {number} is not in Pennylane's chart: a live send holds an invoice needing it "
                       "(approve it again in review once fixed)")
        if flags["fallback_absent"]:
            click.echo(f"the fallback account * ({flags['fallback_absent']}) is not in Pennylane's chart: a live send "
                       "holds an invoice with a line that has neither an account of its own nor a mapped code")
        for number in flags["accounts_disabled"]:
            click.echo(f"mapped account {number} is disabled in Pennylane: enable it again there or map an active account")
        for label in flags["categories_unknown"]:
            click.echo(f"category {label!r} is not among Pennylane's: its invoices go without it")
        for item in flags["categories_ambiguous"]:
            click.echo(f"category {item['label']!r} is shared by several Pennylane categories "
                       f"(groups: {', '.join(item['groups']) or 'unknown'}): a live send sends its invoices "
                       "without a category, with a warning")
    if any(flags.values()):
        sys.exit(1)


def _push_progress(item: Any, n: int, total: int) -> None:
    click.echo(f"[{n}/{total}] {item.document_id}: {item.state}"
               + (f" (Pennylane id {item.pennylane_id})" if item.pennylane_id else ""), err=True)


# -- connections -------------------------------------------------------------------------
@cli.group()
def connections() -> None:
    """Source connections of the workspace."""


def _parse_sets(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for item in values:
        if "=" not in item:
            fail(f"--set expects KEY=VALUE, got {item!r}")
        key, value = item.split("=", 1)
        out[key.strip()] = value
    return out


@connections.command("add")
@click.argument("name")
@click.option("--connector", "connector_id", required=True,
              help="Connector id (see `ecluse plugins`; its settings: `ecluse plugins --connector ID`).")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="A setting; a secret may be env:VAR.")
@click.option("--update", is_flag=True, help="Update an existing connection instead of refusing.")
@click.pass_obj
def connections_add(obj: Ctx, name: str, connector_id: str, sets: tuple[str, ...], update: bool) -> None:
    """Add a connection (settings validated against the connector's schema)."""
    ws = obj.existing()
    connector = get_plugins().connector(connector_id)
    if name in ws.connections() and not update:
        fail(f"connection {name!r} already exists (use --update to change it)")
    # An update warns about the settings it changes only (a history import is said once).
    before = dict(ws.connections().get(name, {}).get("settings", {})) if update else None
    ws.set_connection(name, connector, _parse_sets(sets), replace=update)
    click.echo(f"{'updated' if update else 'added'} connection {name} ({connector_id})")
    for said in setup.saved_warnings(ws, connector, name, before):
        click.echo("warning: " + i18n.said_text(said, "en"))


def _switch(verb: str, enabled: bool, about: str) -> None:
    """`connections enable|disable NAME`."""
    @connections.command(verb, help=about)
    @click.argument("name")
    @click.pass_obj
    def command(obj: Ctx, name: str) -> None:
        setup.set_enabled(obj.existing(), name, enabled)
        click.echo(f"{verb}d connection {name}")


_switch("enable", True, "Sync this connection again with the others (`ecluse sync` with no name).")
_switch("disable", False, "Leave this connection out of `ecluse sync` with no name (`ecluse sync NAME` still reads it).")


@connections.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def connections_list(obj: Ctx, as_json: bool) -> None:
    """List connections (secret settings are shown as names only)."""
    ws = obj.existing()
    rows = setup.describe_connections(ws, get_plugins())
    if as_json:  # the stored Said (JSON text) as an object, as `sync --json` gives its error_said
        emit_json([{**r, "last_error_said": i18n.stored(r.get("last_error_said"))} for r in rows])
    else:
        table(rows, ["name", "connector", "enabled", "last_sync", "last_status", "documents"])


@connections.command("check")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def connections_check(obj: Ctx, name: str, as_json: bool) -> None:
    """Test a connection's credentials against its source."""
    result = setup.check_connection(obj.existing(), get_plugins(), name)
    if as_json:
        emit_json({"ok": result.ok, "message": result.message, "details": result.details})
    else:
        click.echo(("ok: " if result.ok else "failed: ") + result.message)
    if not result.ok:
        sys.exit(1)


@connections.command("remove")
@click.argument("name")
@click.pass_obj
def connections_remove(obj: Ctx, name: str) -> None:
    """Remove a connection from the settings (cached documents are kept)."""
    obj.existing().remove_connection(name)
    click.echo(f"removed connection {name}")


# -- sync --------------------------------------------------------------------------------
@cli.command()
@click.argument("names", nargs=-1)
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Re-read the source from this date.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def sync(obj: Ctx, names: tuple[str, ...], since: dt.datetime | None, as_json: bool) -> None:
    """Fetch new and changed documents from the sources into the cache."""
    ws = obj.existing()
    reports_ = sync_service.sync(ws, get_plugins(), list(names) or None,
                                 since=since.date() if since else None, actor=actor())
    if as_json:
        emit_json([r.as_dict() for r in reports_])
    else:
        for r in reports_:
            if r.status == "ok":
                gone = f", no longer in the source {r.gone}" if r.gone else ""
                # What a changed document became: what the accountant has to look at.
                became = [f"{n} {what}" for n, what in ((r.back_to_review, "back to review"),
                                                         (r.changed_after_sending, "changed after sending")) if n]
                changed = f"changed {r.updated}" + (f" ({', '.join(became)})" if became else "")
                click.echo(f"{r.connection}: fetched {r.fetched}, new {r.created}, {changed}, "
                           f"unchanged {r.unchanged}, problems {r.problems}, late PDFs {r.attachments}{gone} "
                           f"({r.seconds:.1f} s)")
            else:
                click.echo(f"{r.connection}: FAILED: {r.error}", err=True)
    if not reports_:
        click.echo("no connection to sync", err=True)
    if any(r.status != "ok" for r in reports_):
        sys.exit(1)


# -- review ------------------------------------------------------------------------------
@cli.group("review")
def review_group() -> None:
    """The review queue and decisions."""


@review_group.command("list")
@click.option("--status", type=click.Choice([s for s in STATUSES if s != "fetched"]))
@click.option("--connection")
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def review_list(obj: Ctx, status: str | None, connection: str | None, limit: int, as_json: bool) -> None:
    """List documents (newest first)."""
    rows, total = review.list_documents(obj.existing(), review.Filters(status=status, connection=connection), limit=limit)
    if as_json:
        emit_json({"total": total, "items": rows})
        return
    table(rows, ["id", "kind", "number", "issue_date", "counterparty", "total", "currency", "status", "error_count", "warning_count"])
    if total > len(rows):
        click.echo(f"({len(rows)} of {total}; use --limit)")


def _decision_output(result: review.DecisionResult, verb: str, as_json: bool) -> None:
    if as_json:
        emit_json(result.as_dict())
    else:
        click.echo(f"{verb}: {len(result.done)}")
        for doc_id, why in result.refused.items():
            click.echo(f"not {verb} {doc_id}: {why}", err=True)
    if result.refused:
        sys.exit(1)


@review_group.command("approve")
@click.argument("ids", nargs=-1)
@click.option("--all-valid", is_flag=True, help="Every document awaiting review with no error finding.")
@click.option("--force", is_flag=True, help="Approve despite error findings (needs --reason).")
@click.option("--reason")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def review_approve(obj: Ctx, ids: tuple[str, ...], all_valid: bool, force: bool, reason: str | None, as_json: bool) -> None:
    """Approve documents for sending."""
    if bool(ids) == all_valid:
        fail("give either document IDs or --all-valid")
    ws = obj.existing()
    if all_valid:
        result = review.approve_all_valid(ws, actor=actor())
    else:
        result = review.decide(ws, "approve", list(ids), actor=actor(), reason=reason, force=force)
    _decision_output(result, "approved", as_json)


@review_group.command("reject")
@click.argument("ids", nargs=-1, required=True)
@click.option("--reason", required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def review_reject(obj: Ctx, ids: tuple[str, ...], reason: str, as_json: bool) -> None:
    """Reject documents (they will not be sent)."""
    _decision_output(review.decide(obj.existing(), "reject", list(ids), actor=actor(), reason=reason), "rejected", as_json)


@review_group.command("hold")
@click.argument("ids", nargs=-1, required=True)
@click.option("--reason", required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def review_hold(obj: Ctx, ids: tuple[str, ...], reason: str, as_json: bool) -> None:
    """Put documents on hold."""
    _decision_output(review.decide(obj.existing(), "hold", list(ids), actor=actor(), reason=reason), "held", as_json)


@review_group.command("acknowledge")
@click.argument("ids", nargs=-1, required=True)
@click.option("--reason", required=True, help="What was done in Pennylane (corrected, credit note...).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def review_acknowledge(obj: Ctx, ids: tuple[str, ...], reason: str, as_json: bool) -> None:
    """Mark sent documents the source changed afterwards as handled in Pennylane."""
    _decision_output(review.acknowledge_change(obj.existing(), list(ids), actor=actor(), reason=reason),
                     "acknowledged", as_json)


@review_group.command("problems")
@click.option("--connection", multiple=True, help="Only this connection's (repeatable).")
@click.option("--all", "include_resolved", is_flag=True, help="Resolved ones too, with how they were.")
@click.option("--limit", type=int, default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def review_problems(obj: Ctx, connection: tuple[str, ...], include_resolved: bool, limit: int, as_json: bool) -> None:
    """Records a connector could not read, kept with their data (newest first)."""
    rows = review.list_problems(obj.existing(), include_resolved=include_resolved, limit=limit,
                                connections=list(connection) or None)
    if as_json:  # the data as the values they are, not JSON texts inside the JSON
        emit_json([{**r, "raw": i18n.stored(r["raw"]), "said": i18n.stored(r["said"])} for r in rows])
        return
    columns = ["id", "connection", "source_id", "recorded_at", "message"]
    table(rows, columns + ["resolution", "resolved_by"] if include_resolved else columns)


@review_group.command("dismiss-problems")
@click.argument("ids", nargs=-1, required=True, type=int)
@click.option("--reason", required=True, help="Why nothing more is needed (a test record, entered by hand...).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def review_dismiss_problems(obj: Ctx, ids: tuple[int, ...], reason: str, as_json: bool) -> None:
    """Mark records kept as problems as handled (one the source sends again readable closes by itself)."""
    _decision_output(review.dismiss_problems(obj.existing(), list(ids), actor=actor(), reason=reason),
                     "dismissed", as_json)


@review_group.command("show")
@click.argument("doc_id")
@click.pass_obj
def review_show(obj: Ctx, doc_id: str) -> None:
    """Show one document with its lines, findings and history (JSON)."""
    doc = review.get_document(obj.existing(), doc_id)
    if doc is None:
        fail(f"no document {doc_id!r}", 1)
    emit_json(doc)


# -- status, report, plugins, run --------------------------------------------------------
@cli.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def status(obj: Ctx, as_json: bool) -> None:
    """What needs attention: counts per status, last syncs, problems."""
    ws = obj.existing()
    summary = review.status_summary(ws)
    summary["workspace"] = str(ws.path)
    if as_json:
        emit_json(summary)
        return
    click.echo(f"workspace: {ws.path}")
    click.echo("documents: " + ", ".join(f"{k} {v}" for k, v in summary["documents"].items()) + f" (total {summary['total']})")
    click.echo(f"awaiting review with errors: {summary['to_review_with_errors']}; changed after sending: "
               f"{summary['changed_after_sending']}; records kept as problems: {summary['open_problems']}")
    for run in summary["last_syncs"][:5]:
        click.echo(f"sync #{run['id']} {run['connection']} {run['status']} at {run['started_at']:%Y-%m-%d %H:%M}: "
                   f"fetched {run['fetched']}, new {run['created']}, changed {run['updated']}"
                   + (f" — {run['error']}" if run["error"] else ""))


@cli.command()
@click.argument("sql", required=False)
@click.option("--file", "sql_file", type=click.Path(exists=True, dir_okay=False), help="Read the query from a file.")
@click.option("--name", metavar="NAME",
              help="Run a saved or ready-made report (`ecluse reports list` shows their names).")
@click.option("--format", "fmt", type=click.Choice(reports.FORMATS), default="csv", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file (default: standard output; parquet and xlsx need a file).")
@click.pass_obj
def report(obj: Ctx, sql: str | None, sql_file: str | None, name: str | None, fmt: str, output: str | None) -> None:
    """Run a read-only SQL query over the report views and export the result."""
    if sum(map(bool, (sql, sql_file, name))) != 1:
        fail("give either SQL, --file F or --name NAME")
    ws = obj.existing()
    if name:
        query = own_reports.query_of(ws, name)
    else:
        query = sql or Path(sql_file).read_text(encoding="utf-8")  # type: ignore[arg-type]
    result = reports.run_query(ws, query)
    if output:
        Path(output).write_bytes(reports.export(result, fmt))
        click.echo(f"{len(result.rows)} rows written to {output}", err=True)
    elif fmt in ("parquet", "xlsx"):
        fail(f"--format {fmt} needs --output FILE")
    else:
        sys.stdout.write(reports.export(result, fmt).decode("utf-8"))


@cli.group("reports")
def reports_group() -> None:
    """Saved reports: queries kept under a title, for the Reports page and `report --name`."""


@reports_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def reports_list(obj: Ctx, as_json: bool) -> None:
    """The ready-made reports, then the workspace's saved ones."""
    ws = obj.existing()
    rows = [{"name": reports.handle(key), "title": title, "saved_by": None, "saved_at": None, "sql": text}
            for key, (title, text) in reports.SAVED_REPORTS.items()]
    rows += [{"name": r.name, "title": r.title, "saved_by": r.saved_by, "saved_at": r.saved_at, "sql": r.sql}
             for r in own_reports.all_reports(ws)]
    if as_json:
        emit_json(rows)
        return
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        who = f"  (saved by {r['saved_by']}, {r['saved_at']:%Y-%m-%d})" if r["saved_by"] else "  (ready-made)"
        click.echo(f"{r['name']:<{width}}  {r['title']}{who}")


@reports_group.command("save")
@click.argument("title")
@click.argument("sql", required=False)
@click.option("--file", "sql_file", type=click.Path(exists=True, dir_okay=False), help="Read the query from a file.")
@click.option("--replace", is_flag=True, help="Replace the saved report of the same title, if there is one "
              "(with --rename: the report NAME takes its title).")
@click.option("--rename", metavar="NAME", help="Update the saved report NAME: its query, and its title to TITLE.")
@click.pass_obj
def reports_save(obj: Ctx, title: str, sql: str | None, sql_file: str | None, replace: bool,
                 rename: str | None) -> None:
    """Save a read-only SQL query as a report called TITLE (checked first: read-only, one query,
    known views and columns)."""
    if bool(sql) == bool(sql_file):
        fail("give either SQL or --file F")
    query = sql or Path(sql_file).read_text(encoding="utf-8")  # type: ignore[arg-type]
    ws = obj.existing()
    try:
        saved = own_reports.save(ws, title, query, actor=actor(), overwrite_title=replace,
                                 replace=own_reports.get(ws, rename).name if rename else None)
    except reports.ReportError as exc:
        if exc.said.code == "report.title_taken":  # the page's advice is a button; here, the option
            fail(f"a saved report is already called {exc.said.params['title']!r}: choose another title, or add "
                 "--replace to replace it")
        raise
    click.echo(f"saved {saved.title!r}: run it with `ecluse report --name {saved.name}`")


@reports_group.command("delete")
@click.argument("name")
@click.pass_obj
def reports_delete(obj: Ctx, name: str) -> None:
    """Delete a saved report (by its NAME or its title); its query stays in `ecluse reports history`."""
    gone = own_reports.delete(obj.existing(), name, actor=actor())
    click.echo(f"deleted {gone.title!r} (its query stays in `ecluse reports history {gone.name}`)")


@reports_group.command("history")
@click.argument("name", required=False)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def reports_history(obj: Ctx, name: str | None, as_json: bool) -> None:
    """Who saved, updated, replaced or deleted which saved report, newest first (with NAME, a
    handle or a title: that report, under its earlier names too). Deleted reports' queries included."""
    entries = own_reports.history(obj.existing(), name)
    if as_json:
        emit_json([dataclasses.asdict(e) for e in entries])
        return
    if name and not entries:
        fail(f"no saved report was ever named {name!r} (`ecluse reports history` shows them all)")
    for e in entries:
        renamed = f" (was {e.previous_title!r})" if e.previous_title else ""
        click.echo(f"{e.at:%Y-%m-%d %H:%M}  {e.action:<8}  {e.name}  {e.title!r}{renamed}  by {e.actor}")
        click.echo(f"    {' '.join(e.sql.split())}")


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("--connector", "connector_id", metavar="ID",
              help="Show this connector: its kinds and the settings `connections add --set` takes.")
def plugins(as_json: bool, connector_id: str | None) -> None:
    """List the plugins that loaded (and those that failed, with why), or one connector.

    Exits 1 when a plugin failed to load (the list is printed all the same). With --connector:
    0, or 2 when no loaded plugin has that connector.
    """
    loaded = get_plugins()
    if connector_id:
        _show_connector(loaded, connector_id, as_json)
        return
    if as_json:
        emit_json(loaded.describe())
    else:
        rows = [{**i.as_dict(), "connectors": ",".join(i.connectors), "hooks": ",".join(i.hooks)} for i in loaded.infos]
        # the package beside the name: a third party's entry point may bear a built-in's name (refused)
        table(rows, ["name", "status", "distribution", "version", "connectors", "hooks"])
        # Below the table, one per line: a long reason in a column padded every row to its width.
        for info in loaded.infos:
            if info.error:
                click.echo(f"{info.name} ({info.status}): {info.error}")
    if any(not i.ok for i in loaded.infos):
        sys.exit(1)


def _show_connector(loaded: Plugins, connector_id: str, as_json: bool) -> None:
    described = describe_connector(loaded.connector(connector_id))  # KeyError: exit 2, said
    if as_json:
        emit_json(described)
        return
    info = next(i for i in loaded.infos if i.name == loaded.connector_owner[connector_id])
    click.echo(f"{described['id']}: {described['title']}")
    if described["description"]:
        click.echo(described["description"])
    package = " ".join(str(v) for v in (info.distribution, info.version) if v)
    click.echo(f"plugin: {info.name}" + (f" ({package})" if package else ""))
    click.echo(f"kinds: {', '.join(described['kinds']) or '-'}")
    if not described["settings"]:
        click.echo("settings: none")
        return
    click.echo("settings (connections add --set KEY=VALUE):")
    for setting in described["settings"]:
        flags = {"required": "required", "secret": "secret: env:VAR accepted", "advanced": "advanced"}
        about = [setting["type"], *(word for flag, word in flags.items() if setting[flag])]
        default = setting["default"]
        if default is not None:
            about.append(f"default {str(default).lower() if isinstance(default, bool) else default}")
        if setting["choices"]:
            about.append(f"one of {'|'.join(setting['choices'])}")
        text = setting["label"] + (f" — {setting['help']}" if setting["help"] else "")
        click.echo(f"  {setting['name']} ({', '.join(about)}): {text}")


@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("streamlit_args", nargs=-1, type=click.UNPROCESSED)
@click.pass_obj
def run(obj: Ctx, streamlit_args: tuple[str, ...]) -> None:
    """Start the console (Streamlit); extra options go to `streamlit run`."""
    ws = obj.ws
    created = setup.ensure_workspace(ws, get_plugins(), with_demo=True)
    if created:
        click.echo(f"new workspace with a demo connection: {ws.path}")
    app = Path(__file__).parent / "ui" / "app.py"
    os.environ["ECLUSE_WORKSPACE"] = str(ws.path)
    given = " ".join(streamlit_args)
    defaults = {"--server.address": "localhost", "--server.headless": "true", "--browser.gatherUsageStats": "false"}
    # Listen on this machine only unless told otherwise: the console shows invoices and settings.
    args = ["streamlit", "run", str(app)]
    for flag, value in defaults.items():
        if flag not in given:
            args += [flag, value]
    args += list(streamlit_args)
    port = _option(streamlit_args, "--server.port") or "8501"
    address = _option(streamlit_args, "--server.address") or "localhost"
    click.echo(f"console on http://{address}:{port} (workspace {ws.path})")
    from streamlit.web import cli as st_cli

    sys.argv = args
    sys.exit(st_cli.main())


def _option(args: tuple[str, ...], name: str) -> str | None:
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def main() -> None:
    get_plugins().register_commands(cli)
    cli(prog_name="ecluse")


if __name__ == "__main__":  # pragma: no cover
    main()
