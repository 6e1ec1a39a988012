"""Documents for the full-text tests and the benchmark, made on the spot:
well-formed ones in every supported format and hostile ones (corrupt,
encrypted, image-only, decompression bomb, deep nesting, zip bomb, an
image too large to read); and the local server the stack tests link them from."""
from __future__ import annotations

import io
import struct
import threading
import zipfile
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pdf_writer import assemble_pdf, write_pdf

ODT_MIME = "application/vnd.oasis.opendocument.text"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


# --- well-formed --------------------------------------------------------------

def odt(paragraphs: list[str]) -> bytes:
    body = "".join(f"<text:p>{_xml(p)}</text:p>" for p in paragraphs)
    content = ('<?xml version="1.0" encoding="UTF-8"?>'
               '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f'<office:body><office:text>{body}</office:text></office:body></office:document-content>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODT_MIME)  # stored, first: the ODF rule
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest '
                         'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
    return buffer.getvalue()


def docx(paragraphs: list[str], *, document_xml: bytes | None = None) -> bytes:
    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{_xml(p)}</w:t></w:r></w:p>' for p in paragraphs)
    document = document_xml or (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f'<w:body>{body}</w:body></w:document>').encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml",
                         '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"><Override PartName="/word/document.xml" '
                         f'ContentType="{DOCX_MAIN}"/></Types>')
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


def html(title: str, paragraphs: list[str], charset: str = "utf-8") -> bytes:
    body = "".join(f"<p>{_xml(p)}</p>" for p in paragraphs)
    page = (f'<!DOCTYPE html><html lang="de"><head><meta charset="{charset}"><title>{_xml(title)}</title>'
            '<style>p { color: red }</style><script>var geheim = "SKRIPTINHALT";</script></head>'
            f'<body><h1>{_xml(title)}</h1>{body}<!-- Kommentar --></body></html>')
    return page.encode(charset)


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- hostile ------------------------------------------------------------------

_HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def corrupt_pdf() -> bytes:
    """A PDF header and then nothing a reader can use."""
    return b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"


def encrypted_pdf(text: str = "Geheimer Haushaltsplan", password: str = "geheim") -> bytes:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(write_pdf([text])))
    writer = pypdf.PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    # RC4 needs no cryptography package; the point is the password, not the cipher
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_only_pdf() -> bytes:
    """One page that shows a scanned image (a grey 64×64 bitmap) and has no text."""
    pixels = zlib.compress(bytes(range(64)) * 64)
    content = b"q 400 0 0 400 100 300 cm /Im1 Do Q\n"
    return assemble_pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
           b"/Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>",
        4: b"<< /Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray "
           b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % len(pixels) + pixels
           + b"\nendstream",
        5: b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream",
    }, root=1)


def flate_bomb_pdf(uncompressed_mib: int = 512) -> bytes:
    """A page whose content stream is ~1 MB deflated and `uncompressed_mib` MB inflated."""
    compressor = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    stream = b"".join(compressor.compress(chunk) for _ in range(uncompressed_mib)) + compressor.flush()
    return assemble_pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
           b"/Contents 4 0 R >>",
        4: b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        5: _HELVETICA,
    }, root=1)


def deeply_nested_pdf(depth: int = 100_000) -> bytes:
    """A page whose dictionary and content stream hold arrays and dictionaries
    nested `depth` levels deep (a recursive parser runs out of stack)."""
    nested = b"[<< /A " * depth + b"0" + b" >>]" * depth
    content = b"BT /F1 10 Tf 50 700 Td " + b"[" * depth + b"(Tief) " + b"]" * depth + b" TJ ET\n"
    return assemble_pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Deep " + nested
           + b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        4: b"<< /Length %d >>\nstream\n" % len(content) + content + b"endstream",
        5: _HELVETICA,
    }, root=1)


def zip_bomb_docx(uncompressed_mib: int = 200) -> bytes:
    """A DOCX whose word/document.xml inflates to `uncompressed_mib` MB (from about 200 KB)."""
    head = (b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml",
                         '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"><Override PartName="/word/document.xml" '
                         f'ContentType="{DOCX_MAIN}"/></Types>')
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(head)
            block = b"a" * (1024 * 1024)
            for _ in range(uncompressed_mib):
                member.write(block)
            member.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return buffer.getvalue()



def white_png(width: int, height: int) -> bytes:
    """An 8-bit grey PNG of `width` × `height` white pixels: a few hundred KB
    that decode to width × height bytes (20000 × 20000: 400 MB)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * width
    raw = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


# --- serving them ---------------------------------------------------------------

class DocumentServer:
    """Serves documents from a dict that the test may change, on 127.0.0.1; counts requests."""

    def __init__(self):
        self.documents: dict[str, tuple[bytes, str]] = {}
        self.requests: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                server.requests[self.path] = server.requests.get(self.path, 0) + 1
                if self.path not in server.documents:
                    self.send_error(404)
                    return
                body, content_type = server.documents[self.path]
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def put(self, path: str, body: bytes, content_type: str) -> str:
        self.documents[path] = (body, content_type)
        return self.base + path

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
