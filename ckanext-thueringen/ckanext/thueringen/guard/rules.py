"""What input the portal cannot keep, as pure functions (no CKAN, no config).

- characters that PostgreSQL (NUL), UTF-8 (lone surrogates) or XML and so the
  RDF export (the other C0 controls, U+FFFE, U+FFFF) cannot hold;
- numbers that are not finite (NaN, Infinity, and 1e400, which Python's JSON
  reader turns into Infinity);
- the nesting depth of a JSON text, measured without parsing it (a parser
  that recurses dies on 50,000 nested brackets before it could be asked);
- real calendar dates in the forms YYYY-MM-DD and YYYY-MM.

The validators, the request guard and the catalogue use these; the German
messages live there.
"""
from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterator
from typing import Any

# Tab, line feed and carriage return are text; every other C0 control, the
# surrogate code points (in a Python str always lone: pairs are decoded) and
# the two non-characters XML 1.0 forbids are not.
_BAD_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:$|T)")
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{2})$")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def bad_character(text: str) -> str | None:
    """The first character `text` may not hold, as U+XXXX; None if there is none."""
    found = _BAD_CHARACTER.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def is_finite_number(value: Any) -> bool:
    """False for a float (or Decimal) that is NaN or infinite; True otherwise."""
    if isinstance(value, float):
        return math.isfinite(value)
    is_finite = getattr(value, "is_finite", None)   # decimal.Decimal
    return is_finite() if callable(is_finite) else True


def leaves(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Every value in nested dicts and lists with its path, keys included
    (a key is text that is stored too), without recursion."""
    stack = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                yield where, key
                stack.append((where + (key,), child))
        elif isinstance(item, (list, tuple)):
            stack.extend((where + (index,), child) for index, child in enumerate(item))
        else:
            yield where, item


def value_problem(value: Any) -> tuple[str, str] | None:
    """("character", "U+0000") or ("number", "nan") for the first value in
    `value` (nested or not) that cannot be kept; None if every one can."""
    for _path, leaf in leaves(value):
        if isinstance(leaf, str):
            found = bad_character(leaf)
            if found:
                return "character", found
        elif not is_finite_number(leaf):
            return "number", str(leaf)
    return None


def json_depth(text: str | bytes) -> int:
    """How deeply the arrays and objects of a JSON text nest (0 for a scalar),
    counting brackets outside strings; also for text that is not valid JSON."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(depth - 1, 0)
    return deepest


def is_calendar_date(value: str) -> bool:
    """False for a YYYY-MM-DD (also at the start of a date-time) or YYYY-MM
    that names no day or month of the calendar (2024-02-30, 2024-13);
    True for every other text, whose form other validators judge."""
    text = value.strip()
    match = _DATE.match(text)
    if match:
        try:
            datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            return False
        return True
    match = _YEAR_MONTH.match(text)
    if match:
        return 1 <= int(match.group(2)) <= 12
    return True
