"""The shape of the package: one-way imports, a small public surface, no eval on text."""

from __future__ import annotations

import ast
import importlib
import pathlib

import derive

PACKAGE = pathlib.Path(derive.__file__).parent

# parse → model → check → render → interface; a module imports only from its own layer or
# layers to its left.
LAYERS = {
    "errors": 0,
    "functions": 1, "domains": 1, "budget": 1, "unicode": 1,
    "context": 2, "arrays": 2, "algebra": 2, "rules": 2, "records": 2,
    "latex": 3, "proofs": 3,
    "models": 4,
    "equivalence": 5, "engine": 5, "instantiate": 5, "backprop": 5, "shapes": 5,
    "check": 5, "diagnose": 5, "indexed": 5,
    "render": 6, "codegen": 6, "codegen_expr": 6, "report": 6, "html": 6,
    "api": 7, "testing": 7, "strategies": 7, "plugin": 7, "display": 7,
    "cli": 8, "__main__": 8, "__init__": 8,
}


def _imports(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("derive"):
            parts = node.module.split(".")
            if len(parts) > 1:
                found.add(parts[1])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("derive."):
                    found.add(alias.name.split(".")[1])
    return found


def test_every_module_has_a_layer() -> None:
    for path in PACKAGE.glob("*.py"):
        assert path.stem in LAYERS, f"{path.name} has no layer in the import-direction test"


def test_imports_flow_one_way() -> None:
    for path in PACKAGE.glob("*.py"):
        mine = LAYERS[path.stem]
        for imported in _imports(path):
            if imported == "__version__":
                continue
            assert LAYERS[imported] <= mine, (
                f"{path.name} (layer {mine}) imports derive.{imported} (layer "
                f"{LAYERS[imported]}), a module to its right"
            )


def test_public_surface() -> None:
    assert sorted(derive.__all__) == ["__version__", "steps"]


def test_no_module_shadows_the_public_surface() -> None:
    # importing a submodule sets it as an attribute of the package: a module named like a
    # public function would replace the function the first time it is imported
    modules = {path.stem for path in PACKAGE.glob("*.py")}
    assert not modules & set(derive.__all__)
    for name in sorted(modules - {"__main__"}):
        importlib.import_module(f"derive.{name}")
    assert callable(derive.steps)


def test_no_eval_on_text() -> None:
    banned = {"eval", "exec", "sympify", "parse_expr", "parse_latex", "lambdify"}
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                assert name not in banned, f"{path.name}:{node.lineno} calls {name}"
