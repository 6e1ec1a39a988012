"""Plain text from the bytes of a PDF, ODT, DOCX, HTML or text document,
and, with text recognition (ocr.py), of scans: PDF pages without a text
layer and PNG, JPEG and TIFF images.

No network, no database. These functions run inside the limited child
process (sandbox.py), which guards against what cannot be checked here
(memory, CPU time); the checks here give the clear reasons for the failures
that can be recognised: encryption, no text, zip bombs, DTDs, nesting.
"""
from __future__ import annotations

import io
import logging
import re
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Imported here, not where used: the sandbox forks a child per document, and
# a module the parent has imported costs the child nothing.
import pypdf
from charset_normalizer import from_bytes
from lxml import etree
from lxml import html as lxml_html
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError

from ckanext.thueringen.fulltext import ocr as recognition
from ckanext.thueringen.fulltext import sniff as sniffing
from ckanext.thueringen.fulltext.dehyphenate import dehyphenate
from ckanext.thueringen.fulltext.errors import ExtractionError

MiB = 1024 * 1024
DEFAULT_MAX_CHARS = 5 * MiB          # text kept per document
DEFAULT_MAX_PAGES = 5000
DEFAULT_MAX_UNZIPPED = 100 * MiB     # an ODT/DOCX part, uncompressed
NO_TEXT = "Das Dokument enthält keinen Text (nur Bilder?)."
NO_TEXT_AFTER_OCR = "Das Dokument enthält keinen Text; auch die Texterkennung fand keinen."


@dataclass(frozen=True)
class Extraction:
    kind: str            # sniff.PDF, ODT, DOCX, HTML, TEXT; ocr.PNG, JPEG, TIFF
    mime_type: str
    text: str
    pages: int | None    # PDF and image pages; None where a format has no fixed pages
    truncated: bool = False
    ocr_pages: tuple[int, ...] = ()   # the pages read by text recognition
    notes: tuple[str, ...] = ()       # what the status should say besides "done"


def extract(data: bytes, *, max_chars: int = DEFAULT_MAX_CHARS, max_pages: int = DEFAULT_MAX_PAGES,
            max_unzipped: int = DEFAULT_MAX_UNZIPPED, ocr: recognition.OcrLimits | None = None,
            workdir: Path | None = None, progress: Callable[[int], None] | None = None) -> Extraction:
    """The text of `data`, whatever its format; ExtractionError if there is none.

    `ocr`: read scans (PDF pages without text, images) with these limits;
    None leaves them out as before. `workdir`: where the programs' files go
    (a temporary folder of its own otherwise). `progress(n)` is called before
    n pages are recognised (the sandbox gives them time)."""
    if ocr is not None and recognition.image_kind(data):
        if workdir is None:
            with tempfile.TemporaryDirectory(prefix="ocr-") as folder:
                return extract(data, max_chars=max_chars, max_pages=max_pages, max_unzipped=max_unzipped, ocr=ocr,
                               workdir=Path(folder), progress=progress)
        return _image_extraction(data, max_chars, ocr, workdir, progress)
    kind = sniffing.sniff(data)
    pages = None
    ocr_pages: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()
    if kind == sniffing.PDF:
        texts, pages, scanned = _pdf_text(data, max_chars, max_pages)
        if scanned and ocr is not None:
            texts, ocr_pages, notes = _recognize_scanned_pages(data, texts, scanned, ocr, workdir, progress)
        text = "\n".join(texts)
    elif kind == sniffing.ODT:
        text = _odt_text(data, max_unzipped)
    elif kind == sniffing.DOCX:
        text = _docx_text(data, max_unzipped)
    elif kind == sniffing.HTML:
        text = _html_text(data)
    else:
        text = decode_text(data)
    text = _tidy(dehyphenate(text))
    if not text:
        raise ExtractionError(NO_TEXT_AFTER_OCR if ocr_pages else NO_TEXT)
    truncated = len(text) > max_chars
    return Extraction(kind, sniffing.MIME_TYPES[kind], text[:max_chars], pages, truncated, ocr_pages, notes)


