"""What findings and refused settings say in the console's two languages (console/i18n_findings.py, i18n.py).

The stored `message` is English (the CLI shows it); the console fills its templates with the
finding's params. Every finding checked here must come out, from the params as stored in
DuckDB, exactly as its English message in English, and filled in French.
"""
from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path
from typing import Any

from ecluse import i18n
from ecluse.domain import CUSTOMER_CREDIT_NOTE, SUPPLIER_INVOICE, Address, Attachment, Counterparty, Finding, json_loads
from ecluse.plugins.harvest.normalize import normalize_invoice
from ecluse.storage.ingest import finding_params
from ecluse.validation import validate
from tests.conftest import make_doc

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 3, 10)


def says_it_in_both_languages(finding: Finding | dict[str, Any]) -> str:
    """The French text of `finding` (a Finding, or a row of `findings`), checked."""
    if isinstance(finding, Finding):
        code, message, params = finding.code, finding.message, finding_params(finding)
    else:
        code, message, params = finding["code"], finding["message"], finding["params"]
    assert params is not None, f"{code}: no params, so shown in English only"
    english = i18n.finding_detail(code, message, params, "en")
    french = i18n.finding_detail(code, message, params, "fr")
    assert english == message, f"{code}: the English template does not give the stored message"
    # `finding_detail` falls back to the stored message when the params do not fill the template
    assert french != message, f"{code}: the French template is missing or does not fit the params"
    return french


def validation_findings() -> list[Finding]:
    """Documents built to raise every finding `validate` has."""
    base = make_doc("1", total="1200.00")
    line = base.lines[0]
    eu = Counterparty("c2", "GmbH", address=Address("Str. 1", "10115", "Berlin", "DE"))
    docs = [
        replace(base, number=None, issue_date=None, due_date=None, total=None, lines=[], counterparty=None,
                attachment=None),
        replace(base, issue_date=TODAY + dt.timedelta(days=5), due_date=TODAY, currency="usd",
                counterparty=replace(base.counterparty, name=" ", vat_number="XX", siren="123", siret="1234",
                                     address=Address(None, "75002", None, "FR")),
                attachment=Attachment("x.pdf", b"<html>"), attachment_pending=True),
        replace(base, currency="USD", kind=CUSTOMER_CREDIT_NOTE, total_tax=D("1.00"),
                counterparty=replace(eu, vat_number="FR00123456789"),
                lines=[replace(line, vat_rate=None), replace(line, vat_rate=D("15.475"), tax=D("7.00"), amount=D("1.00"))]),
        replace(base, total=D("-1200.00"), total_before_tax=D("-1000.00"), total_tax=D("-200.00"),
                lines=[replace(line, amount_before_tax=D("-1000.00"), tax=D("-200.00"), amount=D("-1200.00"))],
                counterparty=eu),
        replace(base, lines=[replace(line, vat_code="FR_196")]),  # a reviewer's code at another rate
        replace(base, counterparty=replace(base.counterparty, siren="404833048", siret="73282932000074")),
        replace(base, counterparty=Counterparty("c3", "Inc.", address=Address("1 Main St", "10001", "New York", "US"))),
        replace(base, counterparty=Counterparty("c4", "SARL", address=Address("1 rue X", "97300", "Cayenne", "FR"))),
        replace(base, counterparty=Counterparty("c5", "SAS", address=Address("1 rue Y", "4910", "Angers", "FR"))),
        # A reviewer's account of the other side's class: an expense on a sale, an income on a purchase.
        replace(base, lines=[replace(line, accounting_hint="ledger:601000")]),
        replace(base, kind=SUPPLIER_INVOICE, lines=[replace(line, accounting_hint="ledger:706000")]),
    ]
    return [f for doc in docs for f in validate(doc, today=TODAY)]


def codes_in(path: Path) -> set[str]:
    return set(re.findall(r'(?:Finding\(|add\()\s*"([a-z_]+)"', path.read_text(encoding="utf-8")))


