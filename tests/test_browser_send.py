"""The Send page in a real browser: Debian's chromium driven by Playwright against `ecluse run`,
sending to the Pennylane emulator started in this test process (real HTTP on 127.0.0.1).

The workspace is prepared through the CLI as a user would (a small demo, every valid document
approved, `ecluse pennylane set --api-url <emulator> --token-env VAR`), the console gets VAR in
its environment; then Send page → preview → send → summary. Screenshots go to tests/artifacts/
(send-preview.png, send-done.png); with ECLUSE_UPDATE_SCREENSHOTS=1 send.png goes to docs/screenshots/.
"""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from ecluse.services import send
from ecluse.workspace import Workspace

from tests.emulators.pennylane import PennylaneEmulator

# The browser fixture and helpers of the demo-loop test; `page` uses this module's `console`.
from tests.test_browser import no_exception, page, running_console, settle, shot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TOKEN_VAR = "ECLUSE_BROWSER_PL_TOKEN"
ECLUSE = Path(sys.executable).with_name("ecluse")


@pytest.fixture(scope="module")
def token() -> str:
    return f"pl-browser-SECRET-{uuid.uuid4().hex}"


@pytest.fixture(scope="module")
def emulator(token: str):
    with PennylaneEmulator(token=token, rate_limit=(100, 1.0)) as emu:
        yield emu


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, emulator: PennylaneEmulator) -> Path:
    """A small demo synced and approved, the destination set to the emulator (live), by the CLI."""
    ws = tmp_path_factory.mktemp("browser-send") / "ws"
    env = {k: v for k, v in os.environ.items() if k != "ECLUSE_LOAD_PLUGINS"}
    for args in (
        ["init"],
        ["connections", "add", "demo", "--connector", "demo", "--update", "--set", "per_month=4", "--set", "months=2"],
        ["sync"],
        ["review", "approve", "--all-valid"],
        ["pennylane", "set", "--api-url", emulator.api_url, "--token-env", TOKEN_VAR],
    ):
        out = subprocess.run([str(ECLUSE), "-w", str(ws), *args], capture_output=True, text=True, env=env, timeout=120)
        assert out.returncode == 0, f"{args}: {out.stderr}"
    return ws


@pytest.fixture(scope="module")
def console(workspace: Path, token: str):
    """`ecluse run` on that workspace with the token's variable in its environment."""
    with running_console(workspace, env={TOKEN_VAR: token}, drop=("ECLUSE_LOAD_PLUGINS",)) as url:
        yield url


def test_preview_then_send_to_pennylane(page, console, workspace, emulator, token):
    pg = page
    ready = send.approved_ids(Workspace(workspace))
    assert ready, "the demo gave approved documents"
    pg.goto(console + "/send")
    settle(pg)
    pg.get_by_role("heading", name="Envoi vers Pennylane").wait_for()
    assert pg.get_by_text(f"variable d'environnement {TOKEN_VAR}").count() == 1
    assert token not in pg.content()

    # -- the destination answers ------------------------------------------------------------------
    pg.get_by_role("button", name="Tester la connexion").click()
    pg.get_by_text("Connecté à Atelier Démo SAS").wait_for()
    settle(pg)

    # -- preview: the exact requests, validated, nothing sent ---------------------------------------
    pg.get_by_role("button", name="Prévisualiser les requêtes").click()
    pg.get_by_text("aucun écart avec la spécification de l'API").wait_for()
    settle(pg, 800)
    no_exception(pg)
    assert emulator.count("POST") == 0, "a preview sends nothing"
    shot(pg, "send-preview")

    # -- send, confirm, wait for the summary ----------------------------------------------------------
    pg.get_by_role("button", name=f"Envoyer {len(ready)} facture{'s' * (len(ready) > 1)}…").click()
    pg.get_by_text("vers Pennylane ?", exact=False).wait_for()
    pg.get_by_role("button", name="Oui, envoyer").click()
    pg.get_by_text(f"{len(ready)} envoyée{'s' * (len(ready) > 1)} sur {len(ready)}").wait_for(timeout=90_000)
    settle(pg, 800)
    no_exception(pg)
    assert token not in pg.content()
    shot(pg, "send-done", readme="send.png")

    invoices = emulator.invoices("customer") + emulator.invoices("supplier")
    refs = [i["external_reference"] for i in invoices]
    assert len(refs) == len(set(refs)) == len(ready)
    assert emulator.violations == []