def _recognize_scanned_pages(data: bytes, texts: list[str], scanned: dict[int, tuple[float, float]],
                             ocr: recognition.OcrLimits, workdir: Path | None,
                             progress: Callable[[int], None] | None
                             ) -> tuple[list[str], tuple[int, ...], tuple[str, ...]]:
    """The page texts with the scanned pages read by text recognition. Too
    many scanned pages: a document with a text layer elsewhere keeps that
    text (and says what was not read), a document of scans only fails."""
    if len(scanned) > ocr.max_pages:
        reason = recognition.too_many_pages_reason(len(scanned), ocr)
        if any(page.strip() for page in texts):
            return texts, (), (reason.replace("gelesen werden höchstens", "sie wurden nicht gelesen; höchstens"),)
        raise ExtractionError(reason)
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="ocr-") as folder:
            recognised = recognition.recognize_pdf_pages(data, scanned, ocr, Path(folder), progress)
    else:
        recognised = recognition.recognize_pdf_pages(data, scanned, ocr, workdir, progress)
    texts = list(texts)
    for number, page_text in recognised.items():
        texts[number - 1] = page_text
    return texts, tuple(sorted(recognised)), ()


def _image_extraction(data: bytes, max_chars: int, ocr: recognition.OcrLimits, workdir: Path,
                      progress: Callable[[int], None] | None) -> Extraction:
    info = recognition.image_info(data)
    page_texts = recognition.recognize_image(data, info, ocr, workdir, progress)
    text = _tidy(dehyphenate("\n".join(page_texts)))
    if not text:
        raise ExtractionError(f"Die Texterkennung fand im {recognition.IMAGE_NAMES[info.kind]}-Bild keinen Text.")
    pages = tuple(range(1, len(page_texts) + 1))
    return Extraction(info.kind, recognition.IMAGE_MIME_TYPES[info.kind], text[:max_chars], len(page_texts),
                      len(text) > max_chars, pages)


def _tidy(text: str) -> str:
    """Trailing spaces off, at most one empty line in a row, no control characters."""
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


# --- PDF ----------------------------------------------------------------------

def _pdf_text(data: bytes, max_chars: int, max_pages: int) -> tuple[list[str], int, dict[int, tuple[float, float]]]:
    """The text of each page, the page count, and the pages without text
    (scans): number -> width and height in points."""
    try:
        with _PypdfWarnings() as warnings:
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                _decrypt(reader)
            count = len(reader.pages)
            if count > max_pages:
                raise ExtractionError(f"Das PDF hat {count} Seiten; gelesen werden höchstens {max_pages}.")
            texts: list[str] = []
            scanned: dict[int, tuple[float, float]] = {}
            length = 0
            for number, page in enumerate(reader.pages, start=1):
                page_text = page.extract_text() or ""
                texts.append(page_text)
                if not page_text.strip():
                    box = page.mediabox
                    scanned[number] = (float(box.width), float(box.height))
                length += len(page_text)
                if length > max_chars:
                    break
    except ExtractionError:
        raise
    except (FileNotDecryptedError, DependencyError) as exc:
        raise ExtractionError("Das PDF ist verschlüsselt und kann ohne Passwort nicht gelesen werden.") from exc
    except RecursionError as exc:
        raise ExtractionError("Das PDF ist zu tief verschachtelt und wurde nicht gelesen.") from exc
    except LimitReachedError as exc:
        raise ExtractionError("Das PDF enthält Daten, die entpackt zu groß würden (Dekompressionsbombe?); "
                              "es wurde nicht gelesen.") from exc
    except MemoryError:
        raise  # the sandbox names it
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types on damaged files
        raise ExtractionError(f"Das PDF ist beschädigt oder ungültig ({_one_line(exc)}).") from exc
    if not "".join(texts).strip() and warnings.first:
        # pypdf skips what it cannot parse and says so only in its log
        raise ExtractionError(f"Das PDF ist beschädigt; lesbarer Text wurde nicht gefunden "
                              f"({warnings.count} Lesefehler, zuerst: {_one_line(warnings.first, 120)}).")
    return texts, count, scanned


