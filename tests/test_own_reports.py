"""Reports a user saves (services/own_reports.py): checked, kept in the workspace, listed next to
the ready-made ones, updated, deleted; from the service and from the Reports page."""
from __future__ import annotations

import pytest

from ecluse.services import own_reports, reports
from tests.test_report_builder import spy_downloads
from tests.test_ui_pages import assert_clean, open_app
from tests.ui_fixtures import fresh_synced_workspace, use_workspace  # noqa: F401

BY_STATUS = "SELECT status, count(*) AS documents FROM invoices GROUP BY ALL ORDER BY status"


def test_a_saved_report_is_kept_listed_and_run_by_its_name(fresh_synced_workspace):
    ws = fresh_synced_workspace
    saved = own_reports.save(ws, "  Répartition   par statut ", BY_STATUS + ";\n", actor="Claire Martin")
    assert (saved.name, saved.title, saved.sql) == ("repartition-par-statut", "Répartition par statut", BY_STATUS)
    [listed] = own_reports.all_reports(ws)
    assert listed == saved and listed.saved_by == "Claire Martin"
    rows = reports.run_query(ws, own_reports.query_of(ws, "repartition-par-statut")).rows
    assert sum(r["documents"] for r in rows) == reports.run_query(ws, "SELECT count(*) AS n FROM invoices").rows[0]["n"]
    # A ready-made report by its handle, with hyphens or as the code names it.
    assert own_reports.query_of(ws, "monthly-totals") == own_reports.query_of(ws, "monthly_totals") == (
        reports.SAVED_REPORTS["monthly_totals"][1])


@pytest.mark.parametrize(("title", "sql", "code"), [
    ("", BY_STATUS, "report.no_title"),
    ("« — »", BY_STATUS, "report.no_title"),
    ("x" * 81, BY_STATUS, "report.long_title"),
    ("Monthly totals", BY_STATUS, "report.title_ready_made"),
    ("Par statut", "SELECT nope FROM invoices", "report.no_column"),
    ("Par statut", "DELETE FROM documents", "report.read_only"),
    ("Par statut", "SELECT 1; SELECT 2", "report.one_query"),
    ("Par statut", "   ", "report.empty"),
])
def test_a_report_that_would_not_run_or_has_no_usable_title_is_refused_and_nothing_is_kept(
        fresh_synced_workspace, title, sql, code):
    with pytest.raises(reports.ReportError) as refused:
        own_reports.save(fresh_synced_workspace, title, sql, actor="a")
    assert refused.value.said.code.removesuffix(".hint") == code
    assert own_reports.all_reports(fresh_synced_workspace) == []


def test_a_title_taken_is_refused_unless_that_report_is_the_one_updated(fresh_synced_workspace):
    ws = fresh_synced_workspace
    own_reports.save(ws, "Par statut", BY_STATUS, actor="a")
    with pytest.raises(reports.ReportError) as taken:
        own_reports.save(ws, "par STATUT", "SELECT 1 AS n", actor="b")
    assert taken.value.said.code == "report.title_taken" and taken.value.said.params == {"title": "Par statut"}
    updated = own_reports.save(ws, "Par statut", "SELECT 1 AS n", actor="b", replace="par-statut")
    assert [(r.title, r.sql, r.saved_by) for r in own_reports.all_reports(ws)] == [("Par statut", "SELECT 1 AS n", "b")]
    # Renamed while updated; another report's title stays its own.
    own_reports.save(ws, "Autre", "SELECT 2 AS n", actor="a")
    with pytest.raises(reports.ReportError):
        own_reports.save(ws, "Autre", "SELECT 3 AS n", actor="a", replace=updated.name)
    own_reports.save(ws, "Par statut et mois", "SELECT 3 AS n", actor="a", replace=updated.name)
    assert [r.name for r in own_reports.all_reports(ws)] == ["autre", "par-statut-et-mois"]
    assert own_reports.delete(ws, "autre").sql == "SELECT 2 AS n"
    with pytest.raises(reports.ReportError) as gone:
        own_reports.delete(ws, "autre")
    assert gone.value.said.code == "report.unknown_saved"
    with pytest.raises(reports.ReportError):  # updating a report deleted meanwhile saves nothing
        own_reports.save(ws, "Autre", "SELECT 4 AS n", actor="a", replace="autre")
    assert [r.name for r in own_reports.all_reports(ws)] == ["par-statut-et-mois"]


def test_check_query_binds_without_reading_rows(fresh_synced_workspace):
    reports.check_query(fresh_synced_workspace, "SELECT error('read') FROM invoices")  # would fail if run
    with pytest.raises(reports.ReportError):
        reports.run_query(fresh_synced_workspace, "SELECT error('read') FROM invoices")


# -- the page ------------------------------------------------------------------------------------
def _save(at, title):
    at.text_input(key="rp_save_title").set_value(title).run()
    at.button(key="rp_save_go").click().run()
    assert_clean(at)


