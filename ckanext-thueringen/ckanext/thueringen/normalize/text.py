"""Free-text values: HTML in descriptions, keywords CKAN refuses, over-long
titles, e-mail addresses glued to a name. Standard library only."""
from __future__ import annotations

import re
import unicodedata
from html import unescape
from html.entities import html5
from html.parser import HTMLParser
from typing import Any

from ckanext.thueringen.normalize.values import emails_in

# CKAN 2.12 (ckan/model/tag.py, ckan/logic/validators.py: tag_length_validator,
# tag_name_validator): 2 to 100 characters, letters, digits, " ", "-", "_", ".".
MIN_TAG_LENGTH = 2
MAX_TAG_LENGTH = 100
_TAG_ALLOWED = re.compile(r"[\w \-.]*")
_TAG_FORBIDDEN = re.compile(r"[^\w \-.]+")
# Separators of several keywords in one value.
_TAG_SEPARATORS = re.compile(r"[,;]")

# A title longer than this is cut. CKAN and DCAT-AP.de set no limit, but Solr
# indexes the title once more as one string term (title_string, for sorting),
# and Solr refuses a term over 32,766 bytes; 1,000 characters (at most 4,000
# bytes) stay far below that and above any real title.
MAX_TITLE_LENGTH = 1000

_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?\s*>|<!--")
_ENTITY = re.compile(r"&(#[0-9]{1,7};|#[xX][0-9A-Fa-f]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")
# Entities that plain text and Markdown may hold on purpose ("a &lt; b").
_KEPT_ENTITIES = {"lt;", "gt;"}
_BLOCKS = {"p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "blockquote",
           "pre", "address", "figure", "table", "dl", "form", "fieldset", "h1", "h2", "h3", "h4", "h5", "h6"}
_LINES = {"tr", "dt", "dd", "hr", "caption"}
_SKIPPED = {"script", "style", "head", "title", "noscript", "template", "iframe", "object", "svg"}


def contains_html(text: Any) -> bool:
    """True when `text` holds HTML markup: a tag, a comment, or a character
    reference other than &lt; and &gt; ("&amp;", "&nbsp;", "&#228;")."""
    if not isinstance(text, str):
        return False
    if _TAG.search(text):
        return True
    return any(m.group(1) not in _KEPT_ENTITIES and (m.group(1).startswith("#") or m.group(1) in html5)
               for m in _ENTITY.finditer(text))