class _PypdfWarnings(logging.Handler):
    """Collects what pypdf logs about damage while it reads one document,
    instead of letting thousands of lines into the worker's log."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.first: str | None = None
        self.count = 0
        self._logger = logging.getLogger("pypdf")

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if self.first is None:
            self.first = record.getMessage()

    def __enter__(self):
        self._saved = (self._logger.level, self._logger.propagate)
        # A logging setup run after pypdf was imported (logging.config with its
        # default disable_existing_loggers, as CKAN's and pytest's are) disables
        # pypdf's module loggers, and their warnings would never arrive here.
        self._disabled = [logger for name, logger in logging.root.manager.loggerDict.items()
                          if (name == "pypdf" or name.startswith("pypdf."))
                          and isinstance(logger, logging.Logger) and logger.disabled]
        for logger in self._disabled:
            logger.disabled = False
        self._logger.setLevel(logging.WARNING)
        self._logger.propagate = False
        self._logger.addHandler(self)
        return self

    def __exit__(self, *exc_info):
        self._logger.removeHandler(self)
        self._logger.level, self._logger.propagate = self._saved
        for logger in self._disabled:
            logger.disabled = True
        return False


def _decrypt(reader) -> None:
    """Open a PDF that is encrypted only against editing (empty user password)."""
    try:
        opened = reader.decrypt("")
    except DependencyError as exc:
        raise ExtractionError("Das PDF ist mit einem nicht unterstützten Verfahren verschlüsselt.") from exc
    if not opened:
        raise ExtractionError("Das PDF ist verschlüsselt und kann ohne Passwort nicht gelesen werden.")


# --- ODT and DOCX -------------------------------------------------------------

ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
ODF_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
WORD = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@dataclass(frozen=True)
class _Layout:
    """How an XML vocabulary marks text: which elements end a block (a
    newline), break a line, are a tab; whose text counts (None: all), and
    which are left out with their content."""
    blocks: frozenset[str]
    breaks: frozenset[str]
    tabs: frozenset[str]
    text_of: frozenset[str] | None = None
    skip: frozenset[str] = frozenset()
    spaces: str | None = None  # ODF's <text:s text:c="n"/>


_ODT = _Layout(
    blocks=frozenset({f"{{{ODF_TEXT}}}p", f"{{{ODF_TEXT}}}h"}),
    breaks=frozenset({f"{{{ODF_TEXT}}}line-break"}),
    tabs=frozenset({f"{{{ODF_TEXT}}}tab"}),
    skip=frozenset({f"{{{ODF_TEXT}}}tracked-changes"}),
    spaces=f"{{{ODF_TEXT}}}s",
)
_DOCX = _Layout(
    blocks=frozenset({f"{{{WORD}}}p"}),
    breaks=frozenset({f"{{{WORD}}}br", f"{{{WORD}}}cr"}),
    tabs=frozenset({f"{{{WORD}}}tab"}),
    text_of=frozenset({f"{{{WORD}}}t"}),
    skip=frozenset({f"{{{WORD}}}del", f"{{{WORD}}}instrText"}),
)
_HTML_BLOCKS = frozenset({
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "section", "article", "header", "footer",
    "main", "aside", "nav", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "title", "address",
    "figure", "figcaption", "form", "fieldset", "hr",
})
_HTML = _Layout(
    blocks=_HTML_BLOCKS,
    breaks=frozenset({"br"}),
    tabs=frozenset({"td", "th"}),
    skip=frozenset({"script", "style", "noscript", "template", "svg", "math", "head", "iframe", "object"}),
)


def _odt_text(data: bytes, max_unzipped: int) -> str:
    root = _safe_xml(_zip_member(data, "content.xml", max_unzipped), "content.xml")
    body = root.find(f"{{{ODF_OFFICE}}}body")
    return _layout_text(body if body is not None else root, _ODT)


def _docx_text(data: bytes, max_unzipped: int) -> str:
    root = _safe_xml(_zip_member(data, "word/document.xml", max_unzipped), "word/document.xml")
    return _layout_text(root, _DOCX)


def _zip_member(data: bytes, name: str, max_unzipped: int) -> bytes:
    """One member, read at most up to the limit: the sizes in a ZIP's directory
    are the archive's word, and a zip bomb lies about them."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            try:
                info = archive.getinfo(name)
            except KeyError:
                raise ExtractionError(f"Dem Dokument fehlt der Teil {name}; es ist beschädigt.") from None
            if info.file_size > max_unzipped:
                raise ExtractionError(_bomb_reason(name, max_unzipped))
            with archive.open(info) as member:
                content = member.read(max_unzipped + 1)
    except ExtractionError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError,
            RuntimeError) as exc:
        raise ExtractionError(f"Das ZIP-Archiv des Dokuments ist beschädigt ({_one_line(exc)}).") from exc
    if len(content) > max_unzipped:
        raise ExtractionError(_bomb_reason(name, max_unzipped))
    return content


