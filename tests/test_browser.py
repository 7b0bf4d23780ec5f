"""The demo loop in a real browser: Debian's chromium driven by Playwright against `ecluse run`.

Overview → sync the demo connection → Connections → Review (filter, select rows, approve,
detail, a fix in place) → Reconciliation (click a bar) → Mappings (a VAT rate) → Reports (saved
report, CSV export). Screenshots of
every step go to tests/artifacts/; with ECLUSE_UPDATE_SCREENSHOTS=1 the best ones are copied to
docs/screenshots/ for the README (`make screenshots`).
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the console exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"the console did not answer on {url} within {timeout:.0f} s:\n{log.read_text(errors='replace')}")


@contextlib.contextmanager
def running_console(workspace: Path, *, env: dict[str, str] | None = None, drop: tuple[str, ...] = ()):
    """`ecluse run` on `workspace` as a process group (French, actor browser-test, plus `env`,
    without the variables named in `drop`); yields its URL once it answers, stops it after."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`make browser-deps`); "
                    "the browser tests never download a browser")
    port = _free_port()
    log = workspace.parent / "console.log"
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_") and k not in drop}
    full_env.update(ECLUSE_ACTOR="browser-test", ECLUSE_LANG="fr", PYTHONUNBUFFERED="1", **(env or {}))
    ecluse = Path(sys.executable).with_name("ecluse")
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(ecluse), "--workspace", str(workspace), "run", "--server.port", str(port),
             "--server.headless", "true", "--server.fileWatcherType", "none"],
            cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    url = f"http://localhost:{port}"
    try:
        _wait_http(url, proc, log)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory):
    """`ecluse run` on a new workspace (demo connection, nothing synced)."""
    with running_console(tmp_path_factory.mktemp("browser") / "ws") as url:
        yield url


@pytest.fixture(scope="module")
def page(console):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True,
                                      locale="fr-FR")
        pg = context.new_page()
        pg.set_default_timeout(30_000)
        try:
            yield pg
        finally:
            context.close()
            browser.close()


def settle(pg, extra_ms: int = 300) -> None:
    """Wait until the script run is over (the running indicator is gone) and the page is drawn
    (widgets whose code loads on first use show a skeleton until then)."""
    pg.wait_for_selector('[data-testid="stApp"]')
    pg.wait_for_timeout(200)
    pg.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=60_000)
    pg.wait_for_load_state("networkidle")
    pg.wait_for_selector('[data-testid="stSkeleton"]', state="detached", timeout=30_000)
    pg.wait_for_timeout(extra_ms)