def test_every_validation_finding_is_said_in_french_and_english():
    found = validation_findings()
    assert {f.code for f in found} == codes_in(ROOT / "console" / "validation.py")  # all of them, built above
    assert {f.params.get("variant") for f in found if f.code == "bad_vat_number"} == {None, "key"}
    assert {f.params.get("variant") for f in found if f.code == "bad_siret"} == {None, "siren"}
    assert {f.params.get("variant") for f in found if f.code == "account_class"} == {"expense_on_sale",
                                                                                      "income_on_purchase"}
    for finding in found:
        says_it_in_both_languages(finding)
    mismatch = next(f for f in found if f.code == "vat_code_rate_mismatch")
    assert says_it_in_both_languages(mismatch).replace(i18n.NBSP, " ") == (
        "Ligne 1 : le code TVA FR_196 correspond à un taux de 19,6 %, alors que le taux de la ligne est de 20 %.")
    rate = next(f for f in found if f.code == "unknown_vat_rate")
    assert says_it_in_both_languages(rate).startswith("Ligne 2 : le taux de TVA de 15,475 % n'est pas un taux applicable en France")
    assert {f.params["variant"] for f in found if f.code == "vat_abroad"} == {"eu", "export", "dom"}
    abroad = [f for f in found if f.code == "vat_abroad" and f.params["variant"] == "eu"][-1]
    assert says_it_in_both_languages(abroad).startswith(
        "TVA française à 20 % sur une vente à un client d'un autre pays de l'UE (DE) : une vente intracommunautaire")
    totals = next(f for f in found if f.code == "totals_mismatch")
    assert "1 000,00" in says_it_in_both_languages(totals).replace(i18n.NNBSP, " ")


def test_siret_keys():
    from ecluse.validation import siret_ok

    assert siret_ok("73282932000074") and not siret_ok("73282932000075") and not siret_ok("7328293200007")
    # La Poste: its head office by the Luhn key, its establishments by a digit sum that 5 divides.
    assert siret_ok("35600000000048")
    assert siret_ok("35600000049837") and not siret_ok("35600000049838")
    assert not siret_ok("35600000000055")  # passes Luhn, not La Poste's rule


def test_harvest_findings_are_said_in_french_and_english():
    invoices = json_loads((ROOT / "tests" / "fixtures" / "harvest" / "invoices_list.json").read_text())["invoices"]
    broken = copy.deepcopy(invoices[0])
    for key in ("number", "currency", "issue_date", "amount"):
        del broken[key]
    broken["due_date"] = "someday"
    broken["line_items"][1].pop("amount")
    broken["line_items"][0]["amount"] = D("1.00")
    off = copy.deepcopy(invoices[0])
    off["tax_amount"], off["amount"] = D("13.51"), D("288.91")
    found = [f for invoice, client in [
        (broken, None),
        (off, {"id": 1, "name": "Vague SARL", "address": "Quelque part\nen Bretagne"}),
        (copy.deepcopy(invoices[0]), {"id": 2, "name": "Nowhere Ltd", "address": None}),
        ({**copy.deepcopy(invoices[0]), "client": None}, None),
        ({**copy.deepcopy(invoices[0]), "issue_date": "2024-13-45"}, {"id": 3, "name": "A", "address": "1 rue X\n75001 Paris"}),
    ] for f in normalize_invoice(invoice, client).findings]
    variants = {(f.code, (f.params or {}).get("variant")) for f in found}
    assert {("address_unparsed", "incomplete"), ("address_unparsed", "none"), ("source_totals_mismatch", None),
            ("line_amount_mismatch", None), ("issue_date_invalid", None), ("counterparty_missing", None)} <= variants
    normalize_codes = codes_in(ROOT / "plugins" / "harvest" / "normalize.py") | {"issue_date_missing", "due_date_invalid",
                                                                                 "issue_date_invalid"}
    assert normalize_codes - {"address_unparsed", "source_totals_mismatch"} <= {f.code for f in found}
    for finding in found:
        says_it_in_both_languages(finding)
    said = [says_it_in_both_languages(f) for f in found if f.code == "source_totals_mismatch"]
    assert any("de ses lignes : TVA 13,51 (recalcul : 13,50) ; total TTC 288,91 (recalcul : 288,90). Vérifiez" in text
               for text in said)


def test_a_finding_without_params_or_template_is_shown_as_stored():
    assert finding_params(Finding("a_plugin_code", "warning", "its own text", params={"x": object()})) is None
    assert i18n.finding_detail("missing_number", "as stored", None, "fr") == "as stored"  # written by an older version
    assert i18n.finding_detail("a_plugin_code", "its own text", "{}", "fr") == "its own text"
    assert i18n.finding_detail("unknown_vat_rate", "kept", '{"line": 1}', "fr") == "kept"  # params that do not fit


def test_findings_keep_their_params_in_the_cache_and_the_review_page_says_them_in_french(workspace, plugins,
                                                                                          fake_source, fake_connection):
    from ecluse.services import fixes, review
    from ecluse.services.sync import sync

    fake_source.pages = [[make_doc("1", number="A-1", total="99.00", rate="15.475"), make_doc("2", number="F-1"), make_doc("3", number="F-1")]]
    [report] = sync(workspace, plugins)
    assert report.status == "ok"
    doc = review.get_document(workspace, "src:1")
    [rate] = [f for f in doc["findings"] if f["code"] == "unknown_vat_rate"]
    assert "15,475 %" in says_it_in_both_languages(rate)
    twin = review.get_document(workspace, "src:2")
    said = {says_it_in_both_languages(f) for f in twin["findings"] if f["code"] == "suspected_duplicate"}
    assert len(said) == 1 and said <= {"Doublon possible de src:3 : même tiers et même numéro F-1.",  # one per pair
                                       "Doublon possible de src:3 : même tiers, même date et même total."}
    # A reviewer's fix validates the document again: the new findings keep their params.
    fixes.fix(workspace, "src:1", "counterparty.siren", "123", actor="anne")
    [siren] = [f for f in review.get_document(workspace, "src:1")["findings"] if f["code"] == "bad_siren"]
    assert says_it_in_both_languages(siren) == f"Le SIREN «{i18n.NBSP}123{i18n.NBSP}» n'est pas valide."


