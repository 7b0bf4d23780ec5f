"""Suspected duplicates: keep both (dismissed for good, across re-syncs) or reject one."""
from __future__ import annotations

import pytest

from ecluse import i18n
from ecluse.services import duplicates, review
from ecluse.services.review import ReviewError
from ecluse.services.sync import sync
from tests.conftest import FakeSource, make_doc


def q(ws, sql, params=()):
    with ws.db.read() as con:
        return con.execute(sql, list(params)).fetchall()


def suspicions(ws):
    return q(ws, "SELECT document_id, field FROM findings WHERE code = 'suspected_duplicate' ORDER BY 1, 2")


def resync(ws, plugins, name):
    with ws.db.write() as con:
        con.execute("DELETE FROM sync_state")
    return sync(ws, plugins, [name])


@pytest.fixture
def twins(workspace, plugins, fake_source, fake_connection):
    """The same invoice number from two connections (a source imported twice)."""
    workspace.set_connection("other", FakeSource, {"token": "env:FAKE_TOKEN"})
    fake_source.pages = [[make_doc("1", number="F-42"), make_doc("2", number="F-43", total="99.00")]]
    sync(workspace, plugins, ["src"])
    fake_source.pages = [[make_doc("9", number="F-42", total="130.00")]]
    sync(workspace, plugins, ["other"])
    assert suspicions(workspace) == [("other:9", "duplicate_of:src:1"), ("src:1", "duplicate_of:other:9")]
    return workspace


def test_side_by_side_lists_the_twin_with_the_reasons(twins):
    view = duplicates.side_by_side(twins, "src:1")
    assert view["document"]["number"] == "F-42"
    [twin] = view["twins"]
    assert (twin["id"], twin["connection"], twin["number"], str(twin["total"])) == ("other:9", "other", "F-42", "130.00")
    assert twin["reasons"] == ["number"]
    assert twin["counterparty"] == "Client c1"
    assert view["dismissed"] == []
    assert duplicates.side_by_side(twins, "nope") is None


def test_keep_both_clears_the_pair_for_good(twins, plugins, fake_source):
    duplicates.dismiss(twins, "src:1", "other:9", actor="anne")
    assert suspicions(twins) == []
    assert q(twins, "SELECT warning_count FROM documents WHERE id IN ('src:1', 'other:9')") == [(0,), (0,)]
    for doc_id, other in (("src:1", "other:9"), ("other:9", "src:1")):
        last = review.get_document(twins, doc_id)["history"][-1]
        assert (last["action"], last["actor"], last["new_value"]) == ("duplicate_dismissed", "anne", f'"{other}"')
    # Both sources change their document (each is rewritten, and its duplicates recomputed):
    # the pair still matches on number, and stays dismissed, seen from either side.
    fake_source.pages = [[make_doc("9", number="F-42", total="131.00")]]
    resync(twins, plugins, "other")
    fake_source.pages = [[make_doc("1", number="F-42", total="121.00")]]
    resync(twins, plugins, "src")
    assert suspicions(twins) == []
    view = duplicates.side_by_side(twins, "other:9")
    assert view["twins"] == [] and [d["id"] for d in view["dismissed"]] == ["src:1"]
    # A third copy is a new pair: it is flagged against both.
    fake_source.pages = [[make_doc("10", number="F-42", total="140.00")]]
    sync(twins, plugins, ["other"])
    assert {r[0] for r in suspicions(twins)} == {"src:1", "other:9", "other:10"}
    assert ("src:1", "duplicate_of:other:9") not in suspicions(twins)


def test_restore_flags_the_pair_again(twins):
    duplicates.dismiss(twins, "other:9", "src:1", actor="anne")
    duplicates.dismiss(twins, "src:1", "other:9", actor="anne")  # from the other side: nothing more
    assert q(twins, "SELECT count(*) FROM duplicate_dismissals")[0][0] == 1
    duplicates.restore(twins, "src:1", "other:9", actor="bob")
    assert suspicions(twins) == [("other:9", "duplicate_of:src:1"), ("src:1", "duplicate_of:other:9")]
    last = review.get_document(twins, "src:1")["history"][-1]
    assert (last["action"], last["reason"]) == ("duplicate_restored", "suspected duplicate again")
    assert i18n.said_or(last["reason"], last["reason_said"], "fr") == "de nouveau suspecté comme doublon"


def test_reject_one_as_duplicate_of_the_other(twins):
    result = duplicates.reject_duplicate(twins, "other:9", "src:1", actor="anne")
    assert result.done == ["other:9"]
    doc = review.get_document(twins, "other:9")
    assert doc["status"] == "rejected" and doc["status_reason"] == "duplicate of F-42 (src:1)"
    # The English reason stays (the CLI's); the console says it from what is stored beside it.
    last = doc["history"][-1]
    assert (last["reason"], last["reason_said"]) == (
        "duplicate of F-42 (src:1)", {"code": "reason.duplicate_of", "params": {"number": "F-42", "id": "src:1"}})
    assert i18n.said_or(last["reason"], last["reason_said"], "fr") == "doublon de F-42 (src:1)"
    assert suspicions(twins) == []  # cleared on the twin at once
    assert q(twins, "SELECT warning_count FROM documents WHERE id = 'src:1'") == [(0,)]


def test_refusals(twins):
    with pytest.raises(ReviewError, match="own duplicate"):
        duplicates.dismiss(twins, "src:1", "src:1", actor="a")
    with pytest.raises(ReviewError, match="no document"):
        duplicates.dismiss(twins, "src:1", "nope", actor="a")
    with twins.db.write() as con:
        con.execute("UPDATE documents SET status = 'sent' WHERE id = 'src:1'")
    result = duplicates.reject_duplicate(twins, "src:1", "other:9", actor="a")
    assert result.done == [] and "sent" in result.refused["src:1"]
