"""What a finding says, in French and English: `finding.<code>.detail`, or `finding.<code>.<variant>`
when one code has several messages (`params["variant"]`). The placeholders are the names in
`Finding.params`; `i18n.finding_detail` formats numbers, dates, the parts named (`part`,
`missing`: `finding.part.<name>`) and the `differences` listed for the language. The English texts give exactly what the code stores in `findings.message` (the CLI's),
which tests check; a value quoted there (`!r`) is passed quoted.
"""
from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # -- core validation (console/validation.py) ----------------------------------------------
    "finding.missing_number.detail": {"fr": "Le numéro de facture est absent.", "en": "The invoice number is missing."},
    "finding.missing_issue_date.detail": {"fr": "La date d'émission est absente.", "en": "The issue date is missing."},
    "finding.missing_due_date.detail": {
        "fr": "La date d'échéance est absente ; Pennylane en exige une : la date d'émission sera envoyée comme "
              "échéance (paiement à réception). Corrigez-la si les conditions diffèrent.",
        "en": "The due date is missing; Pennylane requires one, so the issue date will be sent as the deadline (payable on receipt): correct it if the terms differ."},
    "finding.missing_totals.detail": {"fr": "Les totaux (HT, TVA, TTC) sont incomplets.",
                                      "en": "Totals (before tax, tax, total) are incomplete."},
    "finding.no_lines.detail": {"fr": "Le document n'a aucune ligne.", "en": "The document has no lines."},
    "finding.future_date.detail": {"fr": "La date d'émission {issue_date} est dans le futur.",
                                   "en": "The issue date {issue_date} is in the future."},
    "finding.due_before_issue.detail": {"fr": "L'échéance du {due_date} est antérieure à la date d'émission du "
                                              "{issue_date}.",
                                        "en": "The due date {due_date} is before the issue date {issue_date}."},
    "finding.bad_currency.detail": {"fr": "La devise {currency} n'est pas un code ISO 4217.",
                                    "en": "Currency {currency} is not an ISO 4217 code."},
    "finding.foreign_currency.detail": {"fr": "Montants en {currency} : vérifiez le taux de change dans Pennylane.",
                                        "en": "Amounts are in {currency}; check the exchange rate in Pennylane."},
    "finding.totals_mismatch.detail": {"fr": "{part} est de {declared}, alors que la somme des lignes donne "
                                             "{computed} (écart de {gap}).",
                                       "en": "{part} is {declared} but the lines add up to {computed} "
                                             "(difference {gap})."},
    "finding.total_not_sum.detail": {"fr": "Total TTC {total} ≠ HT {before_tax} + TVA {tax}.",
                                     "en": "Total {total} ≠ before tax {before_tax} + tax {tax}."},
    "finding.credit_note_positive.detail": {"fr": "Cet avoir a un total positif.",
                                            "en": "This credit note has a positive total."},
    "finding.invoice_negative.detail": {"fr": "Cette facture a un total négatif : est-ce un avoir ?",
                                        "en": "This invoice has a negative total; is it a credit note?"},
    "finding.missing_vat_rate.detail": {"fr": "La ligne {line} n'a pas de taux de TVA.", "en": "Line {line} has no VAT rate."},
    "finding.unknown_vat_rate.detail": {
        "fr": "Ligne {line} : le taux de TVA de {rate} % n'est pas un taux applicable en France (20 %, 10 %, 5,5 %, "
              "2,1 % ou 0 %) ; associez-le à un code TVA ou corrigez-le.",
        "en": "Line {line}: VAT rate {rate}% is not a French rate (20, 10, 5.5, 2.1, 0); map it or fix it."},
    "finding.vat_amount_mismatch.detail": {
        "fr": "Ligne {line} : la TVA de {tax} ne correspond pas à {rate} % de {before_tax} (attendu : {expected}).",
        "en": "Line {line}: VAT {tax} does not match {rate}% of {before_tax} (expected {expected})."},
    "finding.vat_code_rate_mismatch.detail": {
        "fr": "Ligne {line} : le code TVA {vat_code} correspond à un taux de {code_rate} %, alors que le taux de la ligne "
              "est de {rate} %.",
        "en": "Line {line}: VAT code {vat_code} is for {code_rate}%, but the line's VAT rate is {rate}%."},
    "finding.line_total_mismatch.detail": {"fr": "Ligne {line} : {before_tax} + {tax} ≠ {amount}.",
                                           "en": "Line {line}: {before_tax} + {tax} ≠ {amount}."},
    "finding.missing_counterparty.detail": {"fr": "Le document n'a ni client ni fournisseur.",
                                            "en": "The document has no customer or supplier."},
    "finding.missing_counterparty_name.detail": {"fr": "Le tiers n'a pas de nom.", "en": "The counterparty has no name."},
    "finding.incomplete_address.detail": {
        "fr": "L'adresse de facturation du client est incomplète, il manque {missing} ; Pennylane en a besoin pour "
              "créer le client.",
        "en": "The customer's billing address lacks {missing}; Pennylane requires it to create the customer."},
    "finding.account_class.expense_on_sale": {
        "fr": "Ligne {line} : le compte {account} est un compte de charges (classe 6) sur une vente ; vérifiez-le.",
        "en": "Line {line}: account {account} is an expense account (class 6) on a sale; check it."},
    "finding.account_class.income_on_purchase": {
        "fr": "Ligne {line} : le compte {account} est un compte de produits (classe 7) sur un achat ; vérifiez-le.",
        "en": "Line {line}: account {account} is an income account (class 7) on a purchase; check it."},
    "finding.bad_postal_code.detail": {
        "fr": "Le code postal « {postal} » n'est pas un code postal français (cinq chiffres).",
        "en": "Postal code '{postal}' is not a French postal code (five digits)."},
    "finding.bad_vat_number.detail": {"fr": "Le n° de TVA {vat} ne semble pas valide.",
                                      "en": "VAT number {vat} does not look valid."},
    "finding.bad_vat_number.key": {"fr": "N° de TVA {vat} : la clé ne correspond pas au SIREN.",
                                   "en": "VAT number {vat}: the key does not match the SIREN."},
    "said.mapping.vat_other_rate": {
        "fr": "{code} est le code de la TVA à {code_rate} %, pas à {rate} % : choisissez un code de ce taux, ou "
              "corrigez le taux à la source.",
        "en": "{code} is the code of {code_rate}% VAT, not {rate}%: give a code of that very rate, or fix the rate at "
              "the source"},
    "finding.vat_abroad": {"fr": "TVA française hors de France ?", "en": "French VAT abroad?"},
    "finding.vat_abroad.eu": {
        "fr": "TVA française à {rate} % sur une vente à un client d'un autre pays de l'UE ({country}) : une vente "
              "intracommunautaire à une entreprise est en principe autoliquidée ; vérifiez le code TVA des lignes.",
        "en": "French VAT at {rate}% on a sale to a customer in another EU country ({country}): intra-community sales to "
              "businesses are usually reverse-charged; check the lines' VAT code."},
    "finding.vat_abroad.export": {
        "fr": "TVA française à {rate} % sur une vente à un client hors de l'UE ({country}) : une exportation est en "
              "principe sans TVA ; vérifiez le code TVA des lignes.",
        "en": "French VAT at {rate}% on a sale to a customer outside the EU ({country}): exports are usually without VAT; "
              "check the lines' VAT code."},
    "finding.vat_abroad.dom": {
        "fr": "TVA à {rate} % sur une vente à un client d'un département d'outre-mer (code postal {postal_code}) : la "
              "TVA y est de 8,5 % ou 2,1 % (Guadeloupe, Martinique, La Réunion) ou n'est pas appliquée (Guyane, "
              "Mayotte) ; vérifiez la TVA des lignes.",
        "en": "VAT at {rate}% on a sale to a customer in an overseas department (postal code {postal_code}): VAT there is "
              "8.5% or 2.1% (Guadeloupe, Martinique, La Réunion) or not charged (Guyane, Mayotte); check the lines' VAT."},
    "finding.missing_vat_number.detail": {
        "fr": "Client professionnel de l'UE sans n° de TVA intracommunautaire : il est obligatoire pour une facture "
              "intracommunautaire.",
        "en": "EU business customer without a VAT number: intra-community VAT needs one."},
    "finding.bad_siren.detail": {"fr": "Le SIREN {siren} n'est pas valide.", "en": "SIREN {siren} is not valid."},
    "finding.bad_siret.detail": {"fr": "Le SIRET {siret} n'est pas valide : 14 chiffres, le dernier étant une clé de "
                                       "contrôle.",
                                 "en": "SIRET {siret} is not valid: 14 digits, the last one a check digit."},
    "finding.bad_siret.siren": {"fr": "Le SIRET {siret} ne commence pas par le SIREN {siren} : l'un des deux est celui "
                                      "d'une autre entreprise.",
                                "en": "SIRET {siret} does not start with the SIREN {siren}: one of them belongs to another "
                                      "company."},
    "finding.missing_attachment.detail": {"fr": "Pas de PDF : l'import dans Pennylane exige une pièce jointe.",
                                          "en": "No PDF: Pennylane's import needs a file attachment."},
    "finding.attachment_not_pdf.detail": {"fr": "La pièce jointe n'est ni un PDF ni une image PNG ou JPEG.",
                                          "en": "The attached file is not a PDF (or a PNG/JPEG image)."},
    "finding.attachment_pending.detail": {"fr": "Le PDF n'a pas encore été reçu de la source.",
                                          "en": "The PDF has not arrived from the source yet."},
    # -- duplicates (storage/ingest.py) --------------------------------------------------------
    "finding.suspected_duplicate.number": {"fr": "Doublon possible de {other} : même tiers et même numéro {number}.",
                                           "en": "Suspected duplicate of {other}: same counterparty and number {number}."},
    "finding.suspected_duplicate.date_total": {
        "fr": "Doublon possible de {other} : même tiers, même date et même total.",
        "en": "Suspected duplicate of {other}: same counterparty, date and total."},
    "finding.suspected_duplicate.pdf": {"fr": "Doublon possible de {other} : même fichier PDF.",
                                        "en": "Suspected duplicate of {other}: same PDF file."},
    # -- Harvest (plugins/harvest/normalize.py, connector.py) ----------------------------------
    "finding.issue_date_missing.detail": {"fr": "Harvest ne donne pas de date d'émission pour cette facture.",
                                          "en": "Harvest gives no issue date for this invoice."},
    "finding.due_date_missing.detail": {"fr": "Harvest ne donne pas d'échéance pour cette facture.",
                                        "en": "Harvest gives no due date for this invoice."},
    "finding.issue_date_invalid.detail": {"fr": "La date d'émission {value} donnée par Harvest n'est pas une date "
                                                "valide.",
                                          "en": "Harvest's issue date {value} is not a date."},
    "finding.due_date_invalid.detail": {"fr": "L'échéance {value} donnée par Harvest n'est pas une date valide.",
                                        "en": "Harvest's due date {value} is not a date."},
    "finding.line_amount_missing.detail": {
        "fr": "Harvest ne donne pas de montant pour la ligne {line} ; montant calculé (quantité × prix unitaire) : "
              "{amount}.",
        "en": "Harvest gives no amount for line {line}; {amount} computed from quantity × unit price."},
    "finding.line_amount_mismatch.detail": {
        "fr": "Ligne {line} : le montant Harvest ({amount}) ne correspond pas à la quantité ({quantity}) × le prix "
              "unitaire ({unit_price}).",
        "en": "line {line}: Harvest's amount {amount} is not quantity {quantity} × unit price {unit_price}."},
    "finding.counterparty_missing.detail": {"fr": "La facture n'indique aucun client Harvest.",
                                            "en": "The invoice names no Harvest client."},
    "finding.address_unparsed.unreadable": {
        "fr": "Le client Harvest {client} n'a pas pu être lu, son adresse est donc inconnue ; complétez-la avant "
              "l'envoi.",
        "en": "The Harvest client {client} could not be read, so its address is unknown; complete it before sending."},
    "finding.address_unparsed.incomplete": {
        "fr": "Dans l'adresse Harvest de {client} ({address}), impossible de repérer {missing} ; complétez-la avant "
              "l'envoi.",
        "en": "Harvest's address for {client} ({address}) lacks or hides the {missing}; complete it before sending."},
    "finding.address_unparsed.none": {
        "fr": "Harvest n'a pas d'adresse pour {client} (il manque {missing}) ; saisissez-la avant l'envoi.",
        "en": "Harvest has no address for {client}; it lacks or hides the {missing}; complete it before sending."},
    "finding.address_unparsed.free_text": {
        "fr": "La source donne cette adresse en texte libre, impossible à découper en rue, code postal et ville : "
              "{address}. Complétez-la dans l'onglet Corriger, ou dans la source.",
        "en": "The source gives this address as free text that could not be split into street, postal code and city: "
              "{address}. Complete it in the console's Fix tab, or in the source."},
    "finding.source_total_missing.detail": {
        "fr": "Harvest ne donne pas de montant total ; total recalculé à partir des lignes : {amount}.",
        "en": "Harvest gives no total amount; {amount} recomputed from the lines."},
    "finding.source_totals_mismatch.detail": {
        "fr": "Les totaux de Harvest diffèrent de ceux recalculés à partir de ses lignes : {differences}. Vérifiez la"
              " facture dans Harvest avant de l'approuver.",
        "en": "Harvest's totals differ from the ones recomputed from its lines: {differences}. "
              "Check the invoice in Harvest before approving."},
    "finding.source_totals_mismatch.difference": {"fr": "{part} {harvest} (recalcul : {computed})",
                                                  "en": "{part} {harvest} (recomputed {computed})"},
    "finding.currency_missing.detail": {"fr": "Harvest ne donne pas de devise pour cette facture ; EUR retenu par "
                                              "défaut, à vérifier.",
                                        "en": "Harvest gives no currency for this invoice; EUR assumed, check it."},
    "finding.number_missing.detail": {"fr": "Harvest ne donne pas de numéro pour cette facture.",
                                      "en": "Harvest gives no number for this invoice."},
    "finding.attachment_unavailable.no_key": {
        "fr": "Harvest ne donne pas de client_key utilisable pour cette facture, son PDF ne peut donc pas être "
              "récupéré ; joignez-le manuellement.",
        "en": "Harvest gives no usable client_key for this invoice, so its PDF cannot be fetched; attach it by hand."},
    "finding.attachment_unavailable.http": {
        "fr": "Harvest n'a pas fourni le PDF de la facture (HTTP {status}) ; joignez-le manuellement.",
        "en": "Harvest did not deliver the invoice PDF (HTTP {status}); attach it by hand."},
    "finding.attachment_not_pdf.harvest": {
        "fr": "À l'adresse du PDF, Harvest a répondu autre chose qu'un PDF ({media_type}) ; téléchargez la facture "
              "depuis Harvest et joignez-la manuellement.",
        "en": "Harvest answered the PDF address with something that is not a PDF ({media_type}); download the invoice "
              "from Harvest and attach it by hand."},
    "finding.history_import.detail": {
        "fr": "Émise le {issue_date}, avant le début de la période d'import par défaut de la connexion "
              "({default_start}) : vérifiez qu'elle n'est pas déjà dans Pennylane.",
        "en": "Issued on {issue_date}, before the connection's default window ({default_start}): check that it is "
              "not already in Pennylane."},
    "finding.gone_from_source.harvest": {
        "fr": "Harvest ne liste plus cette facture parmi ses factures finalisées émises depuis le {since} (supprimée, "
              "ou repassée en brouillon). Vérifiez-la dans Harvest avant de l'envoyer, ou rejetez-la.",
        "en": "Harvest no longer lists this invoice among its finalized invoices issued since {since} (deleted, or put "
              "back to draft). Check it in Harvest before sending it, or reject it."},
    # -- the values named in the texts above ------------------------------------------------
    "finding.part.street": {"fr": "la rue", "en": "street"},
    "finding.part.postal code": {"fr": "le code postal", "en": "postal code"},
    "finding.part.postal_code": {"fr": "le code postal", "en": "postal_code"},
    "finding.part.city": {"fr": "la ville", "en": "city"},
    "finding.part.country": {"fr": "le pays", "en": "country"},
    "finding.part.country_alpha2": {"fr": "le pays", "en": "country_alpha2"},
    "finding.part.discount_amount": {"fr": "remise", "en": "discount_amount"},
    "finding.part.tax_amount": {"fr": "TVA", "en": "tax_amount"},
    "finding.part.tax2_amount": {"fr": "seconde taxe", "en": "tax2_amount"},
    "finding.part.amount": {"fr": "total TTC", "en": "amount"},
    "finding.part.total_before_tax": {"fr": "Le total HT", "en": "total before tax"},
    "finding.part.total_tax": {"fr": "La TVA", "en": "total tax"},
    "finding.part.total": {"fr": "Le total TTC", "en": "total"},
}
