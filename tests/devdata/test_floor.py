"""`devdata` is the top floor: it may import every app, no domain app imports it."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

DOMAIN_APPS = ("programs", "providers", "enrollment", "reports")


def test_devdata_is_installed():
    assert "devdata" in settings.INSTALLED_APPS


def test_no_domain_module_imports_devdata():
    offenders = []
    root = Path(settings.BASE_DIR)
    for app in DOMAIN_APPS:
        for path in sorted((root / app).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                if any(name == "devdata" or name.startswith("devdata.") for name in names):
                    offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_no_domain_module_loads_modules_by_name():
    """The generators are called with plain imports, not through importlib hooks."""
    root = Path(settings.BASE_DIR)
    hooked = [
        str(path.relative_to(root))
        for app in DOMAIN_APPS
        for path in sorted((root / app).rglob("*.py"))
        if "importlib" in path.read_text(encoding="utf-8")
    ]
    assert hooked == []
