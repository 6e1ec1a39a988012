"""Descriptions for display: HTML a source sent (also HTML it escaped once,
"&lt;p&gt;…") becomes Markdown, which CKAN renders through its sanitiser;
search snippets are plain text, never tags."""
from __future__ import annotations

import re
from html import unescape
from typing import Any

from ckanext.thueringen import normalize

_ESCAPED_TAG = re.compile(r"&lt;\s*/?\s*[A-Za-z][A-Za-z0-9]*(?:\s[^&]*?)?\s*/?\s*&gt;")


def description_markdown(value: Any) -> str:
    """Markdown of a stored description: HTML (raw or escaped once) converted
    (paragraphs, lists, links kept, every other tag dropped), Markdown as it is."""
    text = "" if value is None else str(value)
    if _ESCAPED_TAG.search(text):
        text = unescape(text)
    return normalize.html_to_markdown(text)


_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_MARKS = re.compile(r"(^|\s)(?:#{1,6}|[-*+]|\d+\.)\s+|[*_`]{1,3}(?=\S)|(?<=\S)[*_`]{1,3}")


def snippet(value: Any, length: int = 180) -> str:
    """Plain text of a description for a search result: no tags, no Markdown
    marks, one line, cut at a word boundary to at most `length` characters.
    The caller escapes it (Jinja does), so "a < b" stays as it is."""
    text = description_markdown(value)
    text = _MARKDOWN_LINK.sub(r"\1", text)
    text = _MARKDOWN_MARKS.sub(r"\1", text)
    text = re.sub(r"</?[A-Za-z][^<>]*>", " ", unescape(text))   # tags in Markdown written by people
    return normalize.cut_at_word(" ".join(text.split()), length)
