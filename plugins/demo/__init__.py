"""Demo connector: a fictitious company's invoices, generated locally (no account needed).

Declared as the entry point ``demo = "ecluse.plugins.demo"`` in the ``ecluse`` group,
exactly as a third-party connector package declares its own.
"""
from ecluse import hookimpl

from .connector import DemoConnector

__all__ = ["DemoConnector", "register_connectors"]


@hookimpl
def register_connectors(register):
    register(DemoConnector)
