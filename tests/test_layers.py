"""The confinement of heavy and risky dependencies, including the imports import-linter cannot see:
`importlib.import_module(...)` and `__import__(...)` with a string, directly or through a small
wrapper whose parameter is the module name (the recognizer loads spaCy and jieba that way)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "screen"
# top-level package → the only modules that may import it
CONFINED = {
    "git": {"screen.vcs"},
    "spacy": {"screen.detectors.recognizer"},
    "jieba": {"screen.detectors.recognizer"},
}
_LOADERS = {"import_module", "__import__"}


def _loader(call: ast.Call) -> bool:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return name in _LOADERS


def _function_of(tree: ast.Module, node: ast.AST) -> ast.FunctionDef | None:
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef) and any(n is node for n in ast.walk(function)):
            return function
    return None


def _calls_to(tree: ast.Module, name: str) -> list[ast.Call]:
    return [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name | ast.Attribute)
        if (n.func.id if isinstance(n.func, ast.Name) else n.func.attr) == name
    ]


def _passed(call: ast.Call, index: int, name: str) -> ast.expr | None:
    """The expression `call` passes for the parameter at `index` called `name`."""
    if index < len(call.args):
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == name), None)


def _values(tree: ast.Module, expression: ast.expr | None, at: ast.AST) -> set[str]:
    """The module names `expression` (inside the code of `at`) can hold: a literal, or a
    parameter of the function it sits in, resolved through that function's callers in the
    module. Anything else is refused."""
    if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
        return {expression.value}
    function = _function_of(tree, at)
    if isinstance(expression, ast.Name) and function is not None:
        parameters = [a.arg for a in function.args.args]
        if expression.id in parameters:
            index = parameters.index(expression.id)
            values: set[str] = set()
            for caller in _calls_to(tree, function.name):
                values |= _values(tree, _passed(caller, index, expression.id), caller)
            if values:
                return values
    line = getattr(at, "lineno", "?")
    raise AssertionError(f"line {line}: a dynamic import whose module name is not a literal; make it one")


def imports(source: str) -> set[str]:
    """Every module `source` imports, statically or through a loader call."""
    tree = ast.parse(source)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Call) and _loader(node):
            found |= _values(tree, _passed(node, 0, "name"), node)
    return found


def _modules() -> dict[str, set[str]]:
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = imports(path.read_text(encoding="utf-8"))
    return modules


def test_resolver_sees_imports_through_a_wrapper() -> None:
    source = (
        "import importlib\n"
        "def _load(name, why):\n"
        "    return importlib.import_module(name)\n"
        "spacy = _load('spacy', 'x')\n"
        "jieba = _load(name='jieba', why='y') if False else _load('jieba.posseg', 'y')\n"
        "git = __import__('git')\n"
    )
    assert {"spacy", "jieba.posseg", "git", "importlib"} <= imports(source)


def test_resolver_refuses_what_it_cannot_resolve() -> None:
    with pytest.raises(AssertionError, match="not a literal"):
        imports("import importlib\nNAME = 'sp' + 'acy'\nimportlib.import_module(NAME)\n")


@pytest.mark.parametrize("package", sorted(CONFINED))
def test_confined_packages_are_imported_only_where_allowed(package: str) -> None:
    importers = {
        module
        for module, imported in _modules().items()
        if any(name == package or name.startswith(f"{package}.") for name in imported)
    }
    assert importers, f"no module imports {package}: the resolver lost it"
    assert importers <= CONFINED[package], f"{package} imported by {sorted(importers - CONFINED[package])}"


def test_the_import_contracts_hold() -> None:
    # import-linter's contracts in pyproject.toml (layers of docs/contracts.md and the forbidden imports)
    linter = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
