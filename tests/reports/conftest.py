"""The report tests store PDFs and uploads: keep them out of the project's media/.
Their fixtures (report years, staff of a fund) come from tests/fixtures/reports.py."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Stored PDFs and uploads go to a temporary directory, not the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