def test_amounts_are_said_with_the_documents_currency_in_french():
    params = {"part": "total_before_tax", "declared": "580.20", "computed": "579.70"}
    message = "total before tax is 580.20 but the lines add up to 579.70 (difference 0.50)."
    assert i18n.finding_detail("totals_mismatch", message, params, "fr", "EUR").replace(i18n.NBSP, " ") == (
        "Le total HT est de 580,20 €, alors que la somme des lignes donne 579,70 € (écart de 0,50 €).")
    assert i18n.finding_detail("totals_mismatch", message, params, "fr", "USD").replace(i18n.NBSP, " ") == (
        "Le total HT est de 580,20 $ US, alors que la somme des lignes donne 579,70 $ US (écart de 0,50 $ US).")
    assert i18n.finding_detail("totals_mismatch", message, params, "fr").replace(i18n.NBSP, " ") == (
        "Le total HT est de 580,20, alors que la somme des lignes donne 579,70 (écart de 0,50).")  # no currency known
    assert i18n.finding_detail("totals_mismatch", message, params, "en", "EUR") == message  # the stored text
    for odd in (None, "n/a"):  # params that do not fit: the stored message, not a crash
        assert i18n.finding_detail("totals_mismatch", message, {**params, "declared": odd}, "fr", "EUR") == message
    # Rates and quantities are not amounts.
    line = {"line": 1, "tax": "7.00", "rate": "19.6", "before_tax": "100.00", "expected": "19.60"}
    assert "19,6 %" in i18n.finding_detail("vat_amount_mismatch", "x", line, "fr", "EUR")


def test_the_missing_parts_of_an_address_are_listed_as_french_does():
    missing = ["street", "postal_code", "city"]
    message = ("The customer's billing address lacks street, postal_code, city; Pennylane requires it to create the "
               "customer.")
    assert i18n.finding_detail("incomplete_address", message, {"missing": missing}, "en") == message
    assert "il manque la rue, le code postal et la ville ;" in i18n.finding_detail(
        "incomplete_address", message, {"missing": missing}, "fr")
    assert "il manque la ville ;" in i18n.finding_detail("incomplete_address", message, {"missing": ["city"]}, "fr")


def test_refused_values_are_said_in_french_and_english(workspace):
    import pytest

    from ecluse.plugins.demo.connector import DemoConnector
    from ecluse.services import fixes, mappings
    from ecluse.services.review import ReviewError
    from ecluse.workspace import WorkspaceError

    with pytest.raises(WorkspaceError) as bad_name:
        workspace.set_connection("Harvest Agence", DemoConnector, {})
    with pytest.raises(mappings.MappingError) as bad_account:
        mappings.check_ledger_account("abc")
    with pytest.raises(mappings.MappingError) as bad_id:
        mappings.check_pennylane_id("abc")
    with pytest.raises(mappings.MappingError) as long_category:
        mappings.check_category("x" * 500)
    with pytest.raises(ReviewError) as bad_country:
        fixes.fix(workspace, "src:1", "counterparty.address.country_alpha2", "France", actor="anne")  # refused before any lookup
    for refused, french in [
            (bad_name, "Nom de connexion invalide (« Harvest Agence ») : utilisez des minuscules sans accent, des "
                       "chiffres, - et _ (par exemple harvest-agence)."),
            (bad_account, "« abc » n'est pas un numéro de compte comptable : un numéro de compte commence par le "
                          "chiffre de sa classe, suivi de chiffres ou de majuscules (3 à 20 caractères en tout, par "
                          "exemple 706000, 401ACME)."),
            (bad_country, "indiquez le code ISO du pays, en deux lettres (FR, BE, DE…)"),
            (bad_id, "« abc » n'est pas un identifiant de client ou de fournisseur Pennylane (un nombre entier positif)."),
            (long_category, "Un libellé de catégorie compte au plus 120 caractères.")]:
        assert i18n.said_text(refused.value.said, "en") == str(refused.value)  # the CLI's text
        assert i18n.said_text(refused.value.said, "fr").replace(i18n.NBSP, " ") == french


