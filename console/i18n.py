"""Messages of the console in French (first) and English, and locale-aware formatting.

Plain Python (no streamlit) so that tests and other front-ends can use it. `t(key, lang,
**fmt)` returns the message in the language asked, or in French when a translation is
missing (a test checks that none is), or the key itself for an unknown key.

A count agrees with its words through `{name|singular|plural}`: "{n} {n|ligne|lignes}" reads
"1 ligne", "3 lignes". French takes the singular for 0 and 1, English for 1 only.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import string
from decimal import Decimal, InvalidOperation
from typing import Any

LANGS = ("fr", "en")
DEFAULT_LANG = "fr"
LANG_NAMES = {"fr": "Français", "en": "English"}

NBSP = "\u00a0"  # before the currency sign and ":" in French
NNBSP = "\u202f"  # French thousands separator (narrow no-break space)

MESSAGES: dict[str, dict[str, str]] = {
    # -- app, navigation, sidebar ------------------------------------------------------------
    "app.tagline": {"fr": "Vos factures vers Pennylane, après revue.",
                    "en": "Your invoices into Pennylane, after review."},
    "nav.overview": {"fr": "Vue d'ensemble", "en": "Overview"},
    "nav.connections": {"fr": "Connexions", "en": "Connections"},
    "nav.review": {"fr": "Revue", "en": "Review"},
    "nav.send": {"fr": "Envoi", "en": "Send"},
    # Not "Rapprochement": to a French accountant that is the bank reconciliation.
    "nav.reconciliation": {"fr": "Suivi", "en": "Reconciliation"},
    "nav.reports": {"fr": "Rapports", "en": "Reports"},
    "nav.plugins": {"fr": "Plugins", "en": "Plugins"},
    "nav.admin": {"fr": "Administration", "en": "Administration"},
    "sidebar.language": {"fr": "Langue", "en": "Language"},
    "sidebar.actor": {"fr": "Votre nom", "en": "Your name"},
    "sidebar.actor_help": {"fr": "Enregistré avec chaque décision dans l'historique des documents.",
                           "en": "Recorded with every decision in the documents' history."},
    # Streamlit's own hints under text inputs, which it says in English only (widgets.streamlit_hints).
    # As short as the English: the hint sits inside the input, over a long value.
    "st.enter_to_apply": {"fr": "Entrée pour valider", "en": "Press Enter to apply"},
    "st.enter_to_submit": {"fr": "Entrée pour envoyer", "en": "Press Enter to submit form"},
    "st.ctrl_enter_to_apply": {"fr": "Ctrl+Entrée (⌘ sur Mac) pour valider", "en": "Press Ctrl+Enter to apply"},
    "sidebar.actor_unset": {"fr": "Indiquez votre nom : il signe chacune de vos décisions dans l'historique.",
                            "en": "Give your name: it signs each of your decisions in the history."},
    "said.actor.missing": {"fr": "Indiquez votre nom dans la barre latérale : il signe chaque décision dans "
                                 "l'historique. Rien n'a été enregistré.",
                           "en": "Give your name in the sidebar first: it signs every decision in the history. "
                                 "Nothing was recorded."},
    "sidebar.workspace": {"fr": "Espace de travail : `{path}`", "en": "Workspace: `{path}`"},
    "error.prefix": {"fr": "{message}", "en": "{message}"},
    "error.unexpected": {"fr": "Erreur inattendue ({kind}) : {message}. Le détail est dans le journal du serveur.",
                         "en": "Unexpected error ({kind}): {message}. The details are in the server log."},

    # -- statuses, kinds, runs, actions -------------------------------------------------------
    "status.fetched": {"fr": "Récupéré", "en": "Fetched"},
    "status.to_review": {"fr": "À revoir", "en": "To review"},
    "status.approved": {"fr": "Approuvé", "en": "Approved"},
    "status.rejected": {"fr": "Rejeté", "en": "Rejected"},
    "status.on_hold": {"fr": "En attente", "en": "On hold"},
    "status.in_batch": {"fr": "En cours d'envoi", "en": "Being sent"},
    "status.sent": {"fr": "Envoyé", "en": "Sent"},
    "status.failed": {"fr": "Échec d'envoi", "en": "Sending failed"},
    "kind.customer_invoice": {"fr": "Facture client", "en": "Sales invoice"},
    "kind.customer_credit_note": {"fr": "Avoir client", "en": "Sales credit note"},
    "kind.supplier_invoice": {"fr": "Facture fournisseur", "en": "Purchase invoice"},
    "kind.supplier_credit_note": {"fr": "Avoir fournisseur", "en": "Purchase credit note"},
    "run.running": {"fr": "en cours", "en": "running"},
    "run.ok": {"fr": "réussie", "en": "ok"},
    "run.failed": {"fr": "échec", "en": "failed"},
    "run.interrupted": {"fr": "interrompue", "en": "interrupted"},
    "run.not_loaded": {"fr": "connecteur non chargé", "en": "connector not loaded"},
    "run.interrupted_error": {
        "fr": "la synchronisation s'est arrêtée avant la fin (processus tué ou planté) ; les pages déjà "
              "enregistrées sont gardées et la suivante reprend après la dernière",
        "en": "the sync process stopped before the end of the run (killed or crashed); the pages it had "
              "stored are kept, and the next run goes on from the last of them",
    },
    "action.fetched": {"fr": "récupéré", "en": "fetched"},
    "action.changed": {"fr": "modifié à la source", "en": "changed at source"},
    "action.changed_after_sending": {"fr": "modifié après envoi", "en": "changed after sending"},
    "action.approve": {"fr": "approuvé", "en": "approved"},
    "action.reject": {"fr": "rejeté", "en": "rejected"},
    "action.hold": {"fr": "mis en attente", "en": "put on hold"},
    "action.reopen": {"fr": "rouvert", "en": "reopened"},
    "action.fix": {"fr": "corrigé", "en": "fixed"},
    "action.fix_dropped": {"fr": "correction abandonnée", "en": "fix dropped"},
    "action.attachment_arrived": {"fr": "PDF reçu", "en": "PDF arrived"},
    "action.gone_from_source": {"fr": "n'est plus dans la source", "en": "no longer in the source"},
    "action.change_handled": {"fr": "modification traitée", "en": "change handled"},
    "action.back_in_source": {"fr": "de retour dans la source", "en": "back in the source"},
    "findings.errors_n": {"fr": "{n} {n|erreur|erreurs}", "en": "{n} {n|error|errors}"},
    "findings.warnings_n": {"fr": "{n} {n|alerte|alertes}", "en": "{n} {n|warning|warnings}"},

    # -- column headers ------------------------------------------------------------------------
    "col.connection": {"fr": "Connexion", "en": "Connection"},
    "col.connector": {"fr": "Connecteur", "en": "Connector"},
    "col.enabled": {"fr": "Active", "en": "Enabled"},
    "col.last_sync": {"fr": "Dernière synchro", "en": "Last sync"},
    "col.documents": {"fr": "Documents", "en": "Documents"},
    "col.started_at": {"fr": "Début", "en": "Started"},
    "col.status": {"fr": "Statut", "en": "Status"},
    "col.fetched": {"fr": "Lus", "en": "Fetched"},
    "col.created": {"fr": "Nouveaux", "en": "New"},
    "col.updated": {"fr": "Modifiés", "en": "Changed"},
    "col.problems": {"fr": "Problèmes", "en": "Problems"},
    "col.error": {"fr": "Erreur", "en": "Error"},
    "col.number": {"fr": "Numéro", "en": "Number"},
    "col.issue_date": {"fr": "Date", "en": "Date"},
    "col.due_date": {"fr": "Échéance", "en": "Due date"},
    "col.counterparty": {"fr": "Tiers", "en": "Counterparty"},
    "col.kind": {"fr": "Type", "en": "Kind"},
    "col.currency": {"fr": "Devise", "en": "Currency"},
    "col.lines": {"fr": "Lignes", "en": "Lines"},
    "col.total": {"fr": "Total TTC", "en": "Total"},
    "col.sent_amount": {"fr": "Montant envoyé", "en": "Amount sent"},
    "col.sent_currency": {"fr": "Devise envoyée", "en": "Currency sent"},
    "col.total_before_tax": {"fr": "Total HT", "en": "Before tax"},
    "col.total_tax": {"fr": "TVA", "en": "VAT"},
    "col.findings": {"fr": "Anomalies", "en": "Findings"},
    "col.flags": {"fr": "Signalements", "en": "Flags"},  # not "Suivi": the name of a page
    "col.label": {"fr": "Libellé", "en": "Label"},
    "col.quantity": {"fr": "Quantité", "en": "Quantity"},
    "col.unit_price": {"fr": "Prix unitaire HT", "en": "Unit price"},
    "col.vat_rate": {"fr": "Taux TVA", "en": "VAT rate"},
    "col.when": {"fr": "Date", "en": "When"},
    "col.actor": {"fr": "Par", "en": "By"},
    "col.action": {"fr": "Action", "en": "Action"},
    "col.field": {"fr": "Champ", "en": "Field"},
    "col.change": {"fr": "Changement", "en": "Change"},
    "col.reason": {"fr": "Motif", "en": "Reason"},
    "col.before": {"fr": "Avant", "en": "Before"},
    "col.after": {"fr": "Après", "en": "After"},
    "col.source_id": {"fr": "Identifiant source", "en": "Source id"},
    "col.message": {"fr": "Message", "en": "Message"},
    "col.raw": {"fr": "Données source", "en": "Source data"},
    "col.month": {"fr": "Mois", "en": "Month"},
    "col.age": {"fr": "Ancienneté", "en": "Age"},
    "col.name": {"fr": "Nom", "en": "Name"},
    "col.version": {"fr": "Version", "en": "Version"},
    "col.connectors": {"fr": "Connecteurs", "en": "Connectors"},
    "col.hooks": {"fr": "Points d'extension (hooks)", "en": "Hooks"},
    "col.module": {"fr": "Module", "en": "Module"},
    "col.view": {"fr": "Vue", "en": "View"},
    "col.columns": {"fr": "Colonnes", "en": "Columns"},
    # Columns of the report views, as Reports shows them (services.reports.presented).
    "col.id": {"fr": "Identifiant", "en": "Id"},
    "col.base": {"fr": "Base HT", "en": "Tax base"},
    "col.vat": {"fr": "TVA", "en": "VAT"},
    "col.tax": {"fr": "TVA", "en": "VAT"},
    "col.amount_before_tax": {"fr": "Montant HT", "en": "Amount before tax"},
    "col.amount": {"fr": "Montant TTC", "en": "Amount incl. tax"},
    "col.severity": {"fr": "Gravité", "en": "Severity"},
    "col.code": {"fr": "Code", "en": "Code"},
    "col.pennylane_id": {"fr": "Identifiant Pennylane", "en": "Pennylane id"},
    "col.sent_at": {"fr": "Envoyé le", "en": "Sent at"},
    "col.changed_after_sending": {"fr": "Modifié après envoi", "en": "Changed after sending"},
    "col.status_reason": {"fr": "Motif du statut", "en": "Status reason"},
    "col.position": {"fr": "Position", "en": "Position"},
    "col.accounting_hint": {"fr": "Code comptable", "en": "Accounting code"},
    "col.vat_code": {"fr": "Code TVA", "en": "VAT code"},
    "col.counterparty_vat_number": {"fr": "N° TVA du tiers", "en": "Counterparty VAT number"},
    "col.counterparty_siren": {"fr": "SIREN du tiers", "en": "Counterparty SIREN"},
    "col.counterparty_id": {"fr": "Id du tiers", "en": "Counterparty id"},
    "col.error_count": {"fr": "Erreurs", "en": "Errors"},
    "col.warning_count": {"fr": "Alertes", "en": "Warnings"},
    "col.attachment_sha256": {"fr": "Empreinte du PDF", "en": "PDF fingerprint"},
    "col.attachment_pending": {"fr": "PDF attendu", "en": "PDF expected"},
    "col.credited_source_id": {"fr": "Facture créditée", "en": "Credited invoice"},
    "col.pennylane_url": {"fr": "Lien Pennylane", "en": "Pennylane link"},
    "col.source_updated_at": {"fr": "Modifié à la source le", "en": "Changed at source"},
    "col.first_seen_at": {"fr": "Vu la première fois le", "en": "First seen"},
    "col.fetched_at": {"fr": "Lu le", "en": "Fetched at"},
    "col.status_changed_at": {"fr": "Statut changé le", "en": "Status changed"},
    "col.document_id": {"fr": "Document", "en": "Document"},
    "col.vat_number": {"fr": "N° TVA", "en": "VAT number"},
    "col.siren": {"fr": "SIREN", "en": "SIREN"},
    "col.siret": {"fr": "SIRET", "en": "SIRET"},
    "col.street": {"fr": "Rue", "en": "Street"},
    "col.postal_code": {"fr": "Code postal", "en": "Postal code"},
    "col.city": {"fr": "Ville", "en": "City"},
    "col.country_alpha2": {"fr": "Pays", "en": "Country"},
    "col.email": {"fr": "E-mail", "en": "E-mail"},
    "col.is_individual": {"fr": "Particulier", "en": "Individual"},
    "col.role": {"fr": "Rôle", "en": "Role"},
    "col.origin": {"fr": "Origine", "en": "Origin"},
    "col.created_at": {"fr": "Créé le", "en": "Created"},
    "col.finished_at": {"fr": "Fin", "en": "Finished"},
    "col.dry_run": {"fr": "Simulation", "en": "Dry run"},
    "col.sent": {"fr": "Envoyées", "en": "Sent"},
    "col.failed": {"fr": "Échecs", "en": "Failed"},
    "col.held": {"fr": "Bloquées", "en": "Held"},
    "col.items": {"fr": "Factures", "en": "Invoices"},
    "col.batch_id": {"fr": "Lot", "en": "Batch"},
    "col.state": {"fr": "État", "en": "State"},
    "col.external_reference": {"fr": "Référence externe", "en": "External reference"},
    "col.attempts": {"fr": "Tentatives", "en": "Attempts"},
    "col.updated_at": {"fr": "Mis à jour le", "en": "Updated"},
    "col.recorded_at": {"fr": "Enregistré le", "en": "Recorded"},
    "col.old_value": {"fr": "Avant", "en": "Before"},
    "col.new_value": {"fr": "Après", "en": "After"},
    "col.unchanged": {"fr": "Inchangés", "en": "Unchanged"},
    "col.attachments": {"fr": "PDF reçus", "en": "PDFs received"},
    "col.resolved": {"fr": "Résolu", "en": "Resolved"},
    "col.resolution": {"fr": "Clôture", "en": "How closed"},
    "col.resolved_at": {"fr": "Clos le", "en": "Closed at"},
    "col.resolved_by": {"fr": "Clos par", "en": "Closed by"},
    "col.resolved_reason": {"fr": "Motif de clôture", "en": "Closing reason"},
    "resolution.stored": {"fr": "relu correctement", "en": "read again correctly"},
    "resolution.superseded": {"fr": "relu, remplacé par une lecture plus récente", "en": "read again, superseded"},
    "resolution.dismissed": {"fr": "marqué comme traité", "en": "marked as handled"},
    "batch.running": {"fr": "en cours", "en": "running"},
    "batch.done": {"fr": "terminé", "en": "done"},
    "batch.interrupted": {"fr": "interrompu", "en": "interrupted"},
    "severity.error": {"fr": "Erreur", "en": "Error"},
    "severity.warning": {"fr": "Alerte", "en": "Warning"},

    # -- overview ------------------------------------------------------------------------------
    "overview.title": {"fr": "Vue d'ensemble", "en": "Overview"},
    "overview.empty": {
        "fr": "L'espace de travail est vide. Première étape : synchronisez la connexion de démonstration "
              "pour parcourir la revue avec des factures fictives (aucun identifiant nécessaire).",
        "en": "The workspace is empty. First step: sync the demo connection to try the review with "
              "fictitious invoices (no credentials needed)."},
    "overview.empty_next": {"fr": "Ensuite, ajoutez vos vraies sources dans Connexions.",
                            "en": "Then add your real sources under Connections."},
    "overview.no_demo": {"fr": "Le connecteur de démonstration n'est pas chargé (voir la page Plugins).",
                         "en": "The demo connector is not loaded (see the Plugins page)."},
    "overview.sync_demo": {"fr": "Synchroniser la connexion de démonstration", "en": "Sync the demo connection"},
    "overview.no_documents": {"fr": "Aucun document dans le cache pour l'instant.", "en": "No document in the cache yet."},
    "overview.attention": {"fr": "À traiter", "en": "Needs attention"},
    "overview.all_clear": {"fr": "Rien à traiter : tout est à jour.", "en": "Nothing needs attention."},
    "overview.open": {"fr": "Voir", "en": "Open"},
    "overview.by_status": {"fr": "Documents par statut", "en": "Documents by status"},
    "overview.total": {"fr": "{n} {n|document|documents} au total dans le cache.",
                       "en": "{n} {n|document|documents} in the cache."},
    "overview.last_syncs": {"fr": "Dernières synchronisations", "en": "Last syncs"},
    "attention.to_review": {"fr": "À revoir", "en": "To review"},
    "attention.to_review_help": {"fr": "Documents en attente de décision.", "en": "Documents awaiting a decision."},
    "attention.errors": {"fr": "À revoir avec erreurs", "en": "To review, with errors"},
    "attention.errors_help": {"fr": "Les documents à revoir qui ont au moins une erreur bloquante (pas ceux des "
                                    "autres statuts).",
                              "en": "Documents to review with at least one blocking error (not those of other "
                                    "statuses)."},
    "attention.on_hold": {"fr": "En attente", "en": "On hold"},
    "attention.on_hold_help": {"fr": "Mis de côté avec un motif.", "en": "Set aside with a reason."},
    "attention.failed": {"fr": "Échecs d'envoi", "en": "Failed sends"},
    "attention.failed_help": {"fr": "L'envoi a échoué (refus de Pennylane ou erreur) : voir la raison de chacun, "
                                    "corriger ou réessayer.",
                              "en": "The send failed (refused by Pennylane or an error): see each one's reason, fix "
                                    "or retry."},
    "attention.changed": {"fr": "Modifiés après envoi", "en": "Changed after sending"},
    "attention.changed_help": {"fr": "La source a changé un document déjà envoyé.",
                               "en": "The source changed a document already sent."},
    "attention.pdf_pending": {"fr": "PDF en attente", "en": "PDFs pending"},
    "attention.pdf_pending_help": {"fr": "La source livrera le PDF plus tard.",
                                   "en": "The source will deliver the PDF later."},
    "attention.problems": {"fr": "Enregistrements en problème", "en": "Records kept as problems"},
    "attention.problems_help": {"fr": "Illisibles : conservés avec leurs données source.",
                                "en": "Unreadable: kept with their source data."},
    # next steps beyond review, each with a link to its page
    "next.destination": {"fr": "Destination Pennylane à configurer", "en": "Pennylane destination to set up"},
    "next.destination_help": {"fr": "Aucun jeton Pennylane : rien ne peut partir vers Pennylane.",
                              "en": "No Pennylane token: nothing can go to Pennylane."},
    "next.token_unset_help": {
        "fr": "Le jeton est lu dans la variable d'environnement `{var}`, qui n'est pas définie pour la console.",
        "en": "The token is read from the environment variable `{var}`, which is not set for the console."},
    "next.dry_run": {"fr": "Envoi en simulation", "en": "Sending is a dry run"},
    "next.dry_run_help": {
        "fr": "{n|Le document approuvé attend|Les documents approuvés attendent} : la destination est en simulation, "
              "rien ne part tant que l'envoi réel n'est pas choisi.",
        "en": "{n|The approved document waits|The approved documents wait}: the destination is a dry run, nothing "
              "goes until live sending is chosen."},
    "next.send": {"fr": "Prêts à envoyer", "en": "Ready to send"},
    "next.send_help": {"fr": "{n|Document approuvé|Documents approuvés}, à envoyer vers Pennylane.",
                       "en": "Approved {n|document|documents}, to send to Pennylane."},
    "next.mappings": {"fr": "Correspondances à compléter", "en": "Mappings to complete"},
    "next.accounts_absent": {
        "fr": "{n} {n|compte associé est absent|comptes associés sont absents} du plan comptable de Pennylane : "
              "en envoi réel, les factures qui en dépendent sont mises en attente.",
        "en": "{n} mapped {n|account is|accounts are} not in Pennylane's chart of accounts: in a live send, the "
              "invoices that depend on {n|it|them} are put on hold."},
    "next.accounts_disabled": {
        "fr": "{n} {n|compte associé est désactivé|comptes associés sont désactivés} dans Pennylane : "
              "{n|réactivez-le ou choisissez-en un autre|réactivez-les ou choisissez-en d'autres} (facultatif).",
        "en": "{n} mapped {n|account is|accounts are} disabled in Pennylane: enable {n|it|them} again or choose "
              "another (optional)."},
    "next.differences": {"fr": "Écarts avec Pennylane", "en": "Differences with Pennylane"},
    "next.connections_failing": {"fr": "Connexions en échec", "en": "Failing connections"},
    "next.connections_failing_help": {
        "fr": "{n|La dernière synchronisation de|Les dernières synchronisations de} {names} {n|a|ont} échoué, ou "
              "{n|son connecteur n'est pas chargé|leur connecteur n'est pas chargé} : rien de nouveau n'est lu.",
        "en": "The last sync of {names} failed, or {n|its|their} connector is not loaded: nothing new is read."},
    "next.differences_help": {
        "fr": "{n|Document envoyé que|Documents envoyés que} la dernière vérification a trouvés différents dans "
              "Pennylane (montant, modification ou suppression) : voir Suivi.",
        "en": "Sent {n|document|documents} the last check found different in Pennylane (amount, modified or "
              "deleted): see Reconciliation."},
    "next.categories_missing": {
        "fr": "Ventes ou achats sans catégorie par défaut : {n} (facultatif).",
        "en": "Sales or purchases without a default category: {n} (optional)."},

    # the Send page's dry run once a token is configured (the rest of the page: i18n_send.py)
    "send.why_dry_run_has_token": {
        "fr": "La destination est en **simulation** : l'aperçu montre exactement ce qui partirait, mais rien n'est "
              "envoyé. Le jeton est configuré ({token}) : pour envoyer réellement, choisissez « Envoi réel » dans "
              "**Modifier la destination** ci-dessus, ou en ligne de commande :",
        "en": "The destination is a **dry run**: the preview shows exactly what would go, but nothing is sent. The "
              "token is configured ({token}): to send for real, choose 'Live' under **Change the destination** "
              "above, or from the command line:"},

    "send.why_dry_run_token_unset": {
        "fr": "La destination est en **simulation** : l'aperçu montre exactement ce qui partirait, mais rien n'est "
              "envoyé. Le jeton est attendu dans la variable d'environnement `{var}`, que la console n'a pas : "
              "définissez-la avant de lancer la console, puis passez en envoi réel :",
        "en": "The destination is a **dry run**: the preview shows exactly what would go, but nothing is sent. The "
              "token is expected in the environment variable `{var}`, which the console does not have: set it before "
              "starting the console, then go live:"},

    # -- syncs ---------------------------------------------------------------------------------
    "sync.running": {"fr": "Synchronisation de {name} en cours…", "en": "Syncing {name}…"},
    "sync.starting": {"fr": "Démarrage…", "en": "Starting…"},
    "sync.done": {"fr": "Synchronisation de {name} terminée ({seconds} s)", "en": "Sync of {name} finished ({seconds} s)"},
    "sync.failed": {"fr": "Échec de la synchronisation de {name}", "en": "Sync of {name} failed"},
    "sync.already_running": {
        "fr": "Une synchronisation de {name} est déjà en cours dans un autre processus (par exemple `ecluse sync`). "
              "Attendez qu'elle se termine puis réessayez.",
        "en": "A sync of {name} is already running in another process (for instance `ecluse sync`). "
              "Wait for it to finish and try again."},
    "sync.counts": {
        "fr": "{fetched} {fetched|lu|lus} · {created} {created|nouveau|nouveaux} · {updated} {updated|modifié|modifiés} · "
              "{unchanged} {unchanged|inchangé|inchangés} · {problems} {problems|problème|problèmes}",
        "en": "{fetched} fetched · {created} new · {updated} changed · {unchanged} unchanged · "
              "{problems} {problems|problem|problems}"},
    "sync.late_pdfs": {"fr": "{n} {n|PDF arrivé|PDF arrivés} après coup",
                       "en": "{n} {n|PDF|PDFs} that came after {n|its|their} {n|document|documents}"},
    "sync.nothing_since": {
        "fr": "Aucune facture depuis le {date}, la date de début de la connexion : pour importer l'historique, "
              "choisissez une date plus ancienne dans ses réglages (« {setting} »).",
        "en": "No invoice since {date}, the connection's start date: to import the history, choose an earlier "
              "date in its settings (\"{setting}\")."},
    "sync.see_problems": {"fr": "Voir {n|l'enregistrement|les {n} enregistrements} en problème",
                          "en": "{n|See the record|See the {n} records} kept as {n|a problem|problems}"},
    "sync.changes": {"fr": "{back} {back|document revenu|documents revenus} en revue, {sent} {sent|modifié|modifiés} après envoi.",
                     "en": "{back} {back|document|documents} back to review, {sent} changed after sending."},
    "sync.gone": {"fr": "{count} {count|document n'est|documents ne sont} plus dans la source ({count|supprimé ou repassé|"
                        "supprimés ou repassés} en brouillon) : {count|signalé|signalés} en revue.",
                  "en": "{count} {count|document is|documents are} no longer in the source (deleted or back to draft): "
                        "flagged for review."},

    # -- connections ---------------------------------------------------------------------------
    "conn.title": {"fr": "Connexions", "en": "Connections"},
    "conn.intro": {"fr": "Les sources d'où Écluse lit les factures. Les secrets restent dans `secrets.toml` "
                         "(ou dans une variable d'environnement), jamais dans `ecluse.toml`.",
                   "en": "The sources Écluse reads invoices from. Secrets stay in `secrets.toml` "
                         "(or an environment variable), never in `ecluse.toml`."},
    "conn.none": {"fr": "Aucune connexion. Ajoutez-en une ci-dessous.", "en": "No connection yet. Add one below."},
    "conn.not_loaded": {"fr": "Le connecteur « {connector} » n'est pas chargé : voir la page Plugins.",
                        "en": "The connector '{connector}' is not loaded: see the Plugins page."},
    "conn.test": {"fr": "Tester", "en": "Test"},
    "conn.sync": {"fr": "Synchroniser maintenant", "en": "Sync now"},
    "conn.remove": {"fr": "Supprimer", "en": "Remove"},
    "conn.remove_confirm": {
        "fr": "Supprimer la connexion « {name} » ? Ses réglages et secrets sont effacés ; les documents déjà "
              "dans le cache sont conservés.",
        "en": "Remove the connection '{name}'? Its settings and secrets are deleted; documents already in "
              "the cache are kept."},
    "conn.remove_yes": {"fr": "Oui, supprimer", "en": "Yes, remove"},
    "conn.removed": {"fr": "Connexion « {name} » supprimée.", "en": "Connection '{name}' removed."},
    "conn.check_ok": {"fr": "Connexion réussie. {message}", "en": "Connection works. {message}"},
    "conn.check_failed": {"fr": "Échec du test : {message}", "en": "Test failed: {message}"},
    "conn.test_note": {
        "fr": "« Tester » essaie les réglages tels qu'ils sont dans le formulaire, sans les enregistrer ; un secret "
              "laissé vide est celui enregistré.",
        "en": "“Test” tries the settings as the form holds them, without saving them; a secret left empty is "
              "the one saved."},
    "conn.enabled": {"fr": "Activée", "en": "Enabled"},
    "conn.disabled": {"fr": "Désactivée", "en": "Disabled"},
    "conn.enabled_help": {
        "fr": "Une connexion désactivée est laissée de côté quand toutes les connexions sont synchronisées "
              "(`ecluse sync` sans nom, une synchronisation planifiée par exemple) ; « Synchroniser maintenant » "
              "la lit quand même.",
        "en": "A disabled connection is left out when all connections are synced (`ecluse sync` with no name, "
              "a scheduled sync say); “Sync now” still reads it."},
    "conn.enabled_on": {
        "fr": "Connexion « {name} » activée : elle est synchronisée avec les autres.",
        "en": "Connection '{name}' enabled: it is synced with the others."},
    "conn.enabled_off": {
        "fr": "Connexion « {name} » désactivée : elle n'est plus synchronisée avec les autres ; « Synchroniser "
              "maintenant » la lit quand même.",
        "en": "Connection '{name}' disabled: it is no longer synced with the others; “Sync now” still reads it."},
    # A connector's check, sentence by sentence (connectors.Said): `said.<code>`.
    # The settings of a connection (connectors.Setting), refused when saved.
    "said.setting.not_integer": {"fr": "{name} : {value} n'est pas un nombre entier.",
                                 "en": "{name}: {value} is not a whole number"},
    "said.setting.not_boolean": {"fr": "{name} : {value} n'est ni vrai ni faux.", "en": "{name}: {value} is not true/false"},
    "said.setting.not_date": {"fr": "{name} : {value} n'est pas une date (AAAA-MM-JJ).",
                              "en": "{name}: {value} is not a date (YYYY-MM-DD)"},
    "said.setting.not_url": {"fr": "{name} : {value} doit commencer par http:// ou https://.",
                             "en": "{name}: {value} must start with http:// or https://"},
    "said.setting.url_no_host": {"fr": "{name} : {value} n'indique pas de nom de domaine (par exemple "
                                       "https://example.com).",
                                 "en": "{name}: {value} has no host name (such as https://example.com)"},
    "said.setting.not_choice": {"fr": "{name} : {value} n'est pas l'un des choix possibles ({choices}).",
                                "en": "{name}: {value} is not one of {choices}"},
    "said.workspace.bad_name": {"fr": "Nom de connexion invalide ({name}) : utilisez des minuscules sans accent, des "
                                      "chiffres, - et _ (par exemple harvest-agence).",
                                "en": "invalid connection name {name}: use lower-case letters, digits, - and _"},
    "said.fix.bad_date": {"fr": "{value} n'est pas une date (JJ/MM/AAAA)", "en": "{value} is not a date (YYYY-MM-DD or DD/MM/YYYY)"},
    "fx.due_date_label": {"fr": "Date d'échéance envoyée à Pennylane", "en": "Due date sent to Pennylane"},
    "fx.due_date_help": {"fr": "Sans échéance, la date d'émission est envoyée (paiement à réception). Une correction "
                                "tient jusqu'à ce que la source change elle-même l'échéance.",
                          "en": "Without one, the issue date is sent (payable on receipt). A fix holds until the source "
                                "itself changes the due date."},
    "fx.save_due_date": {"fr": "Enregistrer l'échéance", "en": "Save the due date"},
    "said.fix.bad_country": {"fr": "indiquez le code ISO du pays, en deux lettres (FR, BE, DE…)",
                             "en": "the country must be an ISO 3166 alpha-2 code, e.g. FR, BE, DE"},
    "said.mapping.bad_rate": {"fr": "{value} n'est pas un taux de TVA en pourcentage, entre 0 et 100 (par exemple 20 ou "
                                    "5,5).",
                              "en": "{value} is not a VAT percentage between 0 and 100 (e.g. 20 or 5.5)"},
    "said.mapping.long_category": {"fr": "Un libellé de catégorie compte au plus {max} caractères.",
                                   "en": "a category label has at most {max} characters"},
    "said.mapping.bad_pennylane_id": {"fr": "{value} n'est pas un identifiant de client ou de fournisseur Pennylane (un "
                                            "nombre entier positif).",
                                      "en": "{value} is not a Pennylane customer or supplier id (a positive whole number)"},
    "said.mapping.bad_account": {
        "fr": "{value} n'est pas un numéro de compte comptable : un numéro de compte commence par le chiffre de sa "
              "classe, suivi de chiffres ou de majuscules (3 à 20 caractères en tout, par exemple 706000, 401ACME).",
        "en": "{value} is not a ledger account number: it starts with the account's class digit, then digits or "
              "capital letters, 3 to 20 characters (e.g. 706000, 401ACME)"},
    "said.setting.check_failed": {
        "fr": "{name} : le contrôle de ce réglage par le connecteur a échoué ({type} : {error}). Le connecteur est à "
              "corriger ; signalez-le à son auteur.",
        "en": "{name}: the connector's check of this setting failed: {type}: {error}"},
    "said.setting.missing": {"fr": "Le réglage obligatoire « {name} » est vide.", "en": "missing required setting '{name}'"},
    "said.harvest.not_account_id": {
        "fr": "{value} n'est pas un identifiant de compte Harvest : c'est le nombre affiché à côté du jeton sur "
              "{token_page}.",
        "en": "{value} is not a Harvest account ID: it is the number shown next to the token at {token_page}"},
    "said.harvest.domain_empty": {
        "fr": "L'adresse web Harvest (« domain ») est vide : indiquez celle du compte, par exemple acme.harvestapp.com.",
        "en": "empty: give the account's Harvest web address, e.g. acme.harvestapp.com"},
    "said.harvest.domain_not_web": {
        "fr": "Adresse web Harvest (« domain ») : {value} n'est pas une adresse web comme https://acme.harvestapp.com.",
        "en": "{value} is not a web address such as https://acme.harvestapp.com"},
    "said.harvest.domain_not_harvest": {
        "fr": "Adresse web Harvest (« domain ») : {value} n'est pas une adresse Harvest comme acme ou "
              "acme.harvestapp.com.",
        "en": "{value} is not a Harvest address such as acme or acme.harvestapp.com"},
    "said.harvest.bad_api_url": {
        "fr": "URL de l'API (« api_url ») : {value} doit être une URL http(s) comme {default_api_url}.",
        "en": "{value} must be an http(s) URL such as {default_api_url}"},
    "said.harvest.unknown_state": {"fr": "Facture Harvest dans un état inconnu ({state}) : non importée.",
                                   "en": "Harvest invoice in an unknown state {state}; not imported"},
    "said.harvest.unreadable": {
        "fr": "Facture Harvest illisible, non importée ({error}). Corrigez-la dans Harvest : modifiée, elle sera relue "
              "à la synchronisation suivante.",
        "en": "Harvest invoice could not be read: {error}. Fix it in Harvest: once changed, it is read again by the "
              "next sync."},
    "said.demo.no_id": {
        "fr": "Enregistrement de démonstration sans identifiant (numéro {number}) : non importé, car il ne pourrait "
              "pas être suivi d'une synchronisation à l'autre.",
        "en": "Demo record without an id (number {number}): not imported, as it could not be followed from one sync "
              "to the next."},
    "said.demo.unknown_kind": {"fr": "Enregistrement de démonstration d'un type inconnu ({kind}) : non importé.",
                               "en": "Demo record of an unknown type ({kind}): not imported."},
    "said.demo.unreadable": {"fr": "Enregistrement de démonstration illisible, non importé ({error}).",
                             "en": "{error}"},
    "said.core.unknown_item": {"fr": "Le connecteur a produit un élément inconnu : {kind}.",
                               "en": "connector yielded an unknown item: {kind}"},
    "said.core.bad_document": {
        "fr": "Le connecteur a produit un document qui ne respecte pas le contrat des connecteurs ; il est gardé ici "
              "au lieu d'être enregistré, à corriger dans le connecteur : {errors}",
        "en": "the connector yielded a document that breaks the contract (ecluse.connectors), kept here rather than "
              "stored: {errors}"},
    "said.core.bad_check_result": {
        "fr": "Le test du connecteur {connector} n'a pas donné de résultat ({type} au lieu d'un CheckResult) : "
              "le connecteur est à corriger.",
        "en": "the {connector} connector's check() returned {type} instead of a CheckResult (see ecluse.connectors)"},
    # An HttpError of the shared HTTP layer that a connector let through (services/sync.py).
    "said.sync.http_refused": {
        "fr": "La source ({host}) a refusé les identifiants de la connexion (HTTP {status}) : vérifiez le jeton de la "
              "connexion « {connection} » (page Connexions), puis relancez la synchronisation.",
        "en": "the source ({host}) refused the connection's credentials (HTTP {status}): check the token of connection "
              "'{connection}', then sync again"},
    "said.sync.http_unreachable": {
        "fr": "La source ({host}) est injoignable : {cause}.",
        "en": "the source ({host}) is unreachable: {cause}"},
    "said.sync.http_rate_limited": {
        "fr": "La source ({host}) limite toujours le débit des requêtes (HTTP 429) : relancez la synchronisation plus "
              "tard.",
        "en": "the source ({host}) still limits the rate of requests (HTTP 429): sync again later"},
    "said.sync.http_status": {
        "fr": "La source ({host}) a répondu par une erreur (HTTP {status}) : {error}",
        "en": "the source ({host}) answered with an error (HTTP {status}): {error}"},
    "said.core.orphan_pdf": {"fr": "Un PDF est arrivé pour un document absent du cache.",
                             "en": "a PDF arrived for a document that is not in the cache"},
    "said.pennylane.no_token": {
        "fr": "Aucun jeton Pennylane configuré : créez-en un dans Pennylane (Paramètres > Connectivité > "
              "Développeurs), puis indiquez ci-dessous la variable d'environnement qui le contient.",
        "en": "No Pennylane token configured: create one in Pennylane (Settings > Connectivity > Developers), then "
              "give below the environment variable that holds it."},
    "said.workspace.api_url_scheme": {
        "fr": "L'URL de l'API « {url} » doit commencer par http:// ou https:// (celle de Pennylane : "
              "https://app.pennylane.com/api/external/v2). Rien n'a été enregistré.",
        "en": "the API URL '{url}' must start with http:// or https:// (Pennylane's: "
              "https://app.pennylane.com/api/external/v2); nothing was saved"},
    "said.workspace.env_unset": {
        "fr": "Le réglage « {setting} » de la connexion « {connection} » renvoie à la variable d'environnement {var}, "
              "qui n'est pas définie : définissez-la là où tourne Écluse (puis redémarrez la console), ou saisissez "
              "la valeur dans le formulaire de la connexion.",
        "en": "connection '{connection}' setting '{setting}' refers to the environment variable {var}, which is not "
              "set: set it where Écluse runs (then restart the console), or type the value in the connection's form"},
    "said.report.failed": {"fr": "La requête a échoué : {error}", "en": "{error}"},
    "said.report.empty": {"fr": "La requête est vide.", "en": "the query is empty"},
    "said.report.unknown_saved": {"fr": "Aucun rapport enregistré ne s'appelle « {name} » (la liste : "
                                        "`ecluse reports list`).",
                                  "en": "no saved report is named '{name}' (`ecluse reports list` shows them)"},
    "said.report.is_ready_made": {"fr": "« {name} » est un rapport prêt à l'emploi : il ne peut être ni modifié ni "
                                        "supprimé.",
                                  "en": "'{name}' is a ready-made report: it cannot be changed or deleted"},
    "said.report.deleted_meanwhile": {
        "fr": "« {title} » a été supprimé ou renommé entre-temps (dans un autre onglet ou en ligne de commande). La "
              "liste « Rapport » montre les rapports tels qu'ils sont maintenant.",
        "en": "'{title}' was deleted or renamed meanwhile (in another tab or from the command line)"},
    "said.report.changed_meanwhile": {
        "fr": "« {title} » a été enregistré à nouveau par {who} entre-temps : rien n'a été fait, pour ne pas "
              "perdre son travail. Choisissez-le à nouveau dans la liste pour voir sa version (« Revenir au "
              "rapport » aussi), ou enregistrez la vôtre comme nouveau rapport.",
        "en": "'{title}' was saved again by {who} meanwhile: nothing was done, so as not to lose their work. Pick "
              "it again in the list to see their version (“Back to the report” too), or save yours as a new "
              "report"},
    "said.report.gone": {"fr": "Le rapport enregistré « {name} » a été supprimé ou renommé entre-temps : rien n'a été "
                               "enregistré. La liste « Rapport » montre les rapports tels qu'ils sont maintenant.",
                         "en": "the saved report '{name}' was deleted or renamed meanwhile: nothing was saved"},
    "said.report.no_title": {"fr": "Donnez un titre au rapport (avec des lettres ou des chiffres).",
                             "en": "give the report a title (letters or digits)"},
    "said.report.long_title": {"fr": "Le titre d'un rapport fait {n} caractères au plus (celui-ci en a {length}).",
                               "en": "a report's title is {n} characters at most (this one has {length})"},
    "said.report.title_ready_made": {"fr": "« {title} » est le nom d'un rapport prêt à l'emploi : choisissez un "
                                           "autre titre.",
                                     "en": "'{title}' is the name of a ready-made report: choose another title"},
    "said.report.title_taken": {"fr": "Un rapport enregistré s'appelle déjà « {title} » : choisissez un autre titre, "
                                      "ou remplacez-le.",
                                "en": "a saved report is already called '{title}': choose another title, or "
                                      "replace it"},
    "said.report.no_files": {"fr": "Les rapports ne lisent ni n'écrivent aucun fichier hors de l'espace de travail.",
                             "en": "Reports cannot read or write any file outside the workspace."},
    "said.report.syntax": {
        "fr": "Erreur de syntaxe près de « {name} » : vérifiez les mots-clés (SELECT, FROM, WHERE, GROUP BY…), les "
              "virgules et les guillemets.",
        "en": "Syntax error near \"{name}\": check the keywords (SELECT, FROM, WHERE, GROUP BY…), the commas and "
              "the quotes."},
    "said.report.no_column": {
        "fr": "La colonne « {name} » n'existe pas dans les vues de la requête (la liste « Vues disponibles » donne "
              "leurs colonnes).",
        "en": "Column \"{name}\" is in none of the query's views (\"Available views\" lists their columns)."},
    "said.report.no_column.hint": {
        "fr": "La colonne « {name} » n'existe pas dans les vues de la requête. Colonnes proches : {hint}.",
        "en": "Column \"{name}\" is in none of the query's views. Close ones: {hint}."},
    "said.report.no_view": {
        "fr": "La vue « {name} » n'existe pas ; les vues sont : {views}.",
        "en": "There is no view \"{name}\"; the views are: {views}."},
    "said.report.no_view.hint": {"fr": "La vue « {name} » n'existe pas. Vouliez-vous dire « {hint} » ?",
                                 "en": "There is no view \"{name}\". Did you mean \"{hint}\"?"},
    "said.report.no_function": {"fr": "La fonction « {name} » n'existe pas dans DuckDB.",
                                "en": "DuckDB has no function \"{name}\"."},
    "said.report.no_function.hint": {
        "fr": "La fonction « {name} » n'existe pas dans DuckDB. Vouliez-vous dire « {hint} » ?",
        "en": "DuckDB has no function \"{name}\". Did you mean \"{hint}\"?"},
    "said.report.group_by": {
        "fr": "La colonne « {name} » doit figurer dans le GROUP BY ou dans un agrégat (count, sum…) ; GROUP BY ALL "
              "regroupe sur toutes les colonnes non agrégées.",
        "en": "Column \"{name}\" must be in the GROUP BY or inside an aggregate (count, sum…); GROUP BY ALL groups "
              "by every column that is not aggregated."},
    "said.report.types": {
        "fr": "Aucune fonction ne s'applique à ces types : {name}. Convertissez la valeur, par exemple "
              "CAST(colonne AS DECIMAL(18, 2)).",
        "en": "No function applies to these types: {name}. Convert the value, for instance "
              "CAST(column AS DECIMAL(18, 2))."},
    "said.report.one_query": {
        "fr": "Une requête à la fois : ce texte en contient {n}. Séparez-les, ou réunissez-les avec UNION ALL.",
        "en": "One query at a time: this text holds {n}. Run them one by one, or join them with UNION ALL."},
    "said.report.decimal_comma": {
        "fr": "« {name} » n'est pas un nombre pour SQL : écrivez les décimales avec un point (12.5) et sans "
              "guillemets.",
        "en": "\"{name}\" is no number to SQL: write decimals with a point (12.5) and without quotes."},
    "said.report.conversion": {
        "fr": "La valeur « {name} » ne peut pas être convertie dans le type demandé (une date s'écrit "
              "DATE '2026-01-31', un nombre sans guillemets).",
        "en": "The value \"{name}\" cannot be converted to the type asked for (a date is written DATE '2026-01-31', "
              "a number without quotes)."},
    "said.report.read_only": {"fr": "Les rapports sont en lecture seule : seules les requêtes (SELECT, WITH…) peuvent "
                                    "être exécutées.",
                              "en": "reports are read-only: only queries (SELECT, WITH...) can be run"},
    "said.demo.ready": {"fr": "Connexion de démonstration prête : aucune donnée réelle.",
                        "en": "Demo connection ready: no real data."},
    "said.harvest.connected": {"fr": "Connecté au compte Harvest « {company} » en tant que {user}.",
                               "en": "Connected to Harvest account '{company}' as {user}."},
    "said.harvest.history_import": {
        "fr": "Import d'historique : la date de début ({start}) est antérieure à la date par défaut ({default}, soit "
              "30 jours avant la création de la connexion). Toutes les factures Harvest émises à partir du {start} "
              "seront importées pour revue ; vérifiez que les plus anciennes ne sont pas déjà dans Pennylane.",
        "en": "History import: start_date {start} is earlier than the default {default} (30 days before the connection "
              "was created). Every Harvest invoice issued since {start} will be imported for review; make sure the "
              "older ones are not already in Pennylane."},
    "said.harvest.future_start": {
        "fr": "La date de début ({start}) est à venir : aucune facture n'est lue avant cette date, une "
              "synchronisation d'ici là n'en trouve aucune. Choisissez une date passée pour lire les factures déjà "
              "émises.",
        "en": "start_date {start} is still to come: no invoice is read before that date, and a sync until then "
              "finds none. Choose a past date to read the invoices already issued."},
    "said.harvest.default_contact": {
        "fr": "E-mail de contact : Harvest demande une adresse qui joigne la personne qui fait tourner Écluse ; "
              "remplacez {contact} par la vôtre (Réglages avancés ; en ligne de commande : --set contact=…).",
        "en": "Contact e-mail: Harvest asks for an address that reaches whoever runs Écluse; replace {contact} "
              "with yours (Advanced settings; on the command line: --set contact=…)."},
    "said.harvest.invoices_off": {
        "fr": "Le module de facturation est désactivé dans ce compte Harvest : il n'y a rien à importer.",
        "en": "The invoices module is turned off in this Harvest account: there is nothing to import."},
    "said.harvest.not_manager": {
        "fr": "L'utilisateur du jeton n'est ni administrateur ni manager : Harvest peut lui cacher des factures.",
        "en": "The token's user is neither administrator nor manager: Harvest may hide invoices from it."},
    "said.harvest.domain_mismatch": {
        "fr": "Le réglage « domain » ({domain}) ne correspond pas à l'adresse du compte ({base}) : les PDF des "
              "factures seraient introuvables.",
        "en": "The domain setting ({domain}) is not the account's address ({base}): invoice PDFs would not be found."},
    "said.harvest.note": {"fr": "{text}", "en": "{text}"},
    "http.cause.connect_timeout": {"fr": "connexion impossible dans le délai imparti ({attempts} {attempts|essai|essais}) "
                                         "; vérifiez le réseau et l'adresse du service",
                                   "en": "could not connect in time ({attempts} {attempts|attempt|attempts})"},
    "http.cause.read_timeout": {"fr": "pas de réponse dans le délai imparti ({attempts} {attempts|essai|essais}) ; "
                                      "réessayez plus tard",
                                "en": "no answer in time ({attempts} {attempts|attempt|attempts})"},
    "http.cause.tls": {"fr": "échec de la connexion sécurisée (certificat ou protocole TLS, {attempts} "
                             "{attempts|essai|essais}) ; vérifiez l'adresse du service",
                       "en": "TLS/SSL failure (certificate or protocol) after {attempts} {attempts|attempt|attempts}"},
    "http.cause.refused": {"fr": "connexion refusée ou serveur introuvable ({attempts} {attempts|essai|essais}) ; "
                                 "vérifiez le réseau et l'adresse du service",
                           "en": "connection refused or host unreachable ({attempts} {attempts|attempt|attempts})"},
    "http.cause.lost": {"fr": "connexion perdue avant la fin de la réponse ({attempts} {attempts|essai|essais}) ; "
                              "réessayez plus tard",
                        "en": "connection lost before a complete answer ({attempts} {attempts|attempt|attempts})"},
    "http.cause.other": {"fr": "aucune réponse ({attempts} {attempts|essai|essais}) ; vérifiez le réseau et l'adresse "
                               "du service",
                         "en": "no answer ({attempts} {attempts|attempt|attempts})"},
    "said.harvest.unreachable": {"fr": "Harvest est injoignable à l'adresse {api_url} : {error}",
                                 "en": "Harvest is unreachable at {api_url}: {error}"},
    "said.harvest.bad_token": {
        "fr": "Harvest refuse le jeton d'accès personnel (HTTP 401) : il est erroné, expiré ou révoqué. Créez-en un "
              "nouveau sur {token_page} et mettez à jour le jeton d'accès personnel de la connexion.",
        "en": "Harvest refused the personal access token (HTTP 401): it is wrong, expired or revoked. Create a new one "
              "at {token_page} and update the connection's token."},
    "said.harvest.wrong_account": {
        "fr": "Harvest refuse l'accès au compte {account_id} (HTTP {status}) : vérifiez l'account_id (affiché à côté "
              "du jeton sur {token_page}) et assurez-vous que l'utilisateur du jeton a accès aux factures "
              "(administrateur, ou manager avec accès aux factures).",
        "en": "Harvest refused access to account {account_id} (HTTP {status}): check the account ID (shown next to the "
              "token at {token_page}) and that the token's user may see invoices (administrator, or manager with "
              "invoice access)."},
    "said.harvest.wrong_account_or_url": {
        "fr": "Harvest ne connaît pas le compte {account_id} pour ce jeton (HTTP {status}) : vérifiez l'account_id "
              "(affiché à côté du jeton sur {token_page}) et les droits de l'utilisateur du jeton ; ou bien le "
              "réglage « api_url » ({api_url}) ne pointe pas vers l'API v2 de Harvest ({default_api_url}).",
        "en": "Harvest knows no account {account_id} for this token (HTTP {status}): check the account ID (shown "
              "next to the token at {token_page}) and the token user's rights; or the API URL {api_url} is not "
              "Harvest's API v2 ({default_api_url})."},
    "said.harvest.rate_limited": {"fr": "Harvest continue de limiter le débit des requêtes (HTTP 429) : {error}",
                                  "en": "Harvest keeps limiting the request rate (HTTP 429): {error}"},
    "said.harvest.no_answer": {"fr": "Harvest n'a pas pu répondre : {error}", "en": "Harvest could not answer: {error}"},
    "conn.edit": {"fr": "Modifier les réglages", "en": "Edit settings"},
    "conn.save": {"fr": "Enregistrer", "en": "Save"},
    "conn.saved": {"fr": "Connexion « {name} » enregistrée.", "en": "Connection '{name}' saved."},
    "conn.no_settings": {"fr": "Ce connecteur n'a aucun réglage.", "en": "This connector has no settings."},
    "conn.add": {"fr": "Ajouter une connexion", "en": "Add a connection"},
    "conn.not_built": {"fr": "{n|Pas encore disponible|Pas encore disponibles} dans Écluse : {names}. {n|Son connecteur "
                             "reste|Leurs connecteurs restent} à écrire ; en attendant, un plugin peut {n|l'apporter|les "
                             "apporter}.",
                       "en": "Not available in Écluse yet: {names}. {n|Its connector is|Their connectors are} still to be "
                             "written; meanwhile, a plugin can bring {n|it|them}."},
    "conn.connector": {"fr": "Connecteur", "en": "Connector"},
    "conn.choose_connector": {"fr": "Choisissez un connecteur", "en": "Choose a connector"},
    "conn.cannot_show": {
        "fr": "La connexion « {name} » ne peut pas être affichée entièrement : {error}. Vérifiez ses réglages dans "
              "ecluse.toml (ou `ecluse connections add {name} --update`), sinon signalez-le à l'auteur du connecteur.",
        "en": "Connection '{name}' cannot be shown in full: {error}. Check its settings in ecluse.toml (or `ecluse "
              "connections add {name} --update`), else tell the connector's author."},
    "conn.cannot_show_form": {
        "fr": "Le formulaire du connecteur « {connector} » ne peut pas être affiché : {error}. Le connecteur est à "
              "corriger ; signalez-le à son auteur.",
        "en": "The form of connector '{connector}' cannot be shown: {error}. The connector needs fixing; tell its "
              "author."},
    "conn.name": {"fr": "Nom de la connexion", "en": "Connection name"},
    "conn.name_help": {"fr": "Lettres minuscules, chiffres, - et _ (par exemple `harvest-agence`).",
                       "en": "Lower-case letters, digits, - and _ (for instance `harvest-agency`)."},
    "conn.name_required": {"fr": "Donnez un nom à la connexion.", "en": "Give the connection a name."},
    "conn.exists": {"fr": "Une connexion « {name} » existe déjà.", "en": "A connection '{name}' already exists."},
    "conn.create": {"fr": "Créer la connexion", "en": "Create the connection"},
    "conn.no_connectors": {"fr": "Aucun connecteur n'est chargé (voir la page Plugins).",
                           "en": "No connector is loaded (see the Plugins page)."},
    "conn.secret_stored": {"fr": "déjà enregistré — laisser vide pour conserver",
                           "en": "already stored — leave empty to keep it"},
    "conn.secret_env": {"fr": "lu dans la variable d'environnement {var} — laisser vide pour conserver",
                        "en": "read from the environment variable {var} — leave empty to keep it"},
    "conn.secret_new": {"fr": "valeur secrète, ou env:NOM_DE_VARIABLE", "en": "secret value, or env:VARIABLE_NAME"},
    "conn.secret_help": {
        "fr": "Saisissez `env:NOM` pour lire la valeur dans la variable d'environnement NOM au moment de "
              "l'utilisation : le secret n'est alors écrit nulle part. Sinon il est gardé dans `secrets.toml` "
              "(mode 0600) et n'est jamais réaffiché.",
        "en": "Type `env:NAME` to read the value from the environment variable NAME when it is used: the "
              "secret is then written nowhere. Otherwise it is kept in `secrets.toml` (mode 0600) and never "
              "shown again."},
    "conn.required_note": {"fr": "Les champs suivis de \\* sont obligatoires.", "en": "Fields marked \\* are required."},
    "conn.pennylane": {"fr": "Destination Pennylane", "en": "Pennylane destination"},
    "conn.pl_api_url": {"fr": "URL de l'API", "en": "API URL"},
    "conn.pl_token": {"fr": "Jeton", "en": "Token"},
    "conn.pl_token_missing": {"fr": "non configuré", "en": "not set"},
    "conn.pl_dry_run": {"fr": "Simulation", "en": "Dry run"},
    "conn.pl_incomplete": {"fr": "Importer comme « à traiter »", "en": "Import as incomplete"},
    "conn.yes": {"fr": "oui", "en": "yes"},
    "conn.no": {"fr": "non", "en": "no"},
    "conn.pl_change": {"fr": "Ces réglages se changent sur la page Envoi, ou en ligne de commande :",
                       "en": "These settings are changed on the Send page, or from the command line:"},
    "conn.pl_open_send": {"fr": "Ouvrir la page Envoi (destination, test du jeton, envoi)",
                          "en": "Open the Send page (destination, token test, sending)"},

    # -- review --------------------------------------------------------------------------------
    "review.title": {"fr": "Revue", "en": "Review"},
    "review.all": {"fr": "Tous", "en": "All"},
    "review.f_status": {"fr": "Statut", "en": "Status"},
    "review.f_kind": {"fr": "Type", "en": "Kind"},
    "review.f_connection": {"fr": "Connexion", "en": "Connection"},
    "review.f_findings": {"fr": "Anomalies", "en": "Findings"},
    "review.f_from": {"fr": "Du", "en": "From"},
    "review.f_to": {"fr": "Au", "en": "To"},
    "review.f_counterparty": {"fr": "Tiers", "en": "Counterparty"},
    "review.f_counterparty_ph": {"fr": "nom du client ou fournisseur", "en": "customer or supplier name"},
    "review.f_search": {"fr": "Recherche", "en": "Search"},
    "review.f_search_ph": {"fr": "numéro de facture…", "en": "invoice number…"},
    "review.findings_all": {"fr": "Toutes", "en": "All"},
    "review.findings_errors": {"fr": "Avec erreurs", "en": "With errors"},
    "review.findings_warnings": {"fr": "Alertes seulement", "en": "Warnings only"},
    "review.findings_clean": {"fr": "Sans anomalie", "en": "Clean"},
    "review.findings_duplicates": {"fr": "Doublons suspectés", "en": "Suspected duplicates"},
    "review.findings_changed": {"fr": "Modifiés à la source", "en": "Changed at source"},
    "review.special_pdf_pending": {"fr": "Seuls les documents dont le PDF est en attente sont affichés.",
                                   "en": "Only documents whose PDF is pending are shown."},
    "review.clear_special": {"fr": "Tout afficher", "en": "Show all"},
    "review.sort": {"fr": "Trier par", "en": "Sort by"},
    "review.descending": {"fr": "Décroissant", "en": "Descending"},
    "review.page": {"fr": "Page (sur {pages})", "en": "Page (of {pages})"},
    "review.total": {"fr": "**{n}** {n|document|documents}", "en": "**{n}** {n|document|documents}"},
    "review.empty": {"fr": "Aucun document ne correspond aux filtres.", "en": "No document matches the filters."},
    "review.select_hint": {"fr": "Cochez des lignes pour agir dessus ; le détail d'un document coché s'affiche en dessous.",
                           "en": "Tick rows to act on them; the detail of a ticked document shows below."},
    "review.flags_help": {"fr": "PDF attendu de la source, ou document modifié à la source depuis la dernière revue.",
                          "en": "PDF expected from the source, or document changed at the source since the last review."},
    "review.flag_pdf_pending": {"fr": "PDF attendu", "en": "PDF pending"},
    "review.flag_changed": {"fr": "modifié", "en": "changed"},
    "review.no_decision_sent": {"fr": "Déjà envoyé à Pennylane : plus aucune décision à prendre ici.",
                                "en": "Already sent to Pennylane: no decision left to take here."},
    "review.no_decision_batch": {"fr": "En cours d'envoi à Pennylane (ou déjà envoyé) : plus aucune décision à prendre "
                                       "ici ; un lot interrompu se reprend depuis la page Envoi.",
                                 "en": "Being sent to Pennylane (or already sent): no decision left to take here; an "
                                       "interrupted batch is resumed from the Send page."},
    "review.selected_n": {"fr": "**{n}** {n|document sélectionné|documents sélectionnés}",
                           "en": "**{n}** {n|document|documents} selected"},
    "review.selected_errors": {"fr": "dont {n} avec des erreurs", "en": "{n} with errors"},
    "review.reason": {"fr": "Motif", "en": "Reason"},
    "review.reason_ph": {"fr": "obligatoire pour rejeter, mettre en attente ou forcer",
                         "en": "required to reject, hold or approve anyway"},
    "review.force": {"fr": "Approuver malgré les erreurs", "en": "Approve despite errors"},
    "review.force_help": {"fr": "La décision et son motif sont enregistrés dans l'historique.",
                          "en": "The decision and its reason are recorded in the history."},
    "review.approve": {"fr": "Approuver", "en": "Approve"},
    "review.approve_force": {"fr": "Approuver malgré les erreurs", "en": "Approve despite errors"},
    "review.reject": {"fr": "Rejeter", "en": "Reject"},
    "review.hold": {"fr": "Mettre en attente", "en": "Put on hold"},
    "review.reopen": {"fr": "Rouvrir", "en": "Reopen"},
    "review.reason_required": {"fr": "Indiquez un motif pour {action}.", "en": "A reason is required to {action}."},
    "review.force_reason_required": {"fr": "Approuver malgré les erreurs demande un motif.",
                                     "en": "Approving despite errors needs a reason."},
    "review.done_approve": {"fr": "{n} {n|document approuvé|documents approuvés}.", "en": "{n} {n|document|documents} approved."},
    "review.done_reject": {"fr": "{n} {n|document rejeté|documents rejetés}.", "en": "{n} {n|document|documents} rejected."},
    "review.done_hold": {"fr": "{n} {n|document mis|documents mis} en attente.", "en": "{n} {n|document|documents} put on hold."},
    "review.done_reopen": {"fr": "{n} {n|document rouvert|documents rouverts}.", "en": "{n} {n|document|documents} reopened."},
    "review.refused": {"fr": "{n} {n|document non traité|documents non traités} :", "en": "{n} {n|document|documents} not changed:"},
    "review.approve_all_valid": {"fr": "Approuver tous les valides ({n})", "en": "Approve all valid ({n})"},
    "review.approve_all_valid_warned": {
        "fr": "Dont **{n}** avec des alertes (import d'historique, devise étrangère…), {n|approuvé lui aussi|approuvés eux "
              "aussi}. Pour {n|le|les} voir d'abord : Anomalies → « Alertes seulement ».",
        "en": "Of which **{n}** {n|has|have} warnings (history import, foreign currency…) and {n|is|are} approved too. To "
              "look at {n|it|them} first: Findings → \"Warnings only\"."},
    "review.approve_all_valid_confirm": {
        "fr": "{n|Approuver le document|Approuver les **{n}** documents} à revoir sans erreur parmi ceux que les filtres "
              "affichent ? Les alertes n'empêchent pas l'approbation.",
        "en": "{n|Approve the document|Approve the **{n}** documents} to review with no error among those the filters show? Warnings do not "
              "prevent approval."},
    "review.approve_all_valid_duplicates": {
        "fr": "{n} {n|document sans erreur reste|documents sans erreur restent} à revoir : {n|c'est un doublon "
              "suspecté|ce sont des doublons suspectés}. Gardez les deux ou rejetez l'un d'eux (Anomalies → « Doublons "
              "suspectés »), sans quoi la facture serait comptée deux fois.",
        "en": "{n} {n|document|documents} without errors {n|stays|stay} to review: suspected "
              "{n|duplicate|duplicates}. Keep both or reject one (Findings → “Suspected duplicates”), or the invoice "
              "would be booked twice."},
    "review.approve_all_valid_none": {
        "fr": "Aucun document à approuver : aucun document à revoir sans erreur parmi ceux que les filtres affichent.",
        "en": "No document to approve: none to review without errors among those the filters show."},
    "review.confirm": {"fr": "Confirmer", "en": "Confirm"},
    "review.detail_of": {"fr": "Document affiché", "en": "Document shown"},
    "review.gone": {"fr": "Ce document n'est plus dans le cache.", "en": "This document is no longer in the cache."},
    "review.status_reason": {"fr": "Motif : {reason}", "en": "Reason: {reason}"},
    "hist.fix_dropped": {"fr": "la source a changé ce champ ; la correction du réviseur ne s'applique plus",
                         "en": "the source changed this field; the reviewer's fix no longer applies"},
    "hist.credited_source_id": {"fr": "Facture créditée", "en": "Credited invoice"},
    "hist.gone": {"fr": "n'était plus dans la source (supprimé, ou repassé en brouillon)",
                  "en": "was no longer in the source (deleted, or back to draft)"},
    "hist.retry": {"fr": "échec d'envoi ; approuvé de nouveau pour le prochain lot",
                   "en": "send failed; approved again for the next batch"},
    "hist.by_cli": {"fr": "ligne de commande (ecluse)", "en": "command line (ecluse)"},
    "hist.by_ecluse": {"fr": "Écluse", "en": "Écluse"},
    "review.twin": {"fr": "{number} (connexion {connection})", "en": "{number} (connection {connection})"},
    "review.customer": {"fr": "Client", "en": "Customer"},
    "review.supplier": {"fr": "Fournisseur", "en": "Supplier"},
    "review.counterparty_line": {"fr": "{role}\u00a0: {name}", "en": "{role}: {name}"},
    "review.address": {"fr": "Adresse", "en": "Address"},
    "review.vat_number": {"fr": "N° TVA", "en": "VAT number"},
    "review.source": {"fr": "Source", "en": "Source"},
    "review.open_pennylane": {"fr": "Ouvrir dans Pennylane", "en": "Open in Pennylane"},
    "review.tab_findings": {"fr": "Anomalies ({n})", "en": "Findings ({n})"},
    "review.tab_lines": {"fr": "Lignes ({n})", "en": "Lines ({n})"},
    "review.tab_pdf": {"fr": "PDF", "en": "PDF"},
    "review.tab_history": {"fr": "Historique", "en": "History"},
    "review.tab_source": {"fr": "Données source", "en": "Source data"},
    "review.tab_changes": {"fr": "Modifications", "en": "Changes"},
    "review.finding_field": {"fr": "*Champ : {field}*", "en": "*Field: {field}*"},
    "review.no_findings": {"fr": "Aucune anomalie.", "en": "No findings."},
    "review.raw": {"fr": "Données brutes reçues de la source", "en": "Raw data received from the source"},
    "review.changed_after_sending": {
        "fr": "La source a modifié ce document après son envoi à Pennylane (voir l'onglet Modifications). Mettez "
              "Pennylane à jour si besoin, puis marquez la modification comme traitée.",
        "en": "The source changed this document after it was sent to Pennylane (see the Changes tab). Update "
              "Pennylane if needed, then mark the change as handled."},
    "review.gone_after_sending": {
        "fr": "La source ne liste plus ce document, déjà envoyé à Pennylane (voir l'onglet Anomalies). Mettez "
              "Pennylane à jour si besoin (avoir, suppression), puis marquez la modification comme traitée.",
        "en": "The source no longer lists this document, already sent to Pennylane (see the Findings tab). Update "
              "Pennylane if needed (credit note, deletion), then mark the change as handled."},
    "review.flagged_after_sending": {
        "fr": "Ce document a changé pendant son envoi à Pennylane (voir l'onglet Historique). Vérifiez-le dans "
              "Pennylane, puis marquez la modification comme traitée.",
        "en": "This document changed while it was being sent to Pennylane (see the History tab). Check it in "
              "Pennylane, then mark the change as handled."},
    "review.ack_reason": {"fr": "Ce qui a été fait dans Pennylane", "en": "What was done in Pennylane"},
    "review.ack_reason_ph": {"fr": "p. ex. facture corrigée dans Pennylane, avoir émis…",
                             "en": "e.g. invoice corrected in Pennylane, credit note issued…"},
    "review.ack": {"fr": "Marquer la modification comme traitée", "en": "Mark the change as handled"},
    "review.ack_reason_required": {"fr": "Indiquez ce qui a été fait dans Pennylane avant de marquer la modification "
                                         "comme traitée.",
                                   "en": "Say what was done in Pennylane before marking the change as handled."},
    "review.ack_done": {"fr": "Modification marquée comme traitée.", "en": "Change marked as handled."},
    "review.pdf_pending": {"fr": "Le PDF n'est pas encore arrivé de la source.", "en": "The PDF has not arrived from the source yet."},
    "review.pdf_missing": {"fr": "Aucun PDF pour ce document.", "en": "No PDF for this document."},
    "review.pdf_not_in_store": {"fr": "Le PDF est référencé mais absent du dossier attachments/.",
                                "en": "The PDF is referenced but missing from the attachments/ folder."},
    "review.pdf_unreadable": {"fr": "Le PDF n'a pas pu être lu pour l'aperçu.", "en": "The PDF could not be read for a preview."},
    "review.pdf_preview_unavailable": {
        "fr": "L'aperçu du PDF demande le paquet pypdfium2 (non installé) : téléchargez le fichier pour le lire.",
        "en": "The PDF preview needs the pypdfium2 package (not installed): download the file to read it."},
    "review.pdf_page": {"fr": "Page {n}", "en": "Page {n}"},
    "review.pdf_download": {"fr": "Télécharger {name}", "en": "Download {name}"},
    "review.problems": {"fr": "Enregistrements en problème ({n})", "en": "Records kept as problems ({n})"},
    "review.problems_help": {
        "fr": "Ces enregistrements de la source n'ont pas pu être lus comme des factures. Ils sont conservés avec "
              "leurs données pour être corrigés à la source : corrigé, un enregistrement quitte cette liste à la "
              "synchronisation suivante. Un enregistrement sans suite (un test, une facture saisie à la main dans "
              "Pennylane) se marque comme traité : cochez-le et dites pourquoi.",
        "en": "These source records could not be read as invoices. They are kept with their data so that they "
              "can be fixed at the source: once fixed, a record leaves this list at the next sync. One that needs "
              "nothing more (a test, an invoice entered by hand in Pennylane) can be marked as handled: tick it and "
              "say why."},
    "review.problems_reason": {"fr": "Pourquoi (obligatoire)", "en": "Why (required)"},
    "review.problems_reason_ph": {"fr": "Enregistrement de test, saisi à la main dans Pennylane…",
                                  "en": "A test record, entered by hand in Pennylane…"},
    "review.problems_dismiss": {"fr": "Marquer comme {n|traité|traités ({n})}", "en": "Mark as handled ({n})"},
    "review.problems_dismissed": {"fr": "{n|Un enregistrement marqué|{n} enregistrements marqués} comme traité{n||s}.",
                                  "en": "{n|One record|{n} records} marked as handled."},
    "review.problems_none_ticked": {"fr": "Cochez d'abord les enregistrements traités dans la liste.",
                                    "en": "Tick the handled records in the list first."},
    "review.problems_not_dismissed": {
        "fr": "{n|Un enregistrement coché était déjà traité|{n} enregistrements cochés étaient déjà traités} : la liste "
              "est à jour.",
        "en": "{n|One ticked record was|{n} ticked records were} already handled: the list is up to date."},
    "said.problem.reason_missing": {"fr": "Dites pourquoi ces enregistrements sont traités.",
                                    "en": "Say why these records are handled."},
    "refusal.not_changed_after_sending": {"fr": "aucune modification après envoi à traiter (déjà traitée ?)",
                                          "en": "not changed after sending (already handled?)"},
    "refusal.changed_again": {"fr": "la source l'a de nouveau modifié entre-temps : revoyez les écarts",
                              "en": "the source changed it again meanwhile: look at the differences again"},
    "refusal.no_such_document": {"fr": "document introuvable", "en": "no such document"},
    "refusal.duplicate": {"fr": "doublon suspecté de {twin} : gardez les deux ou rejetez l'un d'eux d'abord (onglet "
                                "« Doublons suspectés » du document), sans quoi la facture serait comptée deux fois",
                          "en": "suspected duplicate of {twin}: keep both or reject one first (the document's "
                                "“Suspected duplicates” tab), or the invoice would be booked twice"},
    "refusal.already": {"fr": "déjà « {status} »", "en": "already '{status}'"},
    "refusal.cannot": {"fr": "impossible depuis le statut « {status} »", "en": "not possible from status '{status}'"},
    "refusal.errors": {"fr": "{n} {n|erreur|erreurs} à corriger d'abord (ou « Approuver malgré les erreurs » avec un "
                             "motif)",
                       "en": "{n} {n|error|errors} to fix first (or 'Approve despite errors' with a reason)"},
    "sort.issue_date": {"fr": "Date", "en": "Date"},
    "sort.number": {"fr": "Numéro", "en": "Number"},
    "sort.counterparty": {"fr": "Tiers", "en": "Counterparty"},
    "sort.total": {"fr": "Montant", "en": "Amount"},
    "sort.status": {"fr": "Statut", "en": "Status"},
    "sort.findings": {"fr": "Anomalies", "en": "Findings"},
    "sort.connection": {"fr": "Connexion", "en": "Connection"},
    "sort.fetched_at": {"fr": "Date de récupération", "en": "Fetched at"},

    # -- finding titles (the detail text comes from the validator) ------------------------------
    "finding.missing_number": {"fr": "Numéro manquant", "en": "Missing number"},
    "finding.number_missing": {"fr": "Numéro manquant", "en": "Missing number"},
    "finding.missing_issue_date": {"fr": "Date d'émission manquante", "en": "Missing issue date"},
    "finding.missing_due_date": {"fr": "Échéance manquante", "en": "Missing due date"},
    "finding.missing_totals": {"fr": "Totaux incomplets", "en": "Incomplete totals"},
    "finding.source_total_missing": {"fr": "Total absent de la source", "en": "Total missing at source"},
    "finding.no_lines": {"fr": "Aucune ligne", "en": "No lines"},
    "finding.future_date": {"fr": "Date dans le futur", "en": "Date in the future"},
    "finding.due_before_issue": {"fr": "Échéance avant la date d'émission", "en": "Due before issue date"},
    "finding.bad_currency": {"fr": "Devise invalide", "en": "Invalid currency"},
    "finding.currency_missing": {"fr": "Devise manquante", "en": "Missing currency"},
    "finding.foreign_currency": {"fr": "Devise étrangère", "en": "Foreign currency"},
    "finding.totals_mismatch": {"fr": "Totaux différents de la somme des lignes", "en": "Totals differ from the lines"},
    "finding.total_not_sum": {"fr": "TTC ≠ HT + TVA", "en": "Total ≠ before tax + VAT"},
    "finding.credit_note_positive": {"fr": "Avoir positif", "en": "Positive credit note"},
    "finding.invoice_negative": {"fr": "Facture négative", "en": "Negative invoice"},
    "finding.missing_vat_rate": {"fr": "Taux de TVA manquant", "en": "Missing VAT rate"},
    "finding.unknown_vat_rate": {"fr": "Taux de TVA inconnu", "en": "Unknown VAT rate"},
    "finding.vat_amount_mismatch": {"fr": "Montant de TVA incohérent", "en": "VAT amount mismatch"},
    "finding.vat_code_rate_mismatch": {"fr": "Code TVA incohérent avec le taux", "en": "VAT code does not match the rate"},
    "finding.line_total_mismatch": {"fr": "Total de ligne incohérent", "en": "Line total mismatch"},
    "finding.line_amount_mismatch": {"fr": "Montant de ligne incohérent", "en": "Line amount mismatch"},
    "finding.line_amount_missing": {"fr": "Montant de ligne manquant", "en": "Missing line amount"},
    "finding.missing_counterparty": {"fr": "Tiers manquant", "en": "Missing counterparty"},
    "finding.counterparty_missing": {"fr": "Tiers manquant", "en": "Missing counterparty"},
    "finding.missing_counterparty_name": {"fr": "Nom du tiers manquant", "en": "Missing counterparty name"},
    "finding.incomplete_address": {"fr": "Adresse de facturation incomplète", "en": "Incomplete billing address"},
    "finding.bad_vat_number": {"fr": "N° de TVA douteux", "en": "Suspicious VAT number"},
    "finding.bad_postal_code": {"fr": "Code postal douteux", "en": "Suspicious postal code"},
    "finding.account_class": {"fr": "Compte d'une autre classe", "en": "Account of another class"},
    "finding.missing_vat_number": {"fr": "N° de TVA intracommunautaire manquant", "en": "Missing EU VAT number"},
    "finding.bad_siren": {"fr": "SIREN invalide", "en": "Invalid SIREN"},
    "finding.bad_siret": {"fr": "SIRET invalide", "en": "Invalid SIRET"},
    "finding.missing_attachment": {"fr": "PDF manquant", "en": "Missing PDF"},
    "finding.attachment_not_pdf": {"fr": "Pièce jointe qui n'est pas un PDF", "en": "Attachment is not a PDF"},
    "finding.attachment_pending": {"fr": "PDF en attente", "en": "PDF pending"},
    "finding.attachment_unavailable": {"fr": "PDF indisponible", "en": "PDF unavailable"},
    "finding.suspected_duplicate": {"fr": "Doublon suspecté", "en": "Suspected duplicate"},
    "finding.gone_from_source": {"fr": "N'est plus dans la source", "en": "No longer in the source"},
    # Harvest's own (plugins/harvest/normalize.py, connector.py)
    "finding.history_import": {"fr": "Import d'historique : déjà dans Pennylane ?", "en": "History import: already in Pennylane?"},
    "finding.address_unparsed": {"fr": "Adresse à compléter", "en": "Address to complete"},
    "finding.source_totals_mismatch": {"fr": "Totaux différents de ceux de la source", "en": "Totals differ from the source's"},
    "finding.issue_date_missing": {"fr": "Date d'émission manquante", "en": "Missing issue date"},
    "finding.issue_date_invalid": {"fr": "Date d'émission invalide", "en": "Invalid issue date"},
    "finding.due_date_invalid": {"fr": "Échéance invalide", "en": "Invalid due date"},
    "finding.due_date_missing": {"fr": "Échéance manquante", "en": "Missing due date"},

    # -- send ------------------------------------------------------------------------------------
    "send.title": {"fr": "Envoi vers Pennylane", "en": "Sending to Pennylane"},

    # -- reconciliation ------------------------------------------------------------------------
    "rec.title": {"fr": "Suivi, de la source à Pennylane", "en": "Reconciliation"},
    "rec.intro": {"fr": "Totaux du cache par mois, connexion et statut. Cliquez sur une barre pour lister ses "
                        "documents.",
                  "en": "Cache totals by month, connection and status. Click a bar to list its documents."},
    "rec.connection": {"fr": "Connexion", "en": "Connection"},
    "rec.all_connections": {"fr": "Toutes les connexions", "en": "All connections"},
    "rec.currency": {"fr": "Devise", "en": "Currency"},
    "rec.side": {"fr": "Documents", "en": "Documents"},
    "rec.side_sales": {"fr": "Ventes", "en": "Sales"},
    "rec.side_purchases": {"fr": "Achats", "en": "Purchases"},
    "rec.side_all": {"fr": "Tout", "en": "All"},
    "rec.monthly": {"fr": "Totaux TTC mensuels ({currency})", "en": "Monthly totals incl. VAT ({currency})"},
    "rec.monthly_note": {"fr": "Les avoirs sont comptés en négatif.", "en": "Credit notes count as negative."},
    "rec.no_data": {"fr": "Aucun document pour ces critères.", "en": "No document for these criteria."},
    "rec.total_axis": {"fr": "Total TTC", "en": "Total incl. VAT"},
    "rec.documents_axis": {"fr": "Documents", "en": "Documents"},
    "rec.hover_documents": {"fr": "documents", "en": "documents"},
    "rec.n_documents": {"fr": "{n} {n|document|documents}", "en": "{n} {n|document|documents}"},
    "rec.click_hint": {"fr": "Cliquez sur une barre du graphique pour afficher ses documents ici.",
                       "en": "Click a bar of the chart to list its documents here."},
    "rec.selection": {"fr": "{month} · {status} · {connection} : {n} {n|document|documents}, {total}",
                      "en": "{month} · {status} · {connection}: {n} {n|document|documents}, {total}"},
    "rec.more": {"fr": "{shown} premiers sur {n}.", "en": "First {shown} of {n}."},
    "rec.backlog": {"fr": "Ancienneté des documents en {currency} à revoir ou mis en attente (nombre de documents)",
                    "en": "Age of the {currency} documents to review or on hold (number of documents)"},
    "rec.scope_sales": {"fr": "Ventes seulement (factures et avoirs clients, en {currency}) : chaque chiffre et chaque "
                              "graphique ci-dessous ne compte qu'elles. « Tout » ajoute les achats.",
                        "en": "Sales only (customer invoices and credit notes, in {currency}): every figure and chart "
                              "below counts them only. “All” adds the purchases."},
    "rec.scope_purchases": {"fr": "Achats seulement (factures et avoirs fournisseurs, en {currency}) : chaque chiffre "
                                  "et chaque graphique ci-dessous ne compte qu'eux. « Tout » ajoute les ventes.",
                            "en": "Purchases only (supplier invoices and credit notes, in {currency}): every figure "
                                  "and chart below counts them only. “All” adds the sales."},
    "rec.backlog_note": {"fr": "Les documents qui attendent une décision, à revoir ou mis en attente : ceux des barres "
                               "« {stage} » du graphique mensuel.",
                         "en": "The documents awaiting a decision, to review or on hold: those of the “{stage}” bars "
                               "of the monthly chart."},
    "rec.basis": {"fr": "Mesurer l'âge depuis", "en": "Measure age from"},
    "rec.basis_issue_date": {"fr": "la date de la pièce", "en": "the document date"},
    "rec.basis_waiting": {"fr": "l'arrivée en revue ou la mise en attente", "en": "entering review or going on hold"},
    "rec.backlog_empty": {"fr": "Aucun document à revoir ni mis en attente.", "en": "Nothing to review or on hold."},
    "rec.bucket_days": {"fr": "{label} j", "en": "{label} d"},
    "rec.bucket_over": {"fr": "> {days} j", "en": "> {days} d"},
    "rec.open_review": {"fr": "Ouvrir ces documents dans Revue", "en": "Open these documents in Review"},
    # What a check in Pennylane found (services/confirm.py, confirmations.said)
    "said.confirm.missing": {"fr": "la facture {pennylane_id} n'est plus dans Pennylane",
                             "en": "invoice {pennylane_id} is no longer in Pennylane"},
    "said.confirm.deleted": {"fr": "la facture {number} n'est plus dans Pennylane (identifiant {pennylane_id})",
                             "en": "invoice {number} is no longer in Pennylane (id {pennylane_id})"},
    "said.confirm.amount_mismatch": {"fr": "Pennylane a un autre montant que celui envoyé",
                                     "en": "Pennylane has another amount than the one sent"},
    "said.confirm.changed": {"fr": "modifiée dans Pennylane le {when}", "en": "modified in Pennylane on {when}"},
    "said.confirm.archived": {"fr": "archivée dans Pennylane le {when}", "en": "archived in Pennylane on {when}"},

    "conn.setting_default": {"fr": "Vide : {value} (par défaut)", "en": "Empty: {value} (the default)"},
    "conn.advanced": {"fr": "Réglages avancés", "en": "Advanced settings"},
    # -- plugins -------------------------------------------------------------------------------
    "plg.title": {"fr": "Plugins", "en": "Plugins"},
    "plg.intro": {
        "fr": "Les connecteurs sont des plugins, chargés depuis le groupe de points d'entrée `ecluse`. "
              "Un plugin en échec n'empêche jamais la console de démarrer : son erreur est affichée ici.",
        "en": "Connectors are plugins, loaded from the `ecluse` entry-point group. A failing plugin never "
              "stops the console from starting: its error is shown here."},
    "plg.failed": {"fr": "Le plugin « {name} » n'a pas pu être chargé : {error}",
                   "en": "The plugin '{name}' could not be loaded: {error}"},
    "plg.partial": {"fr": "Le plugin « {name} » est chargé en partie : ce qu'il a enregistré sans erreur "
                          "fonctionne, le reste est ignoré. À corriger par son auteur : {error}",
                    "en": "The plugin '{name}' loaded in part: what it registered without error works, the "
                          "rest is ignored. For its author to fix: {error}"},
    "plg.ok": {"fr": "chargé", "en": "loaded"},
    "plg.partly": {"fr": "en partie", "en": "partial"},
    "plg.partial_cli": {
        "fr": "Le plugin « {name} » est chargé en partie : la console n'utilise rien de lui ; seules ses commandes "
              "peuvent servir, dans la ligne de commande `ecluse` (`ecluse plugins` dit si elles se chargent). "
              "À corriger par son auteur : {error}",
        "en": "The plugin '{name}' loaded in part: the console uses nothing of it; only its commands may work, in "
              "the `ecluse` command line (`ecluse plugins` says whether they load). For its author to fix: {error}"},
    "plg.partly_cli": {"fr": "en partie (ligne de commande)", "en": "partial (command line)"},
    "plg.ko": {"fr": "échec", "en": "failed"},
    "plg.none": {"fr": "Aucun plugin chargé.", "en": "No plugin loaded."},
    "plg.load_title": {"fr": "Choisir les plugins chargés", "en": "Choosing which plugins load"},
    "plg.load_text": {
        "fr": "Par défaut, tous les plugins installés sont chargés. `ECLUSE_LOAD_PLUGINS=demo,harvest` ne charge "
              "que ceux-là ; `ECLUSE_LOAD_PLUGINS=` (vide) n'en charge aucun. Variable lue au démarrage de la console.",
        "en": "By default every installed plugin is loaded. `ECLUSE_LOAD_PLUGINS=demo,harvest` loads only these; "
              "`ECLUSE_LOAD_PLUGINS=` (empty) loads none. Read when the console starts."},
    "plg.load_current": {"fr": "Valeur actuelle : `{value}`", "en": "Current value: `{value}`"},
    "plg.load_unset": {"fr": "non définie (tous les plugins)", "en": "unset (all plugins)"},
    "plg.ship_title": {"fr": "Publier un plugin", "en": "Shipping a plugin"},
    "plg.ship_text": {
        "fr": "Un paquet Python tiers déclare un point d'entrée dans le groupe `ecluse` de son `pyproject.toml`, "
              "et son module implémente le hook `register_connectors` (classe dérivée de "
              "`ecluse.connectors.Connector`), et `register_texts` pour dire ses propres messages en français. "
              "Une fois le paquet installé dans le même environnement, redémarrez la console.",
        "en": "A third-party Python package declares an entry point in the `ecluse` group of its "
              "`pyproject.toml`, and its module implements the `register_connectors` hook (a subclass of "
              "`ecluse.connectors.Connector`), and `register_texts` to say its own messages in French. Install the "
              "package in the same environment and restart the console."},
    # Correspondances: what the Pennylane company has (services/pennylane_lists.py); the page's
    # other texts are in i18n_review.py.
    "map.pl_refresh": {"fr": "Actualiser depuis Pennylane", "en": "Refresh from Pennylane"},
    "map.pl_refresh_help": {
        "fr": "Lit les catégories et le plan comptable de la société Pennylane vers laquelle partent les envois "
              "(page Envoi), pour les choisir ici au lieu de les taper.",
        "en": "Reads the categories and the chart of accounts of the destination's Pennylane company (Send page), "
              "to pick them here instead of typing them."},
    "map.pl_fetching": {"fr": "Lecture des listes de Pennylane…", "en": "Reading Pennylane's lists…"},
    "map.pl_fetched": {
        "fr": "Listes de Pennylane lues le {when} : {categories} {categories|catégorie|catégories}, "
              "{accounts} {accounts|compte comptable|comptes comptables}.",
        "en": "Pennylane's lists read on {when}: {categories} {categories|category|categories}, "
              "{accounts} {accounts|ledger account|ledger accounts}."},
    "map.pl_never": {
        "fr": "Les catégories et le plan comptable de Pennylane n'ont pas encore été lus pour cette destination.",
        "en": "Pennylane's categories and chart of accounts have not been read for this destination yet."},
    "map.pl_refreshed": {
        "fr": "Listes de Pennylane actualisées : {categories} {categories|catégorie|catégories}, "
              "{accounts} {accounts|compte comptable|comptes comptables}.",
        "en": "Pennylane's lists refreshed: {categories} {categories|category|categories}, "
              "{accounts} {accounts|ledger account|ledger accounts}."},
    "map.pl_failed": {"fr": "Les listes de Pennylane n'ont pas pu être lues : {message}",
                      "en": "Pennylane's lists could not be read: {message}"},
    "map.pl_why_dry_run": {
        "fr": "La destination est en **simulation** : rien n'est lu de Pennylane. Passez-la en envoi réel "
              "(page Envoi, « Modifier la destination ») pour lire ses listes.",
        "en": "The destination is a **dry run**: nothing is read from Pennylane. Make it live (Send page, "
              "“Change the destination”) to read its lists."},
    "map.pl_why_no_token": {
        "fr": "Aucun jeton Pennylane configuré : rien n'est lu de Pennylane. Configurez-le sur la page Envoi "
              "(« Modifier la destination »).",
        "en": "No Pennylane token configured: nothing is read from Pennylane. Set it on the Send page "
              "(“Change the destination”)."},
    "map.pl_why_env_unset": {
        "fr": "La variable d'environnement `{var}`, qui doit contenir le jeton, n'est pas définie pour la console : "
              "rien n'est lu de Pennylane.",
        "en": "The environment variable `{var}`, which should hold the token, is not set for the console: "
              "nothing is read from Pennylane."},
    "map.pl_why_secrets_invalid": {
        "fr": "Le fichier `secrets.toml` de l'espace de travail n'est pas un TOML valide : le jeton ne peut pas être "
              "lu, rien n'est lu de Pennylane. Corrigez ou recréez ce fichier ; les correspondances restent "
              "modifiables.",
        "en": "The workspace's `secrets.toml` is not valid TOML: the token cannot be read, nothing is read from "
              "Pennylane. Fix or recreate that file; the mappings can still be changed."},
    "map.pl_dry_run_flags": {
        "fr": "La destination est en **simulation** : une simulation accepte tous les comptes et toutes les "
              "catégories, rien n'y est mis En attente. Les signalements ci-dessous, d'après les listes lues "
              "auparavant, valent pour un envoi réel.",
        "en": "The destination is a **dry run**: a dry run accepts every account and category, nothing is put "
              "On hold. The flags below, from the lists read earlier, apply to a live send."},
    "map.col_pl_label": {"fr": "Libellé Pennylane", "en": "Pennylane label"},
    "map.col_pl_label_help": {
        "fr": "Libellé du compte dans le plan comptable de Pennylane (lu avec « Actualiser depuis Pennylane »).",
        "en": "The account's label in Pennylane's chart of accounts (read with “Refresh from Pennylane”)."},
    "map.pl_account_absent": {"fr": "Absent de Pennylane", "en": "Not in Pennylane"},
    "map.pl_account_disabled": {"fr": "{label} — désactivé dans Pennylane", "en": "{label} — disabled in Pennylane"},
    "map.pl_used": {"fr": "{account} par {part} : {label}", "en": "{account} through {part}: {label}"},
    "map.pl_fallback": {"fr": "compte par défaut (*)", "en": "the fallback account (*)"},
    "map.pl_accounts_disabled": {
        "fr": "{n} {n|compte associé est désactivé|comptes associés sont désactivés} dans Pennylane : {accounts}. "
              "Réactivez-{n|le|les} dans Pennylane ou associez un compte actif.",
        "en": "{n} mapped {n|account is|accounts are} disabled in Pennylane: {accounts}. Enable {n|it|them} again "
              "in Pennylane or map an active account."},
    "map.state_by_parts": {"fr": "Par ses parties : {parts}", "en": "Through its parts: {parts}"},
    "map.state_absent": {"fr": "Absent de Pennylane : mise En attente à l'envoi",
                         "en": "Not in Pennylane: put On hold when sent"},
    "map.state_disabled": {"fr": "Désactivé dans Pennylane", "en": "Disabled in Pennylane"},
    "map.state_flag_absent": {"fr": "{state} — {accounts} absent de Pennylane : mise En attente à l'envoi",
                              "en": "{state} — {accounts} not in Pennylane: put On hold when sent"},
    "map.state_flag_disabled": {"fr": "{state} — {accounts} désactivé dans Pennylane",
                                "en": "{state} — {accounts} disabled in Pennylane"},
    "map.m_categories_help_counted": {
        "fr": "Compté ici : {none} sans catégorie, {unknown} avec une catégorie inconnue de Pennylane, {ambiguous} "
              "avec un choix ambigu (un libellé que plusieurs catégories de Pennylane portent).",
        "en": "Counted here: {none} without a category, {unknown} with a category Pennylane does not know, "
              "{ambiguous} with an ambiguous choice (a label several Pennylane categories share)."},
    "map.col_lines_help": {
        "fr": "Lignes du code. Pour une partie (en tête de liste), ses propres lignes et celles des codes "
              "composés qui la contiennent.",
        "en": "The code's lines. For a part (at the top of the list), its own lines and those of the codes made "
              "with it."},
    "map.col_documents_help": {
        "fr": "Documents de ces lignes (pour une partie, aussi ceux des codes composés qui la contiennent).",
        "en": "Documents of these lines (for a part, also those of the codes made with it)."},
    "map.m_categories_help_lists": {
        "fr": "Côtés (ventes, achats) des connexions qui ont des documents mais pas de catégorie par défaut, ou une "
              "catégorie inconnue de Pennylane ou ambiguë : en envoi réel, leurs factures partent sans catégorie "
              "(facultatif).",
        "en": "Sides (sales, purchases) of connections with documents but no default category, or one Pennylane "
              "does not know or several of its categories share: in a live send their invoices go without a "
              "category (optional)."},
    "map.pl_accounts_absent": {
        "fr": "{n} {n|compte associé est absent|comptes associés sont absents} du plan comptable de Pennylane : "
              "{accounts}. En envoi réel, une facture dont une ligne en dépend n'est pas importée : elle est mise "
              "**En attente**, avec la raison. Une fois le compte créé dans Pennylane ou la correspondance "
              "corrigée, approuvez-la de nouveau dans Revue : elle partira au prochain envoi.",
        "en": "{n} mapped {n|account is|accounts are} not in Pennylane's chart of accounts: {accounts}. In a live "
              "send, an invoice with a line that depends on one is not imported: it is put **On hold**, with the "
              "reason. Once the account is created in Pennylane or the mapping corrected, approve it again in "
              "Review: it goes with the next send."},
    "map.pl_fallback_absent": {
        "fr": "Le compte par défaut (*) `{account}` est absent du plan comptable de Pennylane : en envoi réel, une "
              "facture dont une ligne n'a ni compte propre (corrigé dans Revue) ni code associé est mise "
              "**En attente** ; celles dont chaque ligne a son compte partent. Une fois le compte créé dans "
              "Pennylane ou la correspondance corrigée, approuvez de nouveau dans Revue les factures mises "
              "en attente.",
        "en": "The fallback account (*) `{account}` is not in Pennylane's chart of accounts: in a live send, an "
              "invoice with a line that has neither an account of its own (fixed in Review) nor a mapped code is "
              "put **On hold**; those whose every line has its account go. Once the account is created in "
              "Pennylane or the mapping corrected, approve the held invoices again in Review."},
    "map.pl_categories_known": {
        "fr": "Choisissez {n|la seule catégorie|parmi les {n} catégories} de Pennylane "
              "({n|avec son groupe|chacune avec son groupe}).",
        "en": "Pick {n|Pennylane's only category|among Pennylane's {n} categories} "
              "({n|with its group|each with its group})."},
    # fewer labels than categories: some labels are shared, and what is offered is a label
    "map.pl_categories_known_shared": {
        "fr": "Choisissez parmi les {n} libellés des {categories} catégories de Pennylane, chacun avec son groupe "
              "(un libellé que plusieurs groupes partagent les nomme tous).",
        "en": "Pick among the {n} labels of Pennylane's {categories} categories, each with its group (a label "
              "several groups share names them all)."},
    "map.pl_categories_none": {
        "fr": "La société Pennylane n'a aucune catégorie : créez-les dans Pennylane, puis actualisez.",
        "en": "The Pennylane company has no category: create them in Pennylane, then refresh."},
    "map.pl_categories_unknown": {
        "fr": "La liste des catégories de Pennylane apparaît ici une fois Pennylane connecté (envoi réel et jeton, "
              "page Envoi) et ses listes lues avec « Actualiser depuis Pennylane » ; d'ici là, tapez le libellé exact.",
        "en": "Pennylane's list of categories appears here once Pennylane is connected (live destination and token, "
              "Send page) and its lists read with “Refresh from Pennylane”; until then, type the exact label."},
    "map.pl_col_category_help": {
        "fr": "Une catégorie de la société Pennylane. Vide : aucune catégorie par défaut.",
        "en": "A category of the Pennylane company. Empty: no default category."},
    "map.pl_category_unknown": {"fr": "Inconnue de Pennylane : en envoi réel, la facture part sans catégorie",
                                "en": "Unknown to Pennylane: in a live send, the invoice goes without a category"},
    "map.pl_category_ambiguous": {"fr": "Ambiguë : {n} catégories de Pennylane portent ce libellé{groups}",
                                  "en": "Ambiguous: {n} Pennylane categories have this label{groups}"},
    "map.pl_categories_ambiguous": {
        "fr": "{n} {n|catégorie choisie porte un libellé|catégories choisies portent des libellés} que plusieurs "
              "catégories de Pennylane partagent : {labels}. La correspondance ne garde que le libellé : en envoi "
              "réel, la facture part sans catégorie, avec un avertissement, plutôt que dans celle d'un autre "
              "groupe. Renommez-les dans Pennylane pour les distinguer, puis actualisez.",
        "en": "{n} chosen {n|category has a label|categories have labels} that several Pennylane categories "
              "share: {labels}. The mapping keeps only the label: in a live send, the invoice goes without a "
              "category, with a warning, rather than into another group's. Rename them in Pennylane to tell them "
              "apart, then refresh."},
    "map.pl_categories_absent": {
        "fr": "{n} {n|catégorie choisie est inconnue|catégories choisies sont inconnues} de Pennylane : {labels}. "
              "En envoi réel, la facture est importée sans catégorie, avec un avertissement.",
        "en": "{n} chosen {n|category is|categories are} unknown to Pennylane: {labels}. In a live send, the "
              "invoice is imported without a category, with a warning."},
}


# Catalogues of newer pages live in their own modules (one per page family) and join here.
from .i18n_send import MESSAGES as _SEND_MESSAGES  # noqa: E402
from .i18n_review import MESSAGES as _REVIEW_MESSAGES  # noqa: E402
from .i18n_findings import MESSAGES as _FINDING_MESSAGES  # noqa: E402
from .i18n_reports import MESSAGES as _REPORT_MESSAGES  # noqa: E402

for _catalogue in (_SEND_MESSAGES, _REVIEW_MESSAGES, _FINDING_MESSAGES, _REPORT_MESSAGES):
    _clash = set(_catalogue) & set(MESSAGES)
    if _clash:
        raise RuntimeError(f"duplicate message keys: {sorted(_clash)}")
    MESSAGES.update(_catalogue)


# Templates a plugin added (hook `register_texts`, collected by plugin_loader), apart from the
# core's catalogue, which stays complete in both languages (a test checks it): only `said.` and
# `finding.` keys the core does not define, "en" at least. A plugin set that loads later
# replaces the templates it registers again.
PLUGIN_MESSAGES: dict[str, dict[str, str]] = {}
PLUGIN_PREFIXES = ("said.", "finding.")


def has(key: str) -> bool:
    return key in MESSAGES or key in PLUGIN_MESSAGES


def plugin_text_problem(key: Any, template: Any) -> str | None:
    """Why a plugin cannot have `template` ({"fr": ..., "en": ...}) under `key`, or None.
    Whether another plugin has the key is the loader's question."""
    if not isinstance(key, str) or not key.startswith(PLUGIN_PREFIXES) or key in PLUGIN_PREFIXES:
        return (f"text {key!r} is refused: a plugin's keys start with 'said.' or 'finding.' "
                "(the console's own texts cannot be changed)")
    if key in MESSAGES:
        return f"text {key!r} is the console's own; the plugin's was ignored"
    if not isinstance(template, dict) or not template.get("en"):
        return f"text {key!r} has no 'en' template (give {{\"fr\": ..., \"en\": ...}})"
    fields = {}
    for lang, text in template.items():
        if lang not in LANGS:
            return f"text {key!r}: {lang!r} is not a language of the console ({', '.join(LANGS)})"
        if not isinstance(text, str):
            return f"text {key!r}: its {lang!r} template is not a str"
        try:
            fields[lang] = _fields(text)
        except ValueError as exc:
            return f"text {key!r}: its {lang!r} template is not a format string ({exc})"
    if len({frozenset(names) for names in fields.values()}) > 1:
        named = "; ".join(f"{lang}: {', '.join(sorted(names)) or 'none'}" for lang, names in fields.items())
        return f"text {key!r}: its templates do not name the same values ({named})"
    return None


