"""The code a job runs: the `sparsenets` modules its stage imports, found by reading the source.

The workflow makes these files inputs of the rule, so an edit anywhere in that code reruns exactly
the jobs that ran it. Imports are read with `ast`, not executed: the Snakefile stays fast to parse
and heavy libraries are never loaded at parse time. A stage's own imports are those at the top of
its `stages.py` plus those inside the stage function; every module they reach counts whole (any
import anywhere in it, since any of its functions may run).
"""

import ast
from functools import cache
from pathlib import Path

PACKAGE = "sparsenets"
ROOT = Path(__file__).resolve().parent  # src/sparsenets
ENTRY = ("sparsenets.__main__",)  # `python -m sparsenets` runs __main__, which runs cli


def module_file(module: str) -> Path | None:
    """The file of a `sparsenets` module or package, or None if there is none."""
    parts = module.split(".")
    if parts[0] != PACKAGE:
        return None
    base = ROOT.joinpath(*parts[1:])
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _imported(node: ast.AST, module: str) -> set:
    """Modules named by the import statements under `node` (in `module`), packages included."""
    found = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Import):
            found.update(a.name for a in n.names)
        elif isinstance(n, ast.ImportFrom):
            base = _absolute(n, module)
            found.add(base)
            # `from pkg import name` imports the submodule pkg.name when there is one.
            found.update(f"{base}.{a.name}" for a in n.names if module_file(f"{base}.{a.name}"))
    return {m for m in found if m.split(".")[0] == PACKAGE}


def _absolute(node: ast.ImportFrom, module: str) -> str:
    if not node.level:
        return node.module
    package = module.split(".")[: -node.level]  # `module` is never a package here
    return ".".join(package + ([node.module] if node.module else []))


def _with_parents(module: str) -> set:
    """Importing a.b.c runs a/__init__, a/b/__init__ and a/b/c."""
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts) + 1)}


@cache
def _tree(module: str) -> ast.Module:
    return ast.parse(module_file(module).read_text(encoding="utf-8"), filename=module)


def closure(modules) -> set:
    """Every `sparsenets` module reached from `modules` by imports, themselves included."""
    todo, seen = list(modules), set()
    while todo:
        for m in _with_parents(todo.pop()):
            if m in seen or module_file(m) is None:
                continue
            seen.add(m)
            todo += _imported(_tree(m), m)
    return seen


def stage_modules(group: str, stage: str) -> set:
    """Modules a `python -m sparsenets <group> <stage>` run may execute."""
    module = f"{PACKAGE}.{group}.stages"
    tree = _tree(module)
    top = ast.Module(body=[n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)])
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    if stage not in functions:
        raise ValueError(f"{module_file(module)}: no stage function {stage!r}")
    # The stages module runs only its top level and this function: its other imports don't count.
    roots = {*ENTRY, *_imported(top, module), *_imported(functions[stage], module)}
    return closure(roots) | _with_parents(module)


def stage_files(group: str, stage: str, relative_to=None) -> list:
    """Sorted source files of a stage, as paths relative to `relative_to` (the repository)."""
    base = Path(relative_to).resolve() if relative_to else ROOT.parents[1]
    files = {module_file(m).relative_to(base) for m in stage_modules(group, stage)}
    return sorted(str(f) for f in files)
