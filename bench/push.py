"""bench/push: N approved invoices sent to the Pennylane emulator at its real rate limit.

Prints, against the budget measured in the same run (requests the limit allows in the
elapsed time), the rate-limit utilization, the requests per invoice and the 429s.
Targets (issue #3): utilization >= 0.9, <= 2.2 requests per invoice, 0 unrecovered 429s.

    .venv/bin/python bench/push.py [--invoices 200] [--parties 10] [--limit 25 --window 5]
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ecluse import hookimpl  # noqa: E402
from ecluse.connectors import Checkpoint, Connector, Setting  # noqa: E402
from ecluse.domain import CUSTOMER_INVOICE, SUPPLIER_INVOICE, Address, Attachment, Counterparty, Document, Line  # noqa: E402
from ecluse.plugin_loader import Plugins  # noqa: E402
from ecluse.services import review, send  # noqa: E402
from ecluse.services.pennylane_gateway import PennylaneGateway  # noqa: E402
from ecluse.services.sync import sync  # noqa: E402
from ecluse.workspace import Workspace  # noqa: E402
from tests.emulators.pennylane import PennylaneEmulator  # noqa: E402

TOKEN = "bench-token-0001"


class BenchSource(Connector):
    id = "bench"
    title = "Bench"
    settings = (Setting("invoices", "Invoices", type="integer", default=200),
                Setting("parties", "Parties", type="integer", default=10))

    def fetch(self, ctx):
        n, parties = ctx.settings["invoices"], ctx.settings["parties"]
        for i in range(n):
            supplier = i % 2 == 1
            p = i % parties
            before = D(100 + i).quantize(D("0.01"))
            tax = (before * D("0.2")).quantize(D("0.01"))
            yield Document(
                source_id=str(i), kind=SUPPLIER_INVOICE if supplier else CUSTOMER_INVOICE, number=f"B-{i:05d}",
                issue_date=dt.date(2026, 1, 1) + dt.timedelta(days=i % 300), due_date=dt.date(2026, 12, 31),
                currency="EUR", total_before_tax=before, total_tax=tax, total=before + tax,
                counterparty=Counterparty(f"p{p}", f"Partenaire {p}", role="supplier" if supplier else "customer",
                                          address=Address(f"{p} rue du Banc", "69001", "Lyon", "FR")),
                lines=[Line("Prestation", D(1), before, before, tax, before + tax, D(20), "706")],
                attachment=Attachment(f"B-{i}.pdf", b"%PDF-1.4\n% bench " + str(i).encode()),
            )
        yield Checkpoint({"done": True})


class _Plugin:
    @hookimpl
    def register_connectors(self, register):
        register(BenchSource)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--invoices", type=int, default=200)
    ap.add_argument("--parties", type=int, default=10)
    ap.add_argument("--limit", type=int, default=25)
    ap.add_argument("--window", type=float, default=5.0)
    args = ap.parse_args()

    ws = Workspace(Path(tempfile.mkdtemp(prefix="ecluse-bench-")) / "ws")
    ws.init()
    plugins = Plugins()
    plugins.register_object(_Plugin(), "bench")
    ws.set_connection("bench", BenchSource, {"invoices": str(args.invoices), "parties": str(args.parties)})
    sync(ws, plugins)
    approved = review.approve_all_valid(ws, actor="bench").done
    with PennylaneEmulator(token=TOKEN, rate_limit=(args.limit, args.window)) as emu:
        gw = PennylaneGateway(emu.api_url, TOKEN)
        started = time.monotonic()
        result = send.push(ws, gw, actor="bench")
        elapsed = time.monotonic() - started
        requests = len(emu.log)
        throttled = emu.rate_limited
        invoices = len(emu.invoices("customer")) + len(emu.invoices("supplier"))
    budget_rps = args.limit / args.window
    utilization = requests / elapsed / budget_rps
    per_invoice = requests / max(1, invoices)
    unrecovered = result.count("failed") + result.count("pending")
    print(f"bench/push: {len(approved)} approved invoices, {args.parties * 2} counterparties, "
          f"limit {args.limit} requests / {args.window:g} s")
    print(f"  sent {result.count('sent')} in {elapsed:.1f} s with {requests} requests "
          f"(the budget allowed {budget_rps * elapsed:.0f} in that time)")
    print(f"  rate-limit utilization   {utilization:.3f}   (target >= 0.9)")
    print(f"  requests per invoice     {per_invoice:.3f}   (target <= 2.2)")
    print(f"  429 answers received     {throttled}       (recovered by retry)")
    print(f"  unrecovered failures     {unrecovered}       (target 0)")
    print(f"  invoices in Pennylane    {invoices} (each once: {invoices == result.count('sent')})")
    ok = utilization >= 0.9 and per_invoice <= 2.2 and unrecovered == 0
    print("  verdict:", "targets met" if ok else "TARGETS MISSED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