def _fields(text: str) -> set[str]:
    """The values a template names, its counts ({n|a|b}) included."""
    counts = {m.group(1) for m in _PLURAL.finditer(text)}
    plain = _PLURAL.sub(lambda m: m.group(2), text)
    return counts | {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(plain) if name}


def add_plugin_text(key: str, template: dict[str, str]) -> None:
    """A template `plugin_text_problem` accepted, said from now on."""
    PLUGIN_MESSAGES[key] = dict(template)


_TODO_KEYS = {"ledger": "map.todo_ledger", "vat": "map.todo_vat", "accounts_absent": "next.accounts_absent",
              "accounts_disabled": "next.accounts_disabled", "categories_missing": "next.categories_missing"}


def todo_text(items: list[dict[str, Any]], lang: str = DEFAULT_LANG) -> str:
    """The list of `mappings.todo` in one text, as the Overview and the Mappings page say it."""
    return " ".join(t(_TODO_KEYS[item["code"]], lang, n=item["n"], lines=item["lines"] or 0) for item in items)


def t(key: str, lang: str = DEFAULT_LANG, **fmt: Any) -> str:
    entry = MESSAGES.get(key) or PLUGIN_MESSAGES.get(key)
    if entry is None:
        return key
    # its plural rule goes with the text; a plugin's may be in English only
    used = lang if entry.get(lang) else DEFAULT_LANG if entry.get(DEFAULT_LANG) else "en"
    text = entry[used]
    if fmt and "|" in text:
        text = _PLURAL.sub(lambda m: m.group(2) if _singular(fmt[m.group(1)], used) else m.group(3), text)
    if fmt and used == "fr" and "de {" in text:
        text = _ELIDED.sub(lambda m: "d'" + m.group(1) if _elides(fmt.get(m.group(2))) else m.group(0), text)
    return text.format(**fmt) if fmt else text


