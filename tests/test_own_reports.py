"""Reports a user saves (services/own_reports.py): checked, kept in the workspace, listed next to
the ready-made ones, updated, deleted; from the service and from the Reports page."""
from __future__ import annotations

import pytest

from ecluse import i18n
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


def test_a_title_taken_is_refused_unless_that_report_is_the_one_updated_or_overwritten(fresh_synced_workspace):
    ws = fresh_synced_workspace
    own_reports.save(ws, "Par statut", BY_STATUS, actor="a", totals_sql="SELECT 1 AS total")
    with pytest.raises(reports.ReportError) as taken:
        own_reports.save(ws, "par STATUT", "SELECT 1 AS n", actor="b")
    assert taken.value.said.code == "report.title_taken"
    assert taken.value.said.params == {"title": "Par statut", "name": "par-statut"}
    # The same query saved again keeps its totals; another query drops them (they summed the old one).
    again = own_reports.save(ws, "Par statut", BY_STATUS, actor="b", replace="par-statut")
    assert again.totals_sql == "SELECT 1 AS total"
    updated = own_reports.save(ws, "Par statut", "SELECT 1 AS n", actor="b", replace="par-statut")
    assert [(r.title, r.sql, r.saved_by, r.totals_sql) for r in own_reports.all_reports(ws)] == [
        ("Par statut", "SELECT 1 AS n", "b", None)]
    # Renamed while updated; another report's title stays its own unless overwritten on purpose.
    own_reports.save(ws, "Autre", "SELECT 2 AS n", actor="a")
    with pytest.raises(reports.ReportError):
        own_reports.save(ws, "Autre", "SELECT 3 AS n", actor="a", replace=updated.name)
    own_reports.save(ws, "Par statut et mois", "SELECT 3 AS n", actor="a", replace=updated.name)
    assert [r.name for r in own_reports.all_reports(ws)] == ["autre", "par-statut-et-mois"]
    with pytest.raises(reports.ReportError):  # overwriting is of the report named, not whichever has the title
        own_reports.save(ws, "AUTRE", "SELECT 4 AS n", actor="c", overwrite="par-statut-et-mois")
    own_reports.save(ws, "AUTRE", "SELECT 4 AS n", actor="c", overwrite="autre")
    assert [(r.title, r.sql) for r in own_reports.all_reports(ws)] == [("AUTRE", "SELECT 4 AS n"),
                                                                       ("Par statut et mois", "SELECT 3 AS n")]
    own_reports.save(ws, "Nouveau", "SELECT 5 AS n", actor="c", overwrite="nouveau")  # nothing to overwrite: saved
    # By name or by title.
    assert own_reports.get(ws, "Par statut et mois").name == "par-statut-et-mois"
    assert own_reports.delete(ws, "AUTRE", actor="Claire").sql == "SELECT 4 AS n"
    with pytest.raises(reports.ReportError) as gone:
        own_reports.delete(ws, "autre", actor="Claire")
    assert gone.value.said.code == "report.unknown_saved"
    with pytest.raises(reports.ReportError) as ready:
        own_reports.delete(ws, "monthly-totals", actor="Claire")
    assert ready.value.said.code == "report.is_ready_made"
    with pytest.raises(reports.ReportError) as meanwhile:  # updating a report deleted meanwhile saves nothing
        own_reports.save(ws, "Autre", "SELECT 4 AS n", actor="a", replace="autre")
    assert meanwhile.value.said.code == "report.gone"
    assert [r.name for r in own_reports.all_reports(ws)] == ["nouveau", "par-statut-et-mois"]


