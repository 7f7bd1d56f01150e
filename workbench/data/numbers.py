"""Numbers printed the way they are compared.

A figure shown beside a limit must not look equal to it, or on the wrong side of it,
when it is not: 8.03 printed as "8.0" beside "the grade 8 target" reads as a contradiction.
`shown` prints as many decimals as it takes to tell a value from its limit; `rounded`
is the value a rule compares when it compares what people see.
"""

from __future__ import annotations

__all__ = ["MOST_DIGITS", "limit", "rounded", "shown"]

MOST_DIGITS = 6


def rounded(value: float, digits: int) -> float:
    """`value` rounded half away from zero, the way it prints with `digits` decimals."""
    return float(f"{value:.{digits}f}")


def shown(value: float, against: float | None = None, *, digits: int = 2) -> str:
    """`value` with `digits` decimals, or more where fewer would print it as `against`.

    >>> shown(8.03, 8.0, digits=1)
    '8.03'
    >>> shown(0.8996, 0.9, digits=2)
    '0.8996'
    """
    if against is not None:
        while digits < MOST_DIGITS and value != against and rounded(value, digits) == against:
            digits += 1
    return f"{value:.{digits}f}"


def limit(value: float) -> str:
    """A limit as the user wrote it: 8 for 8.0, 0.85 for 0.85."""
    return f"{value:g}"
