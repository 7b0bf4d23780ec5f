"""Example third-party plugin: one connector (no network) and one CLI command."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import click

from ecluse import hookimpl
from ecluse.connectors import CheckResult, Checkpoint, Connector, Setting
from ecluse.domain import SUPPLIER_INVOICE, Address, Counterparty, Document, Line


class HelloConnector(Connector):
    id = "hello"
    title = "Hello (example plugin)"
    kinds = (SUPPLIER_INVOICE,)
    settings = (Setting("greeting", "Greeting", required=True, help="Any text."),)

    def check(self, ctx):
        return CheckResult(True, f"{ctx.settings['greeting']}, world")

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
def register_commands(cli):
    @cli.command()
    def hello():
        """Say hello (added by the ecluse-hello plugin)."""
        click.echo("hello from a plugin")