def test_a_ready_made_title_is_refused_in_either_language_and_other_scripts_get_a_name(fresh_synced_workspace):
    ws = fresh_synced_workspace
    for title in ("Anomalies à traiter", "Open findings", "open_findings", "Envoyés à Pennylane"):
        with pytest.raises(reports.ReportError) as refused:
            own_reports.save(ws, title, BY_STATUS, actor="a")
        assert refused.value.said.code == "report.title_ready_made"
    saved = own_reports.save(ws, "Отчёт", BY_STATUS, actor="a")
    assert saved.name == "report" and own_reports.get(ws, "Отчёт") == saved
    # Titles that give one handle are two reports: the second handle gets a number, neither is lost.
    names = [own_reports.save(ws, title, BY_STATUS, actor="a").name
             for title in ("Счёт 2024", "Отчёт 2024", "CA en €", "CA en $", "Счёт")]
    assert names == ["2024", "2024-2", "ca-en", "ca-en-2", "report-2"]
    assert own_reports.get(ws, "CA en $").name == "ca-en-2" and own_reports.get(ws, "ca-en").title == "CA en €"
    assert own_reports.delete(ws, "CA en $", actor="Claire").name == "ca-en-2"  # by its title: that one, not the first handle
    own_reports.save(ws, "CA en $", BY_STATUS, actor="a")
    with pytest.raises(reports.ReportError):
        own_reports.delete(ws, "CA EN €?", actor="Claire")  # another title
    with pytest.raises(reports.ReportError) as taken:  # one title, whatever its case, accents or spaces
        own_reports.save(ws, "ca  EN €", BY_STATUS, actor="a")
    assert taken.value.said.params == {"title": "CA en €", "name": "ca-en"}
    # Updated under its own title, a report keeps its handle (links and scripts go on working).
    assert own_reports.save(ws, "CA en $", "SELECT 1 AS n", actor="a", replace="ca-en-2").name == "ca-en-2"
    with pytest.raises(reports.ReportError) as long:
        own_reports.save(ws, "x" * 90, BY_STATUS, actor="a")
    assert long.value.said.params == {"n": 80, "length": 90}


def test_an_update_does_not_overwrite_a_version_saved_since_it_was_read(fresh_synced_workspace):
    ws = fresh_synced_workspace
    read = own_reports.save(ws, "Par statut", BY_STATUS, actor="Claire")
    own_reports.save(ws, "Par statut", "SELECT 2 AS n", actor="Marc", replace=read.name)  # the CLI, another tab
    with pytest.raises(reports.ReportError) as changed:
        own_reports.save(ws, "Par statut", "SELECT 3 AS n", actor="Claire", replace=read.name, expected=read.saved_at)
    assert changed.value.said.code == "report.changed_meanwhile" and changed.value.said.params["who"] == "Marc"
    assert own_reports.get(ws, "par-statut").sql == "SELECT 2 AS n"


def test_check_query_binds_without_reading_rows(fresh_synced_workspace):
    reports.check_query(fresh_synced_workspace, "SELECT error('read') FROM invoices")  # would fail if run
    with pytest.raises(reports.ReportError):
        reports.run_query(fresh_synced_workspace, "SELECT error('read') FROM invoices")


# -- the page ------------------------------------------------------------------------------------
def _title(at, title, picked=""):
    at.text_input(key=f"rp_save_title.{picked}").set_value(title).run()


def _click(at, key):
    at.button(key=key).click().run()
    assert_clean(at)


def test_the_page_saves_a_query_lists_it_runs_it_updates_renames_and_deletes_it(fresh_synced_workspace,
                                                                                use_workspace, monkeypatch):
    ws = use_workspace(fresh_synced_workspace)
    downloads = spy_downloads(monkeypatch)
    at = open_app("reports")
    at.text_area(key="rp_sql").set_value(BY_STATUS)
    _title(at, "Répartition par statut")
    _click(at, "rp_save_go")
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

    # Another report, then back to ours: picking it runs it; its title is in the field, whatever ran since.
    picker.set_value("monthly_totals").run()
    assert at.text_area(key="rp_sql").value == reports.SAVED_REPORTS["monthly_totals"][1]
    at.selectbox(key="rp_saved.fr").set_value("mine:repartition-par-statut").run()
    assert at.text_area(key="rp_sql").value == BY_STATUS
    _click(at, "rp_run")
    field = "rp_save_title.repartition-par-statut"
    assert at.text_input(key=field).value == "Répartition par statut"

    # Another page and back: the query is still in the box (a widget's value goes with its page).
    at.switch_page("views/review.py").run()
    at.switch_page("views/reports.py").run()
    assert at.text_area(key="rp_sql").value == BY_STATUS
    assert not any("Requête modifiée" in c.value for c in at.caption)

    # Edited: said, and the report can be had back as saved.
    at.text_area(key="rp_sql").set_value("SELECT 1 AS n").run()
    assert any("Requête modifiée depuis l'enregistrement de « Répartition par statut »" in c.value for c in at.caption)
    _click(at, "rp_back")
    assert at.text_area(key="rp_sql").value == BY_STATUS

    # Updated; a broken query is refused in words, and nothing changes.
    at.text_area(key="rp_sql").set_value("SELECT nope FROM invoices").run()
    assert at.button(key="rp_save_update").label == "Mettre à jour « Répartition par statut »"
    _click(at, "rp_save_update")
    assert at.error and "nope" in at.error[0].value
    assert own_reports.all_reports(ws)[0].sql == BY_STATUS
    at.text_area(key="rp_sql").set_value("SELECT 1 AS n").run()
    _click(at, "rp_save_update")
    assert [s.value for s in at.success] == ["Rapport « Répartition par statut » mis à jour."]
    assert [(r.name, r.sql) for r in own_reports.all_reports(ws)] == [("repartition-par-statut", "SELECT 1 AS n")]

    # Renamed: « Mettre à jour » with another title, whatever the button's label said before the title was typed.
    _title(at, "Un seul chiffre", "repartition-par-statut")
    _click(at, "rp_save_update")
    assert [s.value for s in at.success] == [
        "Rapport « Un seul chiffre » mis à jour. Il s'appelait « Répartition par statut »."]
    assert [(r.name, r.sql) for r in own_reports.all_reports(ws)] == [("un-seul-chiffre", "SELECT 1 AS n")]
    assert at.selectbox(key="rp_saved.fr").value == "mine:un-seul-chiffre"
    # « Nouveau rapport »: a copy under another title, the first one left as it is.
    _title(at, "Copie", "un-seul-chiffre")
    _click(at, "rp_save_go")
    assert [r.name for r in own_reports.all_reports(ws)] == ["copie", "un-seul-chiffre"]

    # Deleted: gone from the list and the picker, its query left in the box.
    _click(at, "rp_delete_go")
    assert [s.value for s in at.success] == ["Rapport « Copie » supprimé."]
    assert at.selectbox(key="rp_saved.fr").value == ""
    assert not any(o.startswith("Copie") for o in at.selectbox(key="rp_saved.fr").options)
    assert [r.name for r in own_reports.all_reports(ws)] == ["un-seul-chiffre"]
    assert at.text_area(key="rp_sql").value == "SELECT 1 AS n"