def test_the_page_saves_a_query_lists_it_runs_it_updates_and_deletes_it(fresh_synced_workspace, use_workspace,
                                                                        monkeypatch):
    ws = use_workspace(fresh_synced_workspace)
    downloads = spy_downloads(monkeypatch)
    at = open_app("reports")
    at.text_area(key="rp_sql").set_value(BY_STATUS)
    _save(at, "Répartition par statut")
    assert [s.value for s in at.success] == [
        "Rapport « Répartition par statut » enregistré. Il est dans la liste « Rapport » ; en ligne de commande : "
        "`ecluse report --name repartition-par-statut`."]
    picker = at.selectbox(key="rp_saved.fr")
    assert picker.value == "mine:repartition-par-statut"
    assert picker.options[-1] == "Répartition par statut — enregistré par ui-tester"
    assert list(at.dataframe[-1].value.columns) == ["Statut", "Documents"]  # saved, and run
    assert downloads["CSV"][0].startswith("ecluse-repartition-par-statut-")
    [kept] = own_reports.all_reports(ws)
    assert kept.sql == BY_STATUS and kept.saved_by == "ui-tester"

    # Another report, then back to ours: picking it runs it.
    picker.set_value("monthly_totals").run()
    assert at.text_area(key="rp_sql").value == reports.SAVED_REPORTS["monthly_totals"][1]
    at.selectbox(key="rp_saved.fr").set_value("mine:repartition-par-statut").run()
    assert at.text_area(key="rp_sql").value == BY_STATUS
    assert at.text_input(key="rp_save_title").value == "Répartition par statut"

    # Edited: said, and the report can be had back as saved.
    at.text_area(key="rp_sql").set_value("SELECT 1 AS n").run()
    assert any("Requête modifiée depuis l'enregistrement de « Répartition par statut »" in c.value for c in at.caption)
    at.button(key="rp_back").click().run()
    assert at.text_area(key="rp_sql").value == BY_STATUS

    # Updated under its own title; a broken query is refused in words, and nothing changes.
    at.text_area(key="rp_sql").set_value("SELECT nope FROM invoices").run()
    assert at.button(key="rp_save_go").label == "Mettre à jour « Répartition par statut »"
    _save(at, "Répartition par statut")
    assert at.error and "nope" in at.error[0].value
    assert own_reports.all_reports(ws)[0].sql == BY_STATUS
    at.text_area(key="rp_sql").set_value("SELECT 1 AS n").run()
    _save(at, "Répartition par statut")
    assert [s.value for s in at.success] == ["Rapport « Répartition par statut » mis à jour."]
    assert [(r.name, r.sql) for r in own_reports.all_reports(ws)] == [("repartition-par-statut", "SELECT 1 AS n")]

    # Deleted: gone from the list and the picker, its query left in the box.
    at.button(key="rp_delete_go").click().run()
    assert_clean(at)
    assert [s.value for s in at.success] == ["Rapport « Répartition par statut » supprimé."]
    assert at.selectbox(key="rp_saved.fr").value == ""
    assert not any(o.startswith("Répartition") for o in at.selectbox(key="rp_saved.fr").options)
    assert own_reports.all_reports(ws) == [] and at.text_area(key="rp_sql").value == "SELECT 1 AS n"


def test_a_builder_report_saved_keeps_its_totals(fresh_synced_workspace, use_workspace):
    use_workspace(fresh_synced_workspace)
    at = open_app("reports")
    at.multiselect(key="rp_b_columns.invoices.fr").set_value(["total"]).run()
    at.multiselect(key="rp_b_group.invoices.fr").set_value(["connection"]).run()
    at.button(key="rp_b_make").click().run()
    assert any("**Total** du rapport entier" in m.value for m in at.markdown)
    _save(at, "Totaux par connexion")
    [saved] = own_reports.all_reports(fresh_synced_workspace)
    assert saved.totals_sql and "GROUP BY" in saved.sql
    at.selectbox(key="rp_saved.fr").set_value("").run()
    at.text_area(key="rp_sql").set_value("SELECT 1 AS n")
    at.button(key="rp_run").click().run()
    assert not any("**Total** du rapport entier" in m.value for m in at.markdown)
    at.selectbox(key="rp_saved.fr").set_value("mine:totaux-par-connexion").run()
    assert_clean(at)
    assert any("**Total** du rapport entier" in m.value for m in at.markdown)  # its totals under it again


def test_a_ready_made_report_edited_can_be_had_back_and_its_title_is_not_taken(fresh_synced_workspace,
                                                                                use_workspace):
    use_workspace(fresh_synced_workspace)
    at = open_app("reports")
    at.selectbox(key="rp_saved.fr").set_value("sent_to_pennylane").run()
    original = at.text_area(key="rp_sql").value
    at.text_area(key="rp_sql").set_value("SELECT 1 AS n").run()
    assert any("ce n'est plus le rapport « Envoyés à Pennylane » tel que fourni" in c.value for c in at.caption)
    at.button(key="rp_back").click().run()
    assert at.text_area(key="rp_sql").value == original
    assert not at.button(key="rp_save_go").disabled and at.button(key="rp_save_go").label == "Enregistrer"
    _save(at, "Sent to Pennylane")
    assert "nom d'un rapport prêt à l'emploi" in at.error[0].value
    assert own_reports.all_reports(fresh_synced_workspace) == []