def shot(pg, name: str, *, readme: str | None = None) -> Path:
    """A screenshot of the whole page: the viewport grows to the page's height for the shot
    (Streamlit scrolls its main area, not the document, so a full-page shot alone is cut)."""
    path = ARTIFACTS / f"{name}.png"
    size = pg.viewport_size
    height = pg.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    pg.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(height), 3200))})
    pg.wait_for_timeout(400)
    pg.screenshot(path=str(path), full_page=True)
    pg.set_viewport_size(size)
    pg.wait_for_timeout(200)
    if readme and os.environ.get("ECLUSE_UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, SCREENSHOTS / readme)
    return path


def no_exception(pg) -> None:
    errors = pg.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()


def goto(pg, title: str) -> None:
    pg.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    settle(pg)


def pick(pg, label: str, option: str) -> None:
    """Choose `option` in the selectbox labelled `label` (opened again if a rerun that was
    still under way closed its list)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    choice = pg.get_by_role("option", name=option, exact=True)
    for attempt in range(3):
        settle(pg)
        pg.get_by_role("combobox", name=label, exact=True).click()
        try:
            choice.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    choice.click()
    settle(pg)


def click_grid_rows(pg, grid, rows: list[int]) -> None:
    """Tick rows of a Streamlit dataframe (a canvas): the row markers are its first column."""
    box = grid.bounding_box()
    assert box is not None
    header, row_height = 35, 35
    for r in rows:
        pg.mouse.click(box["x"] + 18, box["y"] + header + row_height * r + row_height / 2)
        pg.wait_for_timeout(150)
    settle(pg, 500)


def test_demo_loop(page, console):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    pg = page
    # -- Overview: an empty workspace offers one first step -------------------------------------
    pg.goto(console)
    settle(pg)
    button = pg.get_by_role("button", name="Synchroniser la connexion de démonstration")
    button.wait_for()
    shot(pg, "01-overview-empty")
    button.click()
    pg.get_by_text("Synchronisation de demo terminée").wait_for(timeout=90_000)
    settle(pg, 800)
    no_exception(pg)
    assert pg.get_by_text("Documents par statut").count() == 1
    shot(pg, "02-overview-synced", readme="overview.png")

    # -- Connections: the demo connection with its form from the schema ---------------------------
    goto(pg, "Connexions")
    pg.get_by_role("button", name="Synchroniser maintenant").first.wait_for()
    no_exception(pg)
    shot(pg, "03-connections", readme="connections.png")

    # -- Review: filter, select two rows, approve, then one row's detail -------------------------
    goto(pg, "Revue")
    counted = re.compile(r"^[\d\s]+ documents?$")  # "**{n}** documents" above the grid
    total_text = pg.get_by_text(counted).first.inner_text()
    pick(pg, "Anomalies", "Sans anomalie")
    filtered_text = pg.get_by_text(counted).first.inner_text()
    assert filtered_text != total_text, (total_text, filtered_text)
    grid = pg.locator('[class*="st-key-rv_grid_"] [data-testid="stDataFrame"]').first
    click_grid_rows(pg, grid, [0, 1])
    pg.get_by_text("2 documents sélectionnés", exact=False).wait_for()
    shot(pg, "04-review-selected")
    pg.locator(".st-key-rv_approve button:visible").first.click()  # its name carries the shortcut
    pg.get_by_text("2 documents approuvés.").wait_for()
    settle(pg)
    no_exception(pg)
    shot(pg, "05-review-approved")
    # The next document to review is selected (not the approved ones around it); a rejection's
    # reason does not stay for the next decision (the browser would send it back).
    pg.get_by_text("1 document sélectionné", exact=False).wait_for()
    reason = pg.get_by_label("Motif")
    reason.fill("déjà saisie dans Pennylane")
    reason.press("Enter")
    settle(pg)
    shot(pg, "05b-review-reject")
    pg.locator(".st-key-rv_reject button:visible").first.click()
    pg.get_by_text("1 document rejeté", exact=False).wait_for()
    settle(pg, 800)
    assert all(box.input_value() == "" for box in pg.get_by_label("Motif").all())
    pick(pg, "Anomalies", "Avec erreurs")
    grid = pg.locator('[class*="st-key-rv_grid_"] [data-testid="stDataFrame"]').first
    click_grid_rows(pg, grid, [0])
    pg.get_by_role("tab", name="Historique").wait_for()
    assert pg.get_by_text("Approuver malgré les erreurs").count() == 1
    settle(pg, 800)
    no_exception(pg)
    shot(pg, "06-review-detail", readme="review.png")
    # A fix in place: the document's category, through the Fix tab; the same document stays open.
    pg.get_by_role("tab", name="Corriger", exact=False).click()
    pg.get_by_label("Catégorie Pennylane (libellé)").fill("Achats")
    pg.get_by_role("button", name="Enregistrer la catégorie").click()
    pg.get_by_text("1 correction enregistrée ;", exact=False).wait_for()
    settle(pg, 800)
    no_exception(pg)
    pg.get_by_text("Corrections en vigueur (1)").wait_for()
    shot(pg, "06b-review-fix")

    # -- Reconciliation: click a bar to list its documents ---------------------------------------
    goto(pg, "Suivi")
    pg.wait_for_selector(".js-plotly-plot .barlayer path", timeout=30_000)
    bars = pg.locator(".js-plotly-plot").first.locator(".barlayer .point path")
    assert bars.count() > 0
    bars.nth(bars.count() // 2).click(force=True)
    pg.get_by_text("Ouvrir ces documents dans Revue").wait_for(timeout=30_000)
    settle(pg, 800)
    no_exception(pg)
    shot(pg, "07-reconciliation", readme="reconciliation.png")

    # -- Mappings: a VAT rate the cache does not hold yet, stored in ecluse.toml ------------------
    goto(pg, "Correspondances")
    pg.get_by_text("Codes sans compte").wait_for()
    pg.get_by_role("tab", name="TVA", exact=True).click()
    pg.get_by_text("Ajouter un taux absent du cache").click()
    pg.get_by_label("Taux (%)").fill("8,5")
    # Streamlit's own hint under a field being typed in, said in French by the console's style
    # sheet (Streamlit says it in English only).
    hint = pg.locator('[data-testid="InputInstructions"] > span').first
    hint.wait_for(state="attached")  # its own text is of size 0: not "visible" to Playwright
    assert hint.evaluate("e => getComputedStyle(e, '::after').content") == '"Entrée pour envoyer"'
    assert hint.evaluate("e => getComputedStyle(e).fontSize") == "0px"  # its English text
    codes = pg.get_by_role("combobox", name="Code choisi", exact=True)
    option = pg.get_by_role("option", name=re.compile(r"^FR_85 — 8,5"))  # each code with its rate
    for attempt in range(3):  # on a loaded machine the first keys can come before the list is ready
        codes.click()
        codes.press("Control+a")
        codes.press_sequentially("FR_85", delay=50)  # 172 codes: typing keeps the matching ones
        try:
            option.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            pg.keyboard.press("Escape")
    option.click()
    pg.get_by_role("button", name="Ajouter", exact=True).click()
    pg.get_by_text("1 correspondance enregistrée dans", exact=False).wait_for()
    settle(pg)
    no_exception(pg)
    shot(pg, "07b-mappings")

    # -- Reports: a saved report, then a CSV export of the full result ---------------------------
    goto(pg, "Rapports")
    pick(pg, "Rapport", "Totaux mensuels par connexion et statut")
    pg.get_by_text("Exporter le résultat complet").wait_for()
    no_exception(pg)
    with pg.expect_download() as info:
        pg.get_by_role("button", name="CSV", exact=True).click()
    download = info.value
    assert re.fullmatch(r"ecluse-monthly-totals-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    target = ARTIFACTS / "report.csv"
    download.save_as(str(target))
    # For a French spreadsheet: ";" between fields, decimal commas, a byte order mark.
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Connexion;Mois;Statut") and re.search(r";-?\d+,\d\d;", lines[1])
    # Saved as one's own report: in the list after the ready-made ones, picked and run again.
    pg.get_by_role("button", name="Enregistrer…").click()
    title = pg.get_by_role("textbox", name="Titre du rapport")
    title.fill("Totaux du mois")
    title.press("Enter")
    settle(pg)
    pg.get_by_role("button", name="Enregistrer", exact=True).click()
    pg.get_by_text("Rapport « Totaux du mois » enregistré.").wait_for()
    no_exception(pg)
    pick(pg, "Rapport", "— requête libre —")
    pick(pg, "Rapport", "Totaux du mois — enregistré par browser-test")
    pg.get_by_text("Exporter le résultat complet").wait_for()
    settle(pg)
    shot(pg, "08-reports", readme="reports.png")

    # -- English: the switch changes the labels ---------------------------------------------------
    pg.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    settle(pg)
    pg.get_by_role("heading", name="Reports").wait_for()
    shot(pg, "09-reports-english")


def test_a_connection_acted_on_stays_open_with_its_result(page, tmp_path):
    """Two connections: the panel of the one synced, saved then tested stays open with each
    action's result, the newest replacing the one before (a message coming and going at the top
    used to close it; old messages used to pile up and contradict new ones). Its own console;
    the module's browser page."""
    from ecluse.plugin_loader import get_plugins
    from ecluse.services.setup import ensure_workspace
    from ecluse.workspace import Workspace

    ws = Workspace(tmp_path / "ws")
    plugins = get_plugins()
    ensure_workspace(ws, plugins)
    ws.set_connection("demo2", plugins.connector("demo"), {})
    pg = page
    with running_console(ws.path) as url:
        pg.goto(url)
        settle(pg)
        goto(pg, "Connexions")
        panel = pg.locator('[data-testid="stExpander"]').filter(has_text="demo2 —")
        panel.locator("summary").click()
        panel.get_by_role("button", name="Synchroniser maintenant").click()
        panel.get_by_text("Synchronisation de demo2 terminée").wait_for(timeout=90_000)
        settle(pg, 800)
        read = panel.get_by_text(re.compile(r"^\d+ lus · "))  # how many: the demo's data follow the date
        assert read.is_visible()
        panel.get_by_role("button", name="Enregistrer").click()
        settle(pg)
        panel.get_by_role("button", name="Tester").click()
        settle(pg)
        assert panel.get_by_text("Connexion réussie").is_visible()
        assert not read.is_visible()  # the test's result replaced the sync's
        no_exception(pg)
        shot(pg, "10-connections-two")