def test_a_title_taken_can_be_replaced_on_purpose_and_a_report_deleted_elsewhere_is_said(fresh_synced_workspace,
                                                                                       use_workspace):
    ws = use_workspace(fresh_synced_workspace)
    own_reports.save(ws, "Par statut", BY_STATUS, actor="a colleague")
    at = open_app("reports")
    at.text_area(key="rp_sql").set_value("SELECT 2 AS n")
    _title(at, "par statut")
    _click(at, "rp_save_go")
    assert "Un rapport enregistré s'appelle déjà « Par statut »" in at.warning[0].value
    assert at.text_area(key="rp_sql").value == "SELECT 2 AS n"  # the new query is kept
    # The title typed again: the offer was for « Par statut », it goes.
    own_reports.save(ws, "Autre", "SELECT 9 AS n", actor="a colleague")
    _title(at, "Autre")
    assert not at.warning and not [b for b in at.button if b.key == "rp_save_overwrite"]
    _title(at, "par statut")
    _click(at, "rp_save_go")
    _click(at, "rp_save_overwrite")
    assert [s.value for s in at.success] == ["Rapport « par statut » mis à jour."]
    assert own_reports.get(ws, "autre").sql == "SELECT 9 AS n"
    own_reports.delete(ws, "autre", actor="Claire")
    assert [(r.title, r.sql) for r in own_reports.all_reports(ws)] == [("par statut", "SELECT 2 AS n")]
    # Saved again by the CLI since this page read it: picking it shows that version; an update from
    # a page that read an older one is refused, said with who saved it.
    at.selectbox(key="rp_saved.fr").set_value("").run()
    own_reports.save(ws, "par statut", "SELECT 7 AS n", actor="Marc", replace="par-statut")
    at.selectbox(key="rp_saved.fr").set_value("mine:par-statut").run()
    assert at.text_area(key="rp_sql").value == "SELECT 7 AS n"
    own_reports.save(ws, "par statut", "SELECT 8 AS n", actor="Marc", replace="par-statut")
    at.run()  # the page drawn again (the popover opened) reads Marc's version, but the box holds the one loaded
    _click(at, "rp_save_update")
    assert "a été enregistré à nouveau par Marc entre-temps" in at.error[0].value
    _click(at, "rp_save_update")  # a second click is refused too: the user has not seen Marc's version
    assert "a été enregistré à nouveau par Marc entre-temps" in at.error[0].value
    _click(at, "rp_delete_go")  # nor is it deleted unseen
    assert "a été enregistré à nouveau par Marc entre-temps" in at.error[0].value
    assert own_reports.get(ws, "par-statut").sql == "SELECT 8 AS n"
    _click(at, "rp_back")  # seen: now it can be updated
    assert at.text_area(key="rp_sql").value == "SELECT 8 AS n"
    at.text_area(key="rp_sql").set_value("SELECT 7 AS n").run()
    _click(at, "rp_save_update")
    assert own_reports.get(ws, "par-statut").sql == "SELECT 7 AS n"
    # Deleted by the CLI while this page has it picked: its update and its deletion say so, with its title.
    own_reports.delete(ws, "par-statut", actor="Marc")
    _click(at, "rp_save_update")
    assert "Le rapport enregistré « par statut » a été supprimé ou renommé entre-temps" in at.error[0].value
    assert own_reports.all_reports(ws) == []
    # Said once, with who deleted it and when (the log), and where its query is kept.
    when = i18n.format_datetime(own_reports.history(ws)[0].at, "fr")
    assert [i.value for i in at.info if "par statut" in i.value] == [
        f"Le rapport « par statut » a été supprimé par Marc le {when}. "
        "Sa requête reste dans l'historique des rapports enregistrés."]
    at.run()
    assert not any("a été supprimé" in i.value for i in at.info)
    assert at.selectbox(key="rp_saved.fr").value == "" and at.text_area(key="rp_sql").value == "SELECT 7 AS n"
    own_reports.save(ws, "Éphémère", "SELECT 3 AS n", actor="a colleague")
    at.run()
    at.selectbox(key="rp_saved.fr").set_value("mine:ephemere").run()
    own_reports.delete(ws, "ephemere", actor="Marc")
    _click(at, "rp_delete_go")
    assert "« Éphémère » a été supprimé ou renommé entre-temps (dans un autre onglet ou en ligne de commande)." in (
        at.error[0].value)
    assert at.selectbox(key="rp_saved.fr").value == ""


