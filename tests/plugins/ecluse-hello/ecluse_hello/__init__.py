"""Example third-party plugin: one connector (no network), one CLI command, and its own texts
in French (the console says the connector's check in its reader's language)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import click

from ecluse import hookimpl
from ecluse.connectors import CheckResult, Checkpoint, Connector, Said, Setting
from ecluse.domain import SUPPLIER_INVOICE, Address, Counterparty, Document, Line


class HelloConnector(Connector):
    id = "hello"
    title = "Hello (example plugin)"
    kinds = (SUPPLIER_INVOICE,)
    settings = (Setting("greeting", "Greeting", required=True, help="Any text.",
                        translations={"fr": {"label": "Salutation", "help": "N'importe quel texte."}}),)

    def check(self, ctx):
        # The English message for the CLI, and the same sentence as a Said: the console says it
        # from the template registered below (`said.hello.ready`) in its reader's language.
        greeting = ctx.settings["greeting"]
        return CheckResult(True, f"{greeting}, world: 1 example invoice to read",
                           says=[Said("hello.ready", {"greeting": greeting, "n": 1})])

    def fetch(self, ctx):
        amount = Decimal("12.00")
        yield Document(
            source_id="h1", kind=SUPPLIER_INVOICE, number="HELLO-1", issue_date=dt.date(2026, 1, 5),
            due_date=dt.date(2026, 2, 5), currency="EUR", total_before_tax=Decimal("10.00"),
            total_tax=Decimal("2.00"), total=amount,
            counterparty=Counterparty("s1", "Hello Supplies", role="supplier",
                                      address=Address("2 rue X", "69001", "Lyon", "FR")),
            lines=[Line("Hello", Decimal(1), Decimal("10.00"), Decimal("10.00"), Decimal("2.00"), amount, Decimal("20"))],
        )
        yield Checkpoint({"done": True})


@hookimpl
def register_connectors(register):
    register(HelloConnector)


@hookimpl
def register_texts(register):
    # Keys start with `said.` (a Said's code) or `finding.` (a finding's code); "en" is required.
    register("said.hello.ready", {
        "fr": "{greeting} tout le monde : {n} {n|facture|factures} d'exemple à lire.",
        "en": "{greeting}, world: {n} example {n|invoice|invoices} to read",
    })


@hookimpl
def register_commands(cli):
    @cli.command()
    def hello():
        """Say hello (added by the ecluse-hello plugin)."""
        click.echo("hello from a plugin")
