"""The live `Gateway` of the send service, over `ecluse.pennylane.client.PennylaneClient`."""
from __future__ import annotations

from typing import Any

from ..domain import CUSTOMER_KINDS
from ..pennylane.client import PennylaneClient


def _kind(kind: str) -> str:
    return "customer" if kind in CUSTOMER_KINDS else "supplier"


class PennylaneGateway:
    dry_run = False

    def __init__(self, base_url: str, token: str, **client_options: Any) -> None:
        self.client = PennylaneClient(base_url, token, **client_options)
        self.base_url = base_url

    @property
    def stats(self) -> Any:
        return self.client.stats

    def directory(self, role: str) -> list[dict[str, Any]]:
        return list(self.client.iter_list("/customers" if role == "customer" else "/suppliers"))

    def create_party(self, role: str, path: str, body: dict[str, Any]) -> int:
        if path == "/individual_customers":
            return int(self.client.create_individual_customer(body)["id"])
        if path == "/company_customers":
            return int(self.client.create_company_customer(body)["id"])
        return int(self.client.create_supplier(body)["id"])

    def find_party(self, role: str, external_reference: str) -> int | None:
        find = self.client.find_customer if role == "customer" else self.client.find_supplier
        found = find(external_reference=external_reference)
        return int(found["id"]) if found else None

    def upload(self, filename: str, content: bytes) -> int:
        return int(self.client.upload_file(filename, content)["id"])

    def find_invoice(self, kind: str, external_reference: str) -> dict[str, Any] | None:
        return self.client.find_invoice(_kind(kind), external_reference)

    def import_invoice(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        if kind in CUSTOMER_KINDS:
            return self.client.import_customer_invoice(body)
        return self.client.import_supplier_invoice(body)

    def link_credit_note(self, invoice_id: int, credit_note_id: int) -> None:
        self.client.link_credit_note(invoice_id, credit_note_id)

    def ledger_accounts(self) -> dict[str, int]:
        return self.client.ledger_accounts()

    def categories(self) -> dict[str, int | None]:
        """Label → category id; None for a label several categories share (in different groups):
        a mapping names a label only, so the send cannot tell which one is meant."""
        out: dict[str, int | None] = {}
        for c in self.client.categories():
            out[c["label"]] = None if c["label"] in out else int(c["id"])
        return out

    # What the Mappings page offers (`services/pennylane_lists.py`): the lists with their labels.
    def category_list(self) -> list[dict[str, Any]]:
        return self.client.categories()

    def category_groups(self) -> dict[int, str]:
        """Category group id → its label."""
        return {int(g["id"]): g["label"] for g in self.client.iter_list("/category_groups")}

    def ledger_account_list(self) -> list[dict[str, Any]]:
        return list(self.client.iter_list("/ledger_accounts", limit=1000))

    def close(self) -> None:
        self.client.close()

    def set_categories(self, kind: str, invoice_id: int, body: list[dict[str, Any]]) -> None:
        self.client.set_invoice_categories(_kind(kind), invoice_id, body)
