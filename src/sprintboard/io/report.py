"""The planning report: a sprint's plan, capacity, seams, goals and charts, in Markdown or HTML.

`gather()` (io/report_data.py) reads everything from the store once; `to_markdown()`
(io/report_markdown.py) and `to_html()` (io/report_html.py) only format. User text is
data: Markdown escapes its punctuation so it shows literally, and HTML escapes it with
html.escape. Charts are text (plotext) in Markdown and inline SVG in HTML, so the file
can be pasted into meeting notes or opened offline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sprintboard.errors import UserError
from sprintboard.io.report_data import gather
from sprintboard.io.report_html import to_html
from sprintboard.io.report_markdown import to_markdown

if TYPE_CHECKING:
    from sprintboard.store import Store

FORMATS = ("md", "html")


def planning_report(store: Store, sprint: str | None = None, *, fmt: str = "md") -> str:
    """The report for a sprint as Markdown (`md`) or a standalone HTML page (`html`)."""
    if fmt not in FORMATS:
        raise UserError(f"format: must be one of {', '.join(FORMATS)} (got {fmt!r})")
    data = gather(store, sprint)
    return to_markdown(data) if fmt == "md" else to_html(data)
