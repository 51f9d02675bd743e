"""Fixtures of the catalogue tests (tests/programs/catalogue_fixtures.py)."""

from tests.programs.catalogue_fixtures import catalogue  # noqa: F401
