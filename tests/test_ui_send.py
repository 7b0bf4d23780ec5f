"""The Send page through Streamlit's AppTest: a small demo workspace, the dry-run preview, and
real sends to the Pennylane emulator (real HTTP on 127.0.0.1, every request spec-checked)."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
import uuid
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ecluse import i18n
from ecluse.services import batches, review, send, setup
from ecluse.services import sync as sync_service
from ecluse.workspace import Workspace

from tests.emulators.pennylane import PennylaneEmulator
from tests.test_ui_pages import assert_clean, open_app, texts
from tests.ui_fixtures import ui_plugins
from tests.ui_fixtures import use_workspace  # noqa: F401

RAW_TOKEN = "pl-raw-SECRET-typed-in-the-form-51d2"
ENV_VAR = "ECLUSE_UI_TEST_PL_TOKEN"


# -- fixtures and helpers ------------------------------------------------------------------------
def small_workspace(path: Path) -> Workspace:
    """The demo connection over two months, a handful of documents per month, every valid one approved."""
    ws = Workspace(path)
    setup.ensure_workspace(ws, ui_plugins(), with_demo=True)
    ws.set_connection("demo", ui_plugins().connector("demo"), {"per_month": 4, "months": 2}, replace=True)
    report = sync_service.sync_connection(ws, ui_plugins(), "demo", actor="test")
    assert report.status == "ok", report.error
    assert review.approve_all_valid(ws, actor="test").done
    return ws


@pytest.fixture
def approved_ws(tmp_path: Path, use_workspace) -> Workspace:  # noqa: F811
    return use_workspace(small_workspace(tmp_path / "ws"))


@pytest.fixture
def token() -> str:
    """One token per test: the client's pacing budget is per token and process-wide."""
    return f"pl-ui-SECRET-{uuid.uuid4().hex}"


@pytest.fixture
def emu(token: str):
    with PennylaneEmulator(token=token, rate_limit=(100, 1.0)) as e:
        yield e


