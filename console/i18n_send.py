"""Messages for the Send page (batches to Pennylane), French first (merged into `ecluse.i18n.MESSAGES`)."""
from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "send.intro": {
        "fr": "Les factures approuvées partent vers Pennylane par lots : prévisualisez d'abord les requêtes exactes "
              "(sans réseau), puis envoyez. Une facture n'est jamais envoyée deux fois.",
        "en": "Approved invoices go to Pennylane in batches: first preview the exact requests (no network), then "
              "send. An invoice is never sent twice."},

    # -- destination ---------------------------------------------------------------------------
    "send.dest_title": {"fr": "Destination", "en": "Destination"},
    "send.dest_api_url": {"fr": "URL de l'API Pennylane", "en": "Pennylane API URL"},
    "send.dest_token": {"fr": "Jeton", "en": "Token"},
    "send.token_env": {"fr": "variable d'environnement `{var}`", "en": "environment variable `{var}`"},
    "send.token_stored": {"fr": "enregistré dans `secrets.toml`", "en": "stored in `secrets.toml`"},
    "send.token_missing": {"fr": "non configuré", "en": "not set"},
    "send.dest_mode": {"fr": "Mode", "en": "Mode"},
    "send.mode": {"fr": "Mode d'envoi", "en": "Sending mode"},
    "send.mode_dry_run": {"fr": "Simulation", "en": "Dry run"},
    "send.mode_live": {"fr": "Envoi réel", "en": "Live"},
    "send.dest_incomplete": {"fr": "Importer comme « à traiter »", "en": "Import as incomplete"},
    "send.yes": {"fr": "oui", "en": "yes"},
    "send.no": {"fr": "non", "en": "no"},
    "send.env_unset": {
        "fr": "La variable d'environnement `{var}` n'est pas définie pour la console : exportez-la, puis "
              "redémarrez `ecluse run`.",
        "en": "The environment variable `{var}` is not set for the console: export it, then restart `ecluse run`."},
    "send.check": {"fr": "Tester la connexion", "en": "Test the connection"},
    "send.checking": {"fr": "Appel de Pennylane (GET /me)…", "en": "Calling Pennylane (GET /me)…"},
    "send.check_ok": {"fr": "Connecté à **{company}** (société {id}).", "en": "Connected to **{company}** (company {id})."},
    "send.check_failed": {"fr": "Échec du test : {message}", "en": "Test failed: {message}"},
    "send.scopes": {"fr": "Portées du jeton : {scopes}", "en": "Token scopes: {scopes}"},
    "send.missing_scopes": {
        "fr": "Portées manquantes pour l'envoi : {scopes}. Créez un jeton qui les inclut (Pennylane > Paramètres > "
              "Connectivité > Développeurs).",
        "en": "Scopes missing for sending: {scopes}. Create a token that includes them (Pennylane > Settings > "
              "Connectivity > Developers)."},
    "send.settings": {"fr": "Modifier la destination", "en": "Change the destination"},
    "send.api_url": {"fr": "URL de l'API", "en": "API URL"},
    "send.token_env_label": {"fr": "Variable d'environnement du jeton", "en": "Token environment variable"},
    "send.token_env_help": {
        "fr": "Le NOM de la variable (par exemple PENNYLANE_TOKEN), pas sa valeur. Le jeton est lu dans "
              "l'environnement de la console au moment de l'envoi et n'est écrit nulle part (enregistré comme "
              "`env:NOM`).",
        "en": "The NAME of the variable (for instance PENNYLANE_TOKEN), not its value. The token is read from the "
              "console's environment when sending and written nowhere (stored as `env:NAME`)."},
    "send.token_raw_label": {"fr": "… ou le jeton lui-même", "en": "… or the token itself"},
    "send.token_raw_help": {
        "fr": "Gardé dans `secrets.toml` (mode 0600) et jamais réaffiché. Préférez la variable d'environnement.",
        "en": "Kept in `secrets.toml` (mode 0600) and never shown again. Prefer the environment variable."},
    "send.token_raw_stored": {"fr": "déjà enregistré — laisser vide pour conserver",
                              "en": "already stored — leave empty to keep it"},
    "send.live_warning": {
        "fr": "**Envoi réel** : une fois enregistré, le bouton « Envoyer » crée les factures dans la société "
              "Pennylane du jeton. Testez la connexion et vérifiez l'aperçu d'abord.",
        "en": "**Live**: once saved, the Send button creates the invoices in the token's Pennylane company. "
              "Test the connection and check the preview first."},
    "send.incomplete_label": {"fr": "Importer les factures comme « à traiter » dans Pennylane",
                              "en": "Import invoices as incomplete in Pennylane"},
    "send.incomplete_help": {
        "fr": "Les factures arrivent dans la boîte « à traiter » de Pennylane au lieu d'être directement comptabilisées.",
        "en": "Invoices land in Pennylane's 'to process' inbox instead of being booked directly."},
    "send.save": {"fr": "Enregistrer la destination", "en": "Save the destination"},
    "send.bad_env_name": {
        "fr": "« {var} » n'est pas un nom de variable d'environnement (lettres, chiffres et _, sans espace). "
              "Saisissez le nom de la variable, pas le jeton : le jeton va dans le champ masqué.",
        "en": "'{var}' is not an environment variable name (letters, digits and _, no space). Type the variable's "
              "name, not the token: the token goes in the masked field."},
    "send.token_both": {"fr": "Indiquez soit une variable d'environnement, soit le jeton, pas les deux.",
                        "en": "Give either an environment variable or the token, not both."},
    "send.live_needs_token": {"fr": "L'envoi réel demande un jeton : indiquez sa variable d'environnement ou le jeton.",
                              "en": "Live sending needs a token: give its environment variable or the token."},
    "send.saved": {"fr": "Destination enregistrée.", "en": "Destination saved."},
    "send.now_live": {"fr": "La destination est en envoi réel : « Envoyer » créera les factures dans Pennylane.",
                      "en": "The destination is live: Send will create the invoices in Pennylane."},

    # -- selection -------------------------------------------------------------------------------
    "send.selection": {"fr": "Factures à envoyer", "en": "Invoices to send"},
    "send.f_connections": {"fr": "Connexions", "en": "Connections"},
    "send.all_connections": {"fr": "Toutes", "en": "All"},
    "send.f_from": {"fr": "Émises du", "en": "Issued from"},
    "send.f_to": {"fr": "au", "en": "to"},
    "send.m_approved": {"fr": "Approuvées", "en": "Approved"},
    "send.m_amount": {"fr": "Montant TTC", "en": "Total incl. VAT"},
    "send.m_waiting_pdf": {"fr": "En attente de leur PDF", "en": "Waiting for their PDF"},
    "send.waiting_pdf_help": {
        "fr": "Approuvées, mais la source n'a pas encore livré le PDF : elles restent approuvées et partiront dans "
              "un prochain envoi.",
        "en": "Approved, but the source has not delivered the PDF yet: they stay approved and go in a later batch."},
    "send.none_approved": {"fr": "Aucune facture approuvée pour cette sélection : approuvez-en dans Revue.",
                           "en": "No approved invoice for this selection: approve some in Review."},
    "send.to_review": {"fr": "Aller à la revue", "en": "Go to Review"},
    "send.ready_later": {"fr": "{ready} {ready|prête|prêtes} maintenant ; {waiting} {waiting|partira quand son PDF sera "
                               "arrivé|partiront quand leur PDF sera arrivé}.",
                         "en": "{ready} ready now; {waiting} will go once {waiting|its|their} PDF has arrived."},

    # -- preview ---------------------------------------------------------------------------------
    "send.preview_title": {"fr": "Aperçu de l'envoi", "en": "Preview (dry run)"},
    "send.preview_intro": {
        "fr": "Construit les requêtes exactes de l'envoi et les valide contre la spécification officielle de l'API "
              "Pennylane. Aucun appel réseau, aucun changement.",
        "en": "Builds the exact requests of the send and validates them against Pennylane's official API "
              "specification. No network call, no change."},
    "send.preview": {"fr": "Prévisualiser les requêtes", "en": "Preview the requests"},
    "send.preview_running": {"fr": "Construction et validation des requêtes…", "en": "Building and validating the requests…"},
    "send.nothing_to_send": {"fr": "Aucune facture approuvée à envoyer.", "en": "No approved invoice to send."},
    "cmd.pl_set_token": {"fr": "jeton lu dans l'environnement, rien n'est envoyé",
                         "en": "token read from the environment, nothing sent"},
    "cmd.pl_check": {"fr": "tester le jeton (société, droits)", "en": "test the token (company, scopes)"},
    "cmd.pl_live": {"fr": "envoyer pour de vrai", "en": "send for real"},
    "cmd.pl_incomplete": {"fr": "factures déposées « à traiter » dans Pennylane", "en": "land invoices in \"to process\""},
    "cmd.token_where": {"fr": "Pennylane > Paramètres > Connectivité > Développeurs",
                        "en": "Pennylane > Settings > Connectivity > Developers"},
    "cmd.restart": {"fr": "puis relancer `ecluse run` avec la variable exportée",
                    "en": "then restart `ecluse run` with the variable exported"},
    "cmd.push_dry": {"fr": "l'aperçu de cette page, en ligne de commande", "en": "this page's preview, from the command line"},
    "cmd.push": {"fr": "envoyer", "en": "send"},
    "send.preview_valid": {
        "fr": "{docs} {docs|document|documents}, {requests} {requests|requête|requêtes} : aucun écart avec la "
              "spécification de l'API.",
        "en": "{docs} {docs|document|documents}, {requests} {requests|request|requests}: no deviation from the API "
              "specification."},
    "send.preview_invalid": {"fr": "{n} {n|écart|écarts} avec la spécification de l'API :",
                             "en": "{n} {n|deviation|deviations} from the API specification:"},
    "send.preview_conform": {
        "fr": "{docs} {docs|document|documents}, {requests} {requests|requête|requêtes} conformes à la spécification "
              "de l'API.",
        "en": "{docs} {docs|document|documents}, {requests} {requests|request|requests} matching the API "
              "specification."},
    # What the dry run cannot see (it accepts every account and category), from Pennylane's lists.
    # Split in two: the invoices a live send would put On hold first, then those that would go
    # without their category.
    "send.preview_flags_held": {
        "fr": "{n} {n|facture serait mise|factures seraient mises} En attente par l'envoi réel, d'après le plan "
              "comptable de Pennylane lu le {when} :",
        "en": "{n} {n|invoice|invoices} would be put On hold by the live send, from Pennylane's chart of accounts "
              "read on {when}:"},
    "send.preview_flags_minor": {
        "fr": "{n} {n|facture partirait|factures partiraient} sans catégorie, d'après les catégories de Pennylane "
              "lues le {when} :",
        "en": "{n} {n|invoice|invoices} would go without a category, from Pennylane's categories read on {when}:"},
    "send.flag_accounts": {
        "fr": "{n|le compte|les comptes} {accounts} {n|manque|manquent} au plan comptable de Pennylane : l'envoi "
              "réel la mettra En attente",
        "en": "{n|account|accounts} {accounts} {n|is|are} not in Pennylane's chart of accounts: the live send will "
              "hold it"},
    "send.flag_accounts_list": {
        "fr": "{n|le compte|les comptes} {accounts} {n|manque|manquent} au plan comptable de Pennylane",
        "en": "{n|account|accounts} {accounts} {n|is|are} not in Pennylane's chart of accounts"},
    "said.send.flag_category_unknown": {
        "fr": "la catégorie {category} n'existe pas dans Pennylane : elle partira sans catégorie",
        "en": "category {category} does not exist in Pennylane: it will go without a category"},
    "said.send.flag_category_ambiguous": {
        "fr": "plusieurs catégories de Pennylane s'appellent {category} : elle partira sans catégorie",
        "en": "several Pennylane categories are called {category}: it will go without a category"},
    "send.would_hold": {"fr": "serait mise En attente", "en": "would be put On hold"},
    "send.lists_unknown": {
        "fr": "Le plan comptable et les catégories de Pennylane n'ont pas été lus pour cette destination : l'aperçu "
              "ne peut pas dire si des comptes ou des catégories y manquent. Lisez-les dans Correspondances, une "
              "fois un jeton Pennylane configuré (ci-dessus).",
        "en": "Pennylane's chart of accounts and categories have not been read for this destination: the preview "
              "cannot tell whether accounts or categories are missing there. Read them in Mappings, once a Pennylane "
              "token is configured (above)."},
    "send.account_absent": {"fr": "{number} (absent de Pennylane)", "en": "{number} (not in Pennylane)"},
    "send.preview_held": {"fr": "{n} {n|document serait retenu|documents seraient retenus} avant l'envoi :",
                          "en": "{n} {n|document|documents} would be held before sending:"},
    "send.preview_fictitious": {
        "fr": "{n} {n|facture fictive|factures fictives} (connecteur de démonstration) : {n|sa requête est montrée|leurs "
              "requêtes sont montrées} ici, mais un envoi réel vers Pennylane {n|la retiendrait|les retiendrait}, pour "
              "qu'aucune facture inventée n'entre dans une vraie comptabilité. Rejetez-les, ou supprimez la connexion de "
              "démonstration, avant de passer en envoi réel.",
        "en": "{n} made-up {n|invoice|invoices} (demo connector): {n|its request is|their requests are} shown here, but "
              "a live send to Pennylane would hold {n|it|them}, so that no invented invoice enters real books. Reject "
              "them, or remove the demo connection, before going live."},
    "send.preview_stale": {
        "fr": "L'aperçu précédent n'est plus à jour : une décision, une correction, une synchronisation, une "
              "correspondance ou les listes de Pennylane ont changé depuis. Prévisualisez à nouveau.",
        "en": "The previous preview is out of date: a decision, a fix, a sync, a mapping or Pennylane's lists changed "
              "since. Preview again."},
    "send.preview_download": {"fr": "Télécharger l'aperçu (JSON)", "en": "Download the preview (JSON)"},
    "send.note.read_parties": {"fr": "lu une fois par lot (toutes les pages) pour retrouver les tiers existants",
                               "en": "read once per batch (all pages) to match existing counterparties"},
    "send.note.create_party": {"fr": "seulement si aucun tiers existant ne correspond",
                               "en": "only if no existing counterparty matches"},
    "send.preview_no_account": {
        "fr": "{n} {n|ligne|lignes} de {docs} {docs|document|documents} {n|partirait|partiraient} sans compte comptable : Pennylane choisirait alors le "
              "compte lui-même, à vérifier ensuite. Pour l'imposer, associez {n|son code|leurs codes} à des comptes dans "
              "Correspondances.",
        "en": "{n} {n|line|lines} of {docs} {docs|document|documents} would go without a ledger account: Pennylane would then choose the "
              "account itself, to be checked there. To set it, map {n|its code|their codes} to accounts in Mappings."},
    "send.m_amount_others": {"fr": "et {amounts}", "en": "and {amounts}"},
    "send.tab_lines": {"fr": "Lignes", "en": "Lines"},
    "send.tab_requests": {"fr": "Requêtes ({n})", "en": "Requests ({n})"},
    "send.no_import": {"fr": "Pas de requête d'import pour ce document.", "en": "No import request for this document."},
    "send.col_account": {"fr": "Compte comptable", "en": "Ledger account"},
    "send.account_by_pennylane": {"fr": "choisi par Pennylane", "en": "chosen by Pennylane"},
    "send.preview_shared": {"fr": "Requêtes communes au lot ({n})", "en": "Requests shared by the batch ({n})"},
    "send.preview_page": {"fr": "Page (sur {pages})", "en": "Page (of {pages})"},
    "send.preview_doc": {"fr": "{number} — {counterparty} — {total} — {n} {n|requête|requêtes}",
                         "en": "{number} — {counterparty} — {total} — {n} {n|request|requests}"},
    "send.query": {"fr": "Paramètres : {query}", "en": "Parameters: {query}"},
    "send.multipart": {"fr": "Fichier envoyé : {name} ({size} octets, {type})", "en": "File sent: {name} ({size} bytes, {type})"},
    "send.request_valid": {"fr": "Conforme à la spécification.", "en": "Matches the specification."},

    # -- send ------------------------------------------------------------------------------------
    "send.send_title": {"fr": "Envoi", "en": "Send"},
    "send.why_dry_run": {
        "fr": "La destination est en **simulation** : l'aperçu montre exactement ce qui partirait, mais "
              "rien n'est envoyé. Pour envoyer réellement, indiquez le jeton Pennylane et choisissez « Envoi réel » "
              "dans **Modifier la destination** ci-dessus, ou en ligne de commande :",
        "en": "The destination is a **dry run**: the preview shows exactly what would go, but nothing is sent. "
              "To send for real, give the Pennylane token and choose 'Live' under **Change the destination** "
              "above, or from the command line:"},
    "send.why_no_token": {
        "fr": "L'envoi réel est activé mais aucun jeton Pennylane n'est configuré : indiquez-le dans **Modifier la "
              "destination** ci-dessus, ou en ligne de commande :",
        "en": "Live sending is on but no Pennylane token is configured: give it under **Change the destination** "
              "above, or from the command line:"},
    "send.busy_elsewhere": {
        "fr": "Un lot est en cours d'envoi depuis un autre processus ({holder}, par exemple `ecluse push`). "
              "Attendez qu'il se termine.",
        "en": "A batch is being sent by another process ({holder}, for instance `ecluse push`). Wait for it to finish."},
    "send.disabled_dry_run": {"fr": "Désactivé : la destination est en simulation.",
                              "en": "Disabled: the destination is a dry run."},
    "send.disabled_no_token": {"fr": "Désactivé : aucun jeton Pennylane configuré.",
                               "en": "Disabled: no Pennylane token configured."},
    "send.disabled_running": {"fr": "Désactivé : un envoi est en cours.", "en": "Disabled: a batch is being sent."},
    "send.disabled_nothing": {"fr": "Rien à envoyer pour cette sélection.", "en": "Nothing to send for this selection."},
    "send.send": {"fr": "Envoyer {n} {n|facture|factures}…", "en": "Send {n} {n|invoice|invoices}…"},
    "send.send_none": {"fr": "Aucune facture à envoyer", "en": "No invoice to send"},
    "send.confirm_question": {"fr": "**Envoyer {n} {n|facture|factures} vers Pennylane ?**",
                              "en": "**Send {n} {n|invoice|invoices} to Pennylane?**"},
    "send.confirm_amount": {"fr": "Montant TTC : **{amounts}**", "en": "Amount incl. tax: **{amounts}**"},
    # Which company the token sends to (GET /me): an accountant with several clients checks it.
    "send.confirm_company": {"fr": "Société Pennylane : **{company}**", "en": "Pennylane company: **{company}**"},
    "send.confirm_company_unknown": {"fr": "Société Pennylane inconnue : {reason}",
                                     "en": "Pennylane company unknown: {reason}"},
    "said.pennylane.failed": {"fr": "Pennylane a répondu par une erreur (HTTP {status}) : {detail}",
                              "en": "Pennylane answered with an error (HTTP {status}): {detail}"},
    "said.pennylane.env_unset": {
        "fr": "la variable d'environnement `{var}`, qui doit contenir le jeton, n'est pas définie pour la console.",
        "en": "the environment variable `{var}`, which should hold the token, is not set for the console."},
    "send.confirm_detail": {
        "fr": "Destination : `{url}`. Un lot interrompu est d'abord repris. Le suivi s'affiche facture par facture.",
        "en": "Destination: `{url}`. An interrupted batch is resumed first. Progress shows invoice by invoice."},
    "send.confirm_yes": {"fr": "Oui, envoyer", "en": "Yes, send"},
    "send.confirm_no": {"fr": "Annuler", "en": "Cancel"},
    "send.running": {"fr": "Envoi en cours : {done} / {total}", "en": "Sending: {done} / {total}"},
    "send.preparing": {"fr": "Préparation du lot (tiers existants dans Pennylane)…",
                       "en": "Preparing the batch (existing counterparties in Pennylane)…"},
    "send.already_running": {"fr": "Un lot est déjà en cours d'envoi : {message}", "en": "A batch is already being sent: {message}"},
    "send.run_failed": {
        "fr": "L'envoi n'a pas pu aller au bout : {message}. Les factures déjà envoyées le restent ; « Reprendre » "
              "continue le lot.",
        "en": "The send could not finish: {message}. Invoices already sent stay sent; Resume continues the batch."},
    "send.batch_done": {"fr": "Lot n° {id} terminé ({when}) : {sent} {sent|envoyée|envoyées} sur {total}.",
                        "en": "Batch {id} finished ({when}): {sent} of {total} sent."},
    "send.batch_interrupted": {"fr": "Lot n° {id} interrompu : {message}", "en": "Batch {id} interrupted: {message}"},
    "send.batch_left": {"fr": "laissé inachevé (processus arrêté)", "en": "left unfinished (process stopped)"},
    "send.resume": {"fr": "Reprendre ({n} {n|restante|restantes})", "en": "Resume ({n} left)"},
    "send.resume_disabled": {"fr": "Demande l'envoi réel et un jeton Pennylane.", "en": "Needs live mode and a Pennylane token."},
    "send.count_sent": {"fr": "Envoyées", "en": "Sent"},
    "send.count_failed": {"fr": "En échec", "en": "Failed"},
    "send.count_held": {"fr": "Bloquées", "en": "Held"},
    "send.count_pending": {"fr": "Restantes", "en": "Left"},
    "send.state_sent": {"fr": "envoyée", "en": "sent"},
    "send.state_failed": {"fr": "échec", "en": "failed"},
    "send.state_held": {"fr": "bloquée", "en": "held"},
    "send.state_pending": {"fr": "restante", "en": "left"},
    "send.failed_list": {"fr": "{n} {n|facture n'a|factures n'ont} pas pu être {n|envoyée|envoyées} :",
                          "en": "{n} {n|invoice|invoices} could not be sent:"},
    "send.failed_waiting": {
        "fr": "{n} {n|facture|factures} en échec d'envoi, à renvoyer : {numbers}. La raison de chaque échec est "
              "dans l'historique des envois ci-dessous.",
        "en": "{n} {n|invoice|invoices} whose sending failed, to send again: {numbers}. Each failure's reason is in "
              "the send history below."},
    "send.retry_question": {"fr": "Renvoyer {n|cette facture|ces {n} factures} vers Pennylane ?",
                            "en": "Send {n|this invoice|these {n} invoices} to Pennylane again?"},
    "said.send.unreachable": {"fr": "Pennylane injoignable : {cause}.",
                              "en": "Pennylane could not be reached: {cause}."},
    "said.send.server_error": {
        "fr": "Erreur du serveur de Pennylane (HTTP {status}) : l'envoi a échoué. Réessayez plus tard avec "
              "« Réessayer ».",
        "en": "Pennylane's server failed (HTTP {status}): the invoice was not sent. Try again later with Retry."},
    "said.send.rate_limited": {
        "fr": "Pennylane limite toujours le débit des requêtes (HTTP {status}) : réessayez dans quelques minutes.",
        "en": "Pennylane kept limiting the request rate (HTTP {status}): retry in a few minutes."},
    "said.send.unauthorized": {
        "fr": "Pennylane refuse le jeton (HTTP {status}) : vérifiez-le avec « Modifier la destination », puis "
              "réessayez.",
        "en": "Pennylane refuses the token (HTTP {status}): check it with \"Change the destination\", then retry."},
    "said.send.refused": {"fr": "Pennylane a refusé la facture (HTTP {status}) : {detail}",
                          "en": "Pennylane refused the invoice (HTTP {status}): {detail}"},
    # -- why an invoice is held before sending, what a sent one warns of (batch_items.error_said,
    # audit.reason_said; the English reproduces the `error` column's text) -------------------------
    "said.send.held_fictitious": {
        "fr": "envoi bloqué : {subject} est une facture fictive de la connexion « {connection} » (un connecteur de "
              "démonstration) : elle n'est jamais envoyée à Pennylane ; rejetez-la, ou envoyez-la à un serveur de test",
        "en": "held before sending: {subject} is a made-up invoice of connection '{connection}' (a demo connector): "
              "it is never sent to Pennylane; reject it, or send it to a test server"},
    "said.send.held_duplicate": {
        "fr": "envoi bloqué : {subject} est un doublon suspecté de {twin}, envoyé avant lui : gardez les deux (onglet "
              "« Doublons suspectés ») ou rejetez-le dans Revue",
        "en": "held before sending: {subject} is a suspected duplicate of {twin}, sent before it: keep both (the "
              "“Suspected duplicates” tab) or reject it in Review"},
    "said.send.held_missing": {"fr": "envoi bloqué : {subject} : il manque : {missing}{why}",
                               "en": "held before sending: {subject}: missing {missing}{why}"},
    "said.send.held_vat_unknown": {
        "fr": "envoi bloqué : {where} : taux de TVA inconnu ; indiquez-le pendant la revue",
        "en": "held before sending: {where}: VAT rate unknown; set it during review"},
    "said.send.held_vat_unmapped": {
        "fr": "envoi bloqué : {where} : aucun code de TVA Pennylane pour {rate} % (taux associés : {known}) ; "
              "associez ce taux à un code dans Correspondances",
        "en": "held before sending: {where}: no Pennylane VAT code for {rate}% (mapped: {known}); add it to the "
              "workspace's VAT mapping (e.g. \"{rate}\" = \"<code>\")"},
    "said.send.held_vat_source_code": {
        "fr": "envoi bloqué : {where} : le code de TVA {code} donné par la source n'est pas un code Pennylane "
              "et aucun taux de TVA n'est connu",
        "en": "held before sending: {where}: the source's VAT code {code} is not a Pennylane vat_rate code and no "
              "VAT rate is known"},
    "said.send.held_currency": {"fr": "envoi bloqué : {where} : Pennylane n'accepte pas la devise {code}",
                                "en": "held before sending: {where}: currency {code} is not accepted by Pennylane"},
    "said.send.held_totals": {
        "fr": "envoi bloqué : {where} : total HT {before} + TVA {tax} ≠ total TTC {total}",
        "en": "held before sending: {where}: total before tax {before} + tax {tax} != total {total}"},
    "said.send.held_line_totals": {
        "fr": "envoi bloqué : {where} : les lignes totalisent {lines}, le total TTC est {total}",
        "en": "held before sending: {where}: lines add up to {lines}, the total is {total}"},
    "said.send.held_line_vat": {
        "fr": "envoi bloqué : {where} : la TVA des lignes totalise {lines}, le total de TVA est {total}",
        "en": "held before sending: {where}: line VAT adds up to {lines}, the total VAT is {total}"},
    "said.send.held_quantity": {
        "fr": "envoi bloqué : la quantité {quantity} a trop de décimales pour être envoyée exactement",
        "en": "held before sending: quantity {quantity} has too many digits to be sent exactly"},
    "said.send.held": {"fr": "envoi bloqué : {reason}", "en": "held before sending: {reason}"},
    # What those reasons name, by code (requests_builder.place_text, field_text, why_text): the
    # English is the request builder's message (the CLI's), the French the console's.
    "send.subject.document": {"fr": "document {ref}", "en": "document {ref}"},
    "send.subject.customer_invoice": {"fr": "facture client {ref}", "en": "customer invoice {ref}"},
    "send.subject.customer_credit_note": {"fr": "avoir client {ref}", "en": "customer credit note {ref}"},
    "send.subject.supplier_invoice": {"fr": "facture fournisseur {ref}", "en": "supplier invoice {ref}"},
    "send.subject.supplier_credit_note": {"fr": "avoir fournisseur {ref}", "en": "supplier credit note {ref}"},
    "send.subject.customer": {"fr": "client {ref}", "en": "customer {ref}"},
    "send.subject.supplier": {"fr": "fournisseur {ref}", "en": "supplier {ref}"},
    "send.at_line": {"fr": "{place}, ligne {n}", "en": "{place}, line {n}"},
    "send.field.pdf": {"fr": "PDF", "en": "PDF"},
    "send.field.counterparty": {"fr": "client ou fournisseur", "en": "customer or supplier"},
    "send.field.issue_date": {"fr": "date d'émission", "en": "issue date"},
    "send.field.lines": {"fr": "lignes", "en": "lines"},
    "send.field.total_before_tax": {"fr": "total HT", "en": "total before tax"},
    "send.field.total_tax": {"fr": "total de TVA", "en": "total tax"},
    "send.field.total": {"fr": "total TTC", "en": "total"},
    "send.field.name": {"fr": "nom", "en": "name"},
    "send.field.first_name": {"fr": "prénom", "en": "first name"},
    "send.field.last_name": {"fr": "nom de famille", "en": "last name"},
    "send.field.ledger_account": {"fr": "compte comptable {number}", "en": "ledger account {number}"},
    "send.field.address": {"fr": "{role} ({part})", "en": "{role}.{part}"},
    "send.address.billing": {"fr": "adresse de facturation", "en": "billing address"},
    "send.address.postal": {"fr": "adresse postale", "en": "postal address"},
    "send.address_part.street": {"fr": "rue", "en": "street"},
    "send.address_part.postal_code": {"fr": "code postal", "en": "postal code"},
    "send.address_part.city": {"fr": "ville", "en": "city"},
    "send.address_part.country": {"fr": "pays, code ISO à deux lettres", "en": "country (ISO alpha-2)"},
    "send.address_part.country_got": {"fr": "pays, code ISO à deux lettres, reçu {got}",
                                      "en": "country (ISO alpha-2, got {got})"},
    "send.why.pdf_pending": {"fr": "le PDF n'est pas encore arrivé", "en": "the PDF has not arrived yet"},
    "send.why.file_needed": {"fr": "l'import de Pennylane demande un fichier", "en": "Pennylane's import needs a file"},
    "send.why.file_not_stored": {"fr": "le fichier n'est pas dans le stockage des pièces jointes",
                                 "en": "the file is not in the attachment store"},
    "send.why.date_and_line": {"fr": "Pennylane exige une date et au moins une ligne",
                               "en": "Pennylane requires a date and at least one line"},
    "send.why.company_customer": {"fr": "Pennylane les exige pour créer un client entreprise",
                                  "en": "Pennylane requires them to create a company customer"},
    "send.why.individual_customer": {"fr": "Pennylane les exige pour créer un client particulier",
                                     "en": "Pennylane requires them to create an individual customer"},
    "send.why.ledger_unknown": {"fr": "associé à {hint} mais absent du plan comptable de Pennylane",
                                "en": "mapped from {hint} but not found in Pennylane's chart of accounts"},
    # A reviewer's fix of a line's account (Revue → Corriger), not a mapping: the lines it was given on.
    "send.why.ledger_fixed_unknown": {
        "fr": "corrigé {n|sur la ligne|sur les lignes} {lines} mais absent du plan comptable de Pennylane",
        "en": "fixed on {n|line|lines} {lines} but not found in Pennylane's chart of accounts"},
    # A request the spec check refused before sending it: the checker's findings as it words them.
    "said.send.request_invalid": {
        "fr": "requête non envoyée : elle ne respecte pas la spécification de l'API Pennylane : {errors}",
        "en": "request not sent: it does not match Pennylane's API specification: {errors}"},
    "said.send.gone": {"fr": "le document n'est plus dans le cache", "en": "the document is no longer in the cache"},
    "said.send.warn_found_again": {
        "fr": "retrouvée dans Pennylane après un envoi interrompu ; pas importée une seconde fois",
        "en": "found in Pennylane after an interrupted send; not imported again"},
    "said.send.warn_no_category": {"fr": "la catégorie {category} n'existe pas dans Pennylane",
                                   "en": "category {category} does not exist in Pennylane"},
    "said.send.warn_ambiguous_category": {
        "fr": "plusieurs catégories de Pennylane s'appellent {category} : aucune n'a été donnée à la facture",
        "en": "category {category} is the label of several Pennylane categories; none was set"},
    "said.send.warn_credit_unlinked": {
        "fr": "la facture que l'avoir annule n'est pas encore dans Pennylane ; reliez-les à la main dans Pennylane",
        "en": "the credited invoice is not in Pennylane yet; link the credit note by hand"},
    "said.send.warn_imported_but": {"fr": "importée, mais : {error}", "en": "imported, but: {error}"},
    "said.send.warnings": {"fr": "{warnings}", "en": "{warnings}"},
    "send.retry": {"fr": "Réessayer ({n})", "en": "Retry ({n})"},
    "send.sent_later": {"fr": "{n|Envoyée|Envoyées} depuis dans un lot suivant : {numbers}.",
                        "en": "Sent since in a later batch: {numbers}."},
    "send.held_list": {"fr": "{n} {n|facture bloquée|factures bloquées} avant l'envoi, à corriger :",
                       "en": "{n} {n|invoice|invoices} held before sending, to fix:"},
    "send.batch_warned": {
        "fr": "{n} {n|facture envoyée l'a été|factures envoyées l'ont été} avec un avertissement (catégorie non "
              "donnée, avoir à relier…) : voyez le message de chacune ci-dessous.",
        "en": "{n} {n|invoice was|invoices were} sent with a warning (no category set, a credit note to link…): "
              "see each one's message below."},
    "send.fix_in_review": {"fr": "Corriger dans Revue ({n})", "en": "Fix in Review ({n})"},
    "send.col_pennylane_id": {"fr": "Identifiant Pennylane", "en": "Pennylane id"},
    "send.col_link": {"fr": "Fichier", "en": "File"},
    "send.open_file": {"fr": "ouvrir", "en": "open"},

    # -- history, confirmation ---------------------------------------------------------------------
    "send.history": {"fr": "Historique des envois", "en": "Sending history"},
    "send.history_empty": {"fr": "Aucun lot envoyé pour l'instant.", "en": "No batch sent yet."},
    "send.col_batch": {"fr": "Lot", "en": "Batch"},
    "send.col_amount": {"fr": "Montant TTC", "en": "Amount incl. tax"},
    "send.col_amount_sent": {"fr": "Montant envoyé", "en": "Amount sent"},
    "send.bstatus_running": {"fr": "En cours", "en": "Running"},
    "send.bstatus_done": {"fr": "Terminé", "en": "Done"},
    "send.bstatus_interrupted": {"fr": "Interrompu", "en": "Interrupted"},
    "send.history_detail": {"fr": "Détail d'un lot", "en": "Batch detail"},
    "send.history_pick": {"fr": "choisir un lot", "en": "pick a batch"},
    "send.batch_label": {"fr": "Lot n° {id}", "en": "Batch {id}"},
    "send.confirm_title": {"fr": "Confirmation avec Pennylane", "en": "Confirmation with Pennylane"},
    "send.confirm_intro": {
        "fr": "Relit dans Pennylane les factures envoyées : montant identique, modifiée ou supprimée depuis l'envoi.",
        "en": "Reads the sent invoices back from Pennylane: same amount, modified or deleted since sending."},
    "send.confirm_run": {"fr": "Confirmer avec Pennylane", "en": "Confirm with Pennylane"},
    "send.confirm_running": {"fr": "Lecture des factures dans Pennylane…", "en": "Reading the invoices in Pennylane…"},
    "send.confirm_error": {"fr": "La confirmation a échoué : {message}", "en": "The confirmation failed: {message}"},
    "send.confirm_done": {"fr": "{n} {n|facture vérifiée|factures vérifiées} en {requests} {requests|requête|requêtes}.",
                          "en": "{n} {n|invoice|invoices} checked in {requests} {requests|request|requests}."},
    "send.confirm_checked_at": {"fr": "Dernière vérification : {when}", "en": "Last checked: {when}"},
    "send.conf_confirmed": {"fr": "Confirmées", "en": "Confirmed"},
    "send.conf_amount_mismatch": {"fr": "Montant différent", "en": "Amount differs"},
    "send.conf_changed": {"fr": "Modifiées dans Pennylane", "en": "Changed in Pennylane"},
    "send.conf_missing": {"fr": "Supprimées de Pennylane", "en": "Deleted from Pennylane"},
    # One row of the table of differences: its status, singular.
    "send.conf_row_amount_mismatch": {"fr": "Montant différent", "en": "Amount differs"},
    "send.conf_row_changed": {"fr": "Modifiée dans Pennylane", "en": "Changed in Pennylane"},
    "send.conf_row_missing": {"fr": "Supprimée de Pennylane", "en": "Deleted from Pennylane"},
    # A check that found differences: a warning naming how many of each kind.
    "send.confirm_done_issues": {
        "fr": "{n} {n|facture vérifiée|factures vérifiées} en {requests} {requests|requête|requêtes}, "
              "{differences} {differences|écart|écarts} avec ce qui a été envoyé : {issues}.",
        "en": "{n} {n|invoice|invoices} checked in {requests} {requests|request|requests}, {differences} "
              "{differences|difference|differences} from what was sent: {issues}."},
    "send.conf_n_amount_mismatch": {"fr": "{n} {n|montant différent|montants différents}",
                                    "en": "{n} {n|amount differs|amounts differ}"},
    "send.conf_n_changed": {"fr": "{n} {n|modifiée|modifiées} dans Pennylane", "en": "{n} changed in Pennylane"},
    "send.conf_n_missing": {"fr": "{n} {n|supprimée|supprimées} de Pennylane", "en": "{n} deleted from Pennylane"},
    # Under that warning, one line per invoice (its number, never Pennylane's id).
    "send.conf_line_amount_mismatch": {"fr": "envoyée {sent}, {pennylane} dans Pennylane",
                                       "en": "sent {sent}, {pennylane} in Pennylane"},
    "send.conf_line_missing": {"fr": "supprimée de Pennylane", "en": "deleted from Pennylane"},
    "send.conf_line_changed": {"fr": "modifiée dans Pennylane", "en": "changed in Pennylane"},
    "send.col_expected": {"fr": "Envoyé", "en": "Sent"},
    "send.col_in_pennylane": {"fr": "Dans Pennylane", "en": "In Pennylane"},

    # -- a document's history (Revue → Historique): what sending did to it ----------------------------
    "action.in_batch": {"fr": "ajouté à un lot d'envoi", "en": "added to a sending batch"},
    "action.sent": {"fr": "envoyé à Pennylane", "en": "sent to Pennylane"},
    "action.send_failed": {"fr": "échec de l'envoi", "en": "sending failed"},
    "action.held_before_send": {"fr": "bloqué avant l'envoi", "en": "held before sending"},
    "action.retry": {"fr": "remis à l'envoi", "en": "put back for sending"},
    "hist.batch": {"fr": "Lot n° {n}", "en": "Batch no. {n}"},
}


# A held invoice in a list that names it (`batches.held_text`): its reason without "held before
# sending", which the list's heading says, and without the invoice (its place, {subject} or
# {where}, given then as "" or what else it names, with its colon).
_HELD_PREFIX = {"fr": "envoi bloqué : ", "en": "held before sending: "}
_COLON = {"fr": " : ", "en": ": "}


def _in_list(template: dict[str, str]) -> dict[str, str]:
    out = {}
    for lang, text in template.items():
        text = text.removeprefix(_HELD_PREFIX[lang])
        for place in ("{subject}", "{where}"):
            text = text.replace(place + _COLON[lang], place)
        out[lang] = text
    return out


MESSAGES.update({f"said.send.list.{key[10:]}": _in_list(value) for key, value in list(MESSAGES.items())
                 if key == "said.send.held" or key.startswith("said.send.held_")})
