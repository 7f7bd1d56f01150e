"""Tables and records in excerpts, read as rows of facts: a header and a cell.

An excerpt may hold a Markdown table, lines of cells parted by ` | ` (what `workbench
import` writes for a table), an HTML table, a run of "key: value" lines, or a JSON record
(or a list of them). `read_tables` finds them; `as_facts` rewrites each row as one fact
sentence per cell, "<first header> <row key>, <column header>: <cell>." on its own
line, so the judge's sentence-level machinery reads a row as one statement. A JSON
`false` reads as "not <key>", so a claim of the opposite is caught as a negation.

`row_reading` says whether a claim reads a row right: it names the row (its key cell)
and states a cell of that row, or states another row's cell in the same column instead
(a contradiction the judge reports by row).
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser

from workbench.scoring.evidence import Analysed, analyse

__all__ = ["Reading", "Table", "as_facts", "read_tables", "row_reading"]

_SEPARATOR_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_KEY_VALUE_RE = re.compile(r"^\s*(?:[-*]\s+)?([A-Za-z][\w /()&'.-]{0,40}?)\s*:\s+(\S.*)$")
_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_MAX_KEY_WORDS = 5
_HOURS_RE = re.compile(r"^(\d{1,2}):(\d{1,2})\s*-\s*(\d{1,2}):(\d{1,2})$")
_HTML_TABLE_RE = re.compile(r"<table\b.*?</table>", re.IGNORECASE | re.DOTALL)
CELL_READ = 0.6  # the weighted share of a longer cell's words a claim must state to read it


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of cells under a header; the first column names each row."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def facts(self) -> list[str]:
        """One sentence per cell: the row's key, the column's header, the cell."""
        out: list[str] = []
        first = self.header[0] if self.header else ""
        for row in self.rows:
            key = row[0] if row else ""
            if first and key and first.lower() not in key.lower():
                key = f"{first} {key}"  # "Stage at diagnosis Regional", "5-year survival 91%"
            for head, cell in zip(self.header[1:], row[1:], strict=False):
                if cell:
                    label = ", ".join(part for part in (key, head) if part)
                    out.append(_sentence(f"{label}: {cell}" if label else cell))
            if len(row) == 1 and key:
                out.append(_sentence(key))
        return out


@dataclass(frozen=True, slots=True)
class Reading:
    """How a claim reads a table: the row it names, and a cell it takes from another row
    in place of that row's own (None when it reads the row right)."""

    table: Table
    row: tuple[str, ...]
    wrong: tuple[str, str, str] | None  # header, the row's own cell, the cell claimed


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."


def _label(key: str) -> str:
    """A JSON key as words: "GoodForKids" -> "Good For Kids", "review_count" -> "review
    count"; a piece of one or two letters stays on the next ("WiFi")."""
    out: list[str] = []
    carry = ""
    for word in key.replace("_", " ").replace(".", " ").split():
        for piece in _CAMEL_RE.sub(" ", word).split():
            if len(carry + piece) <= 2:
                carry += piece
                continue
            out.append(carry + piece)
            carry = ""
    if carry:
        out.append(carry)
    return " ".join(out)


def _pipe_cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return [c.strip() for c in inner.split("|")]


def _pipe_tables(lines: list[str]) -> tuple[list[Table], set[int]]:
    tables: list[Table] = []
    used: set[int] = set()
    i = 0
    while i < len(lines):
        if "|" not in lines[i] or _SEPARATOR_RE.match(lines[i]):
            i += 1
            continue
        j = i
        block: list[list[str]] = []
        while j < len(lines) and "|" in lines[j]:
            if not _SEPARATOR_RE.match(lines[j]):
                block.append(_pipe_cells(lines[j]))
            j += 1
        widths = {len(r) for r in block}
        if len(block) >= 2 and min(widths) >= 2:
            tables.append(Table(tuple(block[0]), tuple(tuple(r) for r in block[1:])))
            used.update(range(i, j))
        i = j
    return tables, used


def _key_values(lines: list[str], used: set[int]) -> tuple[list[Table], set[int]]:
    tables: list[Table] = []
    taken: set[int] = set()
    run: list[tuple[int, str, str]] = []

    def close() -> None:
        if len(run) >= 2:
            keys = tuple(k for _, k, _ in run)
            tables.append(Table(("", *keys), (("", *(v for _, _, v in run)),)))
            taken.update(n for n, _, _ in run)
        run.clear()

    for n, line in enumerate(lines):
        m = None if n in used else _KEY_VALUE_RE.match(line)
        if m and len(m.group(1).split()) <= _MAX_KEY_WORDS:
            run.append((n, m.group(1).strip(), m.group(2).strip()))
        else:
            close()
    close()
    return tables, taken


def _clock(hour: int, minute: int) -> str:
    half = "am" if hour < 12 or hour == 24 else "pm"
    return f"{(hour % 12) or 12}{f':{minute:02d}' if minute else ''} {half}"


def _scalar(value: object) -> str | None:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value)
    if m := _HOURS_RE.match(text.strip()):  # opening hours "7:0-20:0": also on a 12-hour clock
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        return f"{h1}:{m1:02d}-{h2}:{m2:02d} ({_clock(h1, m1)} to {_clock(h2, m2)})"
    return text