class _Markdown(HTMLParser):
    """HTML to Markdown: paragraphs, line breaks, lists, headings and links;
    everything else becomes its text."""

    def __init__(self, keep_newlines: bool):
        super().__init__(convert_charrefs=True)
        self.keep_newlines = keep_newlines
        self.parts: list[str] = []
        self.skip = 0
        self.pre = 0
        self.lists: list[list] = []   # [kind, counter]
        self.links: list[tuple[str | None, int]] = []

    def _break(self, text: str) -> None:
        self.parts.append(text)

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self.skip += 1
        elif self.skip:
            return
        elif tag == "br":
            self._break("\n")
        elif tag in ("ul", "ol"):
            self._break("\n" if self.lists else "\n\n")
            self.lists.append([tag, 0])
        elif tag == "li":
            depth = max(len(self.lists) - 1, 0)
            if self.lists and self.lists[-1][0] == "ol":
                self.lists[-1][1] += 1
                marker = f"{self.lists[-1][1]}. "
            else:
                marker = "- "
            self._break("\n" + "  " * depth + marker)
        elif tag in _BLOCKS:
            self._break("\n\n")
            if tag == "pre":
                self.pre += 1
            if re.fullmatch(r"h[1-6]", tag):
                self.parts.append("#" * int(tag[1]) + " ")
        elif tag in _LINES:
            self._break("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag == "a":
            self.links.append((dict(attrs).get("href"), len(self.parts)))
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(alt)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in _SKIPPED:
            self.skip -= 1

    def handle_endtag(self, tag):
        if tag in _SKIPPED:
            self.skip = max(self.skip - 1, 0)
        elif self.skip:
            return
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._break("\n\n" if not self.lists else "\n")
        elif tag in _BLOCKS:
            if tag == "pre":
                self.pre = max(self.pre - 1, 0)
            self._break("\n\n")
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            text = " ".join("".join(self.parts[start:]).split())
            del self.parts[start:]
            target = (href or "").strip()
            if re.match(r"(?:https?://|mailto:)", target, re.IGNORECASE) and text and text != target:
                text = text.replace("[", "(").replace("]", ")")
                self.parts.append(f"[{text}]({target.replace(' ', '%20').replace(')', '%29')})")
            else:
                self.parts.append(text or (target if re.match(r"https?://", target, re.IGNORECASE) else ""))

    def handle_data(self, data):
        if self.skip:
            return
        if self.pre:
            self.parts.append(data)
            return
        data = data.replace("\r\n", "\n").replace("\r", "\n")
        if self.keep_newlines:
            # Text without block markup: its own line breaks are its structure.
            self.parts.append("\n".join(re.sub(r"[ \t\f\v]+", " ", line) for line in data.split("\n")))
        else:
            paragraphs = re.split(r"\n[ \t]*\n", data)
            self.parts.append("\n\n".join(re.sub(r"\s+", " ", p) for p in paragraphs))


def html_to_markdown(text: str) -> str:
    """Markdown (CKAN renders descriptions as Markdown) of an HTML fragment:
    paragraphs as blank lines, <br> as line breaks, lists as "- " / "1. ",
    headings as "#", links as [text](url) (http, https, mailto only; others keep
    their text), character references decoded (also when encoded twice); script,
    style and every other tag removed. A text without HTML comes back unchanged.
    Text that would read as a tag once decoded ("&lt;p&gt;") keeps its "<" as
    "&lt;", so that the result never holds markup."""
    if not contains_html(text):
        return text
    has_blocks = bool(re.search(r"<\s*/?\s*(?:p|div|br|li|ul|ol|h[1-6]|table|tr|pre|section|article|blockquote)\b",
                                text, re.IGNORECASE))
    parser = _Markdown(keep_newlines=not has_blocks)
    parser.feed(text)
    parser.close()
    result = "".join(parser.parts)
    result = _decoded(result).replace("\u00a0", " ")
    result = re.sub(r"<(?=[A-Za-z/!?])", "&lt;", result)
    lines = [line.rstrip() for line in result.split("\n")]
    result = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return result


def _decoded(text: str) -> str:
    """Character references decoded, also when encoded twice ("&amp;auml;")."""
    while True:
        decoded = unescape(text)
        if decoded == text:
            return text
        text = decoded


def plain_text(text: str) -> str:
    """One line of text from a value that may hold HTML (a title): as
    html_to_markdown(), with its line breaks as spaces; text without HTML
    unchanged."""
    if not contains_html(text):
        return text
    return " ".join(html_to_markdown(text).split())


def clean_tag(text: Any) -> str | None:
    """A keyword as CKAN's tag validators take it: character references decoded
    ("Umwelt &amp; Natur"), characters other than letters,
    digits, " ", "-", "_" and "." become spaces, spaces are collapsed, a keyword
    over 100 characters is cut at a word boundary; None when fewer than 2
    characters remain."""
    cleaned = unicodedata.normalize("NFC", _decoded("" if text is None else str(text)))
    cleaned = " ".join(_TAG_FORBIDDEN.sub(" ", cleaned).split())
    cleaned = cut_at_word(cleaned, MAX_TAG_LENGTH, ellipsis="")
    return cleaned if len(cleaned) >= MIN_TAG_LENGTH else None


def is_valid_tag(text: Any) -> bool:
    """True when CKAN's tag validators accept `text` as it is."""
    return (isinstance(text, str) and MIN_TAG_LENGTH <= len(text) <= MAX_TAG_LENGTH
            and _TAG_ALLOWED.fullmatch(text) is not None)


def split_keywords(text: Any) -> list[str]:
    """The keywords in one value: "Umwelt, Natur; Wasser" is three."""
    return [part.strip() for part in _TAG_SEPARATORS.split("" if text is None else str(text)) if part.strip()]


def cut_at_word(text: str, limit: int, ellipsis: str = " …") -> str:
    """`text` cut to at most `limit` characters at the last space before the limit
    (in the middle of a word only when it has none), with `ellipsis` appended."""
    if len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    head = text[:room + 1]
    cut = head.rsplit(" ", 1)[0] if " " in head.strip() else text[:room]
    return cut[:room].rstrip(" ,;:-") + ellipsis


_MAIL_LABEL = r"(?:e-?mail|mail|email-adresse|e-mail-adresse)\s*:?\s*"


def split_glued_email(name: Any) -> tuple[str, str] | None:
    """(name, address) when a name carries one e-mail address: "Amt für Statistik
    statistik@stadt.de", "Name <a@b.de>", "Name (a@b.de)", "Name, E-Mail: a@b.de",
    "Name - mailto:a@b.de". The name comes back without the address, its brackets
    and its "E-Mail:" label. None when there is no address, more than one, or
    nothing else than the address."""
    text = "" if name is None else str(name)
    found = emails_in(text)
    if len(found) != 1:
        return None
    address = re.escape(found[0])
    pattern = (rf"[\s,;|/–-]*(?:{_MAIL_LABEL})?[<(\[]?\s*(?:mailto:)?{address}\s*[>)\]]?")
    rest = re.sub(pattern, " ", text, count=1, flags=re.IGNORECASE)
    rest = re.sub(rf"[\s,;|/–-]*{_MAIL_LABEL}$", "", rest.strip(), flags=re.IGNORECASE)
    rest = " ".join(rest.split()).strip(" ,;:|/–-")
    if re.fullmatch(r"\([^()]*\)|\[[^\[\]]*\]", rest):  # "a@b.de (Amt für Statistik)"
        rest = rest[1:-1].strip()
    return (rest, found[0]) if rest else None
