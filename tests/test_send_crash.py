"""A real `ecluse push` process killed with SIGKILL mid-batch: the next run resumes and every
approved invoice ends up in Pennylane exactly once."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ecluse.services import review
from ecluse.services.sync import sync
from tests.conftest import make_doc
from tests.emulators.pennylane import PennylaneEmulator

BIN = Path(sys.executable).parent
TOKEN = "pl-crash-token-0001"


def test_sigkill_mid_batch_then_resume_sends_each_invoice_once(workspace, plugins, fake_source, fake_connection):
    n = 12
    fake_source.pages = [[make_doc(str(i), customer=f"c{i % 4}", total=f"{200 + i}.00") for i in range(n)]]
    sync(workspace, plugins)
    assert len(review.approve_all_valid(workspace, actor="anne").done) == n
    with PennylaneEmulator(token=TOKEN, rate_limit=None) as emu:
        # every import is stored at once but answered 0.4 s later: a kill during that wait
        # is the worst case, an import done in Pennylane and not yet recorded here
        emu.inject("POST", r"/customer_invoices/import$", "slow", times=1000, delay=0.4)
        env = {**os.environ, "PL_TOKEN": TOKEN}
        cli = [str(BIN / "ecluse"), "-w", str(workspace.path)]
        subprocess.run([*cli, "pennylane", "set", "--api-url", emu.api_url, "--token-env", "PL_TOKEN"],
                       check=True, env=env, capture_output=True)
        proc = subprocess.Popen([*cli, "push", "--json"], env={**env, "ECLUSE_ACTOR": "Claire Martin"},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 60
        while emu.count("POST", r"/customer_invoices/import$") < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.1)  # inside the 0.4 s wait of an import that Pennylane has stored
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        stored_at_kill = len(emu.invoices("customer"))
        assert 5 <= stored_at_kill < n
        with workspace.db.read() as con:
            assert con.execute("SELECT count(*) FROM batches WHERE status = 'running'").fetchone()[0] == 1
            in_flight = con.execute("SELECT count(*) FROM batch_items WHERE state = 'importing'").fetchone()[0]
        assert in_flight == 1  # the import Pennylane stored but whose answer never arrived

        out = subprocess.run([*cli, "push", "--json"], env={**env, "ECLUSE_ACTOR": "Bruno"}, capture_output=True,
                             text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        summary = json.loads(out.stdout)
        assert summary["sent"] == n and summary["failed"] == 0
        refs = [i["external_reference"] for i in emu.invoices("customer")]
        assert len(refs) == n and len(set(refs)) == n
        assert len(emu.customers) == 4
        assert emu.violations == []
    with workspace.db.read() as con:
        assert con.execute("SELECT count(*) FROM documents WHERE status = 'sent' AND pennylane_id IS NOT NULL").fetchone()[0] == n
        assert con.execute("SELECT status FROM batches").fetchall() == [("done",)]
        # Each item keeps the amount its import carried, the one found by lookup after the kill too.
        amounts = con.execute("SELECT i.sent_amount, d.total, i.sent_currency FROM batch_items i "
                              "JOIN documents d ON d.id = i.document_id").fetchall()
        assert len(amounts) == n and all(sent == total and currency == "EUR" for sent, total, currency in amounts)
        # The history: each document put in the batch and sent once, signed by who asked for the
        # batch, the one found by lookup after the kill too (the resuming run only finishes it).
        signed = con.execute("SELECT action, actor, count(*), count(DISTINCT document_id) FROM audit "
                             "WHERE action IN ('in_batch', 'sent', 'send_failed') GROUP BY ALL ORDER BY 1").fetchall()
        assert signed == [("in_batch", "Claire Martin", n, n), ("sent", "Claire Martin", n, n)]
        found = con.execute("SELECT count(*) FROM audit WHERE action = 'sent' AND reason LIKE 'found in Pennylane%'")
        assert found.fetchone()[0] == 1
