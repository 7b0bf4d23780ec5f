"""Écluse: invoices from business tools into Pennylane, with an accountant's review between."""
from .hookspecs import hookimpl

__all__ = ["hookimpl"]
__version__ = "0.1.0"
