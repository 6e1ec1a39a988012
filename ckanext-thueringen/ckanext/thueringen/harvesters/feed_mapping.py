"""Authorities' "Veröffentlichungen" feeds as publications: the pure part of the feed harvester.

`parse_feed(data, url)` reads an Atom 1.0, RSS 2.0 (also with Dublin Core and
content:encoded) or RSS 1.0 feed from bytes and returns a `ParsedFeed`: one
`FeedPublication` per entry (guid, the `publication` dataset dict normalised by
`normalize.normalize_dataset`, unmapped values), the next page (Atom
`rel="next"`, RFC 5005), whether the feed says it is complete
(`<fh:complete/>`, RFC 5005) and the entries it marks as deleted
(`<at:deleted-entry ref="…"/>`, RFC 6721). Entries that cannot be identified or
have no title are not guessed at: they are skipped with a German message in
`problems`. No network, no database: everything here is unit-tested.

The XML is checked by `rdf_guard.check_xml_prolog` before expat sees it: a DOCTYPE
with entities or an external DTD is refused (XXE, "billion laughs").

Entry -> publication:

- atom:id, rss guid (else the link) -> record guid, `identifier`; `uri` if it is
  an http(s) address;
- title -> `title`; summary / description, else content / content:encoded (HTML
  reduced to text, paragraphs kept), else the title -> `notes`;
- updated, dcterms:modified (else the publication date) -> `modified`;
  published, pubDate, dc:date (else updated) -> `issued`, `publication_date`;
- link rel=enclosure, RSS enclosure, rel=alternate/related links to documents
  -> `resources` (url, name, format and mimetype from the MIME type or the file
  ending, size); the first rel=alternate web page -> `url`;
- category term/label, dc:type, dc:subject -> `document_type`: the first the
  vocabulary knows (URI, slug, label or alias), else the source's default, else
  "sonstige" (`publications.as_publication`); the others become tags;
- author, dc:creator (of the entry, else of the feed) -> `publisher`;
  xml:lang, RSS language -> `language`.
"""
from __future__ import annotations

import mimetypes
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime
from html import unescape
from pathlib import PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from ckanext.thueringen import normalize
from ckanext.thueringen.normalize import Unmapped
from ckanext.thueringen.transparency.publications import as_publication, document_type

from .fetch import display_url, one_line
from .rdf_guard import ParseError, check_xml_prolog

ATOM = "http://www.w3.org/2005/Atom"
RSS1 = "http://purl.org/rss/1.0/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
FEED_HISTORY = "http://purl.org/syndication/history/1.0"
TOMBSTONES = "http://purl.org/atompub/tombstones/1.0"
XML = "http://www.w3.org/XML/1998/namespace"

PUBLICATION_TYPE = "publication"
# Media types a feed is served as; text/plain and octet-stream are what static servers send for .atom or .rss.
FEED_MEDIA_TYPES = ("application/atom+xml", "application/rss+xml", "application/rdf+xml", "application/xml",
                    "text/xml", "text/plain", "application/octet-stream")
WEB_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
DOCUMENT_SUFFIXES = frozenset({".pdf", ".odt", ".ods", ".odp", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx",
                               ".rtf", ".txt", ".csv", ".zip", ".xml", ".json", ".epub"})


@dataclass
class FeedPublication:
    """One entry as a publication: `guid` names it in the feed (atom:id, rss guid)."""
    guid: str
    dataset: dict
    unmapped: list[Unmapped] = field(default_factory=list)


@dataclass
class ParsedFeed:
    title: str
    publications: list[FeedPublication]
    next_page: str | None = None      # absolute URL of the next page (RFC 5005 paging)
    complete: bool = False            # <fh:complete/>: the feed lists everything the source has
    deleted: set[str] = field(default_factory=set)   # guids of <at:deleted-entry>
    problems: list[str] = field(default_factory=list)  # German: entries that were skipped


def parse_feed(data: bytes, url: str, *, default_document_type: str | None = None) -> ParsedFeed:
    """The publications of an Atom or RSS feed (bytes, read from `url`). Raises
    ParseError (German, names the URL) for what is no readable, safe feed."""
    where = display_url(url)
    if not data.strip():
        raise ParseError(f"Der Feed von {where} ist leer.")
    check_xml_prolog(data, where)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        head = data.lstrip()[:200].lower()
        if head.startswith(b"<!doctype html") or head.startswith(b"<html"):
            raise ParseError(f"{where} lieferte eine HTML-Seite statt eines Feeds – meist eine Fehler- oder "
                             "Anmeldeseite.") from exc
        raise ParseError(f"Der Feed von {where} ist kein lesbares XML: {one_line(exc)}") from exc
    if root.tag == f"{{{ATOM}}}feed":
        reader = _AtomReader(root, url)
    elif root.tag == "rss" and root.find("channel") is not None:
        reader = _RssReader(root.find("channel"), url, "")
    elif root.tag == f"{{{RDF}}}RDF" and root.find(f"{{{RSS1}}}channel") is not None:
        reader = _RssReader(root, url, RSS1)
    else:
        raise ParseError(f"{where} liefert XML, aber keinen Atom- oder RSS-Feed (Wurzelelement "
                         f"„{_local(root.tag)}“).")
    return reader.read(default_document_type)


