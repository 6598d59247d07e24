"""The Rich styles of a widget's component classes, looked up once per style change.

A Line API widget asks for the same few styles for every segment of every line it draws.
`ComponentStyles.get_style` keeps them in an LRU cache that `notify_style_update` clears:
Textual calls it whenever it applies the widget's styles again (a theme change, focus,
hover), so a cached style is never stale.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from textual.cache import LRUCache
from textual.widget import Widget


class ComponentStyles(Widget):
    """A Widget with `get_style(name)` for its component classes; as a base of its own, or
    before another Widget class (`LineList(ComponentStyles, ScrollView)`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._line_styles: LRUCache[str, Style] = LRUCache(64)

    def notify_style_update(self) -> None:
        self._line_styles.clear()
        super().notify_style_update()

    def get_style(self, name: str = "") -> Style:
        """The style of component class `name` (see `component_style`); "" is the widget's."""
        style = self._line_styles.get(name)
        if style is None:
            style = self.rich_style if not name else self.component_style(name)
            self._line_styles[name] = style
        return style

    def component_style(self, name: str) -> Style:
        """How a row takes a component class: in full when it has a background of its own
        (its alpha needs the widget's background under it), else its colour and text style
        without a background, to be added to the widget's style (see `blended_style`)."""
        if self.get_component_styles(name).background.a:
            return self.get_component_rich_style(name)
        return self.blended_style(name)

    def blended_style(self, name: str) -> Style:
        """A component class's style in full (its colour blended over the background), but
        without a background unless it has one of its own.

        Not the partial style: that resolves an "auto" colour ($text, $text-muted) against
        the component's own transparent background, which gives white on every theme, so
        white text on a light theme's light background."""
        style = self.get_component_rich_style(name)
        if not self.get_component_styles(name).background.a:
            style = style.without_color + Style(color=style.color)
        return style
