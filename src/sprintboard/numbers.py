"""Numbers read from text, the same way everywhere (command line, imports, records): only
the ASCII digits 0-9 with an optional sign. Python alone would also read Arabic-Indic or
full-width digits ('٣', '３') and underscores ('1_000'), which a person did not mean as a
number and which other readers of the same file would refuse."""

from __future__ import annotations

import math
import re

_WHOLE = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def is_number_text(text: str) -> bool:
    """Whether `text` (white space around it aside) is a number in ASCII digits:
    `12`, `-3`, `0.5`, `1e3`."""
    return _DECIMAL.fullmatch(text.strip()) is not None


def whole_number(text: str) -> int:
    """`text` as a whole number (ASCII digits, optional sign); ValueError otherwise."""
    stripped = text.strip()
    if _WHOLE.fullmatch(stripped) is None:
        raise ValueError("not a whole number")
    return int(stripped)


def decimal_number(text: str) -> float:
    """`text` as a finite number (ASCII digits, optional sign, fraction and exponent);
    ValueError otherwise, also for one too large for a float ('1e400')."""
    if not is_number_text(text):
        raise ValueError("not a number")
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("not a number in range")
    return value