@pytest.fixture
def live(approved_ws: Workspace, emu: PennylaneEmulator, token: str, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """The workspace configured as `ecluse pennylane set --api-url <emu> --token-env VAR` does."""
    monkeypatch.setenv(ENV_VAR, token)
    approved_ws.set_pennylane(api_url=emu.api_url, token=f"env:{ENV_VAR}", dry_run=False)
    return approved_ws


def open_send() -> AppTest:
    return open_app("send")


def frame(at: AppTest, column: str):
    """The first table that has `column` (read-only dataframes carry no key in AppTest)."""
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with a column {column!r}")


COMPANY = "Atelier Démo SAS"  # the emulator's company, the token's (GET /me)


def send_all(at: AppTest, company: str | None = COMPANY, unknown: str = "") -> AppTest:
    """Send, confirm, wait for the background batch, and draw its summary. The question names
    the token's Pennylane `company` (None: says it is unknown, `unknown` being the start of why)."""
    at.button(key="sd_send").click().run()
    assert_clean(at)
    assert any("Envoyer" in m.value and "vers Pennylane ?" in m.value for m in at.markdown)
    assert any(m.value.startswith("Montant TTC : **") for m in at.markdown), "the amount about to be sent"
    if company is not None:
        assert f"Société Pennylane : **{company}**" in [m.value for m in at.markdown], "where the invoices go"
    else:
        assert any(w.value.startswith(f"Société Pennylane inconnue : {unknown}") for w in at.warning), \
            [w.value for w in at.warning]
    at.button(key="sd_send_yes").click().run()
    assert_clean(at)
    batches.JOBS.wait(120)
    at.run()
    assert_clean(at)
    return at


def statuses(ws: Workspace) -> dict[str, str]:
    with ws.db.read() as con:
        return dict(con.execute("SELECT id, status FROM documents").fetchall())


def click_and_wait(at: AppTest, key: str) -> AppTest:
    """Click the button `key` that starts a batch, wait for it, and draw its outcome."""
    at.button(key=key).click().run()
    assert_clean(at)
    batches.JOBS.wait(120)
    at.run()
    assert_clean(at)
    return at


def approved_ready(ws: Workspace) -> list[str]:
    return send.approved_ids(ws)


def pushed(emu: PennylaneEmulator) -> list[dict]:
    return emu.invoices("customer") + emu.invoices("supplier")


def assert_exactly_once(emu: PennylaneEmulator, ws: Workspace, ids: list[str]) -> None:
    invoices = pushed(emu)
    refs = [i["external_reference"] for i in invoices]
    assert len(refs) == len(set(refs)) == len(ids), (len(refs), len(set(refs)), len(ids))
    assert emu.violations == []
    current = statuses(ws)
    assert {current[i] for i in ids} == {"sent"}
    with ws.db.read() as con:
        pl_ids = {r[0] for r in con.execute("SELECT pennylane_id FROM documents WHERE id IN (SELECT unnest(?))", [ids]).fetchall()}
    assert pl_ids == {i["id"] for i in invoices}


# -- dry run (the demo workspace as created: no token, dry_run = true) ------------------------------
def test_dry_run_page_counts_previews_and_cannot_send(approved_ws):
    ws = approved_ws
    _rows, approved = review.list_documents(ws, review.Filters(status="approved"), limit=0)
    before = statuses(ws)
    at = open_send()
    metrics = {m.label: m.value for m in at.metric}
    assert at.metric[0].value == str(approved) == metrics["Approuvées"]
    assert metrics["En attente de leur PDF"] == str(send.waiting_for_pdf(ws))
    assert "€" in metrics["Montant TTC"] and " + " not in metrics["Montant TTC"]  # one currency: it fits
    others = [c for c in batches.selection_summary(ws, review.Filters())["totals"] if c != "EUR"]
    assert others, "the demo approves invoices in another currency too"
    assert any(c.value.startswith("et ") and "€" not in c.value for c in at.caption), [c.value for c in at.caption]
    # Sending is disabled, and the page says why and how to go live.
    button = at.button(key="sd_send")
    assert button.disabled and "simulation" in button.help
    assert any("simulation" in i.value and "Modifier la destination" in i.value for i in at.info)
    assert any("ecluse pennylane set --token-env PENNYLANE_TOKEN --live" in c.value for c in at.code)
    # The commands' comments follow the language, aligned after the longest command.
    block = next(c.value for c in at.code if "ecluse push --dry-run" in c.value)
    assert "ecluse push --dry-run" + " " * 37 + "# l'aperçu de cette page, en ligne de commande" in block
    assert "non configuré" in " ".join(m.value for m in at.markdown)
    at.button(key="sd_check").click().run()  # no token yet: said in French, with what to do
    assert any("Aucun jeton Pennylane configuré" in e.value for e in at.error)
    # The preview: every planned request, 0 violation, no change to the workspace.
    at.button(key="sd_preview_btn").click().run()
    assert_clean(at)
    ready = approved_ready(ws)
    assert any("aucun écart" in s.value and re.match(rf"{len(ready)} documents?, ", s.value) for s in at.success)
    labels = [e.label for e in at.expander]
    assert any(label.startswith("Requêtes communes au lot") for label in labels)
    numbers = {r["number"] for r in review.list_documents(ws, review.Filters(ids=ready), limit=100)[0]}
    assert {n for n in numbers if any(label.startswith(f"{n} — ") for label in labels)} == numbers
    page = texts(at)
    assert "POST /file_attachments" in page and "_invoices/import" in page
    assert "Fichier envoyé" in page and "octets" in page  # multipart shown as a name and a size
    assert "seulement si aucun tiers existant ne correspond" in page  # the requests' notes, in French
    # Each invoice shows its lines as Pennylane will book them, before the requests.
    first = send.dry_run(ws).requests
    body = next(r.body for r in first if r.path.endswith("/import"))
    shown = next(d.value for d in at.dataframe if "Code TVA Pennylane" in d.value.columns)
    assert list(shown["Libellé"]) == [line["label"] for line in body["invoice_lines"]]
    assert set(shown["Compte comptable"]) == {"choisi par Pennylane"}  # no account mapped yet
    assert all(v.endswith("\u00a0€") for v in shown["Total TTC"])
    # No code mapped to an account yet: the preview says how many lines would go without one
    lines, docs = send.dry_run(ws).lines_without_account()
    assert lines >= docs > 0
    assert any(re.match(rf"{lines} lignes? de {docs} documents? partirai(en)?t sans compte comptable", w.value)
               for w in at.warning)
    assert "only if no existing counterparty matches" not in page
    assert at.json, "the JSON bodies are shown"
    assert [d.label for d in at.get("download_button")] == ["Télécharger l'aperçu (JSON)"]
    # The demo's invoices are made up: previewed, but said to be held by a live send to Pennylane.
    assert any(i.value.startswith(f"{len(ready)} factures fictives (connecteur de démonstration) : leurs requêtes "
                                  "sont montrées ici, mais un envoi réel vers Pennylane les retiendrait")
               for i in at.info)
    assert statuses(ws) == before
    assert batches.batch_history(ws) == []


def test_selection_by_connection_and_period(approved_ws):
    at = open_send()
    at.date_input(key="sd_from.fr").set_value(dt.date.today() + dt.timedelta(days=1)).run()
    assert_clean(at)
    assert at.metric[0].value == "0"
    assert any("Aucune facture approuvée" in i.value for i in at.info)
    assert at.button(key="sd_preview_btn").disabled
    at.date_input(key="sd_from.fr").set_value(None).run()
    at.multiselect(key="sd_connections").set_value(["demo"]).run()
    assert at.metric[0].value == str(len(approved_ready(approved_ws)) + send.waiting_for_pdf(approved_ws))


def test_destination_form_never_shows_a_token(approved_ws, emu):
    ws = approved_ws
    at = open_send()
    before = ws.pennylane()
    # An address without its scheme: said in French, not as the CLI's option.
    at.text_input(key="sd_api_url").set_value("app.pennylane.com")
    at.button(key="sd_save").click().run()
    assert any(e.value.startswith("L'URL de l'API « app.pennylane.com » doit commencer par http:// ou "
                                  "https://") for e in at.error), [e.value for e in at.error]
    assert "--api-url" not in " ".join(e.value for e in at.error) and ws.pennylane() == before
    at.text_input(key="sd_api_url").set_value(emu.api_url)  # never the real Pennylane from a test
    # A token typed where the variable NAME goes is refused (it would be stored in clear).
    at.text_input(key="sd_token_env").set_value("abc def-123")
    at.button(key="sd_save").click().run()
    assert any("n'est pas un nom de variable" in e.value for e in at.error)
    assert ws.pennylane_token_source() is None
    # Live without any token is refused.
    at.text_input(key="sd_token_env").set_value("")
    at.radio(key="sd_mode.fr").set_value("live").run()
    assert any("Envoi réel" in w.value for w in at.warning), "switching to live warns"
    at.button(key="sd_save").click().run()
    assert any("demande un jeton" in e.value for e in at.error)
    assert ws.pennylane()["dry_run"] is True
    # The variable's name, live: stored as env:NAME.
    at.text_input(key="sd_token_env").set_value(ENV_VAR)
    at.radio(key="sd_mode.fr").set_value("live")
    at.checkbox(key="sd_incomplete").check()
    at.button(key="sd_save").click().run()
    assert_clean(at)
    assert ws.pennylane_token_source() == f"env:{ENV_VAR}"
    assert ws.pennylane()["dry_run"] is False and ws.pennylane()["import_as_incomplete"] is True
    assert any("Destination enregistrée" in s.value for s in at.success)
    assert any("envoi réel" in w.value for w in at.warning)
    assert any(f"`{ENV_VAR}` n'est pas définie" in w.value for w in at.warning)  # not exported here
    # The token itself, in the password field: kept in secrets.toml, never rendered back.
    at.text_input(key="sd_token_env").set_value("")
    at.text_input(key="sd_token_raw_1").set_value(RAW_TOKEN)  # a new field after each save
    at.button(key="sd_save").click().run()
    assert_clean(at)
    assert ws.pennylane_token_source() == "secrets.toml"
    assert RAW_TOKEN in ws.secrets_path.read_text(encoding="utf-8")
    assert RAW_TOKEN not in ws.config_path.read_text(encoding="utf-8")
    assert at.text_input(key="sd_token_raw_2").value == ""
    assert "déjà enregistré" in at.text_input(key="sd_token_raw_2").proto.placeholder
    assert RAW_TOKEN not in texts(at)
    assert ws.pennylane()["api_url"] == emu.api_url
    at.button(key="sd_check").click().run()  # a token Pennylane refuses: a message, never the token
    assert_clean(at)
    assert RAW_TOKEN not in texts(at)
    assert any(e.value.startswith("Échec du test : Pennylane refuse le jeton (HTTP 401)") for e in at.error), \
        [e.value for e in at.error]  # said in French


# -- live, against the Pennylane emulator ------------------------------------------------------------
def test_send_puts_every_approved_invoice_in_pennylane_once(live, emu, token):
    ws = live
    ids = approved_ready(ws)
    at = open_send()
    at.button(key="sd_check").click().run()
    assert any("Atelier Démo SAS" in s.value for s in at.success)
    assert not at.button(key="sd_send").disabled
    assert at.button(key="sd_send").label == f"Envoyer {len(ids)} facture{'s' * (len(ids) > 1)}…"
    totals = batches.selection_summary(ws)["ready_totals"]
    send_all(at)
    assert emu.count("GET", r"^/me$") == 1, "the connection test's answer names the company: no second call"
    assert_exactly_once(emu, ws, ids)
    assert any(f"{len(ids)} envoyée{'s' * (len(ids) > 1)} sur {len(ids)}" in s.value for s in at.success)
    items = frame(at, "Fichier")
    assert set(items["Statut"]) == {"Envoyée"} and len(items) == len(ids)
    assert all(v != "—" for v in items["Identifiant Pennylane"])
    history = frame(at, "Lot")
    assert history.iloc[0]["Envoyées"] == len(ids) and history.iloc[0]["Statut"] == "Terminé"
    # The batch's amount incl. tax, all of it sent, in French (euros first, then the others).
    amounts = ", ".join(i18n.format_money(v, c, "fr") for c, v in sorted(totals.items(), key=lambda kv: kv[0] != "EUR"))
    assert len(totals) > 1 and re.match(r"^-?[\d\u202f\u00a0]+,\d\d\u00a0€, ", amounts), amounts
    assert history.iloc[0]["Montant TTC"] == history.iloc[0]["Montant envoyé"] == amounts
    # The amounts right after the status, so they are not cut off at the right; no "Restantes" when none is left.
    columns = list(history.columns)
    assert columns[:5] == ["Lot", "Date", "Statut", "Montant TTC", "Montant envoyé"], columns
    assert "Restantes" not in columns and columns.index("Envoyées") > columns.index("Montant envoyé")
    assert at.metric[0].value == "0", "nothing approved is left"
    # Read back from Pennylane.
    at.button(key="sd_confirm").click().run()
    assert_clean(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Confirmées"] == str(len(ids)) and metrics["Supprimées de Pennylane"] == "0"
    assert any(re.match(rf"{len(ids)} factures vérifiées en \d requêtes?\.$", s.value) for s in at.success)
    assert token not in texts(at)
    at.segmented_control(key="lang").set_value("en").run()
    assert_clean(at)
    history = frame(at, "Batch")
    assert history.iloc[0]["Amount incl. tax"] == history.iloc[0]["Amount sent"] == ", ".join(
        i18n.format_money(v, c, "en") for c, v in sorted(totals.items(), key=lambda kv: kv[0] != "EUR"))
    assert history.iloc[0]["Amount sent"].startswith(("€", "-€"))


def test_a_failure_is_listed_with_its_reason_and_retried(live, emu, token):
    ws = live
    ids = approved_ready(ws)
    # The first customer invoice's import fails twice (the send asks before importing again).
    emu.inject("POST", r"/customer_invoices/import$", "500", times=2)
    at = send_all(open_send())  # no connection test before: the question asks Pennylane (GET /me) once
    assert emu.count("GET", r"^/me$") == 1
    failed = [d for d, s in statuses(ws).items() if s == "failed"]
    assert len(failed) == 1
    # Said in French, as what it is (Pennylane's server failed), not as Pennylane refusing it.
    [listed] = [e.value for e in at.error if "pas pu être envoyée" in e.value]
    assert listed.startswith("1 facture n'a pas pu être envoyée :")
    assert "Erreur du serveur de Pennylane (HTTP 500) : l'envoi a échoué." in listed and "not retried" not in listed
    assert len(pushed(emu)) == len(ids) - 1
    # The batch's amount and, short of the failed invoice's, the amount sent.
    [first] = batches.batch_history(ws)
    [missing] = review.list_documents(ws, review.Filters(ids=failed), limit=1)[0]
    assert first["totals"][missing["currency"]] - first["sent_totals"][missing["currency"]] == missing["total"]
    row = frame(at, "Lot").iloc[0]
    assert row["Montant envoyé"] != row["Montant TTC"]
    assert row["Montant envoyé"].startswith(i18n.format_money(first["sent_totals"]["EUR"], "EUR", "fr"))
    retry = at.button(key="sd_last_retry")
    assert retry.label == "Réessayer (1)"
    click_and_wait(at, "sd_last_retry")
    assert_exactly_once(emu, ws, ids)
    assert any("1 envoyée sur 1" in s.value for s in at.success)
    assert len(batches.batch_history(ws)) == 2
    assert emu.count("GET", r"^/me$") == 1, "asked once per token and session"
    assert token not in texts(at)


def test_a_failure_is_said_on_coming_back_and_retried_after_a_question(live, emu, token):
    ws = live
    ids = approved_ready(ws)
    emu.inject("POST", r"/customer_invoices/import$", "500", times=2)
    send_all(open_send())
    [failed] = [d for d, s in statuses(ws).items() if s == "failed"]
    number = review.get_document(ws, failed)["number"]
    at = open_send()  # a later visit: the batch's detail is no longer on screen
    assert any(w.value.startswith(f"1 facture en échec d'envoi, à renvoyer : {number}.") for w in at.warning)
    click_and_wait(at, "sd_failed_retry")
    assert_exactly_once(emu, ws, ids)
    assert not any("en échec d'envoi" in w.value for w in at.warning)
    # The first batch no longer lists it as a failure: it went through in the second.
    first = min(b["id"] for b in batches.batch_history(ws))
    at.selectbox(key="sd_history_batch.fr").set_value(first).run()
    assert_clean(at)
    assert f"Envoyée depuis dans un lot suivant : {number}." in [c.value for c in at.caption]
    assert not any("pas pu être envoyée" in e.value for e in at.error)


def test_an_interrupted_batch_shows_why_and_resumes(live, emu, token, monkeypatch):
    ws = live
    ids = approved_ready(ws)
    monkeypatch.setenv(ENV_VAR, "pl-wrong-token-0000")  # Pennylane answers 401
    at = send_all(open_send(), company=None, unknown="Pennylane refuse le jeton (HTTP 401)")
    assert any("interrompu" in e.value for e in at.error)
    assert pushed(emu) == []
    assert set(statuses(ws)[i] for i in ids) == {"in_batch"}
    assert "pl-wrong-token-0000" not in texts(at)
    monkeypatch.setenv(ENV_VAR, token)
    click_and_wait(at, "sd_last_resume")
    assert_exactly_once(emu, ws, ids)
    assert len(batches.batch_history(ws)) == 1, "resumed, not a new batch"
    # A new session sees no unfinished batch and the history.
    again = open_send()
    assert not any("interrompu" in e.value for e in again.error)
    assert frame(again, "Lot").iloc[0]["Statut"] == "Terminé"


def test_the_question_names_the_company_or_says_why_not(live, emu, token, monkeypatch):
    def unknown() -> list[str]:
        return [w.value for w in at.warning if w.value.startswith("Société Pennylane inconnue : ")]

    monkeypatch.delenv(ENV_VAR)
    at = open_send()
    at.button(key="sd_send").click().run()
    assert_clean(at)
    assert unknown() == [f"Société Pennylane inconnue : la variable d'environnement `{ENV_VAR}`, qui doit contenir "
                         "le jeton, n'est pas définie pour la console."]
    assert emu.count("GET", r"^/me$") == 0
    monkeypatch.setenv(ENV_VAR, "pl-wrong-SECRET-1111")
    at.run()
    assert [w.startswith("Société Pennylane inconnue : Pennylane refuse le jeton (HTTP 401) : vérifiez-le")
            for w in unknown()] == [True]
    assert emu.count("GET", r"^/me$") == 1
    at.run()  # drawn again: the answer is kept for this token
    assert emu.count("GET", r"^/me$") == 1 and unknown()
    at.button(key="sd_send").click().run()  # asked again: a failure is asked again
    assert emu.count("GET", r"^/me$") == 2
    monkeypatch.setenv(ENV_VAR, token)  # another token: its own company
    at.run()
    assert not unknown() and f"Société Pennylane : **{COMPANY}**" in [m.value for m in at.markdown]
    assert emu.count("GET", r"^/me$") == 3
    at.segmented_control(key="lang").set_value("en").run()
    assert_clean(at)
    assert f"Pennylane company: **{COMPANY}**" in [m.value for m in at.markdown]
    assert emu.count("GET", r"^/me$") == 3 and emu.violations == []
    assert "pl-wrong-SECRET-1111" not in texts(at) and token not in texts(at)


def test_held_invoices_link_to_review(live, emu):
    ws = live
    ids = approved_ready(ws)
    ws.set_mapping("ledger_accounts", "*", "999999")  # an account missing from Pennylane's chart
    at = send_all(open_send())
    assert pushed(emu) == []
    assert {statuses(ws)[i] for i in ids} == {"on_hold"}
    assert any(re.search("bloquées? avant l'envoi", w.value) and "999999" in w.value for w in at.warning)
    # Each reason says "envoi bloqué", right for an invoice and a credit note alike.
    # Each one's reason in French, in the list and in the batch's table, not as the send's English.
    [held] = [w.value for w in at.warning if "avant l'envoi, à corriger" in w.value]
    assert "il manque : compte comptable 999999 (associé à «\u00a0*\u00a0» mais absent du plan comptable" in held
    assert "held before sending" not in held
    messages = list(frame(at, "Message")["Message"])
    assert messages and all(m.startswith("envoi bloqué : ") for m in messages), messages
    at.button(key="sd_last_fix").click().run()
    assert_clean(at)
    assert at.title[0].value == "Revue"
    assert at.multiselect(key="rv_status.fr").value == ["on_hold"]


def test_a_held_reason_stored_by_an_older_version_reads_as_it_was_written(live, emu):
    """Held items said in French from their Said, in English in English; one an older version
    stored without a Said (its English text only) keeps its English text."""
    ws = live
    ws.set_mapping("ledger_accounts", "*", "999999")  # an account missing from Pennylane's chart: all held
    send_all(open_send())
    [batch] = batches.batch_history(ws)
    [old, *rest] = [i["document_id"] for i in batches.batch_items(ws, batch["id"])]
    with ws.db.write() as con:
        con.execute("UPDATE batch_items SET error_said = NULL WHERE document_id = ?", [old])
    at = open_send()
    at.selectbox(key="sd_history_batch.fr").set_value(batch["id"]).run()
    assert_clean(at)
    messages = list(frame(at, "Message")["Message"])
    english = [m for m in messages if m.startswith("held before sending: document ")]
    assert len(english) == 1 and "missing ledger account 999999 (mapped from '*' but not found" in english[0]
    assert rest and len([m for m in messages if m.startswith("envoi bloqué : document ")]) == len(rest)
    at.segmented_control(key="lang").set_value("en").run()
    at.selectbox(key="sd_history_batch.en").set_value(batch["id"]).run()
    assert all(m.startswith("held before sending: document ") for m in frame(at, "Message")["Message"])


def test_a_batch_running_elsewhere_disables_sending(live):
    with send.send_lock(live):  # as if `ecluse push` were running
        at = open_send()
        assert any("autre processus" in w.value for w in at.warning)
        assert at.button(key="sd_send").disabled


def test_the_page_in_english(approved_ws):
    at = open_send()
    at.segmented_control(key="lang").set_value("en").run()
    assert_clean(at)
    assert at.title[0].value == "Sending to Pennylane"
    assert at.button(key="sd_send").help == "Disabled: the destination is a dry run."
    assert at.radio(key="sd_mode.en").options == ["Dry run", "Live"]


def test_dry_run_with_a_token_configured_names_its_variable_and_does_not_ask_for_it(approved_ws, monkeypatch):
    """The token variable set and tested (`ecluse pennylane set --token-env PL_TOKEN`), the
    destination still a dry run: the page names PL_TOKEN, asks only for 'Envoi réel'."""
    ws = approved_ws
    monkeypatch.setenv("UI_TEST_PL_TOKEN", "pl-token-of-the-firm")
    ws.set_pennylane(token="env:UI_TEST_PL_TOKEN")
    at = open_send()
    assert "variable d'environnement `UI_TEST_PL_TOKEN`" in [m.value for m in at.markdown]
    [why] = [i.value for i in at.info if "simulation" in i.value]
    assert "indiquez le jeton" not in why
    assert "Le jeton est configuré (variable d'environnement `UI_TEST_PL_TOKEN`) : pour envoyer réellement, " \
           "choisissez « Envoi réel »" in why
    [block] = [c.value for c in at.code if "ecluse push --dry-run" in c.value]
    assert "PENNYLANE_TOKEN" not in block and "export" not in block
    assert block.startswith("ecluse pennylane set --live")
    assert at.text_input(key="sd_token_env").value == "UI_TEST_PL_TOKEN"
    # The variable configured but not set for the console: exporting that one is the step.
    monkeypatch.delenv("UI_TEST_PL_TOKEN")
    at.run()
    [block] = [c.value for c in at.code if "ecluse push --dry-run" in c.value]
    assert block.startswith("export UI_TEST_PL_TOKEN=…") and "PENNYLANE_TOKEN" not in block
    # ...and the notice does not call it configured while Vue d'ensemble says it is unset
    assert not any("Le jeton est configuré" in i.value for i in at.info)
    assert any("attendu dans la variable d'environnement `UI_TEST_PL_TOKEN`, que la console n'a pas" in i.value
               for i in at.info)
    # Connexions names the same variable.
    at.switch_page("views/connections.py").run()
    assert_clean(at)
    assert any("ecluse pennylane set --token-env UI_TEST_PL_TOKEN --dry-run" in c.value for c in at.code)
    # Stored in secrets.toml: said so, nothing to export.
    ws.set_pennylane(token=RAW_TOKEN)
    at.switch_page("views/send.py").run()
    assert_clean(at)
    [why] = [i.value for i in at.info if "simulation" in i.value]
    assert "Le jeton est configuré (enregistré dans `secrets.toml`)" in why
    assert RAW_TOKEN not in texts(at)


def test_a_sent_invoices_warning_is_said_in_french_in_the_batch_detail(live, emu):
    from ecluse.services import mappings

    ws = live
    ids = approved_ready(ws)
    mappings.set_category(ws, "demo", "Inconnue")  # not in Pennylane: sent, with a warning
    at = send_all(open_send())
    assert_exactly_once(emu, ws, ids)
    # The batch's summary counts them (a warning, not a plain success).
    n = len(ids)
    [done] = [w.value for w in at.warning if "terminé" in w.value]
    assert done.endswith(f"{n} envoyées sur {n}. {n} factures envoyées l'ont été avec un avertissement (catégorie non donnée, "
                         "avoir à relier…) : voyez le message de chacune ci-dessous."), done
    assert not any("terminé" in s.value for s in at.success)
    at = open_send()  # a later visit: the batch's detail from the history
    [batch] = batches.batch_history(ws)
    at.selectbox(key="sd_history_batch.fr").set_value(batch["id"]).run()
    assert_clean(at)
    messages = set(frame(at, "Message")["Message"])
    assert messages == {"la catégorie «\u00a0Inconnue\u00a0» n'existe pas dans Pennylane"}, messages
    at.segmented_control(key="lang").set_value("en").run()
    at.selectbox(key="sd_history_batch.en").set_value(batch["id"]).run()
    assert set(frame(at, "Message")["Message"]) == {"category 'Inconnue' does not exist in Pennylane"}


def test_a_confirmation_that_finds_differences_warns_and_says_each_in_french(live, emu):
    """Pennylane changed after the send (an amount edited, an invoice modified, one deleted):
    a warning naming how many of each, never a success; each row said in French, singular."""
    ws = live
    ids = approved_ready(ws)
    at = send_all(open_send())
    edited, modified, deleted = sorted(emu.invoices("customer"), key=lambda i: i["id"])[:3]
    later = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    with emu._lock:
        emu._invoices["customer"][edited["id"]]["currency_amount"] = "1.00"
        emu._invoices["customer"][modified["id"]]["updated_at"] = later
        del emu._invoices["customer"][deleted["id"]]
    at.button(key="sd_confirm").click().run()
    assert_clean(at)
    assert not any("vérifiée" in s.value for s in at.success)
    # Each one named under the warning by its invoice number (never Pennylane's id), amounts in French.
    with ws.db.read() as con:
        docs = {int(r[0]): (r[1], r[2]) for r in con.execute(
            "SELECT pennylane_id, number, currency FROM documents WHERE pennylane_id IS NOT NULL").fetchall()}
    [warning] = [w.value for w in at.warning if "écarts avec ce qui a été envoyé" in w.value]
    number, currency = docs[edited["id"]]
    sent = i18n.format_money(Decimal(str(edited["currency_amount"])), currency, "fr")
    lines = warning.split("\n\n", 1)[1].split("\n")
    assert lines[0] == f"- **{number}** : envoyée {sent}, {i18n.format_money(Decimal('1.00'), currency, 'fr')} " \
                       "dans Pennylane", lines
    assert lines[1].startswith(f"- **{docs[modified['id']][0]}** : modifiée dans Pennylane le "), lines
    assert lines[2] == f"- **{docs[deleted['id']][0]}** : supprimée de Pennylane", lines
    assert len(lines) == 3 and str(deleted["id"]) not in warning
    assert any(re.match(rf"{len(ids)} factures vérifiées en \d requêtes?, 3 écarts avec ce qui a été envoyé : "
                        r"1 montant différent, 1 modifiée dans Pennylane, 1 supprimée de Pennylane\.\n\n- ", w.value)
               for w in at.warning), [w.value for w in at.warning]
    issues = frame(at, "Dans Pennylane")
    assert sorted(issues["Statut"]) == ["Modifiée dans Pennylane", "Montant différent", "Supprimée de Pennylane"]
    messages = dict(zip(issues["Statut"], issues["Message"]))
    assert messages["Supprimée de Pennylane"] == (
        f"la facture {docs[deleted['id']][0]} n'est plus dans Pennylane (identifiant {deleted['id']})")
    assert messages["Montant différent"] == "Pennylane a un autre montant que celui envoyé"
    assert messages["Modifiée dans Pennylane"].startswith("modifiée dans Pennylane le ")
    at.segmented_control(key="lang").set_value("en").run()
    assert_clean(at)
    issues = frame(at, "In Pennylane")
    assert sorted(issues["Status"]) == ["Amount differs", "Changed in Pennylane", "Deleted from Pennylane"]
    assert any("3 differences from what was sent: 1 amount differs, 1 changed in Pennylane, "
               f"1 deleted from Pennylane.\n\n- **{number}**: sent " in w.value for w in at.warning), \
        [w.value for w in at.warning]
    assert any(f"- **{docs[deleted['id']][0]}**: deleted from Pennylane" in w.value for w in at.warning)


def test_the_preview_shows_each_lines_account_number(approved_ws):
    ws = approved_ws
    ws.set_mapping("ledger_accounts", "*", "706000")
    at = open_send()
    at.button(key="sd_preview_btn").click().run()
    assert_clean(at)
    shown = next(d.value for d in at.dataframe if "Code TVA Pennylane" in d.value.columns)
    assert set(shown["Compte comptable"]) == {"706000"}
    # Pennylane's lists not read for this destination: said, since the preview cannot check them.
    assert any(c.value.startswith("Le plan comptable et les catégories de Pennylane n'ont pas été lus") for c in at.caption)


def test_the_preview_flags_what_pennylanes_chart_and_categories_lack_and_the_send_holds_them(live, emu):
    from ecluse.services import mappings, pennylane_lists

    ws = live
    ids = approved_ready(ws)
    emu.add_ledger_account("706000", "Prestations de services")
    ws.set_mapping("ledger_accounts", "*", "706200")  # not in Pennylane's chart
    mappings.set_category(ws, "demo", "Inconnue")  # not among Pennylane's categories
    pennylane_lists.refresh(ws)
    at = open_send()
    at.button(key="sd_preview_btn").click().run()
    assert_clean(at)
    assert not any("aucun écart" in s.value for s in at.success)
    n = len(ids)
    warnings = [w.value for w in at.warning]
    assert any(re.match(rf"{n} documents, \d+ requêtes conformes à la spécification de l'API\.$", w) for w in warnings)
    # Those a live send would put On hold in their own block, Correspondances' words, before any other remark.
    [held] = [w for w in warnings if " En attente par l'envoi réel" in w]
    assert re.match(rf"{n} factures seraient mises En attente par l'envoi réel, d'après le plan comptable de "
                    r"Pennylane lu le ", held), held
    assert held.count("le compte 706200 manque au plan comptable de Pennylane ; la catégorie «\u00a0Inconnue\u00a0» "
                      "n'existe pas dans Pennylane : elle partira sans catégorie") == n
    assert not any("sans catégorie, d'après" in w for w in warnings), "none goes: no block of minor remarks"
    assert sum(1 for e in at.expander if e.label.endswith(" · serait mise En attente")) == min(n, 20)
    shown = next(d.value for d in at.dataframe if "Code TVA Pennylane" in d.value.columns)
    assert set(shown["Compte comptable"]) == {"706200 (absent de Pennylane)"}
    # The live send does as said, and its held list does not repeat its heading nor each invoice.
    at = send_all(at)
    assert pushed(emu) == [] and {statuses(ws)[i] for i in ids} == {"on_hold"}
    [held] = [w.value for w in at.warning if "avant l'envoi, à corriger" in w.value]
    assert "bloquée avant l'envoi" not in held and held.count(" : il manque : compte comptable 706200 (associé à ") == n
    numbers = {r["id"]: r["number"] for r in review.list_documents(ws, review.Filters(ids=ids), limit=100)[0]}
    assert all(f"- **{numbers[i]}** : il manque : compte comptable 706200" in held for i in ids)
    assert not any(f"document {numbers[i]}" in held for i in ids)


def test_the_preview_puts_the_invoices_a_send_would_hold_first_then_those_without_a_category(live, emu):
    """One invoice whose accounts Pennylane has (only its category is unknown) among others whose
    account it lacks: the held ones in their own block first, the minor one after."""
    from ecluse.services import fixes, mappings, pennylane_lists

    ws = live
    ids = approved_ready(ws)
    emu.add_ledger_account("706000", "Prestations de services")
    ws.set_mapping("ledger_accounts", "*", "706200")  # not in Pennylane's chart
    mappings.set_category(ws, "demo", "Inconnue")  # not among Pennylane's categories
    minor = ids[0]
    doc = review.get_document(ws, minor)
    for k in range(1, len(doc["lines"]) + 1):
        fixes.fix(ws, minor, f"lines[{k}].ledger_account", "706000", actor="test")
    pennylane_lists.refresh(ws)
    at = open_send()
    at.button(key="sd_preview_btn").click().run()
    assert_clean(at)
    warnings = [w.value for w in at.warning]
    [held] = [i for i, w in enumerate(warnings) if "seraient mises En attente" in w]
    [other] = [i for i, w in enumerate(warnings) if "sans catégorie, d'après" in w]
    assert held < other
    n = len(ids)
    assert warnings[held].startswith(f"{n - 1} factures seraient mises En attente par l'envoi réel")
    assert warnings[held].count("- **") == n - 1 and f"**{doc['number']}**" not in warnings[held]
    assert warnings[other].startswith("1 facture partirait sans catégorie, d'après les catégories de Pennylane "
                                      "lues le ")
    assert f"- **{doc['number']}** : la catégorie «\u00a0Inconnue\u00a0» n'existe pas dans Pennylane" in warnings[other]
    at.segmented_control(key="lang").set_value("en").run()
    assert_clean(at)
    warnings = [w.value for w in at.warning]
    assert any(w.startswith(f"{n - 1} invoices would be put On hold by the live send") for w in warnings)
    assert any(w.startswith("1 invoice would go without a category") for w in warnings)


def test_a_preview_made_before_a_change_is_said_out_of_date_not_shown(approved_ws):
    # A mapping (or a decision, a fix, a sync, Pennylane's lists) changed after the preview: the
    # old one would say what the send no longer does.
    ws = approved_ws
    at = open_send()
    at.button(key="sd_preview_btn").click().run()
    assert any("aucun écart" in s.value for s in at.success)
    at.run()
    assert any("aucun écart" in s.value for s in at.success), "unchanged: still shown"
    ws.set_mapping("ledger_accounts", "706", "706000")
    at.run()
    assert_clean(at)
    assert not any("aucun écart" in s.value for s in at.success)
    assert any(i.value.startswith("L'aperçu précédent n'est plus à jour") for i in at.info)
    at.button(key="sd_preview_btn").click().run()
    assert any("aucun écart" in s.value for s in at.success)
    assert not any(i.value.startswith("L'aperçu précédent n'est plus à jour") for i in at.info)
