"""Harvest connector: customer invoices and credit notes from Harvest API v2 (see `connector`)."""
from __future__ import annotations

from typing import Callable

from ecluse import hookimpl

from .connector import HarvestConnector

__all__ = ["HarvestConnector", "register_connectors"]


@hookimpl
def register_connectors(register: Callable[[type], None]) -> None:
    register(HarvestConnector)
