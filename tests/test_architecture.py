"""The shape of the package: one-way imports, a small public surface, no eval on text."""

from __future__ import annotations

import ast
import importlib
import pathlib

import derive

PACKAGE = pathlib.Path(derive.__file__).parent

# read → decide → engine → verify → emit → integrations → interface: a module imports only
# from its own package or packages to its left (the foundation, ``core``, is left of all).
PACKAGES = ("core", "read", "decide", "engine", "verify", "emit", "integrations")
TOP_LEVEL = {"api": 7, "testing": 7, "strategies": 7, "cli": 8, "__main__": 8, "__init__": 8}
"""Modules of the package itself: the public API, two public aliases, the CLI."""


def _modules() -> list[pathlib.Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _rank(dotted: str) -> int:
    """The layer of ``derive.<dotted>``: its package's place, or a top-level module's."""
    first = dotted.split(".")[0]
    if first in PACKAGES:
        return PACKAGES.index(first)
    return TOP_LEVEL[first]


def _own(path: pathlib.Path) -> str:
    relative = path.relative_to(PACKAGE).with_suffix("")
    return ".".join(relative.parts)


def _imports(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("derive"):
            parts = node.module.split(".")
            if len(parts) > 1:
                found.add(".".join(parts[1:]))
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("derive."):
                    found.add(alias.name.split(".", 1)[1])
    return found


def test_every_module_has_a_layer() -> None:
    for path in _modules():
        own = _own(path)
        assert own.split(".")[0] in PACKAGES or own in TOP_LEVEL or own.endswith("__init__"), (
            f"{own} is in no package of the import-direction test")


def test_packages_are_the_ones_named() -> None:
    found = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert found == set(PACKAGES)


def test_imports_flow_one_way() -> None:
    for path in _modules():
        own = _own(path)
        mine = _rank(own.removesuffix(".__init__") if own != "__init__" else own)
        for imported in _imports(path):
            if imported == "__version__":
                continue
            assert _rank(imported) <= mine, (
                f"derive.{own} (layer {mine}) imports derive.{imported} (layer "
                f"{_rank(imported)}), a module to its right"
            )


def test_public_surface() -> None:
    assert sorted(derive.__all__) == ["__version__", "steps"]


def test_no_module_shadows_the_public_surface() -> None:
    # importing a submodule sets it as an attribute of the package: a module named like a
    # public function would replace the function the first time it is imported
    modules = {_own(path).removesuffix(".__init__") for path in _modules()}
    assert not {m.split(".")[0] for m in modules} & set(derive.__all__)
    for name in sorted(modules - {"__main__", "__init__"}):
        importlib.import_module(f"derive.{name}")
    assert callable(derive.steps)


def test_no_eval_on_text() -> None:
    banned = {"eval", "exec", "sympify", "parse_expr", "parse_latex", "lambdify"}
    for path in _modules():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                assert name not in banned, f"{path.name}:{node.lineno} calls {name}"
