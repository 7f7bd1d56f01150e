"""Web pages nested deeper than the HTML parser goes: flatten what can be, report the rest.

libxml2 (under lxml and trafilatura) stops building a page at 255 nested elements and
drops everything after that point without an error. Runs of plain containers (`div`,
`span`, ...) carry no meaning of their own, so beyond `KEEP_DEPTH` of them their tags are
left out and their text stays in place; text that still sits too deep for the parser is
reported by `unreached`, never dropped in silence.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

__all__ = ["KEEP_DEPTH", "PARSER_DEPTH", "flatten", "too_deep", "unreached"]

PARSER_DEPTH = 255  # libxml2's nesting limit for HTML (without its "huge" option)
KEEP_DEPTH = 64  # plain containers kept, nested; deeper ones lose their tags, not their text
_CONTAINERS = frozenset(
    {"div", "span", "section", "font", "center", "b", "i", "em", "strong", "small", "big"}
)
_SKIPPED = frozenset({"script", "style", "template", "noscript"})


def _tree(page: str | bytes) -> Any:
    import lxml.html

    return lxml.html.document_fromstring(page)


def too_deep(page: str | bytes) -> bool:
    """Whether the HTML parser reached its nesting limit on this page."""
    from lxml import etree

    try:
        root = _tree(page)
    except (etree.ParserError, ValueError):
        return False
    return any(sum(1 for _ in e.iterancestors()) >= PARSER_DEPTH - 2 for e in root.iter())


class _Flattener(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.open: list[tuple[str, bool]] = []  # container tags: name, kept

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _CONTAINERS:
            kept = sum(k for _, k in self.open) < KEEP_DEPTH
            self.open.append((tag, kept))
            if not kept:
                return
        self.out.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in _CONTAINERS and any(t == tag for t, _ in self.open):
            while self.open:
                name, kept = self.open.pop()
                if name == tag:
                    break
            if not kept:
                return
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")


def flatten(page: str) -> str:
    """The page with plain containers beyond `KEEP_DEPTH` left out (their text kept)."""
    parser = _Flattener()
    parser.feed(page)
    parser.close()
    return "".join(parser.out)


class _Words(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.words += data.split()


def unreached(page: str, shown: int = 8) -> str:
    """The first words of the page's text that the HTML parser does not reach ("" if none)."""
    from lxml import etree

    reader = _Words()
    reader.feed(page)
    reader.close()
    root = _tree(page)
    etree.strip_elements(root, *_SKIPPED, with_tail=False)
    parsed = {w for piece in root.itertext() for w in str(piece).split()}
    lost = [w for w in reader.words if w not in parsed]
    return " ".join(lost[:shown])
