"""One card in full: description, dependencies both ways, linked feedback, its checklist,
its comment thread and its history, with keys to work on each.

Three parts take the focus in turn (tab): the checklist (space ticks, a adds, x removes),
the comments (c writes one, E edits and D deletes one's own) and the history (u undoes the
chosen entry's change, after saying what and whose it is). Every write runs on the
database thread; a refused one is shown as the store's one line.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.events import DescendantFocus
from textual.widgets import Static

from sprintboard.errors import UserError
from sprintboard.screens.card_page import CardPage
from sprintboard.screens.host import host
from sprintboard.screens.palette import binding_commands
from sprintboard.store.people import possessive
from sprintboard.views.card_detail import (
    Detail,
    comments_title,
    fetch_detail,
    undo_refusal,
    when,
)
from sprintboard.views.text import printable
from sprintboard.widgets.card_summary import summary
from sprintboard.widgets.entry_list import (
    EntryList,
    checklist_entry,
    comment_entry,
    history_entry,
)
from sprintboard.widgets.footer import KeyFooter

TEAM_PREFIX = re.compile(r"^([A-Za-z][A-Za-z0-9]{1,9}):\s*\S")
"""'WH: confirm stock': an item that names its team first."""

PARTS = ("checklist", "comments", "history")
PART_ACTIONS = {
    "tick": "checklist",
    "remove_item": "checklist",
    "edit_comment": "comments",
    "delete_comment": "comments",
    "undo_entry": "history",
}
"""The part each of these actions works in: shown in the footer, and run, only while that
part has the focus (the palette focuses it first)."""


class DetailScroll(VerticalScroll, can_focus=False):
    """The detail's page: scrolls to the part that takes the focus, never takes it itself."""


