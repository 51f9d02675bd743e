"""Transparency reports: see issue 5."""