# {name|singular|plural}; a form may hold placeholders ("{n|le document|les {n} documents}").
_FORM = r"((?:[^{}|]|\{\w+\})*)"
_PLURAL = re.compile(r"(?<!\{)\{(\w+)\|" + _FORM + r"\|" + _FORM + r"\}(?!\})")


# French "de {name}" before a value that starts with a vowel: "d'atelier-bis", "d'Acme".
_ELIDED = re.compile(r"\bde (\{(\w+)\})")
_VOWELS = frozenset("aeiouàâäéèêëîïôöùûüœæ")  # not y: "de Yannick", "de yousign"


def _elides(value: Any) -> bool:
    return isinstance(value, str) and value[:1].lower() in _VOWELS


def _singular(count: Any, lang: str) -> bool:
    """Whether `count` (a number, or one already formatted: "1 234", "1,5") takes the singular."""
    if isinstance(count, str):
        count = re.sub(r"[\s\u00a0\u202f]", "", count).replace(",", "" if lang == "en" else ".")
    try:
        value = abs(Decimal(count))
    except (InvalidOperation, TypeError, ValueError):
        return False
    if not value.is_finite():
        return False
    return value < 2 if lang == "fr" else value == 1


# Finding.params by name (i18n_findings): amounts and rates, dates, and the rest as they are.
_NUMBER_PARAMS = frozenset({"declared", "computed", "gap", "total", "before_tax", "tax", "amount", "rate", "code_rate",
                            "expected", "quantity", "unit_price", "harvest"})
