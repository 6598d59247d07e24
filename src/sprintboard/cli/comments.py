"""`comment` commands (and `card comment`): a card's conversation, and the comments that
@-name someone."""

from __future__ import annotations

import click

from sprintboard.cli import Context, pass_ctx
from sprintboard.cli.card_parts import comment_json, moment, print_thread, teams_of, who
from sprintboard.cli.cards import card
from sprintboard.cli.output import emit_json, say, table, terminal_width
from sprintboard.cli.params import NumberArguments, Whole, json_option
from sprintboard.errors import UserError
from sprintboard.vocabulary import INT64_MAX, summary_line

COMMENT_ID = Whole(1, INT64_MAX, "comment id")
MAX_MENTIONS = 100_000
"""The most comments `comment mentions --limit` lists."""
TEXT_HELP = "TEXT '-' reads the text from standard input (for several lines)."


def comment_text(text: str) -> str:
    """The comment's text: the argument, or standard input for '-' (blank lines around it
    dropped, the lines inside kept)."""
    if text != "-":
        return text
    try:
        given = click.get_text_stream("stdin").read()
    except UnicodeDecodeError:
        raise UserError("TEXT: standard input is not UTF-8 text") from None
    return given.lstrip("\r\n").rstrip()


def _added(ctx: Context, key: str, text: str, as_json: bool) -> None:
    row = ctx.store().comments.add(key, comment_text(text))
    if as_json:
        emit_json(comment_json(row))
        return
    named = f" (mentions {', '.join(row['mentions'])})" if row["mentions"] else ""
    say(f"comment {row['id']} added to {row['card']}{named}")


@card.command("comment", epilog=TEXT_HELP)
@click.argument("key")
@click.argument("text")
@json_option
@pass_ctx
def card_comment(ctx: Context, key: str, text: str, as_json: bool) -> None:
    """Comment on a card (@name mentions a person)."""
    _added(ctx, key, text, as_json)


@click.group()
def comment() -> None:
    """Comments on cards: add, list, edit and delete your own, mentions of you."""


@comment.command("add", epilog=TEXT_HELP)
@click.argument("key")
@click.argument("text")
@json_option
@pass_ctx
def comment_add(ctx: Context, key: str, text: str, as_json: bool) -> None:
    """Comment on a card (@name mentions a person)."""
    _added(ctx, key, text, as_json)


@comment.command("list")
@click.argument("key")
@json_option
@pass_ctx
def comment_list(ctx: Context, key: str, as_json: bool) -> None:
    """A card's comments, oldest first."""
    store = ctx.store()
    rows = store.comments.for_card(key)
    if as_json:
        emit_json([comment_json(r) for r in rows])
    elif not rows:
        say(f"no comments on {store.cards.get(key)['key']}")
    else:
        print_thread(rows, teams_of(store))


@comment.command("edit", cls=NumberArguments, epilog=TEXT_HELP)
@click.argument("comment_id", metavar="ID", type=COMMENT_ID)
@click.argument("text")
@json_option
@pass_ctx
def comment_edit(ctx: Context, comment_id: int, text: str, as_json: bool) -> None:
    """Change the text of one of your own comments."""
    row = ctx.store().comments.edit(comment_id, comment_text(text))
    emit_json(comment_json(row)) if as_json else say(f"comment {row['id']} on {row['card']} edited")


@comment.command("delete", cls=NumberArguments)
@click.argument("comment_id", metavar="ID", type=COMMENT_ID)
@pass_ctx
def comment_delete(ctx: Context, comment_id: int) -> None:
    """Delete one of your own comments (undo with 'sprintboard undo')."""
    row = ctx.store().comments.delete(comment_id)
    say(f"comment {row['id']} on {row['card']} deleted (undo with 'sprintboard undo')")


@comment.command("mentions")
@click.option("--person", metavar="NAME", help="Whose mentions (default: you).")
@click.option(
    "--limit",
    type=Whole(1, MAX_MENTIONS),
    default=200,
    show_default=True,
    help="At most this many comments, the newest; a note on stderr says how many more.",
)
@json_option
@pass_ctx
def comment_mentions(ctx: Context, person: str | None, limit: int, as_json: bool) -> None:
    """Comments that @-name you (or --person), newest first."""
    from sprintboard.config import MAX_PERSON, person_name

    store = ctx.store()
    if person is None:
        name = store.actor
    else:
        given = person_name(person)
        if given is None:
            raise UserError(
                f"--person: a person's name is 1-{MAX_PERSON} characters of text, without "
                f"control characters (got {person!r})"
            )
        name = store.person(given)
    rows, more = store.comments.mentions_of(name, limit=limit)
    if more:
        # On stderr, so --json output stays a plain list a script can read.
        wanted = min(limit + more, MAX_MENTIONS)
        click.echo(f"… {more:,} more; --limit {wanted} lists them", err=True)
    if as_json:
        emit_json([comment_json(r) for r in rows])
        return
    if not rows:
        say(f"no comments mention {name}")
        return
    teams = teams_of(store)
    table(
        rows,
        [
            ("ID", lambda r: r["id"]),
            ("CARD", lambda r: r["card"]),
            ("AT", lambda r: moment(r["created_at"])),
            ("BY", lambda r: who(r["author"], teams)),
            ("COMMENT", lambda r: summary_line(str(r["body"]), 200)),
        ],
        max_width=22,
        width=terminal_width(),
    )


COMMANDS = [comment]