def test_a_builder_report_saved_keeps_its_totals(fresh_synced_workspace, use_workspace):
    use_workspace(fresh_synced_workspace)
    at = open_app("reports")
    at.multiselect(key="rp_b_columns.invoices.fr").set_value(["total"]).run()
    at.multiselect(key="rp_b_group.invoices.fr").set_value(["connection"]).run()
    at.button(key="rp_b_make").click().run()
    assert any("**Total** du rapport entier" in m.value for m in at.markdown)
    _title(at, "Totaux par connexion")
    _click(at, "rp_save_go")
    [saved] = own_reports.all_reports(fresh_synced_workspace)
    assert saved.totals_sql and "GROUP BY" in saved.sql
    at.selectbox(key="rp_saved.fr").set_value("").run()
    at.text_area(key="rp_sql").set_value("SELECT 1 AS n")
    _click(at, "rp_run")
    assert not any("**Total** du rapport entier" in m.value for m in at.markdown)
    at.selectbox(key="rp_saved.fr").set_value("mine:totaux-par-connexion").run()
    assert_clean(at)
    assert any("**Total** du rapport entier" in m.value for m in at.markdown)  # its totals under it again
    # Its query changed and updated: the totals no longer hold, and the page says so.
    assert not any("n'aura plus ses totaux" in c.value for c in at.caption)
    at.text_area(key="rp_sql").set_value(saved.sql.replace("GROUP BY", "WHERE currency = 'EUR' GROUP BY")).run()
    assert any("mis à jour, « Totaux par connexion » n'aura plus ses totaux" in c.value for c in at.caption)
    _click(at, "rp_save_update")
    assert any("n'a plus ses totaux par devise" in i.value for i in at.info)
    assert own_reports.all_reports(fresh_synced_workspace)[0].totals_sql is None


def test_a_ready_made_report_edited_can_be_had_back_and_its_title_is_not_taken(fresh_synced_workspace,
                                                                                use_workspace, monkeypatch):
    ws = use_workspace(fresh_synced_workspace)
    downloads = spy_downloads(monkeypatch)
    at = open_app("reports")
    at.selectbox(key="rp_saved.fr").set_value("sent_to_pennylane").run()
    original = at.text_area(key="rp_sql").value
    at.text_area(key="rp_sql").set_value("SELECT 1 AS n").run()
    assert any("ce n'est plus le rapport « Envoyés à Pennylane » tel que fourni" in c.value for c in at.caption)
    _click(at, "rp_back")
    assert at.text_area(key="rp_sql").value == original
    assert not at.button(key="rp_save_go").disabled and at.button(key="rp_save_go").label == "Enregistrer"
    _title(at, "Envoyés à Pennylane")
    _click(at, "rp_save_go")
    assert "nom d'un rapport prêt à l'emploi" in at.error[0].value
    # A copy under a title of its own: the ready-made report still names its own exports.
    _title(at, "Mes envois")
    _click(at, "rp_save_go")
    assert downloads["CSV"][0].startswith("ecluse-mes-envois-")
    at.selectbox(key="rp_saved.fr").set_value("sent_to_pennylane").run()
    assert downloads["CSV"][0].startswith("ecluse-sent-to-pennylane-")
    assert [r.name for r in own_reports.all_reports(ws)] == ["mes-envois"]