def _bomb_reason(name: str, limit: int) -> str:
    return (f"Der Teil {name} des Dokuments ist entpackt größer als {limit // MiB} MB "
            "(ZIP-Bombe?); das Dokument wurde nicht gelesen.")


def _safe_xml(content: bytes, name: str):
    """Parse without DTDs, entities or network: office documents never need them."""
    if re.search(rb"<!DOCTYPE|<!ENTITY", content[:64 * 1024], re.IGNORECASE):
        raise ExtractionError(f"Der Teil {name} des Dokuments enthält eine DTD; aus Sicherheitsgründen "
                              "wird er nicht gelesen.")
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False,
                             dtd_validation=False, remove_comments=True, remove_pis=True)
    try:
        return etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(f"Der Teil {name} des Dokuments ist kein gültiges XML ({_one_line(exc)}).") from exc


def _layout_text(root, layout: _Layout) -> str:
    """The text of an element tree, walked without recursion (no depth limit to hit)."""
    out: list[str] = []
    skipping = 0
    counting = 0 if layout.text_of is not None else 1
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in layout.skip:
                skipping += 1
            if skipping:
                continue
            if layout.text_of is not None and tag in layout.text_of:
                counting += 1
            if tag in layout.breaks:
                out.append("\n")
            elif tag in layout.tabs:
                out.append("\t")
            elif tag == layout.spaces:
                out.append(" " * _int(element.get(f"{{{ODF_TEXT}}}c"), 1))
            if counting and element.text:
                out.append(element.text)
        else:
            if tag in layout.skip:
                skipping -= 1
                if not skipping:
                    _tail(out, element, counting)
                continue
            if skipping:
                continue
            if layout.text_of is not None and tag in layout.text_of:
                counting -= 1
            if tag in layout.blocks:
                out.append("\n")
            _tail(out, element, counting)
    return "".join(out)


def _tail(out: list[str], element, counting: int) -> None:
    if counting and element.tail:
        out.append(element.tail)


def _int(value: str | None, default: int) -> int:
    try:
        return max(0, min(int(value), 1000)) if value is not None else default
    except ValueError:
        return default


# --- HTML and text ------------------------------------------------------------

def _html_text(data: bytes) -> str:
    declared = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", data[:4096], re.IGNORECASE)
    text = decode_text(data, declared.group(1).decode("ascii") if declared else None)
    # lxml refuses str input that still declares an encoding (XHTML's <?xml …?>)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    parser = lxml_html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    try:
        root = lxml_html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"Die HTML-Seite ist nicht lesbar ({_one_line(exc)}).") from exc
    # the title is metadata (the skipped <head>), but it often is the best heading
    title = root.findtext(".//title") or ""
    body = _layout_text(root, _HTML)
    return f"{title.strip()}\n\n{body}" if title.strip() and title.strip() not in body else body


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Bytes as text: a BOM decides, then a declared charset, then UTF-8, then detection."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    if declared:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:1024 * 1024], cp_isolation=["cp1252", "iso8859_15", "cp850", "mac_roman"]).best()
    return data.decode(best.encoding if best else "cp1252", errors="replace")


def _one_line(exc: BaseException | str, limit: int = 160) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
