"""The whole path through the real `ecluse` command, as a user types it:
Harvest emulator → sync → review → push → Pennylane emulator (real HTTP, real processes)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.emulators.harvest import GenerateOptions, HarvestEmulator
from tests.emulators.pennylane import PennylaneEmulator

BIN = Path(sys.executable).parent
PL_TOKEN = "pl-e2e-SECRET-0001"


def run(ws, *args, env, ok=True):
    out = subprocess.run([str(BIN / "ecluse"), "-w", str(ws), *args], capture_output=True, text=True, env=env, timeout=300)
    if ok:
        assert out.returncode == 0, f"{args}: {out.stderr}"
    return out


@pytest.fixture
def emulators():
    with HarvestEmulator(rate_limit=None) as harvest, PennylaneEmulator(token=PL_TOKEN, rate_limit=(100, 1.0)) as pl:
        harvest.generate(40, seed=7, options=GenerateOptions(clients=6))
        yield harvest, pl


def test_harvest_to_pennylane_through_the_cli(tmp_path, emulators):
    harvest, pl = emulators
    ws = tmp_path / "ws"
    env = {**os.environ, "HARVEST_TOKEN": harvest.token, "PL_TOKEN": PL_TOKEN}
    env.pop("ECLUSE_LOAD_PLUGINS", None)
    run(ws, "init", "--no-demo", env=env)
    added = run(ws, "connections", "add", "acme", "--connector", "harvest", "--set", "token=env:HARVEST_TOKEN",
                "--set", f"account_id={harvest.account_id}", "--set", f"domain={harvest.url}",
                "--set", f"api_url={harvest.api_url}", "--set", "start_date=2023-01-01", env=env)
    assert "warning: History import: start_date 2023-01-01 is earlier than the default" in added.stdout
    assert harvest.token not in (ws / "ecluse.toml").read_text()
    check = run(ws, "connections", "check", "acme", "--json", env=env)
    assert json.loads(check.stdout)["ok"] is True

    sync = json.loads(run(ws, "sync", "--json", env=env).stdout)[0]
    assert sync["status"] == "ok" and sync["created"] > 30
    listed = json.loads(run(ws, "review", "list", "--json", "--limit", "500", env=env).stdout)
    assert listed["total"] == sync["created"]
    assert harvest.token not in run(ws, "review", "list", "--json", "--limit", "500", env=env).stdout

    approved = run(ws, "review", "approve", "--all-valid", "--json", env=env, ok=False)
    n_approved = len(json.loads(approved.stdout)["done"])
    assert n_approved > 0

    dry = json.loads(run(ws, "push", "--dry-run", "--json", env=env, ok=False).stdout)
    assert dry["violations"] == 0 and pl.log == []  # a dry run touches no network

    run(ws, "pennylane", "set", "--api-url", pl.api_url, "--token-env", "PL_TOKEN", env=env)
    me = json.loads(run(ws, "pennylane", "check", "--json", env=env).stdout)
    assert me["ok"] and me["missing_scopes"] == []
    pushed = run(ws, "push", "--json", env=env, ok=False)
    summary = json.loads(pushed.stdout)
    held = summary["held"]
    assert summary["sent"] + held == n_approved and summary["failed"] == 0, pushed.stderr
    assert pushed.returncode == (1 if held else 0)
    stored = pl.invoices("customer")
    assert len(stored) == summary["sent"]
    assert len({i["external_reference"] for i in stored}) == len(stored)
    assert pl.violations == []
    status = json.loads(run(ws, "status", "--json", env=env).stdout)
    assert status["documents"]["sent"] == summary["sent"]
    # Harvest changes one sent invoice and one still in review: the plain sync line says what
    # the accountant has to look at.
    sent_id = json.loads(run(ws, "review", "list", "--json", "--status", "sent", env=env).stdout)["items"][0]["id"]
    open_id = json.loads(run(ws, "review", "list", "--json", "--status", "to_review", env=env).stdout)["items"][0]["id"]
    for doc_id in (sent_id, open_id):
        harvest.touch_invoice(int(doc_id.split(":")[1]), due_date="2031-01-31")
    again = run(ws, "sync", env=env).stdout
    assert "new 0, changed 2 (1 back to review, 1 changed after sending)" in again, again
    # The accountant corrects the sent one in Pennylane, then says so.
    refused = run(ws, "review", "acknowledge", open_id, "--reason", "corrigée", env=env, ok=False)
    assert refused.returncode == 1 and f"not acknowledged {open_id}: not changed after sending" in refused.stderr
    run(ws, "review", "acknowledge", sent_id, "--reason", "échéance corrigée dans Pennylane", env=env)
    status = json.loads(run(ws, "status", "--json", env=env).stdout)
    assert status["changed_after_sending"] == 0
    # secrets never in the cache file, the settings or what the CLI printed
    blob = (ws / "ecluse.duckdb").read_bytes()
    for secret in (harvest.token, PL_TOKEN):
        assert secret.encode() not in blob
        assert secret not in pushed.stdout + pushed.stderr
    # A refused token: the sync fails and the connection says why, its Said as an object (not
    # JSON text inside JSON).
    refused = run(ws, "sync", "--json", env={**env, "HARVEST_TOKEN": "hv-refused-token-5f2a"}, ok=False)
    assert json.loads(refused.stdout)[0]["status"] == "failed"
    [conn] = json.loads(run(ws, "connections", "list", "--json", env=env).stdout)
    assert conn["last_status"] == "failed" and conn["last_error_said"]["code"] == "harvest.bad_token", conn


def test_cli_errors_are_one_line_with_non_zero_exit(tmp_path):
    env = {**os.environ}
    out = run(tmp_path / "nope", "status", env=env, ok=False)
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "ecluse --workspace" in out.stderr
    run(tmp_path / "ws", "init", "--no-demo", env=env)
    out = run(tmp_path / "ws", "connections", "add", "x", "--connector", "nope", env=env, ok=False)
    assert out.returncode == 2 and "no connector 'nope' is loaded" in out.stderr
    out = run(tmp_path / "ws", "connections", "add", "x", "--connector", "demo", "--set", "months=abc", env=env, ok=False)
    assert out.returncode == 2 and "months: 'abc' is not a whole number" in out.stderr
    out = run(tmp_path / "ws", "review", "reject", "demo:1", env=env, ok=False)
    assert out.returncode == 2 and "--reason" in out.stderr
    out = run(tmp_path / "ws", "report", "DELETE FROM documents", env=env, ok=False)
    assert out.returncode == 2 and "read-only" in out.stderr


def test_demo_loop_through_the_cli(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "ECLUSE_LOAD_PLUGINS"}
    ws = tmp_path / "ws"
    run(ws, "init", env=env)
    conns = json.loads(run(ws, "connections", "list", "--json", env=env).stdout)
    assert [c["name"] for c in conns] == ["demo"]
    assert run(ws, "connections", "disable", "demo", env=env).stdout.strip() == "disabled connection demo"
    assert json.loads(run(ws, "connections", "list", "--json", env=env).stdout)[0]["enabled"] is False
    run(ws, "connections", "enable", "demo", env=env)
    assert json.loads(run(ws, "connections", "list", "--json", env=env).stdout)[0]["enabled"] is True
    sync = json.loads(run(ws, "sync", "--json", env=env).stdout)[0]
    assert sync["created"] > 50 and sync["problems"] >= 1
    again = json.loads(run(ws, "sync", "--json", env=env).stdout)[0]
    assert again["created"] == 0 and again["updated"] == 0
    # the record the demo cannot read, kept as a problem: listed, one however often it is read
    problems = json.loads(run(ws, "review", "problems", "--json", env=env).stdout)
    assert len(problems) == sync["problems"] and isinstance(problems[0]["raw"], dict)
    dismissed = run(ws, "review", "dismiss-problems", str(problems[0]["id"]), "--reason", "a test record", env=env)
    assert dismissed.stdout.strip() == "dismissed: 1"
    assert len(json.loads(run(ws, "review", "problems", "--json", env=env).stdout)) == len(problems) - 1
    shown = run(ws, "review", "problems", "--all", env=env).stdout
    assert "dismissed" in shown and "RESOLUTION" in shown
    run(ws, "review", "approve", "--all-valid", env=env)
    run(ws, "mappings", "set", "ledger-account", "706", "706000", env=env)
    run(ws, "mappings", "set", "category", "demo", "Ventes", env=env)
    bad = run(ws, "mappings", "set", "vat", "5.5", "FR_5.5", env=env, ok=False)
    assert bad.returncode == 2 and "not a Pennylane vat_rate code" in bad.stderr
    maps = json.loads(run(ws, "mappings", "list", "--json", env=env).stdout)
    assert {r["hint"]: r["state"] for r in maps["ledger_accounts"]}["706"] == "mapped"
    assert maps["categories"][0]["category"] == "Ventes" and maps["summary"]["categories_missing"] == 0
    assert '706 = "706000"' in (ws / "ecluse.toml").read_text()
    dry = run(ws, "push", env=env, ok=False)  # the demo workspace is dry-run by default
    assert "dry run" in dry.stdout and "0 spec violation(s)" in dry.stdout
    assert "made-up invoice(s) of a demo connector: shown here, but a live send to Pennylane holds them" in dry.stderr
    report = run(ws, "report", "SELECT status, count(*) AS n FROM invoices GROUP BY 1 ORDER BY 1", "--format", "json", env=env)
    rows = json.loads(report.stdout)
    assert sum(r["n"] for r in rows) == sync["created"]
    out = tmp_path / "r.xlsx"
    run(ws, "report", "--file", str(_sql(tmp_path)), "--format", "xlsx", "--output", str(out), env=env)
    assert out.read_bytes()[:2] == b"PK"
    # A query saved under a title, listed after the ready-made ones, run by its name, deleted.
    saved = run(ws, "reports", "save", "Répartition par statut", "--file", str(_sql(tmp_path)),
                env={**env, "ECLUSE_ACTOR": "Claire Martin"})
    assert "ecluse report --name repartition-par-statut" in saved.stdout
    again = run(ws, "reports", "save", "Répartition par statut", "SELECT 1 AS n", env=env, ok=False)
    assert again.returncode == 2 and "already called 'Répartition par statut'" in again.stderr
    assert "add --replace to replace it" in again.stderr
    listed = json.loads(run(ws, "reports", "list", "--json", env=env).stdout)
    assert [r["name"] for r in listed][-2:] == ["sent-to-pennylane", "repartition-par-statut"]
    assert listed[-1]["saved_by"] == "Claire Martin"
    by_name = json.loads(run(ws, "report", "--name", "repartition-par-statut", "--format", "json", env=env).stdout)
    assert [r["number"] for r in by_name] == sorted(r["number"] for r in by_name) and len(by_name) == 5
    assert json.loads(run(ws, "report", "--name", "monthly-totals", "--format", "json", env=env).stdout)
    run(ws, "reports", "save", "Répartition par statut", "SELECT 1 AS n", "--replace", env=env)
    assert run(ws, "report", "--name", "repartition-par-statut", env=env).stdout.splitlines() == ["n", "1"]
    run(ws, "reports", "save", "Un chiffre", "SELECT 2 AS n", "--rename", "repartition-par-statut", env=env)
    assert run(ws, "report", "--name", "Un chiffre", env=env).stdout.splitlines() == ["n", "2"]  # a title works too
    run(ws, "reports", "save", "Deux", "SELECT 3 AS n", env=env)
    taken = run(ws, "reports", "save", "Deux", "SELECT 4 AS n", "--rename", "un-chiffre", env=env, ok=False)
    assert "add --replace to replace it" in taken.stderr
    run(ws, "reports", "save", "Deux", "SELECT 4 AS n", "--rename", "un-chiffre", "--replace", env=env)
    assert [r["name"] for r in json.loads(run(ws, "reports", "list", "--json", env=env).stdout)][-1:] == ["deux"]
    run(ws, "reports", "save", "Un chiffre", "SELECT 2 AS n", "--rename", "deux", env=env)
    assert "deleted 'Un chiffre'" in run(ws, "reports", "delete", "Un chiffre", env={**env, "ECLUSE_ACTOR": "Paul"}).stdout
    # The log: who did what, newest first; a deleted report's query is kept there.
    log = json.loads(run(ws, "reports", "history", "un-chiffre", "--json", env=env).stdout)
    assert (log[0]["action"], log[0]["sql"], log[0]["actor"]) == ("deleted", "SELECT 2 AS n", "Paul")
    assert "deleted   un-chiffre  'Un chiffre'  by Paul" in run(ws, "reports", "history", env=env).stdout
    never = run(ws, "reports", "history", "jamais", env=env, ok=False)
    assert never.returncode == 2 and "no saved report was ever named 'jamais'" in never.stderr
    gone = run(ws, "report", "--name", "un-chiffre", env=env, ok=False)
    assert gone.returncode == 2 and "no saved report is named 'un-chiffre'" in gone.stderr
    ready = run(ws, "reports", "delete", "monthly-totals", env=env, ok=False)
    assert ready.returncode == 2 and "is a ready-made report: it cannot be changed or deleted" in ready.stderr


def _sql(tmp_path):
    f = tmp_path / "q.sql"
    f.write_text("SELECT number, total FROM invoices ORDER BY number LIMIT 5")
    return f
