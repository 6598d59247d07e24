"""The stock screen: warehouse stock per SKU beside the promotion cards that use it.

One line per SKU (name, on hand, threshold, restock date, a low-stock mark) and the cards
whose SKUs name it, with their sprints; `/` filters by SKU, name or card key; enter opens
the card (or picks one of several); ctrl+o imports a stock CSV, as `sprintboard stock import`.
A card's detail opens it narrowed to that card's SKUs (`StockScreen(card=KEY)`, through
the app's `show_stock`): read again with the stock, so an edit of the card's SKUs shows.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from sprintboard.screens.dialog_fit import FitsTerminal
from sprintboard.screens.host import host
from sprintboard.screens.live import LiveScreen
from sprintboard.views.stock import StockView, fetch_stock, import_stock
from sprintboard.widgets.footer import KeyFooter
from sprintboard.widgets.inbox_list import FilterBar
from sprintboard.widgets.stock_list import StockList
from sprintboard.widgets.sync_badge import HeaderRow


class StockImportScreen(FitsTerminal, ModalScreen[str | None]):
    """The path of a stock CSV; dismisses with it (enter) or None (escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content.styled("Import stock from a CSV file", "bold"))
            yield Label("Columns: sku, on_hand, and optionally name, threshold, restock_date")
            yield Input(id="stock-path", placeholder="path/to/stock.csv")
            yield Label(Content.styled("enter imports · esc cancels", "dim"))

    def on_mount(self) -> None:
        box = self.query_one(Input)
        box.cursor_blink = not host(self).frozen
        box.focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class StockScreen(LiveScreen):
    """Stock per SKU and the cards that use it; a filter, enter to open a card, an import."""

    HELP_TITLE = "Stock"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "cursor(-1000000000)", "First SKU", show=False),
        Binding("end", "cursor(1000000000)", "Last SKU", show=False),
        Binding("enter", "open_card", "Open card"),
        Binding("slash", "filter_text", "Filter", key_display="/"),
        Binding("ctrl+o", "import_stock", "Import CSV"),
        Binding("escape", "clear_filters", "Clear filter / back"),
        Binding("r", "reload", "Reload", show=False),
    ]

    DEFAULT_CSS = """
    StockScreen #stock-filter { dock: bottom; height: 3; margin-bottom: 1; }
    """

    def __init__(self, card: str | None = None) -> None:
        """`card`: show only the SKUs of this card."""
        super().__init__()
        self.view = StockView()
        self.card = card

    @property
    def stock_list(self) -> StockList:
        return self.query_one(StockList)

    def compose(self) -> ComposeResult:
        yield HeaderRow(Static(id="stock-header", classes="screen-header"))
        yield StockList(self.view, id="stock-list")
        yield FilterBar(id="stock-filter", placeholder="filter by SKU, name or card key")
        yield KeyFooter()

    async def on_mount(self) -> None:
        self.stock_list.focus()
        await self.load()
        self.start_polling()

    async def load(self) -> None:
        data = await self.backend.run(fetch_stock, self.store, self.card)
        self.version = data["version"]
        self.view.skus = data["skus"]
        self.view.load(data["rows"])
        self.loaded = True
        self.redraw()

    def redraw(self) -> None:
        listing = self.stock_list
        if self.view.text or self.view.skus is not None:
            listing.empty_text = "No SKU matches the filter."
        else:
            listing.empty_text = "No stock yet: ctrl+o imports a stock CSV."
        listing.refresh_list()
        self.update_header()

    def update_header(self) -> None:
        shown, low, unknown = self.view.counts()
        parts = [Content.styled(" sprintboard ", "bold reverse"), Content(" Stock · ")]
        parts.append(Content(f"{shown:,} SKU{'s' if shown != 1 else ''} · {low:,} low"))
        if unknown:
            parts.append(Content(f" · {unknown:,} without stock"))
        if self.view.skus is not None:
            parts.append(Content.styled(" · SKUs of ", "italic") + Content(self.card or "a card"))
        if self.view.text:
            parts.append(Content.styled(" · text “", "italic") + Content(self.view.text))
            parts.append(Content.styled("”", "italic"))
        if self.store.read_only:
            parts.append(Content.styled(" · READ-ONLY", "bold"))
        self.query_one("#stock-header", Static).update(Content("").join(parts))

    # -- keys -------------------------------------------------------------------------------

    def action_cursor(self, delta: int) -> None:
        before = self.view.cursor
        self.view.move(delta)
        self.stock_list.refresh_list(moved_from=before)

    def action_page(self, direction: int) -> None:
        self.action_cursor(self.stock_list.page_step(direction))

    @on(StockList.Clicked)
    def _clicked(self, event: StockList.Clicked) -> None:
        self.action_cursor(event.index - self.view.cursor)
        if event.chain >= 2:
            self.action_open_card()

    def action_open_card(self) -> None:
        """The SKU's card; of several, pick one."""
        from sprintboard.screens.dialogs import PickerScreen

        row = self.view.selected()
        if row is None:
            self.notify("no SKU selected", markup=False)
        elif not row.cards:
            self.notify(f"no card uses SKU {row.sku}", markup=False)
        elif len(row.cards) == 1:
            self.open_card_detail(row.cards[0].key)
        else:
            options: list[tuple[str, Any]] = [
                (f"{c.key}  {c.sprint or 'backlog'} · {c.status} · {c.title}", c.key)
                for c in row.cards
            ]

            def chosen(key: Any) -> None:
                if key is not PickerScreen.CANCELLED:
                    self.open_card_detail(str(key))

            self.app.push_screen(PickerScreen(f"Cards using {row.sku}", options), chosen)

    def action_filter_text(self) -> None:
        self.query_one(FilterBar).open(self.view.text)

    @on(FilterBar.Applied)
    def _filter_typed(self, event: FilterBar.Applied) -> None:
        self.view.filter(event.text)
        self.redraw()

    @on(FilterBar.Closed)
    def _filter_closed(self) -> None:
        self.stock_list.focus()

    def action_clear_filters(self) -> None:
        """Clear the text filter; with none, a stock view opened from a card goes back."""
        bar = self.query_one(FilterBar)
        if bar.display or self.view.text:
            bar.close()
            self.view.filter("")
            self.redraw()
        elif self.view.skus is not None and self.app.screen is self:
            self.app.pop_screen()

    def action_import_stock(self) -> None:
        def typed(path: str | None) -> None:
            if path is not None:
                self.run_worker(self._import(path), group="writes")

        self.app.push_screen(StockImportScreen(), typed)

    async def _import(self, path: str) -> None:
        summary = await self.write(import_stock, self.store, path, refused="stock not imported")
        if summary is not None:
            self.notify(summary, markup=False, timeout=8)

    async def action_reload(self) -> None:
        await self.load()