def _literal(text: str) -> object:
    """A JSON value, or a Python literal (a record printed by Python: single quotes,
    True/False); None when the text is neither."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None


def _flatten(record: dict[str, object], prefix: str = "") -> list[tuple[str, str]]:
    """A JSON record's fields as (label, text), nested keys joined, lists of scalars joined;
    a `false` field reads "not <key>"."""
    out: list[tuple[str, str]] = []
    for key, value in record.items():
        label = f"{prefix} {_label(key)}".strip()
        if isinstance(value, dict):
            out += _flatten(value, label)
        elif isinstance(value, list):
            scalars = [s for v in value if (s := _scalar(v)) is not None]
            if scalars:
                out.append((label, ", ".join(scalars)))
            for v in value:
                if isinstance(v, dict):
                    out += _flatten(v, label)
        elif isinstance(value, str) and value.strip().startswith(("{", "[")):
            inner = _literal(value.strip())
            if isinstance(inner, dict | list):
                out += _flatten({key: inner}, prefix)
            else:
                out.append((label, value))
        elif value is False:  # "attributes Business Parking: not lot"
            out.append((prefix, f"not {_label(key)}"))
        elif (text := _scalar(value)) is not None:
            out.append((label, text))
    return out


def _json_tables(text: str) -> tuple[list[Table], str, str] | None:
    """The records of a JSON (or Python-literal) value that opens a line of the text and
    runs to its end, with the prose before and after it; None when there is none."""
    m = re.search(r"^[ \t]*[\[{]", text, re.MULTILINE)
    if m is None:
        return None
    start = m.end() - 1
    try:
        data, end = json.JSONDecoder().raw_decode(text, start)
    except ValueError:
        end = len(text.rstrip())
        data = _literal(text[start:end])
    if not isinstance(data, dict | list):
        return None
    records = data if isinstance(data, list) else [data]
    tables: list[Table] = []
    for record in records:
        if not isinstance(record, dict):
            continue
        fields = _flatten(record)
        name = next((v for k, v in fields if k.lower() in ("name", "title")), "")
        tables.append(Table(("", *(k for k, _ in fields)), ((name, *(v for _, v in fields)),)))
    return (tables, text[:start], text[end:]) if tables else None


class _HtmlRows(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            if not self.rows:
                self.rows.append([])
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def _html_table(markup: str) -> Table | None:
    parser = _HtmlRows()
    parser.feed(markup)
    rows = [r for r in parser.rows if any(r)]
    if len(rows) < 2:
        return None
    return Table(tuple(rows[0]), tuple(tuple(r) for r in rows[1:]))


@lru_cache(maxsize=4096)
def _read(text: str) -> tuple[tuple[Table, ...], str]:
    found = _json_tables(text)
    if found is not None:
        records, before, after = found
        facts = "\n".join(f for t in records for f in t.facts())
        return tuple(records), "\n".join(p for p in (before.strip(), facts, after.strip()) if p)
    tables: list[Table] = []
    html_facts: list[str] = []

    def html(m: re.Match[str]) -> str:
        table = _html_table(m.group(0))
        if table is None:
            return m.group(0)
        tables.append(table)
        html_facts.append("\n".join(table.facts()))
        return f"\n\x00{len(html_facts) - 1}\x00\n"

    text = _HTML_TABLE_RE.sub(html, text)
    lines = text.split("\n")
    pipes, used = _pipe_tables(lines)
    pairs, taken = _key_values(lines, used)
    tables += pipes + pairs
    out: list[str] = []
    pending = list(pipes)
    kv_pending = list(pairs)
    for n, line in enumerate(lines):
        if line.startswith("\x00") and line.endswith("\x00"):
            out.append(html_facts[int(line.strip("\x00"))])
        elif n in used:
            if n == 0 or n - 1 not in used:
                out.append("\n".join(pending.pop(0).facts()))
        elif n in taken:
            if n == 0 or n - 1 not in taken:
                out.append("\n".join(kv_pending.pop(0).facts()))
        else:
            out.append(line)
    return tuple(tables), "\n".join(out)


def read_tables(text: str) -> tuple[Table, ...]:
    """The tables and records in an excerpt's text (none for plain prose)."""
    return _read(text)[0]


def as_facts(text: str) -> str:
    """The excerpt with each table or record rewritten as fact sentences, one a line;
    prose is left as it is."""
    return _read(text)[1]


def _content(cell: str) -> tuple[frozenset[str], frozenset[float]]:
    a = analyse(cell)
    return a.stems, a.numbers


def _reads(claim: Analysed, cell: str) -> bool:
    """Whether the claim states what a cell does: all its numbers, and its words (most of
    their weight, for a cell of several words), and the cell states something."""
    a = analyse(cell)
    if not a.terms and not a.numbers:
        return False
    if not a.numbers <= claim.numbers:
        return False
    total = sum(a.terms.values())
    if total == 0:
        return True
    held = sum(w for t, w in a.terms.items() if t in claim.stems) / total
    return held >= (1.0 if len(a.terms) <= 2 else CELL_READ)


def row_reading(claim: Analysed, tables: tuple[Table, ...]) -> Reading | None:
    """How the claim reads the one row it names, if it names exactly one row of a table
    and states a cell of its row or another row's cell in the same column."""
    for table in tables:
        named = [r for r in table.rows if r and r[0] and _reads(claim, r[0])]
        if len(table.rows) < 2 or not named:
            continue
        # the most specific row: "stage IIIA" names both "stage III" and "stage IIIA"
        named.sort(key=lambda r: len(_content(r[0])[0]) + len(_content(r[0])[1]), reverse=True)
        if len(named) > 1 and _content(named[0][0]) == _content(named[1][0]):
            continue
        row = named[0]
        wrong = None
        right = False
        for col, head in enumerate(table.header[1:], start=1):
            own = row[col] if col < len(row) else ""
            if own and _reads(claim, own):
                right = True
                continue
            for other in table.rows:
                cell = other[col] if col < len(other) else ""
                if other is not row and cell and cell != own and _reads(claim, cell):
                    wrong = wrong or (head, own, cell)
        if right or wrong:
            return Reading(table, row, None if right else wrong)
    return None
