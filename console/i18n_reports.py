"""Messages of the Reports page (rep.*); the report views' column names stay in i18n (col.*)."""
from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "rep.title": {"fr": "Rapports", "en": "Reports"},
    "rep.intro": {"fr": "Requêtes SQL en lecture seule sur les vues documentées du cache (DuckDB).",
                  "en": "Read-only SQL queries over the documented views of the cache (DuckDB)."},
    "rep.saved": {"fr": "Rapport enregistré", "en": "Saved report"},
    "rep.saved_none": {"fr": "— requête libre —", "en": "— custom query —"},
    "rep.saved_edited": {"fr": "Requête modifiée : ce n'est plus le rapport « {title} » tel qu'enregistré.",
                         "en": "Query edited: it is no longer the saved report '{title}' as it was."},
    "rep.sql": {"fr": "Requête SQL", "en": "SQL query"},
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
    "rep.empty_sql": {"fr": "Écrivez une requête ou choisissez un rapport enregistré.",
                      "en": "Write a query or choose a saved report."},
}