def test_settings_refused_when_saved_are_said_in_french_and_english():
    import pytest

    from ecluse.connectors import Connector, Setting, SettingsError, validate_settings

    class Typed(Connector):
        id = "typed"
        settings = (Setting("n", "N", "integer"), Setting("b", "B", "boolean"), Setting("d", "D", "date"),
                    Setting("u", "U", "url"), Setting("c", "C", "choice", choices=("eu", "us")),
                    Setting("r", "R", required=True, translations={"fr": {"label": "Référence"}}))

    # In French a setting is named by its label, as the form shows it; in English by its key (the CLI's).
    for key, bad, french in [("n", "ten", "N : « ten » n'est pas un nombre entier."),
                             ("b", "maybe", "B : « maybe » n'est ni vrai ni faux."),
                             ("d", "someday", "D : « someday » n'est pas une date (AAAA-MM-JJ)."),
                             ("u", "ftp://x", "U : « ftp://x » doit commencer par http:// ou https://."),
                             ("u", "https://", "U : « https:// » n'indique pas de nom de domaine (par exemple "
                                               "https://example.com)."),
                             ("c", "asia", "C : « asia » n'est pas l'un des choix possibles (eu, us).")]:
        with pytest.raises(SettingsError) as refused:
            validate_settings(Typed, {"r": "x", key: bad})
        assert i18n.said_text(refused.value.said, "en") == str(refused.value)  # the CLI's text
        assert i18n.said_text(refused.value.said, "fr").replace(i18n.NBSP, " ") == french
    with pytest.raises(SettingsError) as refused:
        validate_settings(Typed, {})
    assert i18n.said_text(refused.value.said, "fr") == "Le réglage obligatoire « Référence » est vide."
    assert i18n.said_text(refused.value.said, "en") == "missing required setting 'r'"


def test_records_kept_as_problems_are_said_in_french_and_english(workspace, plugins, fake_source, fake_connection):
    from ecluse.connectors import AttachmentReady, Problem, Said
    from ecluse.domain import Attachment
    from ecluse.services import review
    from ecluse.services.sync import sync
    from tests.conftest import PDF, make_doc

    fake_source.pages = [[make_doc("1"), object(), AttachmentReady("nowhere", Attachment("x.pdf", PDF)),
                          Problem("odd record", "7", {"id": 7}, Said("fake.odd", {"n": 1})),
                          Problem("plain record", "8", {"id": 8})]]
    [report] = sync(workspace, plugins)
    assert report.problems == 4
    shown = {p["message"]: i18n.said_or(p["message"], p["said"], "fr") for p in review.list_problems(workspace)}
    assert shown == {
        "connector yielded an unknown item: object": "Le connecteur a produit un élément inconnu : object.",
        "a PDF arrived for a document that is not in the cache": "Un PDF est arrivé pour un document absent du cache.",
        "odd record": "odd record",  # a plugin's code without a template: as the plugin wrote it
        "plain record": "plain record"}
    for p in review.list_problems(workspace):
        assert i18n.said_or(p["message"], p["said"], "en") == p["message"]


def test_harvest_address_refusals_are_said_in_french_and_english():
    import pytest

    from ecluse.connectors import ConnectorError, SettingsError, validate_settings
    from ecluse.plugins.harvest.connector import HarvestConnector, api_base_url, web_base_url

    for domain, french in [
            ("ftp://x", "Adresse web Harvest (« domain ») : « ftp://x » n'est pas une adresse web comme "
                        "https://acme.harvestapp.com."),
            ("acme corp", "Adresse web Harvest (« domain ») : « acme corp » n'est pas une adresse Harvest comme acme "
                          "ou acme.harvestapp.com.")]:
        with pytest.raises(SettingsError) as refused:  # when the connection is saved
            validate_settings(HarvestConnector, {"token": "t", "account_id": "1", "domain": domain})
        assert str(refused.value) == f"domain: {i18n.said_text(refused.value.said, 'en')}"  # the CLI's text
        assert i18n.said_text(refused.value.said, "fr").replace(i18n.NBSP, " ") == french
    # Met by the connector itself (Harvest's own web address, an api_url no setting check saw)
    for call, arg, french in [
            (web_base_url, " ", "L'adresse web Harvest (« domain ») est vide : indiquez celle du compte, par exemple "
                                "acme.harvestapp.com."),
            (api_base_url, "http:", "URL de l'API (« api_url ») : « http: » doit être une URL http(s) comme "
                                    "https://api.harvestapp.com/v2.")]:
        with pytest.raises(ConnectorError) as failed:
            call(arg)
        name = "domain" if call is web_base_url else "api_url"
        assert str(failed.value) == f"{name}: {i18n.said_text(failed.value.said, 'en')}"
        assert i18n.said_text(failed.value.said, "fr").replace(i18n.NBSP, " ") == french
