"""The inbox's reads without a screen: a stretch of a big view, its edges, its filters.

`InboxReads` is driven with a backend that runs each call at once on the test's thread,
and compared with what the store hands out for the whole view.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import pytest

from conftest import NOW
from sprintboard.models import Feedback
from sprintboard.store import Store
from sprintboard.views.inbox import NEAR_END, PAGE, Query
from sprintboard.views.inbox_reads import InboxReads
from sprintboard.vocabulary import FeedbackCategory

T = TypeVar("T")
N = 1000


class AtOnce:
    """The app's Backend, minus the thread."""

    pending_writes = 0

    def __init__(self, store: Store) -> None:
        self.store = store

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return fn(*args, **kwargs)

    write = run


@pytest.fixture
def reads(store: Store) -> InboxReads:
    store.feedback.add_many(
        [
            Feedback(
                text=f"Report {i}" + (" about the coupon" if i % 7 == 0 else ""),
                category=FeedbackCategory.SITE,
                received_at=NOW - timedelta(minutes=i),
            )
            for i in range(N)
        ]
    )
    found = InboxReads()
    found.backend = AtOnce(store)
    return found


def view(store: Store, text: str | None = None) -> list[int]:
    return [r["id"] for r in store.feedback.inbox("new", text=text)]


def shown(reads: InboxReads) -> list[int]:
    return [item.id for item in reads.page.items]


def selected(reads: InboxReads) -> int | None:
    item = reads.page.selected()
    return None if item is None else item.id


async def test_end_reads_the_last_page_and_earlier_pages_join_it(
    store: Store, reads: InboxReads
) -> None:
    whole = view(store)
    await reads.reload()
    assert shown(reads) == whole[:PAGE] and not reads.page.complete
    assert await reads.jump(1)
    page = reads.page
    assert (page.start, page.complete, page.total) == (N - PAGE, True, N)
    assert shown(reads) == whole[-PAGE:] and selected(reads) == whole[-1]
    assert not page.wants_earlier(PAGE - 40)  # the screen shows the last 40: no need yet
    assert page.wants_earlier(0) and not page.wants_more(page.cursor)

    page.move(-(PAGE - 1))  # the first item loaded
    assert selected(reads) == whole[N - PAGE]
    assert await reads.earlier() == "read"
    assert page.start == N - 2 * PAGE and shown(reads) == whole[-2 * PAGE :]
    assert selected(reads) == whole[N - PAGE]  # the cursor stays on its item
    assert await reads.more() == "idle"  # nothing after the last item

    await reads.reload()  # a reload reads the same stretch again
    assert page.start == N - 2 * PAGE and shown(reads) == whole[-2 * PAGE :]
    assert await reads.jump(-1)
    assert (page.start, page.cursor) == (0, 0) and shown(reads) == whole[:PAGE]
    assert await reads.earlier() == "idle"
    assert not page.wants_earlier(0)


async def test_pages_read_either_way_are_the_whole_view(store: Store, reads: InboxReads) -> None:
    whole = view(store)
    await reads.jump(1)
    while await reads.earlier() == "read":
        pass
    assert shown(reads) == whole and reads.page.start == 0
    await reads.jump(-1)
    while await reads.more() == "read":
        pass
    assert shown(reads) == whole and reads.page.complete


async def test_a_view_remembers_its_item_deep_in_it(store: Store, reads: InboxReads) -> None:
    whole = view(store)
    await reads.reload()
    await reads.jump(1)
    reads.page.move(-10)
    deep = selected(reads)
    assert await reads.show(Query(view="declined"))
    assert shown(reads) == [] and reads.page.start == 0
    assert await reads.show(Query(view="new"))
    assert selected(reads) == deep
    assert deep is not None
    index = whole.index(deep)
    assert reads.page.start == index - PAGE // 2
    # Under another filter the view starts at the top.
    assert await reads.show(Query(view="new", text="report"))
    assert reads.page.start == 0 and reads.page.cursor == 0


async def test_the_text_filter_is_read_page_by_page(store: Store, reads: InboxReads) -> None:
    matching = view(store, "COUPON")
    assert len(matching) == (N + 6) // 7 and len(matching) < PAGE + NEAR_END
    assert await reads.show(Query(text="COUPON"))
    assert shown(reads) == matching  # one read: fewer than a page and its margin
    assert reads.counts["new"] == len(matching) and reads.page.complete
    assert await reads.show(Query(text="report"))
    assert len(shown(reads)) == PAGE and reads.counts["new"] == N
    assert await reads.jump(1)
    assert selected(reads) == view(store)[-1]
    assert await reads.show(Query(text="no such words"))
    assert shown(reads) == [] and reads.counts == dict.fromkeys(reads.counts, 0)
