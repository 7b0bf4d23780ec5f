"""The console and a CLI process share one workspace: real processes, one DuckDB file."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ecluse.services import review
from tests.conftest import FakeSource

WORKER = str(Path(__file__).with_name("concurrency_worker.py"))


def spawn(*args, env=None):
    return subprocess.Popen([sys.executable, WORKER, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **(env or {})})


def test_two_syncs_and_a_reviewer_in_three_processes(workspace, monkeypatch):
    monkeypatch.setenv("FAKE_TOKEN", "t0ken-value")
    workspace.set_connection("a", FakeSource, {"token": "env:FAKE_TOKEN"})
    workspace.set_connection("b", FakeSource, {"token": "env:FAKE_TOKEN"})
    procs = [spawn(str(workspace.path), "sync", "a", "3"), spawn(str(workspace.path), "sync", "b", "3"),
             spawn(str(workspace.path), "review", "4")]
    results = [p.communicate(timeout=180) + (p.returncode,) for p in procs]
    for out, err, code in results:
        assert code == 0, err
    # every unit of work of both syncs landed: 400 documents per connection, 3 rounds each
    rows, total = review.list_documents(workspace, limit=1)
    assert total == 800
    with workspace.db.read() as con:
        runs = con.execute("SELECT connection, status, count(*) FROM sync_runs GROUP BY 1, 2 ORDER BY 1").fetchall()
        assert runs == [("a", "ok", 3), ("b", "ok", 3)]
        assert con.execute("SELECT count(DISTINCT total) FROM documents").fetchone()[0] == 1  # last round everywhere
    assert "decided" in results[2][0]


def test_a_lock_held_too_long_fails_with_a_clear_message(workspace):
    holder = spawn(str(workspace.path), "hold-lock", "4")
    assert holder.stdout.readline().strip() == "locked"
    waiter = spawn(str(workspace.path), "status", env={"ECLUSE_LOCK_TIMEOUT": "0.5"})
    out, err = waiter.communicate(timeout=60)
    assert waiter.returncode != 0
    assert "is in use by" in err and f"PID {holder.pid}" in err and "stayed locked for" in err
    # within the bound, the same call simply waits its turn
    patient = spawn(str(workspace.path), "status", env={"ECLUSE_LOCK_TIMEOUT": "30"})
    out, err = patient.communicate(timeout=60)
    assert patient.returncode == 0, err
    assert out.strip() == "0"
    holder.wait(timeout=30)
