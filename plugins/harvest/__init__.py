"""Harvest connector (in progress)."""
