"""Messages for the Send page (batches to Pennylane), French first (merged into `ecluse.i18n.MESSAGES`)."""
from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
}
