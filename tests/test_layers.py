"""The shape of the code: views reach schools, assignments, meetings and agreements through the scope module.

partners.scope (and the selectors built on it, such as meetings.selectors.meetings_visible_to) decides who
sees what; a view that writes `School.objects.filter(...)` itself skips that decision. This walks the
syntax tree of every view module and fails on `<Model>.objects` for the four models scope guards.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("kpa", "schools", "partners", "programme", "meetings", "evaluations", "front", "demo")
GUARDED = {"School", "Assignment", "Meeting", "Agreement"}

# (module, model): why the view may ask the model directly. Keep this list short.
ALLOWED = {
    # The DUO import and wijk placement screens are for admins only (require_manager), who see every
    # school; schools sits below partners, so it cannot ask partners.scope.
    ("schools/import_views.py", "School"),
}


def view_modules() -> list[Path]:
    found: set[Path] = set()
    for app in APPS:
        base = ROOT / app
        if base.is_dir():
            found.update(base.rglob("views*.py"))
            found.update(base.rglob("*_views.py"))
    return sorted(p for p in found if "migrations" not in p.parts)


def direct_queries(path: Path) -> set[tuple[str, int]]:
    """(model, line) of every `Model.objects` for a guarded model in the module."""
    tree = ast.parse(path.read_text(), filename=str(path))
    return {
        (node.value.id, node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "objects"
        and isinstance(node.value, ast.Name)
        and node.value.id in GUARDED
    }


def test_it_finds_the_view_modules():
    names = {p.relative_to(ROOT).as_posix() for p in view_modules()}
    assert {"meetings/views_log.py", "meetings/views_plan.py", "partners/manage_views.py"} <= names


def test_it_catches_a_direct_query(tmp_path):
    module = tmp_path / "views.py"
    module.write_text("def v(request):\n    return Meeting.objects.filter(pk=1)\n")
    assert direct_queries(module) == {("Meeting", 2)}


def test_no_view_queries_a_scoped_model_without_the_scope_module():
    offenders = []
    for path in view_modules():
        rel = path.relative_to(ROOT).as_posix()
        for model, line in sorted(direct_queries(path)):
            if (rel, model) not in ALLOWED:
                offenders.append(f"{rel}:{line} {model}.objects")
    assert offenders == [], "use partners.scope (or a selector built on it): " + ", ".join(offenders)
