"""Messages for review fixes, duplicates, mappings and reconciliation extras, French first (merged into `ecluse.i18n.MESSAGES`)."""
from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
}