class CardDetailScreen(CardPage):
    """Dismisses with the card's key when something changed (so the screen below reloads)."""

    HELP_TITLE = "Card detail"
    HELP_NOTES = (
        "tab moves between the checklist, the comments and the history; up and down choose"
        " in the one with the focus",
        "space and x act in the checklist, E and D on your own comment, u on the chosen"
        " history entry (after saying what and whose it is)",
    )
    AUTO_FOCUS = ""  # on_mount focuses the checklist without scrolling the page to it
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("tab", "part(1)", "Next part", show=False),
        Binding("shift+tab", "part(-1)", "Previous part", show=False),
        Binding("e", "edit", "Edit card"),
        Binding("c", "add_comment", "Comment"),
        Binding("E", "edit_comment", "Edit comment"),
        Binding("D", "delete_comment", "Delete comment"),
        Binding("a", "add_item", "Add item"),
        Binding("space", "tick", "Tick/untick"),
        Binding("x", "remove_item", "Remove item"),
        Binding("u", "undo_entry", "Undo this change"),
        Binding("7", "stock", "Stock of its SKUs"),
        Binding("ampersand", "app.conflicts", "Sync conflicts", key_display="&", show=False),
        Binding("escape,q", "close", "Close"),
        Binding("question_mark", "app.help", "Keys", key_display="?", show=False),
    ]

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.changed = False
        self.detail: Detail | None = None

    def compose(self) -> ComposeResult:
        with DetailScroll(classes="dialog detail"):
            yield Static(id="detail-body")
            yield EntryList("Checklist", "no checklist items (a adds one)", id="checklist")
            yield EntryList("Comments", "no comments yet (c writes one)", id="comments")
            yield EntryList("History", "no changes recorded", hang=4, id="history")
        yield KeyFooter()

    async def on_mount(self) -> None:
        # The checklist takes the keys, but the page opens at its top: the card's title.
        self.set_focus(self.part("checklist"), scroll_visible=False)
        await self.refresh_detail({"history": -1, "comments": -1})  # the newest, at the end
        interval = host(self).live_refresh
        if interval:
            self.set_interval(interval, self.poll)

    async def poll(self) -> None:
        """Show what others wrote meanwhile (a comment, a tick), the choices kept."""
        if self.detail is None or self.backend.pending_writes or not self.active:
            return
        version = await self.backend.run(self.backend.store.version)
        if version != self.detail.version and not self.backend.pending_writes:
            await self.refresh_detail()

    def plan_changed(self) -> None:
        """A sync or a settled conflict changed the plan: show this card as it is now."""
        self.run_worker(self.poll())

    def part(self, name: str) -> EntryList:
        return self.query_one(f"#{name}", EntryList)

    def focused_part(self) -> str | None:
        focused = self.focused
        return focused.id if isinstance(focused, EntryList) else None

    # -- showing -------------------------------------------------------------------------

    async def refresh_detail(self, select: dict[str, int] | None = None) -> None:
        """Read the card again and show it; `select`: part name -> the entry to select
        (-1: the last)."""
        if self.gone:
            return
        try:
            app = host(self)
            detail = await self.backend.run(
                partial(fetch_detail, settings=app.settings, index=app.findings),
                self.backend.store,
                self.key,
            )
        except UserError:  # deleted meanwhile, by someone else
            self.card_gone()
            return
        self.detail = detail
        self.query_one("#detail-body", Static).update(summary(detail))
        lists = {name: self.part(name) for name in PARTS}
        done, total = detail.progress()
        lists["checklist"].show(
            detail.checklist,
            checklist_entry,
            f"Checklist  {done}/{total}" if total else "Checklist",
        )
        lists["comments"].show(
            detail.comments, partial(comment_entry, people=detail.people), comments_title(detail)
        )
        lists["history"].show(detail.history, partial(history_entry, detail=detail))
        for name, index in (select or {}).items():
            entries = lists[name]
            entries.select(len(entries.entries) - 1 if index < 0 else index)
        self.refresh_bindings()  # a part's keys show only while it has entries

    # -- keys ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        wanted = PART_ACTIONS.get(action)
        if wanted is None:
            return True
        return wanted == self.focused_part() and bool(self.part(wanted).entries)

    @on(DescendantFocus)
    def _part_focused(self) -> None:
        self.refresh_bindings()

    def action_part(self, delta: int) -> None:
        """Focus the next (or previous) of the checklist, the comments and the history."""
        parts = list(PARTS)
        now = self.focused_part()
        at = parts.index(now) if now in parts else -delta
        self.part(parts[(at + delta) % len(parts)]).focus()

    def action_page(self, delta: int) -> None:
        """Scroll the whole page (a long description, the parts below it)."""
        page = self.query_one(DetailScroll)
        (page.scroll_page_down if delta > 0 else page.scroll_page_up)(animate=False)

    def action_cursor(self, delta: int) -> None:
        name = self.focused_part()
        if name is not None:
            self.part(name).move(delta)

    @on(EntryList.Chosen, "#comments")
    def _comment_clicked(self) -> None:
        self.run_worker(self.action_edit_comment())

    @on(EntryList.Chosen, "#checklist")
    def _item_clicked(self) -> None:
        self.run_worker(self.action_tick())

    def selected_row(self, name: str) -> dict[str, Any] | None:
        """The row of the entry selected in a part, if there is one."""
        if self.detail is None:
            return None
        rows = {
            "checklist": self.detail.checklist,
            "comments": self.detail.comments,
            "history": self.detail.history,
        }[name]
        index = self.part(name).selected
        return rows[index] if 0 <= index < len(rows) else None

    async def save(
        self,
        fn: Callable[..., Any],
        *args: Any,
        select: dict[str, int] | None = None,
        lost: str = "the change was not saved",
        draft: str | None = None,
        **kw: Any,
    ) -> Any:
        """A store write on the database thread; refused, the store's line as one
        notification (and None). Either way the detail shows the database as it is.

        Refused because the card was deleted meanwhile, one line says so and what was
        `lost`; the `draft` typed for it goes to the clipboard and into that line."""
        if self.gone:
            self.refuse_gone(lost, draft)
            return None
        try:
            result = await self.backend.write(fn, *args, **kw)
        except (UserError, sqlite3.Error) as exc:
            if not await self.card_exists():
                self.refuse_gone(lost, draft)
                return None
            if isinstance(exc, UserError):
                self.notify(str(exc), severity="error", markup=False)
            else:
                self.notify(f"not saved: {exc}", severity="error", markup=False, timeout=8)
            result = None
        else:
            self.changed = True
        await self.refresh_detail(select if result is not None else None)
        return result

    # -- comments ------------------------------------------------------------------------

    def action_add_comment(self) -> None:
        from sprintboard.screens.card_detail_dialogs import CommentScreen

        def written(text: str | None) -> None:
            if text is not None:
                add = self.backend.store.comments.add
                lost = "your comment was not saved"
                self.write_soon(self.save(add, self.key, text, select=LAST, lost=lost, draft=text))

        self.ask(CommentScreen(f"Comment on {self.key}"), written)

    def _own_comment(self, verb: str) -> dict[str, Any] | None:
        comment = self.selected_row("comments")
        if comment is None or self.detail is None:
            self.notify("no comment to " + verb, markup=False)
            return None
        if not self.detail.people.mine(comment["author"]):
            self.notify(
                f"comment by {comment['author']}: you ({self.detail.people.me}) can {verb} only "
                "your own comments",
                severity="warning",
                markup=False,
            )
            return None
        return comment

    async def action_edit_comment(self) -> None:
        from sprintboard.screens.card_detail_dialogs import CommentScreen

        comment = self._own_comment("edit")
        if comment is None:
            return
        index = self.part("comments").selected

        def written(text: str | None) -> None:
            if text is not None and text != comment["body"]:
                edit = self.backend.store.comments.edit
                lost = "your edit of the comment was not saved"
                self.write_soon(
                    self.save(
                        edit, comment["id"], text, select={"comments": index}, lost=lost, draft=text
                    )
                )

        title = f"Edit your comment on {self.key} of {when(comment['created_at'])}"
        self.ask(CommentScreen(title, comment["body"]), written)

    def action_delete_comment(self) -> None:
        from sprintboard.screens.dialogs import ConfirmScreen

        comment = self._own_comment("delete")
        if comment is None:
            return
        first = printable(comment["body"].split("\n")[0])
        question = Content(f"Delete your comment of {when(comment['created_at'])}: “{first}”?")

        def answered(yes: bool | None) -> None:
            if yes:
                delete = self.backend.store.comments.delete
                lost = "the comment went with it"
                self.write_soon(self.save(delete, comment["id"], lost=lost))

        self.ask(ConfirmScreen(question, yes="Delete"), answered)

    # -- checklist -----------------------------------------------------------------------

    def action_add_item(self) -> None:
        from sprintboard.screens.card_detail_dialogs import LinePromptScreen

        teams = set(self.detail.teams.values()) if self.detail else set()

        def named(text: str | None) -> None:
            if text is None:
                return
            found = TEAM_PREFIX.match(text)
            team = found.group(1).upper() if found else None
            add = self.backend.store.checklists.add
            lost = f"the checklist item “{text}” was not added"
            self.write_soon(
                self.save(
                    add,
                    self.key,
                    text,
                    team=team if team in teams else None,
                    select=LAST,
                    lost=lost,
                )
            )

        hint = "what is to be done; 'WH: check labels' makes it the team WH's part"
        self.ask(LinePromptScreen(f"New checklist item on {self.key}", hint), named)

    async def action_tick(self) -> None:
        item = self.selected_row("checklist")
        if item is None:
            return
        index = self.part("checklist").selected
        tick = self.backend.store.checklists.tick
        await self.save(tick, item["id"], not item["done"], select={"checklist": index})

    async def action_remove_item(self) -> None:
        item = self.selected_row("checklist")
        if item is None:
            return
        index = self.part("checklist").selected
        removed = await self.save(
            self.backend.store.checklists.remove, item["id"], select={"checklist": index}
        )
        if removed is not None:
            text = printable(removed["text"])
            self.notify(f"checklist item removed: {text} (u in the history undoes)", markup=False)

    # -- history -------------------------------------------------------------------------

    async def action_undo_entry(self) -> None:
        from sprintboard.screens.dialogs import ConfirmScreen

        entry = self.selected_row("history")
        if entry is None or self.detail is None:
            return
        if undo_refusal(entry):  # the store says why in its own words, changing nothing
            await self._undo(entry)
            return
        store = self.backend.store
        what = await self.backend.run(store.activity.describe, entry["txn"])
        mine = self.detail.people.mine(entry["actor"])
        whose = "your" if mine else possessive(self.detail.people.person(entry["actor"]))
        question = Content(
            printable(
                f"Undo {whose} {what} of {when(entry['at'])}? The whole change is reverted "
                "as a new change, which redo (U on the board) can put back."
            )
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.write_soon(self._undo(entry))

        self.ask(ConfirmScreen(question, yes="Undo"), answered)

    async def _undo(self, entry: dict[str, Any]) -> None:
        from sprintboard.screens.undo_keys import undo_or_redo

        done = await undo_or_redo(self, change=entry["id"])
        if done is not None:
            self.changed = True
        await self.refresh_detail({"history": -1} if done is not None else None)

    # -- card ----------------------------------------------------------------------------

    async def action_edit(self) -> None:
        from sprintboard.screens.card_form import CardFormScreen

        try:
            data = await self.backend.run(CardFormScreen.fetch, self.backend.store, self.key)
        except UserError:  # deleted meanwhile
            self.card_gone()
            return

        def edited(key: str | None) -> None:
            if key is not None:
                self.changed = True
            self.write_soon(self.refresh_detail({"history": -1} if key is not None else None))

        self.ask(CardFormScreen(self.key, data), edited)

    def action_stock(self) -> None:
        """The stock screen, narrowed to this card's SKUs."""
        if self.detail is not None and not self.detail.card["skus"]:
            self.notify(f"{self.key} names no SKU (e edits its SKUs)", markup=False)
            return
        host(self).show_stock(self.key)

    def action_close(self) -> None:
        self.leave(self.key if self.changed else None)

    def palette_commands(self) -> Iterable[SystemCommand]:
        """The detail's keys by name; one that acts in a part focuses that part first."""
        for command in binding_commands(self, "Card", ("cursor", "part", "page")):
            action = next(
                b.action
                for b in self.BINDINGS
                if isinstance(b, Binding) and b.description == command.title
            )
            if action in PART_ACTIONS:
                command = command._replace(callback=partial(self._in_part, action))
            yield command

    def _in_part(self, action: str) -> None:
        self.set_focus(self.part(PART_ACTIONS[action]))  # now: the action checks the focus
        self.call_after_refresh(self.run_action, action)


LAST = {"comments": -1, "checklist": -1}
"""After adding: select what was added, at the end of its part."""
