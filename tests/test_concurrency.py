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


def test_a_sync_killed_mid_run_shows_as_interrupted_and_leaves_nothing_unchecked(workspace, plugins, monkeypatch):
    import signal

    from ecluse.services import queue
    from ecluse.services.review import Filters, status_summary
    from ecluse.services.setup import describe_connections
    from ecluse.services.sync import INTERRUPTED_MESSAGE, sync

    monkeypatch.setenv("FAKE_TOKEN", "t0ken-value")
    workspace.set_connection("a", FakeSource, {"token": "env:FAKE_TOKEN"})
    proc = spawn(str(workspace.path), "sync-slow", "a", env={"ECLUSE_HOLD_SECONDS": "0"})
    for _ in range(3):  # three pages stored
        assert proc.stdout.readline().strip() == "stored", proc.stderr.read()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    with workspace.db.read() as con:
        assert con.execute("SELECT status FROM sync_runs").fetchall() == [("running",)]  # as the process left it
        stored = con.execute("SELECT count(*) FROM documents").fetchone()[0]
        assert stored >= 60 and con.execute("SELECT count(*) FROM duplicate_checks").fetchone()[0] > 0
    # What the console shows: the run was interrupted, not "running" for ever.
    [row] = describe_connections(workspace, plugins)
    assert (row["last_status"], row["last_error"]) == ("interrupted", INTERRUPTED_MESSAGE)
    assert status_summary(workspace)["last_syncs"][0]["status"] == "interrupted"
    # The review queue finishes the duplicate checks the dead run left: page 1's F-0 and
    # page 2's F-0 are suspected duplicates of each other.
    screen = queue.page(workspace, Filters(findings="duplicates"), limit=500)
    assert screen.total == stored
    with workspace.db.read() as con:
        assert con.execute("SELECT count(*) FROM duplicate_checks").fetchone()[0] == 0

    FakeSource.pages = []
    [report] = sync(workspace, plugins, ["a"])
    assert report.status == "ok"
    with workspace.db.read() as con:
        assert con.execute("SELECT status, error FROM sync_runs ORDER BY id").fetchall() == [
            ("interrupted", INTERRUPTED_MESSAGE), ("ok", None)]
