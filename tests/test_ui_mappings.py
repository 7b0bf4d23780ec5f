"""Correspondances (console/ui/views/mappings.py) as an accountant uses it."""
from __future__ import annotations

from tests.test_ui_pages import assert_clean, open_app
from tests.ui_fixtures import fresh_synced_workspace, use_workspace  # noqa: F401


def test_vat_codes_are_offered_with_their_rate_france_first(fresh_synced_workspace, use_workspace):
    use_workspace(fresh_synced_workspace)
    at = open_app("mappings")
    assert_clean(at)
    picker = at.selectbox(key="mp_vat_add_code")
    # as Revue's Corriger offers them: "FR_200 — 20 %", not a bare list from AD_10 on
    assert picker.options[0].startswith("FR_")
    assert "FR_200 — 20 %" in [o.replace("\u00a0", " ") for o in picker.options]
    assert "mixed" in picker.options  # a code that says no rate stays bare
