"""The code's layout: imports run one way, and no two modules import each other in a cycle."""

import ast
from pathlib import Path

from django.conf import settings

# Each app may import only the apps after it: site-wide wiring, content, people, shared pieces.
LAYERS = ["portal", "search", "articles", "experts", "common"]


def project_modules():
    """Return {module name: set of project modules it imports} for every app module."""
    root = Path(settings.BASE_DIR)
    modules = {}
    for app in LAYERS:
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
            modules[name] = path
    graph = {}
    for name, path in modules.items():
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            imported |= {target for target in targets if target in modules}
        graph[name] = imported - {name}
    return graph


def test_apps_import_only_the_layers_below_them():
    wrong = [
        f"{module} imports {target}"
        for module, targets in project_modules().items()
        for target in targets
        if LAYERS.index(target.split(".")[0]) < LAYERS.index(module.split(".")[0])
    ]
    assert wrong == []


def test_no_module_import_cycles():
    graph = project_modules()
    cycles, state = [], {}

    def visit(module, path):
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []
