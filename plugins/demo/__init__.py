"""Demo connector (in progress)."""
