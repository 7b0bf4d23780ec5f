"""Run every bench script in turn, with modest sizes, and print their outputs (`make bench`).

Each script prints its own figures and a verdict line and exits 0 when its targets are met;
this runner prints a summary and exits 1 if any script missed its targets or failed.
The sizes below keep the whole run to a few minutes; `--full` runs each script with its own
defaults (the sizes its targets are stated for, e.g. 100,000 invoices for bench/ingest).

    .venv/bin/python bench/run_all.py [--full] [--only ingest,push]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent

# Arguments for a quick run. A script not listed here runs with its own defaults.
MODEST: dict[str, list[str]] = {
    "push": ["--invoices", "80", "--parties", "4"],
    "ingest": ["--invoices", "10000"],
    "review": ["--documents", "20000", "--runs", "3"],
}


def scripts() -> list[Path]:
    return sorted(p for p in BENCH.glob("*.py") if p.name != Path(__file__).name and not p.name.startswith("_"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="each script's own default sizes")
    ap.add_argument("--only", help="comma-separated script names (without .py)")
    args = ap.parse_args()
    wanted = set(args.only.split(",")) if args.only else None
    results: list[tuple[str, int, float]] = []
    for script in scripts():
        name = script.stem
        if wanted is not None and name not in wanted:
            continue
        extra = [] if args.full else MODEST.get(name, [])
        print(f"==> bench/{script.name} {' '.join(extra)}".rstrip(), flush=True)
        started = time.monotonic()
        code = subprocess.run([sys.executable, str(script), *extra], cwd=BENCH.parent).returncode
        results.append((name, code, time.monotonic() - started))
        print(flush=True)
    print("bench summary")
    for name, code, seconds in results:
        verdict = "targets met" if code == 0 else ("TARGETS MISSED" if code == 1 else f"FAILED (exit {code})")
        print(f"  {name:<10} {verdict:<18} {seconds:6.1f} s")
    sys.exit(0 if results and all(code == 0 for _, code, _ in results) else 1)


if __name__ == "__main__":
    main()
