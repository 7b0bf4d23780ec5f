"""A separate process working on a shared workspace (driven by tests/test_concurrency.py)."""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ecluse.services import review  # noqa: E402
from ecluse.services.sync import sync  # noqa: E402
from ecluse.workspace import Workspace  # noqa: E402
from tests.conftest import FakeSource, _FakePlugin, make_doc  # noqa: E402
from ecluse.plugin_loader import Plugins  # noqa: E402
from ecluse.connectors import Checkpoint  # noqa: E402


def main() -> None:
    ws = Workspace(sys.argv[1])
    mode = sys.argv[2]
    if mode == "sync":
        name, rounds = sys.argv[3], int(sys.argv[4])
        plugins = Plugins()
        plugins.register_object(_FakePlugin(), "fake")
        for r in range(rounds):
            # each round changes every document, so every unit of work writes
            FakeSource.pages = [[make_doc(f"{p}-{i}", customer=f"{name}{i}", total=f"{100 + r}.00") for i in range(100)] for p in range(4)]
            with ws.db.write() as con:
                con.execute("DELETE FROM sync_state WHERE connection = ?", [name])
            [report] = sync(ws, plugins, [name])
            if report.status != "ok":
                print(f"sync failed: {report.error}", file=sys.stderr)
                sys.exit(1)
        print("done", flush=True)
    elif mode == "sync-slow":  # pages of 20 documents, 0.2 s apart, "stored" after each, until killed
        name = sys.argv[3]
        plugins = Plugins()
        plugins.register_object(_FakePlugin(), "fake")
        # the same numbers on every page: suspected duplicates across pages
        FakeSource.pages = [[make_doc(f"{p}-{i}", number=f"F-{i}") for i in range(20)] for p in range(500)]
        fetch = FakeSource.fetch

        def slow(self, ctx):
            for item in fetch(self, ctx):
                yield item  # a Checkpoint returns here once its page is stored
                if isinstance(item, Checkpoint):
                    print("stored", flush=True)
                    time.sleep(0.2)

        FakeSource.fetch = slow
        sync(ws, plugins, [name])
    elif mode == "review":
        decided = 0
        deadline = time.monotonic() + float(sys.argv[3])
        while time.monotonic() < deadline:
            rows, _ = review.list_documents(ws, review.Filters(status="to_review"), limit=20)
            decided += len(review.decide(ws, "hold", [r["id"] for r in rows], actor="worker", reason="concurrency").done)
        print(f"decided {decided}", flush=True)
    elif mode == "hold-lock":
        with ws.db.write() as con:
            con.execute("SELECT 1")
            print("locked", flush=True)
            time.sleep(float(sys.argv[3]))
    elif mode == "status":
        print(review.status_summary(ws)["total"], flush=True)


if __name__ == "__main__":
    main()
