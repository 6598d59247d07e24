"""Money, exactly: amounts are whole numbers of cents (minor units), never floats.

One accepted way to write an amount, everywhere (command line, forms, CSV): ASCII digits,
an optional dot and one or two digits of cents, commas only between groups of three
thousands: `1234`, `1234.5`, `1234.50`, `1,234.50`. A currency code or sign in front is
allowed when it is the plan's (`EUR 1,234.50`, `€1234.50`). A comma before the cents
(`1234,50`), spaces or dots between thousands (`1 234`, `1.234,50`), three decimals or a
minus sign are refused with one line: `1.234` could mean either, so nothing guesses.

Rounding: only where an amount is divided (a day rate spread over points, a ratio), half
up to the cent (ROUND_HALF_UP on exact fractions), once per card; sums add exact cents.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

MAX_CENTS = 10**15
"""The largest amount stored: ten trillion in major units (bounds every sum in int64)."""
CURRENCY = re.compile(r"^[A-Z]{3}$")
"""A plan's currency: an ISO 4217 code, three capital letters (EUR, USD, GBP)."""
SIGNS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF"}
_AMOUNT = re.compile(r"^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]{1,2}))?$")
ACCEPTED = "write it as 1234.50 or 1,234.50 (a dot before the cents, commas between thousands)"


def parse_amount(text: str, *, field: str = "amount", currency: str = "EUR") -> int:
    """`text` as cents; ValueError (one line naming `field`) when it is not written the
    accepted way (see the module's docstring)."""
    raw = str(text).strip()
    body = raw
    for prefix in (currency, SIGNS.get(currency, currency)):
        if body.upper().startswith(prefix.upper()):
            body = body[len(prefix) :].strip()
            break
    match = _AMOUNT.fullmatch(body)
    if match is None:
        raise ValueError(f"{field}: {ACCEPTED}, in {currency} (got {raw!r})")
    whole, _, cents = body.replace(",", "").partition(".")
    value = int(whole) * 100 + int(cents.ljust(2, "0") or "0")
    if value > MAX_CENTS:
        raise ValueError(f"{field}: at most {format_amount(MAX_CENTS, currency)} (got {raw!r})")
    return value


def parse_currency(text: str) -> str:
    code = str(text).strip().upper()
    if not CURRENCY.fullmatch(code):
        raise ValueError(f"currency: a three-letter ISO code such as EUR or USD (got {text!r})")
    return code


def format_amount(cents: int | None, currency: str = "", *, whole: bool = False) -> str:
    """`EUR 1,234.50` (`1,234.50` without a currency; `EUR 1,235` with `whole`, rounded
    half up); `-` for no amount. Negative amounts (an ROI's loss) keep their sign."""
    if cents is None:
        return "-"
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    text = f"{(cents + 50) // 100:,}" if whole else f"{cents // 100:,}.{cents % 100:02d}"
    return f"{currency} {sign}{text}".strip() if currency else f"{sign}{text}"


def cents_text(cents: int | None) -> str | None:
    """Cents as exact decimal text for JSON (`1234.50`), None kept."""
    return None if cents is None else str(Decimal(cents).scaleb(-2).quantize(Decimal("0.01")))


def round_cents(value: Fraction) -> int:
    """An exact fraction of cents, rounded half up (away from zero) to a whole cent."""
    if value >= 0:
        return int((value + Fraction(1, 2)).__floor__())
    return -round_cents(-value)


def ratio(part: int, whole: int) -> Fraction | None:
    """part / whole, exactly; None when whole is 0."""
    return None if whole == 0 else Fraction(part, whole)


def percent_text(value: Fraction | None, places: int = 1) -> str | None:
    """A ratio as a percentage with `places` decimals, half up: 1/8 -> '12.5'."""
    if value is None:
        return None
    exact = Decimal(value.numerator * 100) / Decimal(value.denominator)
    return str(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
