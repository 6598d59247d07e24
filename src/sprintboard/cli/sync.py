"""`sync`: share the plan with other laptops through a git repository.

`sync init [REMOTE]` connects the plan, `sync` exchanges changes, `sync status` says what
waits to go out or come in, `sync conflicts` lists what merges overrode, and `sync take N`
/ `sync keep N` settle one.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from sprintboard.cli import Context, pass_ctx
from sprintboard.cli.card_parts import moment
from sprintboard.cli.output import emit_json, say, table, terminal_width
from sprintboard.cli.params import POSITIVE
from sprintboard.views.sync_state import shown_value
from sprintboard.vocabulary import show_control, summary_line


@click.group(invoke_without_command=True)
@pass_ctx
@click.pass_context
def sync(click_ctx: click.Context, ctx: Context) -> None:
    """Share the plan through git: exchange changes with the other laptops.

    Run with no sub-command to sync now.
    """
    if click_ctx.invoked_subcommand is not None:
        return
    from sprintboard.io.sync import sync as run_sync

    result = run_sync(ctx.store(), interactive=sys.stdin.isatty())
    say(show_control(result.line()))
    for note in result.notes:
        say(show_control(f"sync: {note}"))


@sync.command("init")
@click.argument("remote", required=False)
@click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the git working copy goes (default: beside the database, NAME.sync).",
)
@click.option(
    "--merge",
    is_flag=True,
    help="This plan holds cards of its own: add them to the shared plan.",
)
@pass_ctx
def sync_init(ctx: Context, remote: str | None, folder: Path | None, merge: bool) -> None:
    """Connect the plan to a git repository (REMOTE: a URL or path), or start one here."""
    from sprintboard.io.sync import init

    result = init(ctx.store(), remote, folder=folder, merge=merge, interactive=sys.stdin.isatty())
    if result.snapshot_loaded:
        say(f"sync: started from a snapshot of {result.snapshot_loaded} records")
    say(show_control(result.line()))
    for note in result.notes:
        say(show_control(f"sync: {note}"))


@sync.command("status")
@click.option("--fetch", is_flag=True, help="Ask the remote first (needs the network).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def sync_status(ctx: Context, fetch: bool, as_json: bool) -> None:
    """What is local-only, what is incoming, when the last sync ran, open conflicts."""
    from sprintboard.io.sync import status

    found = status(ctx.store(), fetch=fetch)
    if as_json:
        emit_json({**found, "conflicts": [_conflict_json(c) for c in found["conflicts"]]})
        return
    if not found["shared"]:
        say("sync: this plan is not shared; 'sprintboard sync init REMOTE' shares it")
        return
    say(f"remote:     {show_control(found['remote'] or 'none (local repository only)')}")
    say(f"folder:     {show_control(found['folder'])}")
    if found["folder_problem"]:
        say(f"problem:    {show_control(found['folder_problem'])}")
    say(f"device:     {found['device']} ({show_control(found['person'])})")
    local = f"{found['unshared']} change{'s' * (found['unshared'] != 1)} not shared yet"
    if found["unpushed_commits"]:
        local += f"; {found['unpushed_commits']} commit(s) not pushed"
    say(f"local only: {local}")
    if found["incoming"] is not None:
        fetched = f" (fetched {moment(found['last_fetch'])})" if found["last_fetch"] else ""
        say(f"incoming:   {found['incoming']} operation(s) fetched, not applied yet{fetched}")
    say(f"last sync:  {moment(found['last_sync']) if found['last_sync'] else 'never'}")
    if found["last_error"]:
        say(f"last error: {show_control(found['last_error'])}")
    count = len(found["conflicts"])
    say(f"conflicts:  {count} open" + (" ('sprintboard sync conflicts')" if count else ""))


@sync.command("conflicts")
@click.option("--all", "include_settled", is_flag=True, help="Settled ones too.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def sync_conflicts(ctx: Context, include_settled: bool, as_json: bool) -> None:
    """What merges overrode: the value kept, the other one, and who wrote it."""
    from sprintboard.store.sync_conflicts import Conflicts

    found = Conflicts(ctx.store()).list(include_settled=include_settled)
    if as_json:
        emit_json([_conflict_json(c) for c in found])
        return
    if not found:
        say("sync: no open conflicts")
        return
    table(
        found,
        [
            ("ID", lambda c: c["id"]),
            ("RECORD", lambda c: show_control(c["name"])),
            ("FIELD", lambda c: c["field"] or "-"),
            ("KEPT", lambda c: _shown(c["kept"], c)),
            ("OTHER", lambda c: _shown(c["other"], c)),
            ("BY", lambda c: show_control(str(c["other_actor"] or "?"))),
            ("WHAT", lambda c: c["what"] + ("" if c["open"] else " (settled)")),
        ],
        width=terminal_width(),
    )
    say("'sprintboard sync take ID' takes the other value; 'sprintboard sync keep ID' keeps")


@sync.command("take")
@click.argument("conflict_id", type=POSITIVE)
@pass_ctx
def sync_take(ctx: Context, conflict_id: int) -> None:
    """Take the value a merge overrode (or bring back what was deleted)."""
    from sprintboard.store.sync_conflicts import Conflicts

    row = Conflicts(ctx.store()).take(conflict_id)
    what = f"{row['field']} of {row['name']}" if row["field"] else row["name"]
    say(show_control(f"took the other value of {what}; shared at the next sync"))


@sync.command("keep")
@click.argument("conflict_id", type=POSITIVE)
@pass_ctx
def sync_keep(ctx: Context, conflict_id: int) -> None:
    """Keep the plan as it is and settle the conflict."""
    from sprintboard.store.sync_conflicts import Conflicts

    row = Conflicts(ctx.store()).keep(conflict_id)
    say(show_control(f"kept {row['name']} as it is; conflict {conflict_id} settled"))


def _shown(value: Any, conflict: dict[str, Any]) -> str:
    return show_control(summary_line(shown_value(value, conflict["kind"]), 30))


def _conflict_json(c: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": c["id"],
        "kind": c["kind"],
        "what": c["what"],
        "record": c["name"],
        "entity": c["entity"],
        "uuid": c["entity_uuid"],
        "field": c["field"],
        "kept": c["kept"],
        "other": c["other"],
        "other_actor": c["other_actor"],
        "other_device": c["other_device"],
        "other_at": c["other_at"],
        "open": c["open"],
    }


COMMANDS = [sync]