def test_the_log_says_who_saved_renamed_replaced_and_deleted_which_report(fresh_synced_workspace):
    ws = fresh_synced_workspace
    own_reports.save(ws, "TVA par client", "SELECT 1 AS n", actor="Claire")
    own_reports.save(ws, "TVA client", "SELECT 2 AS n", actor="Claire", replace="tva-par-client")  # a rename
    own_reports.save(ws, "Autre", "SELECT 3 AS n", actor="Paul")
    own_reports.save(ws, "tva CLIENT", "SELECT 4 AS n", actor="Paul", overwrite="tva-client")  # replaced on purpose
    own_reports.delete(ws, "Autre", actor="Claire")
    log = [(e.action, e.name, e.title, e.sql, e.actor, e.previous_title) for e in own_reports.history(ws)]
    assert log == [
        ("deleted", "autre", "Autre", "SELECT 3 AS n", "Claire", None),  # its query kept
        ("saved", "tva-client", "tva CLIENT", "SELECT 4 AS n", "Paul", None),
        ("replaced", "tva-client", "TVA client", "SELECT 2 AS n", "Paul", None),  # the one it replaced
        ("saved", "autre", "Autre", "SELECT 3 AS n", "Paul", None),
        ("updated", "tva-client", "TVA client", "SELECT 2 AS n", "Claire", "TVA par client"),
        ("saved", "tva-par-client", "TVA par client", "SELECT 1 AS n", "Claire", None),
    ]
    # One report's story, by any title or handle it had: before and after its rename.
    assert [e.action for e in own_reports.history(ws, "TVA par client")] == ["saved", "replaced", "updated", "saved"]
    assert [e.action for e in own_reports.history(ws, "autre")] == ["deleted", "saved"]
    assert own_reports.history(ws, "jamais") == []
    # What became of a handle no longer listed: deleted, or renamed (its new title).
    assert own_reports.last_change(ws, "autre").action == "deleted"
    renamed = own_reports.last_change(ws, "tva-par-client")
    assert (renamed.action, renamed.title, renamed.actor) == ("updated", "TVA client", "Claire")
    # A refused deletion logs nothing.
    with pytest.raises(reports.ReportError):
        own_reports.delete(ws, "autre", actor="Claire")
    assert len(own_reports.history(ws)) == 6


def test_the_page_signs_a_deletion_says_who_renamed_a_report_and_shows_the_history(fresh_synced_workspace,
                                                                                   use_workspace, monkeypatch):
    ws = use_workspace(fresh_synced_workspace)
    monkeypatch.delenv("ECLUSE_ACTOR")
    monkeypatch.delenv("USER", raising=False)
    own_reports.save(ws, "Par statut", BY_STATUS, actor="Marc")
    at = open_app("reports")
    at.selectbox(key="rp_saved.fr").set_value("mine:par-statut").run()
    at.text_input(key="actor").set_value("").run()  # no name: the deletion is refused, as a decision is
    _click(at, "rp_delete_go")
    assert "Indiquez votre nom dans la barre latérale" in at.error[0].value
    assert [r.name for r in own_reports.all_reports(ws)] == ["par-statut"]
    # Renamed from the CLI meanwhile: said with its new title and who renamed it.
    own_reports.save(ws, "Statuts", BY_STATUS, actor="Marc", replace="par-statut")
    at.text_input(key="actor").set_value("Claire Martin").run()
    when = i18n.format_datetime(own_reports.history(ws)[0].at, "fr")
    assert f"Le rapport « Par statut » a été renommé « Statuts » par Marc le {when}." in [i.value for i in at.info]
    at.selectbox(key="rp_saved.fr").set_value("mine:statuts").run()
    _click(at, "rp_delete_go")
    assert own_reports.all_reports(ws) == [] and own_reports.history(ws)[0].actor == "Claire Martin"
    [history] = [d.value for d in at.dataframe if "Qui" in d.value.columns]
    assert list(history.columns) == ["Quand", "Qui", "Action", "Titre", "Requête"]
    assert list(history["Action"]) == ["Supprimé", "Renommé (était « Par statut »)", "Enregistré"]
    assert list(history["Qui"]) == ["Claire Martin", "Marc", "Marc"] and history["Requête"][0] == BY_STATUS
    assert "Historique des rapports enregistrés (3)" in [e.label for e in at.expander]
