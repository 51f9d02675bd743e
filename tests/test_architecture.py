"""The floors of docs/architecture.md ("Layers"), checked on the source with `ast`.

programs → providers → enrollment → reports, with the data generators (devdata) above them
all: a module imports from its own app or from a lower floor. The one exception is a views
module reading a higher app's `selectors`. Nothing imports devdata, and no app imports the
project package `config` (settings are read through `django.conf.settings`).

Every import counts: at module level, inside functions, under `TYPE_CHECKING` or
`try/except ImportError`, and `importlib.import_module("…")` with a literal name.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Lowest first.
FLOORS: dict[str, int] = {
    "legal": 0,
    "programs": 0,
    "providers": 1,
    "enrollment": 2,
    "reports": 3,
    "backoffice": 4,
    "devdata": 5,
}


def app_modules() -> Iterator[tuple[str, Path]]:
    for app in FLOORS:
        base = ROOT / app
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.py")):
            if "migrations" in path.parts:
                continue
            yield app, path


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(path: Path) -> list[tuple[int, str]]:
    """(line, dotted name) of everything the module imports, by line; `from a import b`
    yields `a.b` (b may be a module, e.g. `from enrollment import selectors`)."""
    return sorted(_imports(path))


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                yield node.lineno, f"{source}.{alias.name}"
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


def is_views_module(path: Path) -> bool:
    return path.name == "views.py" or "views" in path.relative_to(ROOT).parts[:-1]


def layer_violations() -> list[str]:
    found = []
    for app, path in app_modules():
        relative = path.relative_to(ROOT).as_posix()
        for line, name in imported_names(path):
            parts = name.split(".")
            target = parts[0]
            where = f"{relative}:{line}"
            if target == "config":
                found.append(f"{where}: imports {name} (apps read settings via django.conf, not config)")
                continue
            if target not in FLOORS or target == app:
                continue
            if target == "devdata":
                found.append(f"{where}: imports {name} (nothing imports the data generators)")
            elif FLOORS[target] > FLOORS[app]:
                if is_views_module(path) and len(parts) > 1 and parts[1] == "selectors":
                    continue  # a view reading a higher app's selectors
                found.append(f"{where}: {app} imports {name} from a higher floor ({target})")
    return found


def test_every_module_imports_only_from_its_floor_or_below():
    violations = layer_violations()
    assert not violations, "Imports that reach up a floor (docs/architecture.md, Layers):\n" + "\n".join(violations)


def test_the_checker_sees_every_kind_of_import(tmp_path, monkeypatch):
    source = (
        "from __future__ import annotations\n"
        "import importlib\n"
        "from typing import TYPE_CHECKING\n"
        "from providers.models import Provider\n"  # below: fine
        "if TYPE_CHECKING:\n"
        "    from enrollment.models import Participation\n"  # 6
        "def f():\n"
        "    from reports import services\n"  # 8
        "    importlib.import_module('enrollment.demo')\n"  # 9
        "try:\n"
        "    import devdata.demo\n"  # 11
        "except ImportError:\n"
        "    pass\n"
        "from config import settings\n"  # 14
    )
    views_source = "from enrollment.selectors import running_program_ids\nfrom enrollment import services\n"
    (tmp_path / "providers").mkdir()
    (tmp_path / "providers" / "cycle.py").write_text(source)
    (tmp_path / "providers" / "views.py").write_text(views_source)
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    assert layer_violations() == [
        "providers/cycle.py:6: providers imports enrollment.models.Participation from a higher floor (enrollment)",
        "providers/cycle.py:8: providers imports reports.services from a higher floor (reports)",
        "providers/cycle.py:9: providers imports enrollment.demo from a higher floor (enrollment)",
        "providers/cycle.py:11: imports devdata.demo (nothing imports the data generators)",
        "providers/cycle.py:14: imports config.settings (apps read settings via django.conf, not config)",
        "providers/views.py:2: providers imports enrollment.services from a higher floor (enrollment)",
    ]


@pytest.mark.parametrize("app", list(FLOORS))
def test_floors_cover_the_apps_that_exist(app):
    if app == "devdata" and not (ROOT / app).is_dir():
        pytest.skip("devdata not (yet) on this branch")
    assert (ROOT / app / "apps.py").is_file()