_DATE_PARAMS = frozenset({"issue_date", "due_date", "default_start", "since"})


def stored(value: Any) -> Any:
    """A JSON column as read back (findings.params, sync_runs.error_said): decoded; unreadable
    text is None (the caller shows the English message)."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return None


def _is_repr(value: Any) -> bool:
    """A text the English message quotes as Python does (`!r`: 'acme')."""
    return isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] and value[0] in "'\""


def _guillemets(value: str) -> str:
    return f"«{NBSP}{value[1:-1]}{NBSP}»"


def finding_detail(code: str, message: str, params: dict[str, Any] | str | None, lang: str = DEFAULT_LANG,
                   currency: str | None = None) -> str:
    """What a finding says in `lang`: its template (`finding.<code>.detail`, or `.<variant>`)
    filled with its params, or the stored `message` when it has no params (written by an
    older version, or a plugin's own code) or no template, or the params do not fit it.
    `currency`: the document's; in French its amounts are then said with it (580,20 €)."""
    params = stored(params)
    if not isinstance(params, dict):
        return message
    key = f"finding.{code}.{params.get('variant') or 'detail'}"
    if not has(key):
        return message
    try:
        if code == "totals_mismatch":  # the gap (findings stored before it was said have no param)
            params = {**params, "gap": abs(Decimal(str(params["declared"])) - Decimal(str(params["computed"])))}
        return t(key, lang, **_finding_values(code, params, lang, currency))
    except (KeyError, IndexError, ValueError, TypeError, AttributeError, ArithmeticError):
        return message  # params that do not fit (a null or unreadable amount, say)


# Finding.params that are amounts of the document's currency.
_MONEY_PARAMS = frozenset({"declared", "computed", "gap", "total", "before_tax", "tax", "amount", "expected",
                           "harvest"})


def _finding_values(code: str, params: dict[str, Any], lang: str, currency: str | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in params.items():
        if value is None:
            values[name] = "—"
        elif lang == "en" and name not in ("part", "missing", "differences"):
            values[name] = str(value)  # the stored (English) message's own figures and ISO dates
        elif _is_repr(value):
            values[name] = _guillemets(value)
        elif name in _MONEY_PARAMS and currency:
            values[name] = format_money(Decimal(str(value)), currency, lang)
        elif name in _NUMBER_PARAMS:  # with the places it was given: 12.00 stays 12,00
            number = Decimal(str(value))
            values[name] = format_number(number, lang, places=decimal_places(number))
        elif name in _DATE_PARAMS:
            values[name] = format_date(dt.date.fromisoformat(str(value)[:10]), lang)
        elif name == "part":
            values[name] = t(f"finding.part.{value}", lang)
        elif name == "missing":
            values[name] = _enumeration([t(f"finding.part.{part}", lang) for part in value], lang)
        elif name == "differences":
            values[name] = (" ; " if lang == "fr" else "; ").join(
                t(f"finding.{code}.difference", lang, **_finding_values(code, d, lang, currency)) for d in value)
        else:
            values[name] = value
    return values


def _enumeration(items: list[str], lang: str) -> str:
    """"a, b et c" in French; "a, b, c" in English, as the stored message has it."""
    if lang != "fr" or len(items) < 2:
        return ", ".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def said_or(text: str | None, stored_said: dict[str, Any] | str | None, lang: str = DEFAULT_LANG) -> str:
    """A stored English text in `lang` when its stored Said ({"code", "params"}, or that as
    JSON text) has a template: a sync run's error (`sync_runs.error`, `.error_said`), a
    problem's message (`problems.message`, `.said`), a Pennylane check's."""
    stored_said = stored(stored_said)
    if isinstance(stored_said, dict) and stored_said.get("code"):
        texts = said([(stored_said["code"], stored_said.get("params") or {})], lang)
        if texts:
            return texts[0]
    return text or ""


def said_text(one: Any, lang: str = DEFAULT_LANG) -> str:
    """One Said in `lang`; without a template, its English `text` param or its code."""
    texts = said([one], lang)
    return texts[0] if texts else str(one.params.get("text") or one.code)


def said(says: list[Any], lang: str = DEFAULT_LANG) -> list[str] | None:
    """A connector's sentences (connectors.Said, or (code, params) pairs) in `lang`; None when
    there are none or one has no template or does not fit it: the caller shows the English
    message instead."""
    texts = []
    for item in says:
        code, params = (item.code, item.params) if hasattr(item, "code") else item
        if not has(f"said.{code}"):
            return None
        values = {k: _in_lang(v, lang) for k, v in (params or {}).items()}
        try:
            texts.append(t(f"said.{code}", lang, **values))
        except (KeyError, IndexError, ValueError):
            return None
    return texts or None


def _in_lang(value: Any, lang: str) -> Any:
    """A Said's param as `lang` shows it: a date formatted, a quoted value in guillemets (fr),
    a value given per language ({"fr": ..., "en": ...}: a setting's label) in `lang`."""
    if isinstance(value, dict) and value and set(value) <= set(LANGS):
        return value.get(lang) or value.get("en")
    if isinstance(value, dt.date):
        return format_date(value, lang)
    return _guillemets(value) if lang == "fr" and _is_repr(value) else value


def missing_translations() -> dict[str, list[str]]:
    """Language → keys without a (non-empty) message in that language."""
    return {lang: sorted(k for k, v in MESSAGES.items() if not v.get(lang)) for lang in LANGS}


# -- formatting ------------------------------------------------------------------------------
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF"}
# In French, "$" alone is any dollar (and the peso): the US dollar is "$ US" (1 055,00 $ US).
_SYMBOLS_FR = {**_SYMBOLS, "USD": f"${NBSP}US"}


def decimal_places(value: Decimal) -> int:
    """The places a Decimal is written with: 2 for 12.00, 0 for 12 or 1E+1."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def format_number(value: Decimal | int | float | None, lang: str = DEFAULT_LANG, places: int | None = 2) -> str:
    """1 234,56 (fr) or 1,234.56 (en); `places=None` keeps the value's own decimals (quantities)."""
    if value is None:
        return "—"
    try:
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        return str(value)
    if places is None:
        places = decimal_places(number.normalize())
    text = f"{number:,.{places}f}"
    if lang == "fr":
        return text.replace(",", "\x00").replace(".", ",").replace("\x00", NNBSP)
    return text


def format_money(value: Decimal | int | None, currency: str | None = "EUR", lang: str = DEFAULT_LANG,
                 places: int = 2) -> str:
    """1 234,56 € (fr), €1,234.56 (en); 1 055,00 $ US (fr), $1,055.00 (en); other currencies by their
    code: 1 234,56 CAD / CAD 1,234.56. `places`: more for a unit price (0,123456 €)."""
    if value is None:
        return "—"
    currency = (currency or "").upper()
    amount = format_number(abs(Decimal(str(value))), lang, places=places)
    sign = "-" if Decimal(str(value)) < 0 else ""
    symbol = (_SYMBOLS_FR if lang == "fr" else _SYMBOLS).get(currency, currency)
    if lang == "fr":
        return f"{sign}{amount}{NBSP}{symbol}".strip()
    if len(symbol) == 1:
        return f"{sign}{symbol}{amount}"
    return f"{sign}{symbol}{NBSP}{amount}".strip()


def format_date(value: dt.date | dt.datetime | None, lang: str = DEFAULT_LANG) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.strftime("%d/%m/%Y") if lang == "fr" else value.isoformat()


def format_datetime(value: dt.datetime | None, lang: str = DEFAULT_LANG) -> str:
    """In the server's local time zone (the console runs where its user is)."""
    if value is None:
        return "—"
    if value.tzinfo is not None:
        value = value.astimezone()
    return value.strftime("%d/%m/%Y %H:%M") if lang == "fr" else value.strftime("%Y-%m-%d %H:%M")


def format_month(value: dt.date, lang: str = DEFAULT_LANG) -> str:
    months = {
        "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
        "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    }[lang if lang in LANGS else DEFAULT_LANG]
    return f"{months[value.month - 1]} {value.year}"


_REFUSALS = (
    (re.compile(r"^no such document$"), "refusal.no_such_document", lambda m, lang: {}),
    (re.compile(r"^already (\w+)$"), "refusal.already", lambda m, lang: {"status": t(f"status.{m[1]}", lang)}),
    (re.compile(r"^cannot \w+ a document that is (\w+)$"), "refusal.cannot",
     lambda m, lang: {"status": t(f"status.{m[1]}", lang)}),
    (re.compile(r"^(\d+) error\(s\) to fix first"), "refusal.errors", lambda m, lang: {"n": m[1]}),
    (re.compile(r"^suspected duplicate of (.+): keep both or reject one first"), "refusal.duplicate",
     lambda m, lang: {"twin": m[1]}),
    (re.compile(r"^not changed after sending$"), "refusal.not_changed_after_sending", lambda m, lang: {}),
    (re.compile(r"^changed again since shown$"), "refusal.changed_again", lambda m, lang: {}),
)


def explain_refusal(reason: str, lang: str = DEFAULT_LANG) -> str:
    """A decision refused by the review service, in the user's language (unknown texts as they are)."""
    for pattern, key, args in _REFUSALS:
        match = pattern.match(reason)
        if match:
            return t(key, lang, **args(match, lang))
    return reason
