"""`mcp`: serve the plan to an AI assistant over the Model Context Protocol (stdio)."""

from __future__ import annotations

import click

from sprintboard.cli import Context, pass_ctx


@click.command("mcp")
@click.option(
    "--read-only",
    is_flag=True,
    help="Offer only the tools that read the plan; a tool that would change it is refused.",
)
@pass_ctx
def mcp_command(ctx: Context, read_only: bool) -> None:
    """Serve the plan to an AI assistant over MCP on stdin/stdout.

    The assistant's changes are validated, logged and undoable like anyone's, under the
    person 'agent:<client name>'. Configure the assistant to run
    'sprintboard --db PATH mcp'.
    """
    from sprintboard.agent.server import run_stdio  # the MCP SDK: only for this command

    run_stdio(ctx.db_path, read_only=read_only, create_parent=ctx.is_default)


COMMANDS = [mcp_command]
