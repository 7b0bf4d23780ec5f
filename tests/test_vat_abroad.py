"""Where French VAT may not apply (validation's vat_abroad warning), and where it does."""
from __future__ import annotations

import pytest

from ecluse.domain import Address
from ecluse.validation import validate
from tests.conftest import make_doc


@pytest.mark.parametrize("address, rate, individual, expected", [
    (("1 rue de la Paix", "75002", "Paris", "FR"), "20", False, []),
    (("1 av. Princesse Grace", "98000", "Monaco", "MC"), "20", False, []),  # in the French VAT territory
    (("Hauptstr. 5", "10115", "Berlin", "DE"), "20", False, ["eu"]),  # to a business: reverse charge
    (("Hauptstr. 5", "10115", "Berlin", "DE"), "20", True, []),  # to a consumer: French VAT
    (("350 Fifth Avenue", "10118", "New York", "US"), "20", False, ["export"]),
    (("1 rue", "97110", "Pointe-à-Pitre", "GP"), "8.5", False, []),  # Guadeloupe given by its ISO code
    (("1 rue", "97110", "Pointe-à-Pitre", "GP"), "20", False, ["dom"]),
    (("1 rue", "97400", "Saint-Denis", "FR"), "8.5", False, []),
    (("1 rue", "97300", "Cayenne", "FR"), "5.5", False, ["dom"]),  # Guyane: no VAT
    (("1 rue", "97133", "Gustavia", "FR"), "20", False, ["dom"]),  # Saint-Barthélemy: no VAT
])
def test_vat_abroad(address, rate, individual, expected):
    doc = make_doc("1", rate=rate)
    doc.counterparty.address = Address(*address)
    doc.counterparty.is_individual = individual
    assert [f.params["variant"] for f in validate(doc) if f.code == "vat_abroad"] == expected


def test_a_rate_read_back_from_the_cache_is_said_as_given(workspace, plugins, fake_source, fake_connection):
    from ecluse.services import fixes
    from ecluse.services.sync import sync

    doc = make_doc("1")
    doc.counterparty.address = Address("Hauptstr. 5", "10115", "Berlin", "DE")
    fake_source.pages = [[doc]]
    sync(workspace, plugins)
    fixes.fix(workspace, "src:1", "counterparty.email", "a@b.de", actor="Claire")  # validated again from the cache
    with workspace.db.read() as con:
        [(message,)] = con.execute("SELECT message FROM findings WHERE code = 'vat_abroad'").fetchall()
    assert message.startswith("French VAT at 20% on a sale")  # not 2E+1%
