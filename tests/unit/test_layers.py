"""The import graph: no module imports one that (directly or not) imports it back.

The layer contracts live in pyproject.toml and run as `lint-imports`; a cycle inside one
layer would pass them, so it is checked here.
"""

from __future__ import annotations

import grimp


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("sprintboard")
    cycles = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                cycles.add(" -> ".join((module, *back)))
    assert not cycles, sorted(cycles)
