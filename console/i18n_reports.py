"""Messages of the Reports page (rep.*); the report views' column names stay in i18n (col.*)."""
from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "rep.title": {"fr": "Rapports", "en": "Reports"},
    "rep.intro": {"fr": "Requêtes SQL en lecture seule sur le cache (DuckDB). Les vues documentées ci-dessous sont "
                        "faites pour cela ; les tables internes (documents…) se lisent aussi, mais peuvent changer "
                        "d'une version d'Écluse à l'autre.",
                  "en": "Read-only SQL queries over the cache (DuckDB). The documented views below are made for "
                        "this; the internal tables (documents…) can be read too, but may change from one version "
                        "of Écluse to the next."},
    # Reports that come with Écluse (services/reports.SAVED_REPORTS), then one's own (services/own_reports).
    "rep.saved": {"fr": "Rapport", "en": "Report"},
    "rep.saved_help": {"fr": "Les rapports fournis avec Écluse, puis ceux enregistrés dans cet espace de travail "
                             "(« Enregistrer… » sous la requête). Un rapport s'exécute dès qu'il est choisi.",
                       "en": "The reports that come with Écluse, then those saved in this workspace (“Save…” under "
                             "the query). A report runs as soon as it is chosen."},
    "rep.mine_title": {"fr": "{title} — enregistré par {who}", "en": "{title} — saved by {who}"},
    "rep.mine_edited": {"fr": "Requête modifiée depuis l'enregistrement de « {title} ».",
                        "en": "Query edited since “{title}” was saved."},
    "rep.back_to_report": {"fr": "Revenir au rapport", "en": "Back to the report"},
    "rep.gone_picked": {"fr": "Le rapport « {title} » a été supprimé ou renommé entre-temps (dans un autre onglet ou "
                              "en ligne de commande). La liste « Rapport » montre les rapports tels qu'ils sont "
                              "maintenant.",
                        "en": "The report “{title}” was deleted or renamed meanwhile (in another tab or from the "
                              "command line). The “Report” list shows the reports as they are now."},
    "rep.gone_deleted": {"fr": "Le rapport « {title} » a été supprimé par {who} le {when}. Sa requête reste dans "
                               "l'historique des rapports enregistrés.",
                         "en": "The report “{title}” was deleted by {who} on {when}. Its query stays in the history "
                               "of saved reports."},
    "rep.gone_renamed": {"fr": "Le rapport « {title} » a été renommé « {new} » par {who} le {when}.",
                         "en": "The report “{title}” was renamed “{new}” by {who} on {when}."},
    "rep.gone_replaced": {"fr": "Le rapport « {title} » a été remplacé par un autre de son titre, par {who} le {when}. "
                                "Sa requête reste dans l'historique des rapports enregistrés.",
                          "en": "The report “{title}” was replaced by another of its title, by {who} on {when}. Its "
                                "query stays in the history of saved reports."},
    "rep.history": {"fr": "Historique des rapports enregistrés ({n})", "en": "History of saved reports ({n})"},
    "rep.history_note": {"fr": "Qui a enregistré, modifié, remplacé ou supprimé quel rapport, du plus récent au plus "
                               "ancien. La requête d'un rapport supprimé ou remplacé se copie d'ici (double-clic sur "
                               "la cellule) pour être enregistrée à nouveau.",
                         "en": "Who saved, changed, replaced or deleted which report, newest first. The query of a "
                               "report deleted or replaced can be copied from here (double-click the cell) and saved "
                               "again."},
    "rep.h_when": {"fr": "Quand", "en": "When"},
    "rep.h_who": {"fr": "Qui", "en": "Who"},
    "rep.h_action": {"fr": "Action", "en": "Action"},
    "rep.h_title": {"fr": "Titre", "en": "Title"},
    "rep.h_sql": {"fr": "Requête", "en": "Query"},
    "rep.h_saved": {"fr": "Enregistré", "en": "Saved"},
    "rep.h_updated": {"fr": "Mis à jour", "en": "Updated"},
    "rep.h_renamed": {"fr": "Renommé (était « {old} »)", "en": "Renamed (was “{old}”)"},
    "rep.h_replaced": {"fr": "Remplacé", "en": "Replaced"},
    "rep.h_deleted": {"fr": "Supprimé", "en": "Deleted"},
    "rep.save": {"fr": "Enregistrer…", "en": "Save…"},
    "rep.save_title": {"fr": "Titre du rapport", "en": "Report title"},
    "rep.save_title_help": {"fr": "Le rapport est enregistré dans l'espace de travail, pour tous ceux qui l'utilisent "
                                  "({n} caractères au plus). En ligne de commande : `ecluse report --name` suivi du "
                                  "titre.",
                            "en": "The report is saved in the workspace, for everyone who uses it ({n} characters at "
                                  "most). From the command line: `ecluse report --name` followed by the title."},
    "rep.save_new": {"fr": "Enregistre la requête de la zone ci-dessus sous ce titre. Elle est vérifiée d'abord : "
                           "lecture seule, une seule requête, vues et colonnes connues.",
                     "en": "Saves the query in the box above under this title. It is checked first: read-only, one "
                           "query, known views and columns."},
    "rep.save_choice": {"fr": "« Mettre à jour » remplace la requête de « {title} » par celle de la zone ci-dessus, "
                              "et son titre par celui-ci s'il a changé. « Nouveau rapport » en enregistre un autre "
                              "sous ce titre, « {title} » restant tel quel.",
                        "en": "“Update” replaces the query of “{title}” with the one in the box above, and its "
                              "title with this one if it changed. “New report” saves another one under this "
                              "title, leaving “{title}” as it is."},
    "rep.save_button": {"fr": "Enregistrer", "en": "Save"},
    "rep.save_update": {"fr": "Mettre à jour « {title} »", "en": "Update “{title}”"},
    "rep.save_as_new": {"fr": "Nouveau rapport", "en": "New report"},
    "rep.taken": {"fr": "Un rapport enregistré s'appelle déjà « {title} ». Changez le titre, ou remplacez ce "
                        "rapport par la requête de la zone ci-dessus.",
                  "en": "A saved report is already called “{title}”. Change the title, or replace that report "
                        "with the query in the box above."},
    "rep.replace_other": {"fr": "Remplacer « {title} »", "en": "Replace “{title}”"},
    "rep.saved_ok": {"fr": "Rapport « {title} » enregistré. Il est dans la liste « Rapport » ; en ligne de "
                           "commande : `ecluse report --name {name}`.",
                     "en": "Report “{title}” saved. It is in the “Report” list; from the command line: "
                           "`ecluse report --name {name}`."},
    "rep.updated_ok": {"fr": "Rapport « {title} » mis à jour.", "en": "Report “{title}” updated."},
    "rep.renamed": {"fr": "Il s'appelait « {old} ».", "en": "It was called “{old}”."},
    "rep.replaced_other": {"fr": "Il remplace l'ancien « {title} ».", "en": "It replaces the former “{title}”."},
    "rep.totals_dropped": {"fr": "« {title} » n'a plus ses totaux par devise : ils étaient ceux de la requête que le "
                                 "constructeur avait écrite. Construisez le rapport à nouveau pour les retrouver.",
                           "en": "“{title}” no longer has its totals per currency: they were those of the query the "
                                 "builder had written. Build the report again to have them back."},
    "rep.totals_will_go": {"fr": "La requête a changé : mis à jour, « {title} » n'aura plus ses totaux par devise "
                                 "(ceux de la requête que le constructeur avait écrite).",
                           "en": "The query changed: updated, “{title}” will no longer have its totals per currency "
                                 "(those of the query the builder had written)."},
    "rep.delete": {"fr": "Supprimer…", "en": "Delete…"},
    "rep.delete_note": {"fr": "Enregistré par {who} le {when}. Sa requête reste dans la zone ci-dessus et dans "
                              "l'historique des rapports enregistrés : on peut l'enregistrer à nouveau. La "
                              "suppression est signée de votre nom.",
                        "en": "Saved by {who} on {when}. Its query stays in the box above and in the history of "
                              "saved reports: it can be saved again. The deletion is signed with your name."},
    "rep.delete_go": {"fr": "Supprimer « {title} »", "en": "Delete “{title}”"},
    "rep.deleted_ok": {"fr": "Rapport « {title} » supprimé.", "en": "Report “{title}” deleted."},
    "rep.saved_none": {"fr": "— requête libre —", "en": "— custom query —"},
    "rep.saved_edited": {"fr": "Requête modifiée : ce n'est plus le rapport « {title} » tel que fourni.",
                         "en": "Query edited: it is no longer the ready-made report “{title}” as supplied."},
    "rep.sql": {"fr": "Requête SQL", "en": "SQL query"},
    "rep.sql_help": {"fr": "Une requête SELECT (ou WITH…) en lecture seule, sur les vues décrites ci-dessus. Nommez une "
                           "colonne calculée avec AS : `sum(total) AS total_ttc`. Sans nom, son en-tête est "
                           "l'expression elle-même (« sum(total) »).",
                     "en": "A read-only SELECT (or WITH…) query over the views described above. Name a computed "
                           "column with AS: `sum(total) AS total_incl_tax`. Without a name, its header is the "
                           "expression itself (\"sum(total)\")."},
    "rep.run": {"fr": "Exécuter", "en": "Run"},
    "rep.views": {"fr": "Vues disponibles et leurs colonnes", "en": "Available views and their columns"},
    "rep.file_query": {"fr": "requete", "en": "query"},
    "rep.rows": {"fr": "{n} {n|ligne|lignes}", "en": "{n} {n|row|rows}"},
    "rep.truncated": {"fr": "Affichage limité aux {n} premières lignes ; les exports contiennent tout le résultat.",
                      "en": "Showing the first {n} rows only; the exports contain the whole result."},
    "rep.export": {"fr": "Exporter le résultat complet :", "en": "Export the whole result:"},
    "rep.sql_names": {"fr": "Noms SQL", "en": "SQL names"},
    "rep.sql_names_help": {
        "fr": "Montre les colonnes et les valeurs telles que la requête les renvoie (status, to_review…), pour "
              "écrire vos propres requêtes. Les exports CSV et XLSX suivent ce choix ; Parquet et JSON gardent "
              "toujours les noms SQL.",
        "en": "Shows the columns and values as the query returns them (status, to_review…), to write your own "
              "queries. CSV and XLSX exports follow this choice; Parquet and JSON always keep the SQL names."},
    "rep.export_names": {"fr": "CSV et XLSX : colonnes et valeurs comme affichées ci-dessus. Parquet et JSON : "
                                "noms SQL, pour d'autres programmes.",
                         "en": "CSV and XLSX: columns and values as shown above. Parquet and JSON: SQL names, "
                               "for other programs."},
    "rep.duckdb": {"fr": "Message de DuckDB : {text}", "en": "DuckDB says: {text}"},
    "rep.empty_sql": {"fr": "Écrivez une requête, construisez un rapport ci-dessus ou choisissez un rapport.",
                      "en": "Write a query, build a report above or choose a report."},

    # -- the views and their columns ---------------------------------------------------------------
    "rep.views_intro": {"fr": "Chaque vue avec ce qu'elle contient ; choisissez un onglet pour lire ses colonnes, leur "
                              "type et leur signification. Le nom SQL est celui à écrire dans une requête.",
                        "en": "Each view with what it holds; pick a tab to read its columns, their type and meaning. "
                              "The SQL name is the one to write in a query."},
    "rep.col_description": {"fr": "Contenu", "en": "What it holds"},
    "rep.col_count": {"fr": "Colonnes", "en": "Columns"},
    "rep.col_sql": {"fr": "Nom SQL", "en": "SQL name"},
    "rep.col_label": {"fr": "Libellé affiché", "en": "Label shown"},
    "rep.col_type": {"fr": "Type", "en": "Type"},
    "rep.col_meaning": {"fr": "Signification", "en": "Meaning"},
    "rep.type.text": {"fr": "Texte", "en": "Text"},
    "rep.type.integer": {"fr": "Nombre entier", "en": "Whole number"},
    "rep.type.decimal": {"fr": "Nombre décimal", "en": "Decimal number"},
    "rep.type.amount": {"fr": "Montant", "en": "Amount"},
    "rep.type.date": {"fr": "Date", "en": "Date"},
    "rep.type.timestamp": {"fr": "Date et heure", "en": "Date and time"},
    "rep.type.boolean": {"fr": "Oui / non", "en": "Yes / no"},
    "rep.type.json": {"fr": "JSON", "en": "JSON"},
    "rep.view.invoices": {"fr": "Les factures et avoirs lus des sources, un par ligne, avec leur tiers, leurs totaux et "
                                "leur statut de revue et d'envoi.",
                          "en": "The invoices and credit notes read from the sources, one a row, with their "
                                "counterparty, totals and review and sending status."},
    "rep.view.lines": {"fr": "Les lignes des factures (montants, taux de TVA, codes comptables), avec le numéro, la date "
                             "et la devise de leur facture.",
                       "en": "The invoices' lines (amounts, VAT rates, accounting codes), with their invoice's number, "
                             "date and currency."},
    "rep.view.counterparties": {"fr": "Les clients et fournisseurs lus des sources.",
                                "en": "The customers and suppliers read from the sources."},
    "rep.view.findings": {"fr": "Les anomalies relevées sur les factures (erreurs et alertes).",
                          "en": "The findings on the invoices (errors and warnings)."},
    "rep.view.batches": {"fr": "Les lots d'envoi vers Pennylane, avec ce qu'ils ont envoyé, bloqué ou manqué.",
                         "en": "The batches sent to Pennylane, with what they sent, held or failed."},
    "rep.view.batch_items": {"fr": "Chaque facture de chaque lot d'envoi, avec le montant envoyé.",
                             "en": "Each invoice of each batch, with the amount sent."},
    "rep.view.audit": {"fr": "L'historique des documents : qui a fait quoi, quand, avec la valeur avant et après.",
                       "en": "The documents' history: who did what and when, with the value before and after."},
    "rep.view.sync_runs": {"fr": "Les synchronisations des connexions et ce qu'elles ont lu.",
                           "en": "The connections' syncs and what they read."},
    "rep.view.problems": {"fr": "Les enregistrements qu'une source a envoyés et qu'Écluse n'a pas pu lire.",
                          "en": "The records a source sent that Écluse could not read."},
    "rep.view.confirmations": {"fr": "Ce que Pennylane contient pour chaque facture envoyée, relu par « Confirmer avec "
                                     "Pennylane ».",
                               "en": "What Pennylane holds for each invoice sent, read back by “Confirm with Pennylane”."},
    "rep.about.id": {"fr": "Identifiant unique de la ligne.", "en": "The row's unique id."},
    "rep.about.invoices.id": {"fr": "Identifiant du document : connexion:identifiant source.",
                              "en": "The document's id: connection:source id."},
    "rep.about.counterparties.id": {"fr": "Identifiant du tiers : connexion:rôle:identifiant source.",
                                    "en": "The counterparty's id: connection:role:source id."},
    "rep.about.connection": {"fr": "Nom de la connexion (la source) d'où vient la donnée.",
                             "en": "Name of the connection (the source) the data comes from."},
    "rep.about.source_id": {"fr": "Identifiant dans la source.", "en": "Id in the source."},
    "rep.about.kind": {"fr": "customer_invoice, customer_credit_note, supplier_invoice ou supplier_credit_note.",
                       "en": "customer_invoice, customer_credit_note, supplier_invoice or supplier_credit_note."},
    "rep.about.number": {"fr": "Numéro de la facture.", "en": "The invoice number."},
    "rep.about.issue_date": {"fr": "Date de la facture.", "en": "The invoice date."},
    "rep.about.due_date": {"fr": "Date d'échéance.", "en": "Due date."},
    "rep.about.currency": {"fr": "Code ISO de la devise (EUR…).", "en": "ISO currency code (EUR…)."},
    "rep.about.total_before_tax": {"fr": "Total hors taxes.", "en": "Total before tax."},
    "rep.about.total_tax": {"fr": "Total de la TVA.", "en": "Total VAT."},
    "rep.about.total": {"fr": "Total toutes taxes comprises.", "en": "Total including tax."},
    "rep.about.counterparty": {"fr": "Nom du client ou du fournisseur.", "en": "The customer's or supplier's name."},
    "rep.about.counterparty_vat_number": {"fr": "Numéro de TVA intracommunautaire du tiers.",
                                          "en": "The counterparty's EU VAT number."},
    "rep.about.counterparty_siren": {"fr": "SIREN du tiers (9 chiffres).",
                                     "en": "The counterparty's SIREN (French company number, 9 digits)."},
    "rep.about.counterparty_id": {"fr": "Identifiant du tiers (vue counterparties).",
                                  "en": "The counterparty's id (counterparties view)."},
    "rep.about.status": {"fr": "Statut de revue et d'envoi : to_review, approved, rejected, on_hold, in_batch, sent, "
                               "failed.",
                         "en": "Review and sending status: to_review, approved, rejected, on_hold, in_batch, sent, "
                               "failed."},
    "rep.about.batches.status": {"fr": "running (en cours), done (terminé) ou interrupted (interrompu : la page Envoi "
                                       "le reprend).",
                                 "en": "running, done or interrupted (the Send page resumes it)."},
    "rep.about.sync_runs.status": {"fr": "running, ok, failed ou interrupted.", "en": "running, ok, failed or interrupted."},
    "rep.about.confirmations.status": {"fr": "confirmed (confirmée), amount_mismatch (montant différent), changed "
                                             "(modifiée dans Pennylane après l'envoi) ou missing (supprimée de "
                                             "Pennylane).",
                                       "en": "confirmed, amount_mismatch (different amount), changed (modified in "
                                             "Pennylane after sending) or missing (deleted from Pennylane)."},
    "rep.about.status_reason": {"fr": "Pourquoi le document a ce statut (motif d'un rejet, d'une mise en attente…).",
                                "en": "Why the document has this status (a rejection's or hold's reason…)."},
    "rep.about.error_count": {"fr": "Nombre d'anomalies bloquantes.", "en": "Number of blocking findings."},
    "rep.about.warning_count": {"fr": "Nombre d'alertes.", "en": "Number of warnings."},
    "rep.about.attachment_sha256": {"fr": "Empreinte SHA-256 du PDF (deux factures au même PDF ont la même).",
                                    "en": "SHA-256 fingerprint of the PDF (two invoices with one PDF share it)."},
    "rep.about.attachment_pending": {"fr": "Le PDF est annoncé par la source mais pas encore reçu.",
                                     "en": "The source announced the PDF but it has not arrived yet."},
    "rep.about.credited_source_id": {"fr": "Pour un avoir : l'identifiant source de la facture qu'il crédite.",
                                     "en": "For a credit note: the source id of the invoice it credits."},
    "rep.about.changed_after_sending": {"fr": "La source a modifié la facture après son envoi à Pennylane.",
                                        "en": "The source changed the invoice after it was sent to Pennylane."},
    "rep.about.pennylane_id": {"fr": "Identifiant chez Pennylane, une fois envoyé.",
                               "en": "Id in Pennylane, once sent."},
    "rep.about.pennylane_url": {"fr": "Lien vers la facture dans Pennylane.", "en": "Link to the invoice in Pennylane."},
    "rep.about.sent_at": {"fr": "Date et heure de l'envoi à Pennylane.", "en": "When it was sent to Pennylane."},
    "rep.about.source_updated_at": {"fr": "Dernière modification dans la source.", "en": "Last change in the source."},
    "rep.about.first_seen_at": {"fr": "Première lecture par Écluse.", "en": "First read by Écluse."},
    "rep.about.fetched_at": {"fr": "Dernière lecture par Écluse.", "en": "Last read by Écluse."},
    "rep.about.status_changed_at": {"fr": "Dernier changement de statut.", "en": "Last status change."},
    "rep.about.document_id": {"fr": "Identifiant du document (colonne id de la vue invoices).",
                              "en": "The document's id (id column of the invoices view)."},
    "rep.about.position": {"fr": "Rang de la ligne dans la facture (1, 2…).", "en": "The line's rank in the invoice."},
    "rep.about.label": {"fr": "Libellé de la ligne.", "en": "The line's label."},
    "rep.about.quantity": {"fr": "Quantité.", "en": "Quantity."},
    "rep.about.unit_price": {"fr": "Prix unitaire hors taxes.", "en": "Unit price before tax."},
    "rep.about.amount_before_tax": {"fr": "Montant hors taxes de la ligne.", "en": "The line's amount before tax."},
    "rep.about.tax": {"fr": "TVA de la ligne.", "en": "The line's VAT."},
    "rep.about.amount": {"fr": "Montant TTC de la ligne.", "en": "The line's amount including tax."},
    "rep.about.vat_rate": {"fr": "Taux de TVA en pourcentage (20.000 pour 20 %).", "en": "VAT rate in percent (20.000 for 20%)."},
    "rep.about.accounting_hint": {"fr": "Code comptable donné par la source (traduit en compte par les correspondances).",
                                  "en": "Accounting code from the source (mapped to a ledger account)."},
    "rep.about.vat_code": {"fr": "Code TVA Pennylane de la ligne.", "en": "The line's Pennylane VAT code."},
    "rep.about.role": {"fr": "customer (client) ou supplier (fournisseur).", "en": "customer or supplier."},
    "rep.about.name": {"fr": "Raison sociale.", "en": "Company name."},
    "rep.about.vat_number": {"fr": "Numéro de TVA intracommunautaire.", "en": "EU VAT number."},
    "rep.about.siren": {"fr": "SIREN (9 chiffres).", "en": "SIREN (French company number, 9 digits)."},
    "rep.about.siret": {"fr": "SIRET (14 chiffres).", "en": "SIRET (French establishment number, 14 digits)."},
    "rep.about.street": {"fr": "Adresse : numéro et rue.", "en": "Address: number and street."},
    "rep.about.postal_code": {"fr": "Adresse : code postal.", "en": "Address: postal code."},
    "rep.about.city": {"fr": "Adresse : ville.", "en": "Address: city."},
    "rep.about.email": {"fr": "Adresse e-mail du tiers.", "en": "The counterparty's email address."},
    "rep.about.country_alpha2": {"fr": "Code pays ISO à deux lettres (FR…).", "en": "Two-letter ISO country code (FR…)."},
    "rep.about.is_individual": {"fr": "Un particulier plutôt qu'une entreprise.", "en": "A person rather than a company."},
    "rep.about.code": {"fr": "Code de l'anomalie (totals_mismatch…).", "en": "The finding's code (totals_mismatch…)."},
    "rep.about.severity": {"fr": "error (bloque l'envoi) ou warning (alerte).", "en": "error (blocks sending) or warning."},
    "rep.about.findings.message": {"fr": "Texte en anglais ; la page l'affiche dans votre langue quand la requête "
                                         "choisit aussi code et params.",
                                   "en": "English text; the page shows it in your language when the query selects "
                                         "code and params too."},
    "rep.about.problems.message": {"fr": "Texte en anglais ; la page l'affiche dans votre langue quand la requête "
                                         "choisit aussi said.",
                                   "en": "English text; the page shows it in your language when the query selects "
                                         "said too."},
    "rep.about.confirmations.message": {
        "fr": "Détail en anglais, tel que la vérification l'a écrit (montant lu dans Pennylane, date de la "
              "modification…), vide pour une facture confirmée ; la page le dit dans votre langue quand la requête "
              "choisit aussi la colonne said (vérifications faites avant la version qui l'écrit : tel quel).",
        "en": "Detail in English, as the check wrote it (the amount read in Pennylane, when it was changed…), empty "
              "for a confirmed invoice; the page says it in your language when the query selects the said column "
              "too (checks made before the version that writes it: as it is)."},
    "rep.about.field": {"fr": "Le champ concerné (status, lines[2].vat_rate…) ; la page l'affiche en clair.",
                        "en": "The field concerned (status, lines[2].vat_rate…); the page shows it in words."},
    "rep.about.origin": {"fr": "Qui l'a relevée : connector, validation ou duplicates.",
                         "en": "What found it: connector, validation or duplicates."},
    "rep.about.params": {"fr": "Les valeurs citées par le message (JSON).", "en": "The values the message names (JSON)."},
    "rep.about.dry_run": {"fr": "Simulation : rien n'a été envoyé.", "en": "Dry run: nothing was sent."},
    "rep.about.actor": {"fr": "Qui l'a fait (nom, cli pour la ligne de commande, ecluse pour Écluse lui-même).",
                        "en": "Who did it (a name, cli for the command line, ecluse for Écluse itself)."},
    "rep.about.items": {"fr": "Nombre de factures du lot.", "en": "Number of invoices in the batch."},
    "rep.about.state": {"fr": "Étape de l'envoi de la facture : pending (restante), party (tiers), upload (PDF), "
                              "importing (import), linking (lien d'un avoir à sa facture), puis sent (envoyée), failed "
                              "(échec) ou held (bloquée avant l'envoi). Une étape intermédiaire restée ainsi est celle "
                              "d'un envoi interrompu, que la reprise du lot termine.",
                        "en": "The step of the invoice's sending: pending (left), party (counterparty), upload (PDF), "
                              "importing, linking (a credit note to its invoice), then sent, failed or held (before "
                              "sending). An intermediate step left as it is belongs to an interrupted send, which "
                              "resuming the batch finishes."},
    "rep.about.external_reference": {"fr": "Référence envoyée à Pennylane ; évite tout double envoi.",
                                     "en": "Reference sent to Pennylane; prevents sending twice."},
    "rep.about.error": {"fr": "Erreur, en anglais.", "en": "The error, in English."},
    "rep.about.batch_items.error": {"fr": "En anglais : l'erreur d'un échec, le motif d'un blocage ou l'avertissement "
                                          "d'un envoi réussi (catégorie absente…).",
                                    "en": "In English: a failure's error, a hold's reason or a successful send's "
                                          "warning (missing category…)."},
    "rep.about.batch_id": {"fr": "Numéro du lot (colonne id de la vue batches).",
                           "en": "The batch's number (id column of the batches view)."},
    "rep.about.batch_items.updated_at": {"fr": "Dernière étape enregistrée de l'envoi de la facture.",
                                         "en": "When the invoice's sending last recorded a step."},
    "rep.about.batches.created_at": {"fr": "Création du lot : ses factures y sont mises.",
                                     "en": "When the batch was made, its invoices put in it."},
    "rep.about.batches.started_at": {"fr": "Début de l'envoi ; un lot repris garde celui de son premier départ.",
                                     "en": "When sending started; a resumed batch keeps its first start."},
    "rep.about.batches.finished_at": {"fr": "Fin de l'envoi ; vide tant que le lot est en cours ou interrompu.",
                                      "en": "When sending finished; empty while the batch is running or interrupted."},
    "rep.about.sync_runs.started_at": {"fr": "Début de la synchronisation.", "en": "When the sync started."},
    "rep.about.sync_runs.finished_at": {"fr": "Fin de la synchronisation ; vide tant qu'elle tourne ou si elle a été "
                                              "interrompue.",
                                        "en": "When the sync finished; empty while it runs or if it was interrupted."},
    "rep.about.audit.recorded_at": {"fr": "Date et heure de l'événement.", "en": "When it happened."},
    "rep.about.problems.recorded_at": {"fr": "Quand une synchronisation l'a lu ; une nouvelle lecture encore illisible "
                                             "ajoute une ligne et clôt celle-ci (superseded).",
                                       "en": "When a sync read it; a new reading still unreadable adds a row and "
                                             "closes this one (superseded)."},
    "rep.about.resolved_at": {"fr": "Quand le problème a été clos ; vide tant qu'il est ouvert.",
                              "en": "When the problem was closed; empty while it is open."},
    "rep.about.resolved_by": {"fr": "Qui l'a clos : le réviseur qui l'a marqué traité, qui a lancé la synchronisation "
                                    "qui l'a relu correctement, ecluse quand une lecture plus récente l'a remplacé.",
                              "en": "Who closed it: the reviewer who marked it handled, who ran the sync that read it "
                                    "correctly, ecluse when a newer reading superseded it."},
    "rep.about.resolved_reason": {"fr": "Ce que le réviseur a écrit en le marquant traité ; vide sinon.",
                                  "en": "What the reviewer wrote when marking it handled; empty otherwise."},
    "rep.about.attempts": {"fr": "Nombre de tentatives d'envoi.", "en": "Number of sending attempts."},
    "rep.about.sent_amount": {"fr": "Montant TTC envoyé à Pennylane (négatif pour un avoir) ; vide avant l'envoi.",
                              "en": "Amount incl. tax sent to Pennylane (negative for a credit note); empty until sent."},
    "rep.about.sent_currency": {"fr": "Devise du montant envoyé.", "en": "Currency of the amount sent."},
    "rep.about.action": {"fr": "Ce qui s'est passé : fetched, changed, approve, reject, hold, fix…",
                         "en": "What happened: fetched, changed, approve, reject, hold, fix…"},
    "rep.about.old_value": {"fr": "Valeur avant.", "en": "Value before."},
    "rep.about.new_value": {"fr": "Valeur après.", "en": "Value after."},
    "rep.about.reason": {"fr": "Motif donné.", "en": "The reason given."},
    "rep.about.reason_said": {"fr": "Le motif automatique sous forme de code (JSON) ; la page le dit dans votre langue.",
                              "en": "An automatic reason as a code (JSON); the page says it in your language."},
    "rep.about.fetched": {"fr": "Documents lus.", "en": "Documents read."},
    "rep.about.created": {"fr": "Documents nouveaux.", "en": "New documents."},
    "rep.about.updated": {"fr": "Documents modifiés.", "en": "Changed documents."},
    "rep.about.unchanged": {"fr": "Documents inchangés.", "en": "Unchanged documents."},
    "rep.about.problems": {"fr": "Enregistrements illisibles.", "en": "Unreadable records."},
    "rep.about.attachments": {"fr": "PDF reçus en retard.", "en": "PDFs that arrived late."},
    "rep.about.raw": {"fr": "Les données telles que la source les a envoyées (JSON).",
                      "en": "The data as the source sent it (JSON)."},
    "rep.about.said": {"fr": "Le message sous forme de code (JSON) ; la page le dit dans votre langue.",
                       "en": "The message as a code (JSON); the page says it in your language."},
    "rep.about.resolved": {"fr": "Le problème est clos.", "en": "The problem is closed."},
    "rep.about.resolution": {"fr": "Comment il a été clos : stored, superseded ou dismissed.",
                             "en": "How it was closed: stored, superseded or dismissed."},
    "rep.about.pennylane_amount": {"fr": "Montant que Pennylane contient.", "en": "The amount Pennylane holds."},
    "rep.about.expected_amount": {"fr": "Montant envoyé par Écluse.", "en": "The amount Écluse sent."},
    "rep.about.checked_at": {"fr": "Date de la dernière vérification.", "en": "When it was last checked."},
    "rep.about.batches.sent": {"fr": "Factures envoyées.", "en": "Invoices sent."},
    "rep.about.batches.failed": {"fr": "Factures en échec.", "en": "Invoices that failed."},
    "rep.about.batches.held": {"fr": "Factures bloquées (données manquantes).", "en": "Invoices held (missing data)."},
    "rep.about.confirmations.currency": {
        "fr": "Devise des deux montants : celle de l'envoi (ou de la facture, pour un envoi d'avant la version qui "
              "la note).",
        "en": "Currency of both amounts: the sending's (or the invoice's, for a send from before the version that "
              "records it)."},
    # -- the query builder ----------------------------------------------------------------------
    "rep.builder": {"fr": "Construire un rapport sans SQL", "en": "Build a report without SQL"},
    "rep.builder_intro": {"fr": "Choisissez une vue, les colonnes et des filtres : la requête SQL est écrite pour vous "
                                "dans la zone ci-dessous, où vous pouvez encore la modifier.",
                          "en": "Choose a view, the columns and filters: the SQL query is written for you in the box "
                                "below, where you can still edit it."},
    "rep.b_view": {"fr": "Vue", "en": "View"},
    "rep.b_columns": {"fr": "Colonnes à afficher (toutes si aucune)", "en": "Columns to show (all if none)"},
    "rep.b_period": {"fr": "Période sur la colonne", "en": "Period on the column"},
    "rep.b_no_period": {"fr": "— toute période —", "en": "— any period —"},
    "rep.b_start": {"fr": "Du", "en": "From"},
    "rep.b_end": {"fr": "Au (inclus)", "en": "To (included)"},
    "rep.b_connections": {"fr": "Connexions (toutes si aucune)", "en": "Connections (all if none)"},
    "rep.b_statuses": {"fr": "Statuts (tous si aucun)", "en": "Statuses (all if none)"},
    "rep.b_group_by": {"fr": "Regrouper par (totaux des montants)", "en": "Group by (totals of the amounts)"},
    "rep.b_group_help": {"fr": "Une ligne par valeur des colonnes choisies, avec le nombre de lignes et la somme de "
                               "chaque colonne de montant affichée (toutes si aucune colonne n'est choisie). La devise "
                               "s'ajoute aux regroupements : on n'additionne jamais deux devises. Les autres colonnes "
                               "à afficher n'y figurent pas.",
                         "en": "One row per value of the chosen columns, with the number of rows and the sum of each "
                               "amount column shown (all of them if no column is chosen). The currency joins the "
                               "groups: two currencies are never added up. The other columns to show are not in it."},
    "rep.b_left_out": {
        "fr": "Regroupé, le rapport montre les colonnes de regroupement, le nombre de lignes et la somme des montants : "
              "{names} n'y {n|figure|figurent} pas. Pour {n|la|les} voir, {n|ajoutez-la|ajoutez-les} à « Regrouper "
              "par » (une ligne par valeur).",
        "en": "A grouped report shows the grouping columns, the number of rows and the sum of the amounts: {names} "
              "{n|is|are} not in it. To see {n|it|them}, add {n|it|them} to “Group by” (one row per value)."},
    "rep.b_pick": {"fr": "Choisir…", "en": "Choose…"},
    "rep.b_make": {"fr": "Écrire la requête et l'exécuter", "en": "Write the query and run it"},
    "col.row_count": {"fr": "Nombre", "en": "Count"},
    # Columns of the views that the console's pages do not show (i18n.py has the others).
    "col.params": {"fr": "Valeurs citées", "en": "Values named"},
    "col.reason_said": {"fr": "Motif (code)", "en": "Reason (code)"},
    "col.said": {"fr": "Message (code)", "en": "Message (code)"},
    "col.checked_at": {"fr": "Vérifié le", "en": "Checked at"},
    "col.pennylane_amount": {"fr": "Montant dans Pennylane", "en": "Amount in Pennylane"},
    "col.expected_amount": {"fr": "Montant envoyé", "en": "Amount sent"},
    # A date column used as a group, by day, month, quarter or year.
    "rep.b_grain": {"fr": "{label} : regrouper par", "en": "{label}: group by"},
    "rep.b_grain_help": {"fr": "Une ligne par jour, mois, trimestre ou année de cette date (le premier jour de la "
                               "période).",
                         "en": "One row per day, month, quarter or year of this date (the period's first day)."},
    "rep.grain.day": {"fr": "jour", "en": "day"},
    "rep.grain.month": {"fr": "mois", "en": "month"},
    "rep.grain.quarter": {"fr": "trimestre", "en": "quarter"},
    "rep.grain.year": {"fr": "année", "en": "year"},
    "rep.grain_label": {"fr": "{label} ({grain})", "en": "{label} ({grain})"},
    "said.report.unknown_grain": {"fr": "« {name} » n'est pas une période : jour, mois, trimestre ou année.",
                                  "en": "'{name}' is not a period: day, month, quarter or year."},
    # The totals of a grouped report, under its table.
    "rep.totals": {"fr": "**Total** du rapport entier, par devise (on n'additionne jamais deux devises) :",
                   "en": "**Total** of the whole report, per currency (two currencies are never added up):"},
    "rep.totals_note": {"fr": "Les exports ne contiennent que les lignes du rapport, sans ce total : un tableur qui "
                                "les additionne ou les croise ne le compte pas deux fois.",
                        "en": "The exports hold the report's rows only, without this total: a spreadsheet that adds "
                              "them up or pivots them does not count it twice."},
    "said.report.unknown_view": {"fr": "La vue « {name} » n'est pas une des vues documentées.",
                                 "en": "'{name}' is not one of the documented views."},
    "said.report.unknown_column": {"fr": "La colonne « {name} » n'est pas une colonne de cette vue.",
                                   "en": "'{name}' is not a column of this view."},
    "said.report.no_currency": {
        "fr": "La vue « {view} » n'a pas de colonne de devise : ses montants ({names}) peuvent être en plusieurs "
              "devises et ne sont pas additionnés. Regroupez sans eux (choisissez les colonnes à afficher) ou écrivez "
              "la requête.",
        "en": "The view '{view}' has no currency column: its amounts ({names}) may be in several currencies and are "
              "not added up. Group without them (choose the columns to show) or write the query."},
    # A batch item's intermediate steps (send.state_* says the others): an item left there was interrupted.
    "rep.state.party": {"fr": "en cours : tiers (client ou fournisseur)",
                        "en": "in progress: counterparty (customer or supplier)"},
    "rep.state.upload": {"fr": "en cours : envoi du PDF", "en": "in progress: uploading the PDF"},
    "rep.state.importing": {"fr": "en cours : import de la facture", "en": "in progress: importing the invoice"},
    "rep.state.linking": {"fr": "en cours : lien de l'avoir à sa facture",
                          "en": "in progress: linking the credit note to its invoice"},
    # Suivi (reconciliation page): the discrepancy stage's bar, measured without sign.
    "rec.discrepancy_measure": {"fr": "montants en valeur absolue", "en": "amounts without sign"},
    "rec.discrepancy_note": {
        "fr": "La barre « Écart avec Pennylane » additionne les montants de ses documents en valeur absolue : une "
              "facture et un avoir en écart ne s'annulent pas.",
        "en": "The “Differs in Pennylane” bar adds up its documents' amounts without their sign: an invoice and a "
              "credit note that both differ do not cancel out."},
    # A builder report's file, named after its view and its groups: factures-par-mois-2026-11-26.csv.
    "rep.file.grouped": {"fr": "{view} par {groups}", "en": "{view} by {groups}"},
    "rep.file.and": {"fr": " et ", "en": " and "},
    "rep.file.view.invoices": {"fr": "factures", "en": "invoices"},
    "rep.file.view.lines": {"fr": "lignes", "en": "lines"},
    "rep.file.view.counterparties": {"fr": "tiers", "en": "counterparties"},
    "rep.file.view.findings": {"fr": "anomalies", "en": "findings"},
    "rep.file.view.batches": {"fr": "lots", "en": "batches"},
    "rep.file.view.batch_items": {"fr": "elements de lot", "en": "batch items"},
    "rep.file.view.audit": {"fr": "historique", "en": "history"},
    "rep.file.view.sync_runs": {"fr": "synchronisations", "en": "syncs"},
    "rep.file.view.problems": {"fr": "problemes", "en": "problems"},
    "rep.file.view.confirmations": {"fr": "verifications", "en": "checks"},
    # Suivi, what Écluse sent against Pennylane: what was sent after the last check, on top of the checked part.
    "rec.pl_bar_after_check": {"fr": "Envoyé après la dernière vérification", "en": "Sent after the last check"},
    "said.report.not_a_date": {"fr": "La colonne « {name} » n'est pas une date.", "en": "'{name}' is not a date."},
    # A period that ends before it starts: no row could be in it.
    "said.report.reversed_period": {
        "fr": "La période est inversée : « Du » ({start}) est après « Au » ({end}). Échangez les deux dates.",
        "en": "The period is reversed: “From” ({start}) is after “To” ({end}). Swap the two dates."},
    # A yes/no value in the CSV and XLSX exports, as the page's checkbox says it.
    "rep.yes": {"fr": "oui", "en": "yes"},
    "rep.no": {"fr": "non", "en": "no"},
}
