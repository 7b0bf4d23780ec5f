"""Shared fixtures: a fresh workspace per test and an in-test connector.

Tests talk to real things: a real DuckDB file, real HTTP emulators on 127.0.0.1, real
subprocesses. The only stand-in is `FakeSource`, a connector written for the tests of the
core (sync, ingest, review) that does not depend on any real source.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any, Iterator

import pytest

from ecluse import hookimpl
from ecluse.connectors import CheckResult, Checkpoint, Connector, FetchContext, Problem, Setting
from ecluse.domain import CUSTOMER_INVOICE, Address, Attachment, Counterparty, Document, Line
from ecluse.plugin_loader import Plugins
from ecluse.workspace import Workspace

PDF = b"%PDF-1.4\n% test document\n"


def make_doc(source_id: str, *, number: str | None = None, total: str = "120.00", rate: str = "20",
             customer: str = "c1", issue: dt.date = dt.date(2026, 3, 2), **over: Any) -> Document:
    total_d = D(total)
    before = (total_d / (1 + D(rate) / 100)).quantize(D("0.01"))
    tax = total_d - before
    doc = Document(
        source_id=source_id, kind=CUSTOMER_INVOICE, number=number or f"F-{source_id}",
        issue_date=issue, due_date=issue + dt.timedelta(days=30), currency="EUR",
        total_before_tax=before, total_tax=tax, total=total_d,
        counterparty=Counterparty(customer, f"Client {customer}", vat_number=None,
                                  address=Address("1 rue de la Paix", "75002", "Paris", "FR")),
        lines=[Line("Prestation", D(1), before, before, tax, total_d, D(rate), "706")],
        attachment=Attachment(f"{source_id}.pdf", PDF + source_id.encode()),
        raw={"id": source_id, "total": total_d},
    )
    for key, value in over.items():
        setattr(doc, key, value)
    return doc


class FakeSource(Connector):
    """Yields `FakeSource.pages` (a list of lists of items), one Checkpoint after each page.
    An item that is an Exception instance is raised at that point (a source failing mid-run)."""

    id = "fake"
    title = "Fake source"
    kinds = (CUSTOMER_INVOICE,)
    settings = (
        Setting("token", "Token", secret=True, required=True),
        Setting("account", "Account", required=False, default="acme"),
    )
    pages: list[list[Any]] = []
    seen_contexts: list[FetchContext] = []

    def check(self, ctx: FetchContext) -> CheckResult:
        return CheckResult(ctx.settings["token"] == "good", "checked")

    def fetch(self, ctx: FetchContext) -> Iterator[Any]:
        FakeSource.seen_contexts.append(ctx)
        start = int(ctx.state.get("page", 0))
        for number, page in enumerate(FakeSource.pages[start:], start=start + 1):
            for item in page:
                if isinstance(item, BaseException):
                    raise item
                yield item
            yield Checkpoint({"page": number})


class _FakePlugin:
    @hookimpl
    def register_connectors(self, register: Any) -> None:
        register(FakeSource)


@pytest.fixture
def fake_source() -> Iterator[type[FakeSource]]:
    FakeSource.pages = []
    FakeSource.seen_contexts = []
    yield FakeSource
    FakeSource.pages = []


@pytest.fixture
def plugins(fake_source: type[FakeSource]) -> Plugins:
    p = Plugins()
    p.register_object(_FakePlugin(), "fake")
    return p


@pytest.fixture
def workspace(tmp_path: Any) -> Workspace:
    ws = Workspace(tmp_path / "ws")
    ws.init()
    return ws


@pytest.fixture
def fake_connection(workspace: Workspace, plugins: Plugins, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("FAKE_TOKEN", "tok-SECRET-123456")
    workspace.set_connection("src", FakeSource, {"token": "env:FAKE_TOKEN"})
    return "src"
