"""The folder list is the architecture, and imports point one way: down the stack, never up.

Each package of bot/ (and scheduler/) sits on a floor; a module may import its own floor and the floors below
it, never one above. The pure floors (the content schema, the core, the schedule's rules) import no adapter
library at all. Imports inside functions count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT

# Top to bottom, as the README's layout table draws it.
FLOORS = (
    ("bot.__main__",),
    ("bot.ops",),
    ("bot.telegram",),
    ("bot.terminal",),
    ("bot.delivery",),
    ("bot.conversation",),
    ("bot.reports",),
    ("bot.store",),
    ("scheduler",),
    ("bot.core",),
    ("bot.content",),
    ("bot.settings", "bot.logs", "bot.errors", "bot"),
)
PURE = ("bot.content", "bot.core", "scheduler")
ADAPTER_LIBRARIES = ("telegram", "aiosqlite", "aiohttp", "fpdf", "matplotlib", "apscheduler")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> Iterator[tuple[str, Path]]:
    for package in ("bot", "scheduler"):
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            yield _module_name(path), path


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            # `from bot import texts` imports the module bot.texts
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _floor(module: str) -> int | None:
    best: tuple[int, int] | None = None  # (length of the matching prefix, floor)
    for floor, prefixes in enumerate(FLOORS):
        for prefix in prefixes:
            matches = module == prefix or module.startswith(prefix + ".")
            if matches and (best is None or len(prefix) > best[0]):
                best = (len(prefix), floor)
    return None if best is None else best[1]


MODULES = list(_modules())


def test_every_module_has_a_floor() -> None:
    assert all(_floor(name) is not None for name, _ in MODULES)
    assert {name for name, _ in MODULES} >= {"bot.store", "bot.delivery.tick", "scheduler.planning"}


@pytest.mark.parametrize(("name", "path"), MODULES, ids=[name for name, _ in MODULES])
def test_imports_point_down_the_stack(name: str, path: Path) -> None:
    own = _floor(name)
    assert own is not None
    upward = []
    for imported in _imports(path):
        floor = _floor(imported)
        if floor is not None and imported.split(".")[0] in ("bot", "scheduler") and floor < own:
            if imported in ("bot",):  # the package itself (its version) is on the ground floor
                continue
            upward.append(imported)
    assert not upward, f"{name} imports from a floor above it: {sorted(set(upward))}"


@pytest.mark.parametrize(
    ("name", "path"),
    [(name, path) for name, path in MODULES if name.startswith(PURE)],
    ids=[name for name, _ in MODULES if name.startswith(PURE)],
)
def test_the_pure_floors_import_no_adapter_and_no_store(name: str, path: Path) -> None:
    imported = set(_imports(path))
    libraries = {module.split(".")[0] for module in imported} & set(ADAPTER_LIBRARIES)
    assert not libraries, f"{name} imports {sorted(libraries)}"
    assert not {module for module in imported if module.startswith("bot.store")}, name


@pytest.mark.parametrize(
    ("name", "path"),
    [(name, path) for name, path in MODULES if name.startswith("bot.store")],
    ids=[name for name, _ in MODULES if name.startswith("bot.store")],
)
def test_the_store_imports_no_conversation_and_no_adapter(name: str, path: Path) -> None:
    imported = set(_imports(path))
    forbidden = ("bot.conversation", "bot.telegram", "bot.terminal", "bot.delivery", "bot.ops", "telegram")
    assert not {module for module in imported if module.startswith(forbidden)}, name


def test_no_file_is_longer_than_a_reader_can_hold() -> None:
    limit = 420
    long = {
        str(path.relative_to(PROJECT_ROOT)): length
        for folder in ("bot", "scheduler", "tests", "bench")
        for path in (PROJECT_ROOT / folder).rglob("*.py")
        if (length := len(path.read_text(encoding="utf-8").splitlines())) > limit
    }
    assert not long, long
