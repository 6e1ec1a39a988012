"""Highlighted snippets: Solr marks the matches with two private-use
characters instead of HTML, so that the text itself can be escaped here in one
place and nothing but <mark> reaches the page as markup."""
from __future__ import annotations

import html
import re

MARK_START = "\ue000"
MARK_END = "\ue001"

_SPACES = re.compile(r"\s+")


def render_snippet(raw: str) -> str:
    """Solr's snippet (plain text with MARK_START/MARK_END around matches) as
    HTML: the text escaped, the matches in <mark>, runs of white space (line
    breaks of the extracted document) made single spaces."""
    text = html.escape(_SPACES.sub(" ", raw).strip(), quote=False)
    marked = []
    open_mark = False
    for char in text:
        if char == MARK_START and not open_mark:
            marked.append("<mark>")
            open_mark = True
        elif char == MARK_END and open_mark:
            marked.append("</mark>")
            open_mark = False
        elif char not in (MARK_START, MARK_END):
            marked.append(char)
    if open_mark:
        marked.append("</mark>")
    return "".join(marked)


def render_snippets(raw_snippets: list[str]) -> list[str]:
    """The page's snippets: rendered, without empty or duplicate ones."""
    rendered: list[str] = []
    for raw in raw_snippets:
        snippet = render_snippet(raw)
        if snippet and snippet not in rendered:
            rendered.append(snippet)
    return rendered
