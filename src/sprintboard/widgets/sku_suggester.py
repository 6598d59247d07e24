"""Completes the last SKU in a comma-separated SKUs field from the stock table."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.suggester import Suggester

from sprintboard.views.sku_entry import completion, last_part


class SkuSuggester(Suggester):
    """Suggests the field with its last part (after the last comma) completed to a SKU.

    `candidates(typed)` gives SKUs that may start with the typed part (any case), best
    first: the whole stock list, or a prefix read on the database thread. The value is
    taken as typed (`case_sensitive=True`) so that the SKUs before the last comma keep
    their case; matching ignores case itself.
    """

    def __init__(self, candidates: Callable[[str], Awaitable[list[str]]]) -> None:
        super().__init__(use_cache=True, case_sensitive=True)
        self._candidates = candidates

    async def get_suggestion(self, value: str) -> str | None:
        _, typed = last_part(value)
        if not typed:
            return None
        return completion(value, await self._candidates(typed))
