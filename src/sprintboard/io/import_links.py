"""An import's dependencies: the links its items name, resolved to cards and checked.

Items name the cards they block or wait on by the source's own references (a Jira key, a
Trello card id, a GitHub issue number) or by a card key of this database. Each link is
resolved against the file's items first, then the database; one that would close a cycle
is skipped, never stored.
"""

from __future__ import annotations

from typing import Any

from sprintboard.io.import_plan import Node, Plan
from sprintboard.io.items import Item, Parsed, Skip
from sprintboard.store import Store
from sprintboard.store.bulk import card_ids_by_key, dependency_pairs
from sprintboard.vocabulary import CARD_KEY


def plan_links(
    store: Store,
    parsed: Parsed,
    plan: Plan,
    matched: dict[str, dict[str, Any]],
    existing: dict[str, dict[str, Any]],
    kept: dict[str, Item],
) -> None:
    """Add to `plan` the dependencies the kept items name (`blocks`, `blocked by`), each
    resolved to a card of the file or of the database; a link that names nothing, a card
    itself, or that would close a cycle is skipped with its reason."""
    wanted: list[tuple[str, str, Item]] = []  # (blocker ref, dependent ref, from item)
    for item in kept.values():
        if item.blocks or item.blocked_by:
            own = item.link_name(parsed.prefix)
            wanted += [(own, ref, item) for ref in item.blocks]
            wanted += [(ref, own, item) for ref in item.blocked_by]
    if not wanted:
        return
    nodes: dict[str, Node] = {}
    labels: dict[Node, str] = {}
    for identity, item in kept.items():
        row = matched.get(identity)
        node: Node = int(row["id"]) if row is not None else identity
        labels[node] = str(row["key"]) if row is not None else _short(item)
        for ref in (item.link_name(parsed.prefix), *item.refs):
            nodes.setdefault(ref, node)
    unresolved = {r for b, d, _ in wanted for r in (b, d) if r not in nodes}
    for ref in list(unresolved):
        row = existing.get(parsed.prefix + ref)
        if row is not None:
            nodes[ref] = int(row["id"])
            labels[int(row["id"])] = str(row["key"])
            unresolved.discard(ref)
    keys = {r: r.strip().upper() for r in unresolved if CARD_KEY.match(r.strip().upper())}
    for ref, card_id in _by_key(store, keys).items():
        nodes[ref] = card_id
        labels[card_id] = keys[ref]
    graph: dict[Node, set[Node]] = {}
    for blocker_id, dependent_id in dependency_pairs(store):
        graph.setdefault(blocker_id, set()).add(dependent_id)
    skipped_refs = {s.ref for s in plan.skipped if s.ref is not None}
    skipped_refs |= {i.link_name(parsed.prefix) for i in plan.no_team}
    added: set[tuple[Node, Node]] = set()
    for blocker_ref, dependent_ref, item in wanted:
        missing = next((r for r in (blocker_ref, dependent_ref) if r not in nodes), None)
        if missing is not None:
            why = "is skipped" if missing in skipped_refs else "is not in this file or the database"
            plan.skipped.append(Skip(item.where, f"link to {missing}: {why}"))
            continue
        blocker, dependent = nodes[blocker_ref], nodes[dependent_ref]
        named = f"{labels[blocker]}>{labels[dependent]}"
        if blocker == dependent:
            plan.skipped.append(Skip(item.where, f"link {named}: a card cannot wait on itself"))
        elif (blocker, dependent) in added:
            continue  # named from both ends (Jira: inward and outward)
        elif dependent in graph.get(blocker, set()):
            plan.known_dependencies += 1
        elif _reaches(graph, dependent, blocker):
            plan.skipped.append(Skip(item.where, f"link {named}: would make a cycle"))
        else:
            graph.setdefault(blocker, set()).add(dependent)
            added.add((blocker, dependent))
            plan.dependencies.append((blocker, dependent, named))


def _by_key(store: Store, keys: dict[str, str]) -> dict[str, int]:
    if not keys:
        return {}
    ids = card_ids_by_key(store, keys.values())
    return {ref: ids[key] for ref, key in keys.items() if key in ids}


def _reaches(graph: dict[Node, set[Node]], start: Node, goal: Node) -> bool:
    seen = {start}
    frontier = [start]
    while frontier:
        node = frontier.pop()
        for nxt in graph.get(node, ()):
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return False


def _short(item: Item) -> str:
    return item.refs[0] if item.refs else item.external_id.split(":", 1)[-1]