# --- the two syntaxes ---------------------------------------------------------------

def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(element: ET.Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


class _Reader:
    """What Atom and RSS share: building the publication from the entry's parts."""

    def __init__(self, url: str):
        self.url = url
        self.where = display_url(url)

    def read(self, default_document_type: str | None) -> ParsedFeed:
        feed = ParsedFeed(title=self.feed_title(), publications=[], next_page=self.next_page(),
                          complete=self.complete(), deleted=self.deleted())
        seen: set[str] = set()
        for number, entry in enumerate(self.entries(), start=1):
            publication = self.publication(entry, number, default_document_type, feed.problems)
            if publication is None:
                continue
            if publication.guid in seen:
                feed.problems.append(f"Eintrag {number} im Feed {self.where} wiederholt die Kennung "
                                     f"„{publication.guid}“; nur der erste Eintrag wurde übernommen.")
                continue
            seen.add(publication.guid)
            feed.publications.append(publication)
        return feed

    def history_links(self, parent: ET.Element, base: str) -> str | None:
        for link in parent.findall(f"{{{ATOM}}}link"):
            if (link.get("rel") or "").strip() == "next" and link.get("href"):
                return urljoin(base, link.get("href").strip())
        return None

    def publication(self, entry, number: int, default_document_type: str | None,
                    problems: list[str]) -> FeedPublication | None:
        parts = self.entry_parts(entry)
        guid = parts["guid"] or parts["page"] or (parts["documents"][0]["url"] if parts["documents"] else "")
        label = f"„{parts['title']}“" if parts["title"] else f"Nr. {number}"
        if not guid:
            problems.append(f"Eintrag {label} im Feed {self.where} hat weder eine Kennung (id/guid) noch einen "
                            "Link und wurde übersprungen.")
            return None
        if not parts["title"]:
            problems.append(f"Eintrag {guid} im Feed {self.where} hat keinen Titel und wurde übersprungen.")
            return None
        kinds, tags = [], []
        for term in parts["categories"]:
            concept = document_type(term)
            (kinds if concept else tags).append(concept or term)
        published = _date(parts["published"]) or _date(parts["updated"])
        modified = _date(parts["updated"]) or published
        dataset: dict = {
            "type": PUBLICATION_TYPE,
            "title": parts["title"],
            "notes": parts["notes"] or parts["title"],   # a description is mandatory (DCAT-AP.de)
            "identifier": guid,
            "uri": guid if guid.lower().startswith(("http://", "https://")) else None,
            "url": parts["page"],
            "document_type": kinds[0] if kinds else default_document_type,
            "modified": modified,
            "issued": published,
            "publication_date": published[:10] if published else None,
            "language": parts["language"],
            "publisher": [parts["author"]] if parts["author"] else None,
            "tag_string": ",".join(_clean_tags(tags)) or None,
            "resources": parts["documents"],
        }
        normalized = normalize.normalize_dataset(as_publication({k: v for k, v in dataset.items()
                                                                 if v not in (None, "", [])}))
        return FeedPublication(guid, normalized.value, normalized.unmapped)


class _AtomReader(_Reader):
    def __init__(self, root: ET.Element, url: str):
        super().__init__(url)
        self.root = root
        self.base = _base(root, url)
        self.lang = root.get(f"{{{XML}}}lang")
        self.author = _atom_author(root.find(f"{{{ATOM}}}author"))

    def feed_title(self) -> str:
        return _text(self.root.find(f"{{{ATOM}}}title"))

    def next_page(self) -> str | None:
        return self.history_links(self.root, self.base)

    def complete(self) -> bool:
        return self.root.find(f"{{{FEED_HISTORY}}}complete") is not None

    def deleted(self) -> set[str]:
        return {item.get("ref").strip() for item in self.root.findall(f"{{{TOMBSTONES}}}deleted-entry")
                if (item.get("ref") or "").strip()}

    def entries(self):
        return self.root.findall(f"{{{ATOM}}}entry")

    def entry_parts(self, entry: ET.Element) -> dict:
        base = _base(entry, self.base)
        page, documents = None, []
        for link in entry.findall(f"{{{ATOM}}}link"):
            href = (link.get("href") or "").strip()
            if not href:
                continue
            rel = (link.get("rel") or "alternate").strip()
            media_type = (link.get("type") or "").strip()
            target = urljoin(base, href)
            if rel == "enclosure" or (rel in ("alternate", "related") and _is_document(target, media_type)):
                documents.append(_resource(target, media_type, link.get("title"), link.get("length")))
            elif rel == "alternate" and page is None:
                page = target
        categories = [c.get("label") or c.get("term") for c in entry.findall(f"{{{ATOM}}}category")]
        categories += [_text(e) for e in entry.findall(f"{{{DC}}}type") + entry.findall(f"{{{DC}}}subject")]
        notes = _content(entry.find(f"{{{ATOM}}}summary")) or _content(entry.find(f"{{{ATOM}}}content"))
        return {
            "guid": _text(entry.find(f"{{{ATOM}}}id")),
            "title": _content(entry.find(f"{{{ATOM}}}title")),
            "notes": notes,
            "updated": _text(entry.find(f"{{{ATOM}}}updated")) or _text(entry.find(f"{{{DCTERMS}}}modified")),
            "published": _text(entry.find(f"{{{ATOM}}}published")) or _text(entry.find(f"{{{DC}}}date")),
            "page": page,
            "documents": _unique(documents),
            "categories": [c for c in categories if c and c.strip()],
            "author": _atom_author(entry.find(f"{{{ATOM}}}author")) or self.author,
            "language": _language(entry.get(f"{{{XML}}}lang") or self.lang),
        }


class _RssReader(_Reader):
    """RSS 2.0 (`ns` ""), and RSS 1.0 (`ns` its namespace, items beside the channel)."""

    def __init__(self, channel: ET.Element, url: str, ns: str):
        super().__init__(url)
        self.ns = f"{{{ns}}}" if ns else ""
        self.container = channel
        self.channel = channel.find(f"{self.ns}channel") if ns else channel
        self.base = _base(channel, url)
        self.lang = _text(self.channel.find(f"{self.ns}language")) or _text(self.channel.find(f"{{{DC}}}language")) \
            or channel.get(f"{{{XML}}}lang")
        creator = _text(self.channel.find(f"{{{DC}}}creator")) or _text(self.channel.find(f"{{{DC}}}publisher"))
        self.author = _rss_author(_text(self.channel.find(f"{self.ns}managingEditor")), creator)

    def feed_title(self) -> str:
        return _text(self.channel.find(f"{self.ns}title"))

    def next_page(self) -> str | None:
        return self.history_links(self.channel, self.base)

    def complete(self) -> bool:
        return self.channel.find(f"{{{FEED_HISTORY}}}complete") is not None

    def deleted(self) -> set[str]:
        return set()

    def entries(self):
        return (self.container if self.ns else self.channel).findall(f"{self.ns}item")

    def entry_parts(self, item: ET.Element) -> dict:
        base = _base(item, self.base)
        link = _text(item.find(f"{self.ns}link"))
        link = urljoin(base, link) if link else None
        documents = []
        for enclosure in item.findall("enclosure"):
            if (enclosure.get("url") or "").strip():
                documents.append(_resource(urljoin(base, enclosure.get("url").strip()), enclosure.get("type"),
                                           None, enclosure.get("length")))
        for atom_link in item.findall(f"{{{ATOM}}}link"):
            href, media_type = (atom_link.get("href") or "").strip(), (atom_link.get("type") or "").strip()
            if href and (atom_link.get("rel") == "enclosure" or _is_document(urljoin(base, href), media_type)):
                documents.append(_resource(urljoin(base, href), media_type, atom_link.get("title"),
                                           atom_link.get("length")))
        page = link
        if link and _is_document(link, ""):
            documents.append(_resource(link, "", None, None))
            page = None
        guid = _text(item.find("guid")) or item.get(f"{{{RDF}}}about") or _text(item.find(f"{{{DC}}}identifier"))
        categories = [_text(c) for c in item.findall(f"{self.ns}category")]
        categories += [_text(e) for e in item.findall(f"{{{DC}}}type") + item.findall(f"{{{DC}}}subject")]
        notes = _html_text(_text_raw(item.find(f"{self.ns}description"))) \
            or _html_text(_text_raw(item.find(f"{{{CONTENT}}}encoded")))
        creator = _text(item.find(f"{{{DC}}}creator"))
        return {
            "guid": guid,
            "title": _html_text(_text_raw(item.find(f"{self.ns}title"))),
            "notes": notes,
            "updated": _text(item.find(f"{{{DCTERMS}}}modified")) or _text(item.find(f"{{{ATOM}}}updated")),
            "published": _text(item.find(f"{self.ns}pubDate")) or _text(item.find(f"{{{DC}}}date")),
            "page": page,
            "documents": _unique(documents),
            "categories": [c for c in categories if c],
            "author": _rss_author(_text(item.find(f"{self.ns}author")), creator) or self.author,
            "language": _language(_text(item.find(f"{{{DC}}}language")) or self.lang),
        }


# --- values ---------------------------------------------------------------------------

def _base(element: ET.Element, inherited: str) -> str:
    """xml:base of an element, resolved against the base it inherits."""
    value = element.get(f"{{{XML}}}base")
    return urljoin(inherited, value.strip()) if value else inherited


def _text_raw(element: ET.Element | None) -> str:
    return "".join(element.itertext()) if element is not None else ""


def _content(element: ET.Element | None) -> str:
    """Atom text constructs: text, escaped html, or inline xhtml, as plain text."""
    if element is None:
        return ""
    kind = (element.get("type") or "text").strip().lower()
    if kind == "xhtml":
        markup = "".join(ET.tostring(child, encoding="unicode") for child in element)
        return _html_text(re.sub(r"<(/?)(?:ns\d+|html):", r"<\1", markup))
    if kind in ("html", "text/html"):
        return _html_text(_text_raw(element))
    return _paragraphs(_text_raw(element))


def _html_text(markup: str) -> str:
    """Text of an HTML fragment, as the normaliser makes it of any description
    (Markdown: paragraphs, lists and links kept, tags dropped, entities resolved)."""
    return _paragraphs(normalize.html_to_markdown(unescape(markup) if "<" not in markup else markup))


def _paragraphs(text: str) -> str:
    """Spaces collapsed inside lines, at most one empty line between paragraphs."""
    lines = [" ".join(line.split()) for line in text.replace("\r", "").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _date(value: str | None) -> str | None:
    """ISO 8601 (UTC for RFC 822 dates) from Atom/W3C-DTF, RFC 822 (RSS) or German dates."""
    text = (value or "").strip()
    if not text:
        return None
    found = normalize.date(text)
    if found:
        return found
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _language(value: str | None) -> str | None:
    return value.split("-")[0].strip().lower() or None if value and value.strip() else None


def _is_document(url: str, media_type: str) -> bool:
    """A link to a document (not to a web page): by its media type, else its file ending."""
    kind = media_type.split(";")[0].strip().lower()
    if kind:
        return kind not in WEB_PAGE_TYPES
    return PurePosixPath(urlsplit(url).path).suffix.lower() in DOCUMENT_SUFFIXES


def _resource(url: str, media_type: str | None, title: str | None, length: str | None) -> dict:
    kind = (media_type or "").split(";")[0].strip().lower()
    path = PurePosixPath(unquote(urlsplit(url).path))
    guessed = mimetypes.guess_type(path.name)[0] if path.suffix else None
    media = kind if kind and kind not in ("application/octet-stream", "binary/octet-stream") else guessed
    resource = {"url": url, "name": " ".join((title or "").split()) or path.name or url,
                "format": media or path.suffix.lstrip(".") or None, "mimetype": media}
    size = (length or "").strip()
    if size.isdigit() and int(size) > 0:
        resource["size"] = int(size)
    return {k: v for k, v in resource.items() if v not in (None, "")}


def _unique(resources: list[dict]) -> list[dict]:
    seen, result = set(), []
    for resource in resources:
        if resource["url"] not in seen:
            seen.add(resource["url"])
            result.append(resource)
    return result


def _atom_author(element: ET.Element | None) -> dict | None:
    if element is None:
        return None
    agent = {"name": _text(element.find(f"{{{ATOM}}}name")), "email": _text(element.find(f"{{{ATOM}}}email")),
             "url": _text(element.find(f"{{{ATOM}}}uri"))}
    return {k: v for k, v in agent.items() if v} if agent["name"] else None


def _rss_author(author: str, creator: str) -> dict | None:
    """RSS author "mail@example.org (Name)" or a dc:creator name."""
    match = re.fullmatch(r"\s*([^\s()]+@[^\s()]+)\s*(?:\((.+)\))?\s*", author or "")
    name = (match.group(2) if match and match.group(2) else creator or ("" if match else author)).strip()
    if not name:
        return None
    agent = {"name": name}
    if match:
        agent["email"] = match.group(1)
    return agent


def _clean_tags(terms: list[str]) -> list[str]:
    """Categories as CKAN tags, each once."""
    tags: list[str] = []
    for term in terms:
        tag = normalize.clean_tag(term)
        if tag and tag.casefold() not in {t.casefold() for t in tags}:
            tags.append(tag)
    return tags
