"""Messages for review fixes, duplicates, mappings, reconciliation extras and the Plugins page's newer texts, French first (merged into `ecluse.i18n.MESSAGES`)."""
from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # -- navigation, history ------------------------------------------------------------------
    "nav.mappings": {"fr": "Correspondances", "en": "Mappings"},
    "action.duplicate_dismissed": {"fr": "doublon écarté (les deux gardés)", "en": "duplicate dismissed (both kept)"},
    "action.duplicate_restored": {"fr": "doublon à nouveau suspecté", "en": "duplicate suspected again"},
    "hist.duplicate_of": {"fr": "Autre document", "en": "Other document"},
    # Reasons the core gives a decision (audit.reason_said; audit.reason keeps the English).
    "said.reason.all_valid": {"fr": "aucune erreur : approuvé avec « Approuver tous les valides »",
                              "en": "no error: approved with “Approve all valid”"},
    "said.reason.duplicate_of": {"fr": "doublon de {number} ({id})", "en": "duplicate of {number} ({id})"},
    "said.reason.duplicate_of_id": {"fr": "doublon de {id}", "en": "duplicate of {id}"},
    "said.reason.not_duplicate": {"fr": "pas un doublon : les deux documents sont gardés",
                                  "en": "not a duplicate: both kept"},
    "said.reason.duplicate_again": {"fr": "de nouveau suspecté comme doublon", "en": "suspected as a duplicate again"},

    # -- review queue ---------------------------------------------------------------------------
    "queue.approve_help": {"fr": "Raccourci : Ctrl+Entrée. Le document suivant est ensuite sélectionné.",
                           "en": "Shortcut: Ctrl+Enter. The next document is selected afterwards."},
    "queue.focus_outside": {
        "fr": "Ce document ne correspond plus aux filtres de la liste ; il reste affiché ici jusqu'à ce que vous en sélectionniez un autre.",
        "en": "This document no longer matches the list's filters; it stays shown here until you select another one."},

    # -- accounts Pennylane's chart lacks (the send would hold the invoice), in the queue ---------------
    "review.flag_account_absent": {"fr": "compte absent de Pennylane", "en": "account not in Pennylane"},
    "review.approve_all_valid_left_out": {
        "fr": "{n|Laissé|Laissés} de côté : **{n}** {n|document|documents} dont le compte comptable est absent du "
              "plan comptable de Pennylane (listes lues le {when}) ; l'envoi {n|le bloquerait|les bloquerait}. "
              "Corrigez le compte (onglet Corriger) ou relisez les listes (page Correspondances).",
        "en": "Left out: **{n}** {n|document|documents} whose ledger account is not in Pennylane's chart (lists read "
              "on {when}); the send would hold {n|it|them}. Fix the account (Fix tab) or read the lists again "
              "(Mappings page)."},
    "review.left_out": {
        "fr": "{n} {n|document laissé|documents laissés} à revoir : compte comptable absent de Pennylane ({accounts}).",
        "en": "{n} {n|document|documents} left to review: ledger account not in Pennylane ({accounts})."},
    # -- a document's header -------------------------------------------------------------------------
    "review.status_reason_held": {"fr": "Envoi bloqué : {reason}", "en": "Held before sending: {reason}"},
    "review.status_reason_sent": {"fr": "Avertissement de l'envoi : {reason}", "en": "Sending warning: {reason}"},
    "review.pennylane_deleted": {
        "fr": "Cette facture n'existe plus dans Pennylane (supprimée, d'après la vérification du {when}).",
        "en": "This invoice no longer exists in Pennylane (deleted, as the check of {when} found)."},

    # -- a document's lines: the account each will be sent to -------------------------------------
    "lines.col_account": {"fr": "Compte Pennylane", "en": "Pennylane account"},
    "lines.fullscreen": {"fr": "Le tableau partage la largeur avec le PDF : l'icône « plein écran », en haut à droite du "
                               "tableau quand la souris le survole, le montre en entier.",
                         "en": "The table shares the width with the PDF: the “fullscreen” icon, at the table's top "
                               "right when the mouse is over it, shows it whole."},
    "lines.col_account_help": {
        "fr": "Le compte que l'envoi donnera à la ligne : celui de sa correction, sinon la correspondance de son code "
              "(ou de la première de ses parties qui a une correspondance), sinon le compte par défaut « * ». Un compte "
              "absent du plan comptable de Pennylane bloque le document (mis En attente) à l'envoi.",
        "en": "The account the send will give the line: its fix's, else the mapping of its code (or of the first of its "
              "parts that has a mapping), else the default account “*”. An account missing from Pennylane's chart of "
              "accounts holds the document (put On hold) at the send."},
    "lines.col_source_code": {"fr": "Code comptable (source)", "en": "Accounting code (source)"},
    "lines.account_fixed": {"fr": "{account} (corrigé)", "en": "{account} (fixed)"},
    "lines.account_part": {"fr": "{account} (par {part})", "en": "{account} (by {part})"},
    "lines.account_default": {"fr": "{account} (par défaut)", "en": "{account} (default)"},
    "lines.account_none": {"fr": "aucun", "en": "none"},
    "lines.account_absent": {"fr": "{shown} ⚠ absent de Pennylane", "en": "{shown} ⚠ not in Pennylane"},
    "lines.account_disabled": {"fr": "{shown} ⚠ désactivé dans Pennylane", "en": "{shown} ⚠ disabled in Pennylane"},
    "lines.col_account_label": {"fr": "Intitulé (Pennylane)", "en": "Name (Pennylane)"},
    "lines.col_account_label_help": {
        "fr": "L'intitulé du compte dans le plan comptable de Pennylane, tel que lu le {when} (page Correspondances).",
        "en": "The account's name in Pennylane's chart of accounts, as read on {when} (Mappings page)."},
    "lines.accounts_absent": {
        "fr": "{n|Compte|Comptes} {accounts} {n|absent|absents} de Pennylane : la facture sera bloquée à l'envoi. Créez "
              "{n|le compte|les comptes} dans Pennylane ou choisissez-en un autre (Correspondances, ou l'onglet "
              "Corriger).",
        "en": "{n|Account|Accounts} {accounts} not in Pennylane: the invoice will be held at the send. Create "
              "{n|it|them} in Pennylane or choose another one (Mappings, or the Fix tab)."},
    "lines.accounts_disabled": {
        "fr": "{n|Compte|Comptes} {accounts} {n|désactivé|désactivés} dans Pennylane : vérifiez-{n|le|les} avant l'envoi, ou "
              "choisissez-en un autre.",
        "en": "{n|Account|Accounts} {accounts} disabled in Pennylane: check {n|it|them} before sending, or choose "
              "another one."},
    "lines.vat_fixed": {"fr": "{code} (corrigé)", "en": "{code} (fixed)"},
    "lines.vat_source": {"fr": "{code} (source)", "en": "{code} (source)"},
    "lines.vat_mapping": {"fr": "{code} (correspondance du taux)", "en": "{code} (rate's mapping)"},
    "lines.vat_default": {"fr": "{code} (d'après le taux)", "en": "{code} (from the rate)"},
    "lines.vat_default_eu": {"fr": "{code} (0 %, client entreprise dans l'UE)",
                             "en": "{code} (0%, business client in the EU)"},
    "lines.vat_mapping_eu": {"fr": "{code} (correspondance du 0 % client UE)",
                             "en": "{code} (mapping of 0% to an EU client)"},
    "lines.vat_default_export": {"fr": "{code} (0 %, client hors UE)", "en": "{code} (0%, client outside the EU)"},
    "lines.vat_mapping_export": {"fr": "{code} (correspondance du 0 % client hors UE)",
                                 "en": "{code} (mapping of 0% to a client outside the EU)"},
    "lines.vat_none": {"fr": "aucun : bloque l'envoi", "en": "none: holds the send"},
    "lines.col_vat_help": {
        "fr": "Le code TVA que l'envoi donnera à la ligne : celui de sa correction, sinon le code de la source s'il "
              "est valide, sinon celui de son taux (correspondance TVA, ou le code par défaut du taux ; à 0 %, selon le "
              "pays du client). Sans code, le document est mis En attente à l'envoi.",
        "en": "The VAT code the send will give the line: its fix's, else the source's code when valid, else its "
              "rate's (the VAT mapping, or the rate's default code; at 0%, by the client's country). Without one, the document is put On hold at "
              "the send."},
    "lines.no_account": {
        "fr": "{n} {n|ligne n'a|lignes n'ont} pas de compte Pennylane. Le document n'est pas bloqué pour autant : "
              "{n|elle partira|elles partiront} sans compte et Pennylane choisira lui-même le compte, à vérifier ensuite. Pour "
              "imposer un compte, associez le code comptable à un compte (ou définissez un compte par défaut « * ») "
              "dans Correspondances, ou corrigez la ligne dans l'onglet Corriger.",
        "en": "{n} {n|line has|lines have} no Pennylane account. The document is not held for that: {n|it|they} will "
              "go without an account and Pennylane will choose one itself, to check afterwards. To set an account, "
              "map the accounting code to one (or set a default account “*”) in Mappings, or fix the line in the "
              "Fix tab."},

    # -- a sent document that the last check in Pennylane found different ----------------------
    "review.findings_pennylane": {"fr": "Écart avec Pennylane", "en": "Differs in Pennylane"},
    "review.flag_amount_mismatch": {"fr": "écart de montant dans Pennylane", "en": "amount differs in Pennylane"},
    "review.flag_changed_in_pennylane": {"fr": "modifié dans Pennylane", "en": "modified in Pennylane"},
    "review.flag_missing": {"fr": "supprimé de Pennylane", "en": "deleted from Pennylane"},
    "review.no_decision_checked": {
        "fr": "Déjà envoyé à Pennylane, où la dernière vérification a trouvé un écart : rien à décider ici, la "
              "correction se fait dans Pennylane (détail ci-dessous).",
        "en": "Already sent to Pennylane, where the last check found a difference: nothing to decide here, the fix "
              "is made in Pennylane (details below)."},
    "review.check_title": {"fr": "Vérification dans Pennylane du {when} : {message}.",
                           "en": "Check in Pennylane on {when}: {message}."},
    "review.check_amounts": {"fr": "Envoyé : {expected} ; dans Pennylane : {found}.",
                             "en": "Sent: {expected}; in Pennylane: {found}."},
    "review.check_todo_amount_mismatch": {
        "fr": "Corrigez le montant dans Pennylane (ou émettez un avoir) : Écluse ne renvoie pas un document déjà "
              "envoyé. « Confirmer avec Pennylane » (page Envoi) vérifiera à nouveau.",
        "en": "Correct the amount in Pennylane (or issue a credit note): Écluse does not send a document already "
              "sent again. “Confirm with Pennylane” (Send page) will check again."},
    "review.check_todo_changed": {
        "fr": "Le montant est le même, mais la facture a été modifiée dans Pennylane après l'envoi : vérifiez-y la "
              "modification. Écluse ne renvoie pas un document déjà envoyé.",
        "en": "The amount is the same, but the invoice was modified in Pennylane after the send: check the change "
              "there. Écluse does not send a document already sent again."},
    "review.check_todo_missing": {
        "fr": "La facture a été supprimée de Pennylane. Écluse ne peut pas la renvoyer : un document envoyé n'a plus "
              "de décision possible ici. Si elle doit figurer dans Pennylane, recréez-la dans Pennylane (son PDF "
              "est téléchargeable ci-dessous).",
        "en": "The invoice was deleted from Pennylane. Écluse cannot send it again: a document already sent has no "
              "decision left here. If it belongs in Pennylane, create it again there (its PDF can be downloaded "
              "below)."},

    # -- fixes in place ----------------------------------------------------------------------------
    "fx.tab": {"fr": "Corriger ({n})", "en": "Fix ({n})"},
    "fx.intro": {
        "fr": "Les corrections s'appliquent à l'envoi vers Pennylane et survivent aux synchronisations, sauf si la source modifie elle-même le champ. Chacune est tracée dans l'historique.",
        "en": "Fixes apply when sending to Pennylane and survive syncs, unless the source itself changes the field. Each one is recorded in the history."},
    "fx.not_editable": {"fr": "Un document « {status} » ne peut plus être corrigé.",
                        "en": "A document that is “{status}” can no longer be fixed."},
    "fx.name": {"fr": "Raison sociale", "en": "Name"},
    "fx.vat_number": {"fr": "N° de TVA", "en": "VAT number"},
    "fx.left": {"fr": "À traiter : {items}", "en": "To deal with: {items}"},
    "fx.amounts_elsewhere": {
        "fr": "Les montants ne se corrigent pas ici : corrigez-les dans la source (la prochaine synchronisation les "
              "relit), ou approuvez malgré les erreurs avec un motif si les montants de la source sont les bons.",
        "en": "Amounts are not fixed here: fix them in the source (the next sync reads them again), or approve despite "
              "the errors with a reason if the source's amounts are right."},
    "fx.siren": {"fr": "SIREN", "en": "SIREN"},
    "fx.siret": {"fr": "SIRET", "en": "SIRET"},
    "fx.email": {"fr": "E-mail", "en": "Email"},
    "fx.street": {"fr": "Adresse : rue", "en": "Address: street"},
    "fx.postal_code": {"fr": "Adresse : code postal", "en": "Address: postal code"},
    "fx.city": {"fr": "Adresse : ville", "en": "Address: city"},
    "fx.country": {"fr": "Adresse : pays (code ISO)", "en": "Address: country (ISO code)"},
    "fx.country_help": {"fr": "Deux lettres : FR, BE, DE…", "en": "Two letters: FR, BE, DE…"},
    "fx.empty_ph": {"fr": "vide", "en": "empty"},
    "fx.counterparty_title": {"fr": "Tiers : {name}", "en": "Counterparty: {name}"},
    "fx.counterparty_shared": {
        "fr": "Une correction du tiers vaut pour tous ses documents ({n} dans le cache), pas seulement celui-ci.",
        "en": "A counterparty fix applies to all its documents ({n} in the cache), not only this one."},
    "fx.no_counterparty": {"fr": "Ce document n'a pas de tiers à corriger.", "en": "This document has no counterparty to fix."},
    "fx.restore_hint": {"fr": "Vider un champ corrigé rétablit la valeur de la source.",
                        "en": "Emptying a fixed field restores the source's value."},
    "fx.save_counterparty": {"fr": "Enregistrer le tiers", "en": "Save the counterparty"},
    "fx.nothing_changed": {"fr": "Aucune valeur modifiée.", "en": "No value changed."},
    "fx.example": {"fr": "par exemple {value}", "en": "e.g. {value}"},
    "fx.saved": {"fr": "{n} {n|correction enregistrée|corrections enregistrées} ; les anomalies ont été recalculées.",
                 "en": "{n} {n|fix|fixes} saved; findings were checked again."},
    "fx.lines_title": {"fr": "Lignes : compte, code TVA, libellé", "en": "Lines: account, VAT code, label"},
    "fx.line": {"fr": "Ligne", "en": "Line"},
    "fx.line_option": {"fr": "{n} — {label} ({rate} %)", "en": "{n} — {label} ({rate}%)"},
    "fx.line_field": {"fr": "Ligne {n} : {field}", "en": "Line {n}: {field}"},
    "fx.ledger_account": {"fr": "Compte comptable", "en": "Ledger account"},
    "fx.ledger_help": {"fr": "Numéro du plan de comptes Pennylane (706000, 401ACME). Vide : la correspondance du code comptable s'applique.",
                       "en": "Number in Pennylane's chart of accounts (706000, 401ACME). Empty: the accounting code's mapping applies."},
    "fx.vat_code": {"fr": "Code TVA Pennylane", "en": "Pennylane VAT code"},
    "fx.vat_help": {"fr": "Codes acceptés par Pennylane. Sans code, le taux de la ligne est converti par la correspondance "
                          "TVA (à 0 %, selon le pays du client).",
                    "en": "Codes Pennylane accepts. Without one, the line's rate goes through the VAT mapping (at 0%, by "
                          "the client's country)."},
    "fx.vat_code_default": {"fr": "D'après le taux : {code}", "en": "From the rate: {code}"},
    "fx.vat_code_none": {"fr": "D'après le taux : aucun code", "en": "From the rate: no code"},
    "fx.label": {"fr": "Libellé", "en": "Label"},
    "fx.hint_mapped": {"fr": "Code comptable de la source : {hint} → compte {account} (correspondance).",
                       "en": "Source accounting code: {hint} → account {account} (mapping)."},
    "fx.hint_part": {"fr": "Code comptable de la source : {hint} → compte {account} (correspondance de {part}).",
                     "en": "Source accounting code: {hint} → account {account} (mapping of {part})."},
    "fx.hint_fixed_code": {"fr": "Compte {account}, corrigé sur cette ligne (au lieu de {previous} par "
                                 "correspondance de {hint}) ; videz le champ pour revenir à la correspondance.",
                           "en": "Account {account}, fixed on this line (instead of {previous} by the mapping of "
                                 "{hint}); empty the field to go back to the mapping."},
    "fx.hint_fixed_part": {"fr": "Compte {account}, corrigé sur cette ligne (au lieu de {previous} par {part}) ; "
                                 "videz le champ pour revenir à la correspondance.",
                           "en": "Account {account}, fixed on this line (instead of {previous} by {part}); empty the "
                                 "field to go back to the mapping."},
    "fx.hint_fixed_default": {"fr": "Compte {account}, corrigé sur cette ligne (au lieu de {previous}, le compte par "
                                    "défaut) ; videz le champ pour revenir au compte par défaut.",
                              "en": "Account {account}, fixed on this line (instead of {previous}, the fallback "
                                    "account); empty the field to go back to the fallback account."},
    "fx.hint_fixed_none": {"fr": "Compte {account}, corrigé sur cette ligne (sans correction, elle partirait sans "
                                 "compte) ; videz le champ pour retirer la correction.",
                           "en": "Account {account}, fixed on this line (without the fix, it would go without an "
                                 "account); empty the field to remove the fix."},
    "fx.hint_unmapped": {"fr": "Code comptable de la source : {hint}, sans correspondance.",
                         "en": "Source accounting code: {hint}, not mapped."},
    "fx.hint_none": {"fr": "La source ne donne pas de code comptable pour cette ligne.",
                     "en": "The source gives no accounting code for this line."},
    "fx.open_mappings": {"fr": "Associer les codes comptables à des comptes (Correspondances)",
                         "en": "Map accounting codes to accounts (Mappings)"},
    "fx.fallback": {"fr": "Compte par défaut : {account}.", "en": "Fallback account: {account}."},
    "fx.save_line": {"fr": "Enregistrer la ligne {n}", "en": "Save line {n}"},
    "fx.category": {"fr": "Catégorie", "en": "Category"},
    "fx.category_label": {"fr": "Catégorie Pennylane (libellé)", "en": "Pennylane category (label)"},
    "fx.category_sales": {"fr": "Ventes", "en": "Sales"},
    "fx.category_purchases": {"fr": "Achats", "en": "Purchases"},
    "fx.category_default": {"fr": "Catégorie par défaut des {side} de la connexion : {category} (page "
                                  "Correspondances).",
                            "en": "The connection's default category for its {side}: {category} (Mappings page)."},
    "fx.category_no_default": {"fr": "Aucune catégorie par défaut pour les {side} de cette connexion (page "
                                     "Correspondances).",
                               "en": "No default category for this connection's {side} (Mappings page)."},
    "fx.save_category": {"fr": "Enregistrer la catégorie", "en": "Save the category"},
    "fx.current": {"fr": "Corrections en vigueur ({n})", "en": "Fixes in force ({n})"},
    "fx.none": {"fr": "Aucune correction : les valeurs sont celles de la source.",
                "en": "No fix: the values are the source's."},
    "fx.col_source": {"fr": "Valeur de la source", "en": "Source value"},
    "fx.col_source_code": {"fr": "Code comptable de la source", "en": "Source accounting code"},
    "fx.shared_badge": {"fr": "tous les documents du tiers", "en": "all the counterparty's documents"},
    "fx.address_raw": {"fr": "Adresse telle que la source l'a donnée : « {text} »",
                       "en": "Address as the source gave it: “{text}”"},
    "fx.restore": {"fr": "Rétablir", "en": "Restore"},
    "fx.restore_help": {"fr": "Rétablir la valeur de la source", "en": "Restore the source's value"},
    "fx.restored": {"fr": "{field} : valeur de la source rétablie ({value}).",
                    "en": "{field}: the source's value is back ({value})."},
    "fx.restored_account": {"fr": "{field} : le compte est à nouveau celui des correspondances pour le code de la "
                                  "source ({value}).",
                            "en": "{field}: the account is again the one Mappings give the source's code ({value})."},

    # -- duplicates side by side -----------------------------------------------------------------
    "dup.tab": {"fr": "Doublons suspectés ({n})", "en": "Suspected duplicates ({n})"},
    "dup.intro": {
        "fr": "Même tiers et même numéro, même tiers, date et montant, ou même PDF, toutes connexions confondues. Ce qui diffère est en orange.",
        "en": "Same counterparty and number, same counterparty, date and amount, or same PDF, across connections. What differs is in orange."},
    "dup.pair": {"fr": "Doublon possible : {other} ({connection})", "en": "Possible duplicate: {other} ({connection})"},
    "dup.reason_number": {"fr": "même tiers et même numéro", "en": "same counterparty and number"},
    "dup.reason_date_total": {"fr": "même date et même montant", "en": "same date and amount"},
    "dup.reason_pdf": {"fr": "même PDF", "en": "same PDF"},
    "dup.reason_other": {"fr": "même tiers", "en": "same counterparty"},
    "dup.this_document": {"fr": "Ce document", "en": "This document"},
    "dup.twin": {"fr": "Doublon suspecté", "en": "Suspected duplicate"},
    "dup.f_connection": {"fr": "Connexion", "en": "Connection"},
    "dup.f_number": {"fr": "Numéro", "en": "Number"},
    "dup.f_issue_date": {"fr": "Date", "en": "Date"},
    "dup.f_counterparty": {"fr": "Tiers", "en": "Counterparty"},
    "dup.f_totals": {"fr": "HT / TVA / TTC", "en": "Before tax / VAT / total"},
    "dup.f_status": {"fr": "Statut", "en": "Status"},
    "dup.f_pdf": {"fr": "PDF (empreinte)", "en": "PDF (hash)"},
    "dup.no_pdf": {"fr": "aucun", "en": "none"},
    "dup.in_pennylane": {"fr": "Voir dans Pennylane", "en": "See in Pennylane"},
    "dup.keep_both": {"fr": "Garder les deux", "en": "Keep both"},
    "dup.keep_both_help": {"fr": "Ce ne sont pas des doublons : la paire ne sera plus signalée, même après une synchronisation.",
                           "en": "These are not duplicates: the pair will not be flagged again, even after a sync."},
    "dup.kept": {"fr": "Les deux documents sont gardés ; cette paire ne sera plus signalée.",
                 "en": "Both documents are kept; this pair will not be flagged again."},
    "dup.reject_this": {"fr": "Rejeter ce document", "en": "Reject this document"},
    "dup.reject_this_help": {"fr": "Rejeté comme doublon de l'autre (motif enregistré).",
                             "en": "Rejected as a duplicate of the other (reason recorded)."},
    "dup.reject_other": {"fr": "Rejeter l'autre", "en": "Reject the other"},
    "dup.reject_other_help": {"fr": "L'autre est rejeté comme doublon de celui-ci (motif enregistré).",
                              "en": "The other is rejected as a duplicate of this one (reason recorded)."},
    "dup.rejected": {"fr": "{number} rejeté comme doublon.", "en": "{number} rejected as a duplicate."},
    "dup.refused": {"fr": "Rejet refusé : {why}", "en": "Rejection refused: {why}"},
    "dup.open_twin": {"fr": "Ouvrir l'autre", "en": "Open the other"},
    "dup.dismissed_title": {"fr": "Paires écartées (les deux gardés)", "en": "Dismissed pairs (both kept)"},
    "dup.dismissed_line": {"fr": "{number} ({connection}) — écarté par {actor} le {when}",
                           "en": "{number} ({connection}) — dismissed by {actor} on {when}"},
    "dup.restore": {"fr": "Suspecter à nouveau", "en": "Suspect again"},
    "dup.restored": {"fr": "La paire est de nouveau vérifiée.", "en": "The pair is checked again."},

    # -- mappings page ---------------------------------------------------------------------------
    "map.title": {"fr": "Correspondances", "en": "Mappings"},
    "map.intro": {
        "fr": "Ce que disent les sources, traduit pour Pennylane : comptes, codes TVA, catégories, tiers. Enregistré dans ecluse.toml et appliqué à l'envoi.",
        "en": "What the sources say, translated for Pennylane: accounts, VAT codes, categories, counterparties. Stored in ecluse.toml and applied when sending."},
    "map.tab_ledger": {"fr": "Comptes comptables", "en": "Ledger accounts"},
    "map.tab_vat": {"fr": "TVA", "en": "VAT"},
    "map.tab_categories": {"fr": "Catégories", "en": "Categories"},
    "map.tab_counterparties": {"fr": "Tiers", "en": "Counterparties"},
    "map.m_ledger": {"fr": "Codes sans compte", "en": "Codes without an account"},
    "map.m_ledger_help": {"fr": "{lines} {lines|ligne concernée|lignes concernées}, sans compte par défaut (*) pour "
                                "{lines|la|les} rattraper.",
                          "en": "{lines} {lines|line|lines} concerned, with no fallback account (*) to catch "
                                "{lines|it|them}."},
    "map.m_vat": {"fr": "Taux de TVA sans code", "en": "VAT rates without a code"},
    "map.m_vat_help": {"fr": "{lines} {lines|ligne serait mise|lignes seraient mises} en attente à l'envoi.",
                       "en": "{lines} {lines|line|lines} would be held when sending."},
    "map.m_categories": {"fr": "Ventes ou achats sans catégorie", "en": "Sides without a category"},
    "map.m_categories_help": {
        "fr": "Côtés (ventes, achats) des connexions qui ont des documents mais pas de catégorie par défaut "
              "(facultatif).",
        "en": "Sides (sales, purchases) of connections with documents but no default category (optional)."},
    "map.m_counterparties": {"fr": "Tiers associés à la main", "en": "Matched by hand"},
    "map.m_counterparties_help": {"fr": "Les autres sont retrouvés ou créés dans Pennylane à l'envoi.",
                                  "en": "The others are found or created in Pennylane when sending."},
    "map.todo_ledger": {"fr": "{n} {n|code comptable|codes comptables} sans compte ({lines} {lines|ligne|lignes}).",
                        "en": "{n} accounting {n|code|codes} without an account ({lines} {lines|line|lines})."},
    "map.todo_vat": {"fr": "{n} taux de TVA sans code Pennylane ({lines} {lines|ligne|lignes}).",
                     "en": "{n} VAT {n|rate|rates} without a Pennylane code ({lines} {lines|line|lines})."},
    "map.all_mapped": {"fr": "Tout ce que contient le cache a une correspondance.",
                       "en": "Everything in the cache is mapped."},
    "map.saved": {"fr": "{n} {n|correspondance enregistrée|correspondances enregistrées} dans ecluse.toml.",
                  "en": "{n} {n|mapping|mappings} saved to ecluse.toml."},
    "map.nothing_changed": {"fr": "Aucune valeur modifiée.", "en": "No value changed."},
    "map.refused": {"fr": "Rien n'a été enregistré : {n} {n|valeur refusée|valeurs refusées}.",
                    "en": "Nothing was saved: {n} {n|value|values} refused."},
    "map.col_state": {"fr": "État", "en": "State"},
    "map.col_lines": {"fr": "Lignes", "en": "Lines"},
    "map.state_mapped": {"fr": "Associé", "en": "Mapped"},
    "map.state_default": {"fr": "Code par défaut", "en": "Default code"},
    "map.state_fallback": {"fr": "Compte par défaut (*)", "en": "Fallback account (*)"},
    "map.state_by_part": {"fr": "Par {part}", "en": "Through {part}"},
    "map.state_unmapped": {"fr": "Sans correspondance", "en": "Not mapped"},
    "map.state_invalid": {"fr": "Code refusé par Pennylane", "en": "Code Pennylane refuses"},
    "map.ledger_intro": {
        "fr": "Codes comptables trouvés sur les lignes du cache, les plus utilisés d'abord. Indiquez le numéro de compte Pennylane de chacun ; la ligne * sert de compte par défaut pour tout code sans correspondance. Une ligne corrigée en revue garde son compte. Un code composé (kind:Product|project:P1) prend le compte de sa première partie associée quand il n'en a pas lui-même : les parties sont en tête de liste, associer kind:Product couvre tous ses projets.",
        "en": "Accounting codes found on the cache's lines, most used first. Give each one its Pennylane account number; the * row is the fallback for any code not mapped. A line fixed in review keeps its own account. A code made of parts (kind:Product|project:P1) takes the account of its first mapped part when it has none itself: the parts come first in the list, and mapping kind:Product covers all its projects."},
    "map.col_hint": {"fr": "Code de la source", "en": "Source code"},
    "map.col_hint_help": {"fr": "Code comptable donné par la source (compte, catégorie, type de prestation…).",
                          "en": "Accounting code the source gives (account, category, service type…)."},
    "map.col_account": {"fr": "Compte Pennylane", "en": "Pennylane account"},
    "map.col_account_help": {"fr": "Numéro du plan de comptes : 706000, 401ACME. Vide : aucune correspondance.",
                             "en": "Number in the chart of accounts: 706000, 401ACME. Empty: no mapping."},
    "map.ledger_no_code": {"fr": "{lines} {lines|ligne n'a|lignes n'ont} pas de code comptable : {lines|elle prend|elles "
                                 "prennent} le compte par défaut (*).",
                           "en": "{lines} {lines|line has|lines have} no accounting code: {lines|it takes|they take} the "
                                 "fallback account (*)."},
    "map.save_ledger": {"fr": "Enregistrer les comptes", "en": "Save the accounts"},
    "map.vat_intro": {
        "fr": "Taux de TVA trouvés sur les lignes du cache. Les taux français ont un code par défaut ; choisissez un code pour les autres, ou pour remplacer un défaut. Les lignes dont la source donne déjà un code Pennylane valide le gardent.",
        "en": "VAT rates found on the cache's lines. French rates have a default code; choose a code for the others, or to replace a default. Lines whose source already gives a valid Pennylane code keep it."},
    "map.vat_zero_intro": {
        "fr": "Une vente à 0 % prend un code selon le pays du client (son adresse, ou sa correction en revue) : client entreprise dans un autre pays de l'UE, crossborder (autoliquidation) ; client hors UE, extracom (export) ; sinon, et pour les achats, exempt. La spécification de Pennylane nomme ces codes sans les décrire : ces défauts suivent l'usage d'autres intégrations Pennylane. Vérifiez-les avec votre cabinet et changez-les ci-dessous au besoin.",
        "en": "A 0% sale takes a code by the client's country (its address, or its fix in review): a business client in another EU country, crossborder (reverse charge); a client outside the EU, extracom (export); otherwise, and for purchases, exempt. Pennylane's specification names these codes without describing them: these defaults follow what other Pennylane integrations do. Check them with your accountant and change them below if needed."},
    "review.from_bar": {"fr": "{n|Le document|Les {n} documents} de la barre de Suivi «\u00a0{bar}\u00a0».",
                        "en": "The {n|document|{n} documents} of the Reconciliation bar '{bar}'."},
    "review.reset_filters": {"fr": "Réinitialiser les filtres", "en": "Reset the filters"},
    "rec.bar_label": {"fr": "{month} · {status} · {connection} · {currency}",
                      "en": "{month} · {status} · {connection} · {currency}"},
    "map.vat_zero_mapped": {
        "fr": "Votre correspondance du taux 0 % ({code}) vaut pour les ventes en France et les achats ; les ventes à "
              "0 % à l'étranger ont leurs propres lignes ci-dessous ({zones}). Choisissez-y {code} si c'est ce que "
              "vous voulez.",
        "en": "Your mapping of the 0% rate ({code}) applies to sales in France and to purchases; 0% sales abroad "
              "have rows of their own below ({zones}). Choose {code} there if that is what you want."},
    "map.vat_zone_eu": {"fr": "0 % client entreprise UE", "en": "0% business client in the EU"},
    "map.vat_zone_export": {"fr": "0 % client hors UE", "en": "0% client outside the EU"},
    "map.col_rate": {"fr": "Taux (%)", "en": "Rate (%)"},
    "map.col_with_code": {"fr": "Dont avec code source", "en": "With a source code"},
    "map.col_with_code_help": {"fr": "Lignes dont la source donne un code Pennylane valide : la correspondance ne s'y applique pas.",
                               "en": "Lines whose source gives a valid Pennylane code: the mapping does not apply to them."},
    "map.col_default": {"fr": "Code par défaut", "en": "Default code"},
    "map.col_code": {"fr": "Code choisi", "en": "Chosen code"},
    "map.col_code_help": {"fr": "Un des codes vat_rate de Pennylane. Vide : le code par défaut.",
                          "en": "One of Pennylane's vat_rate codes. Empty: the default code."},
    "map.save_vat": {"fr": "Enregistrer les codes TVA", "en": "Save the VAT codes"},
    "map.vat_add": {"fr": "Ajouter un taux absent du cache", "en": "Add a rate not in the cache"},
    "map.vat_add_code_ph": {"fr": "Choisir un code", "en": "Choose a code"},
    "map.vat_add_save": {"fr": "Ajouter", "en": "Add"},
    "map.vat_add_code_missing": {"fr": "Choisissez un code TVA Pennylane.", "en": "Choose a Pennylane VAT code."},
    "map.categories_intro": {
        "fr": "Catégorie Pennylane (son libellé, par ex. « Prestations de services ») donnée par défaut aux documents "
              "de chaque connexion, une pour ses ventes et une pour ses achats. Facultatif ; une catégorie choisie "
              "sur un document dans Revue l'emporte, et une catégorie absente de Pennylane est signalée à l'envoi.",
        "en": "Pennylane category (its label, e.g. “Services”) given by default to each connection's documents, one "
              "for its sales and one for its purchases. Optional; a category chosen on a document in Review wins, "
              "and a category Pennylane lacks is reported when sending."},
    "map.col_side": {"fr": "Côté", "en": "Side"},
    "map.col_source_categories": {"fr": "Avec catégorie source", "en": "With a source category"},
    "map.col_source_categories_help": {"fr": "Documents dont la source donne une catégorie.",
                                       "en": "Documents whose source gives a category."},
    "map.col_category": {"fr": "Catégorie par défaut", "en": "Default category"},
    "map.col_category_help": {"fr": "Libellé exact de la catégorie dans Pennylane.",
                              "en": "The category's exact label in Pennylane."},
    "map.save_categories": {"fr": "Enregistrer les catégories", "en": "Save the categories"},
    "map.counterparties_intro": {
        "fr": "Facultatif : associez un tiers à un client ou fournisseur Pennylane existant (son identifiant). Sans association, l'envoi le retrouve (référence, SIREN, n° de TVA) ou le crée.",
        "en": "Optional: match a counterparty with an existing Pennylane customer or supplier (its id). Without a match, the send finds it (reference, SIREN, VAT number) or creates it."},
    "map.search": {"fr": "Rechercher un tiers", "en": "Search a counterparty"},
    "map.search_ph": {"fr": "nom, identifiant, n° de TVA, SIREN", "en": "name, id, VAT number, SIREN"},
    "map.only_matched": {"fr": "Seulement les associés", "en": "Matched only"},
    "map.no_counterparty": {"fr": "Aucun tiers pour cette recherche.", "en": "No counterparty for this search."},
    "map.col_cp_id": {"fr": "Identifiant Écluse", "en": "Écluse id"},
    "map.col_role": {"fr": "Rôle", "en": "Role"},
    "map.col_known_id": {"fr": "Id Pennylane connu", "en": "Known Pennylane id"},
    "map.col_known_id_help": {"fr": "Trouvé ou créé lors d'un envoi précédent.", "en": "Found or created by an earlier send."},
    "map.col_match": {"fr": "Associer à l'id Pennylane", "en": "Match with Pennylane id"},
    "map.col_match_help": {"fr": "Identifiant numérique du client ou fournisseur dans Pennylane. Vide : pas d'association.",
                           "en": "Numeric id of the customer or supplier in Pennylane. Empty: no match."},
    "map.more": {"fr": "{shown} premiers sur {n} ; affinez la recherche.", "en": "First {shown} of {n}; refine the search."},
    "map.save_counterparties": {"fr": "Enregistrer les associations", "en": "Save the matches"},

    # -- reconciliation extras ---------------------------------------------------------------------
    "stage.review": {"fr": "À revoir (y compris mis en attente)", "en": "To review (on hold included)"},
    "stage.approved": {"fr": "Approuvé, pas encore envoyé", "en": "Approved, not sent yet"},
    "stage.sent": {"fr": "Envoyé, non vérifié", "en": "Sent, not checked"},
    "stage.confirmed": {"fr": "Confirmé dans Pennylane", "en": "Confirmed in Pennylane"},
    "stage.discrepancy": {"fr": "Écart avec Pennylane", "en": "Differs in Pennylane"},
    "stage.rejected": {"fr": "Rejeté", "en": "Rejected"},
    "rec.stages_note": {
        "fr": "Un document envoyé compte comme confirmé quand « Confirmer avec Pennylane » (page Envoi) a retrouvé dans "
              "Pennylane le montant envoyé ; « Approuvé » inclut les envois en cours et en échec.",
        "en": "A sent document counts as confirmed once “Confirm with Pennylane” (Send page) found the amount sent in "
              "Pennylane; “Approved” includes sends in progress and failed ones."},
    "rec.sent_amounts_note": {
        "fr": "Un document envoyé compte le montant envoyé à Pennylane, dans la devise de l'envoi, comme « Envoyé par "
              "Écluse » ; {n} {n|a été modifié|ont été modifiés} depuis par la source (colonne « {column} »).",
        "en": "A sent document counts the amount sent to Pennylane, in the currency it was sent in, as “Sent by "
              "Écluse” does; {n} {n|was|were} changed by the source since (column “{column}”)."},
    "rec.col_current_total": {"fr": "Montant actuel à la source", "en": "Current amount at the source"},
    "rec.pl_title": {"fr": "Écluse et Pennylane : montants envoyés et montants retrouvés ({currency})",
                     "en": "Écluse and Pennylane: amounts sent and amounts found ({currency})"},
    "rec.pl_source": {"fr": "Envoyé par Écluse", "en": "Sent by Écluse"},
    "rec.pl_sent_help": {"fr": "Tout ce qu'Écluse a envoyé à Pennylane ({n} {n|document|documents}), vérifié depuis ou "
                               "non.",
                         "en": "Everything Écluse sent to Pennylane ({n} {n|document|documents}), checked since or not."},
    "rec.pl_source_checked": {"fr": "Dont vérifié", "en": "Of which checked"},
    "rec.pl_source_checked_help": {
        "fr": "La part de l'envoyé qu'une vérification a relue dans Pennylane après l'envoi ({n} {n|document|documents}).",
        "en": "The part of what was sent that a check read back from Pennylane after sending ({n} "
              "{n|document|documents})."},
    "rec.pl_pennylane": {"fr": "Dans Pennylane", "en": "In Pennylane"},
    "rec.pl_pennylane_help": {"fr": "Ce que Pennylane avait lors de la vérification pour les documents vérifiés ; une "
                                    "facture supprimée de Pennylane compte 0.",
                              "en": "What Pennylane held at the check for the documents checked; an invoice deleted "
                                    "from Pennylane counts 0."},
    "rec.pl_mismatches": {"fr": "Écarts", "en": "Differences"},
    "rec.pl_unchecked": {"fr": "Dont non vérifié", "en": "Of which not checked"},
    "rec.pl_unchecked_help": {"fr": "{n} {n|document envoyé|documents envoyés} depuis la dernière vérification : "
                                    "« Confirmer avec Pennylane » sur la page Envoi les relit.",
                              "en": "{n} {n|document|documents} sent since the last check: “Confirm with Pennylane” on "
                                    "the Send page reads them back."},
    "rec.pl_last_check": {"fr": "Dernière vérification", "en": "Last check"},
    "rec.pl_since_last_check": {
        "fr": "Envoyés depuis la dernière vérification, pas encore vérifiés : {n} {n|document|documents}, {total} ; "
              "« Confirmer avec Pennylane » (page Envoi) les relit.",
        "en": "Sent since the last check, not checked yet: {n} {n|document|documents}, {total}; “Confirm with "
              "Pennylane” (Send page) reads them back."},
    "rec.pl_all_checked": {"fr": "Tous les documents envoyés ont été vérifiés depuis leur envoi.",
                           "en": "Every document sent has been checked since it was sent."},
    "rec.pl_bar_checked": {"fr": "Envoyé, vérifié", "en": "Sent, checked"},
    "rec.pl_hover_checked": {"fr": "documents vérifiés", "en": "documents checked"},
    "rec.pl_hover_unchecked": {"fr": "documents non vérifiés", "en": "documents not checked"},
    "rec.pl_click_hint": {"fr": "Cliquez sur un mois pour lister ses documents, écarts en premier.",
                          "en": "Click a month to list its documents, differences first."},
    "rec.pl_only_mismatches": {"fr": "Seulement les écarts", "en": "Differences only"},
    "rec.pl_selection": {"fr": "{month} : {n} {n|document envoyé|documents envoyés}",
                         "en": "{month}: {n} {n|document|documents} sent"},
    "rec.pl_difference": {"fr": "Écart", "en": "Difference"},
    "rec.pl_check": {"fr": "Vérification", "en": "Check"},
    "rec.pl_empty": {"fr": "{n} {n|document envoyé|documents envoyés} ({total}), pas encore {n|vérifié|vérifiés} : "
                           "« Confirmer avec Pennylane » (page Envoi) relit Pennylane.",
                     "en": "{n} {n|document|documents} sent ({total}), not checked yet: “Confirm with Pennylane” (Send "
                           "page) reads Pennylane back."},
    "rec.pl_nothing_sent": {"fr": "Aucun document envoyé à Pennylane pour ces critères.",
                            "en": "No document sent to Pennylane for these criteria."},
    "rec.check_confirmed": {"fr": "Confirmé", "en": "Confirmed"},
    "rec.check_amount_mismatch": {"fr": "Montant différent", "en": "Different amount"},
    "rec.check_changed": {"fr": "Modifié dans Pennylane", "en": "Modified in Pennylane"},
    "rec.check_missing": {"fr": "Supprimé de Pennylane", "en": "Deleted from Pennylane"},
    "rec.check_none": {"fr": "Pas encore vérifié", "en": "Not checked yet"},
}
