"""Extraction in a child process with hard limits.

A hostile or merely pathological document (decompression bomb, deeply
nested objects, a page that makes the PDF parser loop) must cost a bounded
amount of memory and time and must never take the job worker down. So every
extraction runs in a forked child with

- RLIMIT_AS: the child's address space may grow by `memory_bytes` at most
  (counted from its size at the fork, which it shares with the parent);
- RLIMIT_CPU: `cpu_seconds` of CPU time, then the kernel ends it (SIGXCPU,
  SIGKILL a second later);
- a wall-clock deadline `wall_seconds`, after which the parent kills it
  (a child that waits instead of computing);
- the text capped at `max_chars` before it is sent back.

Text recognition of scans (ocr.py) runs programs (pdftoppm, Tesseract) from
the child, each with its own memory and time limits; the child tells the
parent how many pages it is about to recognise, and the parent's deadline
grows by `page_seconds` for each. The child leads a process group of its
own, and the whole group is killed at the deadline, so no program outlives it.

Every way the child can end becomes an Extraction or an ExtractionError with
a German reason; nothing propagates into the caller.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ckanext.thueringen.fulltext.errors import ExtractionError
from ckanext.thueringen.fulltext.extract import (
    DEFAULT_MAX_CHARS,
    DEFAULT_MAX_PAGES,
    DEFAULT_MAX_UNZIPPED,
    Extraction,
    extract,
)
from ckanext.thueringen.fulltext.ocr import OcrLimits

MiB = 1024 * 1024
# fork: the child starts at once with the document and the imported modules,
# instead of a fresh interpreter importing pypdf and lxml for every document.
_CONTEXT = multiprocessing.get_context("fork")


@dataclass(frozen=True)
class Limits:
    memory_bytes: int = 512 * MiB
    cpu_seconds: int = 60
    wall_seconds: float = 120.0
    max_chars: int = DEFAULT_MAX_CHARS
    max_pages: int = DEFAULT_MAX_PAGES
    max_unzipped: int = DEFAULT_MAX_UNZIPPED
    ocr: OcrLimits | None = None


_warm = False


def _warm_up() -> None:
    """Extract one small document in this process, once: pypdf and lxml import
    submodules and build tables on first use, and what the parent has done
    before the fork, no child has to do again (half the time per document)."""
    global _warm
    if not _warm:
        import io

        import pypdf

        blank = io.BytesIO()
        writer = pypdf.PdfWriter()
        writer.add_blank_page(width=595, height=842)
        writer.write(blank)
        with contextlib.suppress(ExtractionError):  # a blank page has no text; parsing it is the point
            extract(blank.getvalue())
        extract(b"<html><body><p>Aufw\xc3\xa4rmen</p></body></html>")
        _warm = True


def extract_limited(data: bytes, limits: Limits = Limits()) -> Extraction:
    """extract(data) in a limited child process; ExtractionError on any failure."""
    _warm_up()
    with tempfile.TemporaryDirectory(prefix="fulltext-sandbox-") as workdir:
        return _run_child(data, limits, Path(workdir))


def _run_child(data: bytes, limits: Limits, workdir: Path) -> Extraction:
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_child, args=(sender, data, limits, workdir), daemon=True)
    child.start()
    sender.close()
    timed_out = False
    deadline = Deadline(limits)
    try:
        message = _receive(receiver, deadline)
    finally:
        receiver.close()
        if child.is_alive():
            child.join(1)  # a child that has sent its message is about to exit
        if child.is_alive():
            timed_out = True
            child.kill()
        # a program the child started (OCR) must not outlive it
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signal.SIGKILL)
        child.join()
    if message is None:
        raise ExtractionError(_death_reason(child.exitcode, timed_out, limits, deadline.seconds))
    outcome, payload = message
    if outcome == "ok":
        return Extraction(**payload)
    raise ExtractionError(payload)


class Deadline:
    """`wall_seconds` from now, and `page_seconds` more for each page the child
    announces for text recognition (at most `max_pages` in all)."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.seconds = limits.wall_seconds
        self.pages = 0
        self._start = time.monotonic()

    def add_pages(self, count: int) -> None:
        ocr = self.limits.ocr
        if ocr is None:
            return
        granted = max(0, min(count, ocr.max_pages - self.pages))
        self.pages += granted
        self.seconds += granted * ocr.page_seconds

    def remaining(self) -> float:
        return max(0.0, self._start + self.seconds - time.monotonic())


def _receive(receiver, deadline: Deadline):
    """The child's result, or None when it died or ran out of time. Progress
    messages ("ocr", pages) on the way extend the deadline."""
    try:
        while receiver.poll(deadline.remaining()):
            message = receiver.recv()
            if message[0] == "ocr":
                deadline.add_pages(int(message[1]))
                continue
            return message
    except (EOFError, OSError):
        pass
    return None


def _death_reason(exitcode: int | None, timed_out: bool, limits: Limits, seconds: float) -> str:
    if timed_out:
        return (f"Die Textgewinnung dauerte länger als {seconds:g} s und wurde abgebrochen; "
                "das Dokument ist zu groß oder fehlerhaft.")
    if exitcode in (-signal.SIGXCPU, -signal.SIGKILL):  # RLIMIT_CPU's soft, then hard limit
        return (f"Die Textgewinnung brauchte mehr als {limits.cpu_seconds} s Rechenzeit und wurde "
                "abgebrochen; das Dokument ist zu groß oder fehlerhaft.")
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = str(-exitcode)
        return f"Die Textgewinnung brach ab (Signal {name}); das Dokument ist vermutlich fehlerhaft."
    return f"Die Textgewinnung brach ab (Exit-Code {exitcode}); das Dokument ist vermutlich fehlerhaft."


def _child(sender, data: bytes, limits: Limits, workdir: Path) -> None:
    try:
        os.setpgid(0, 0)
        _limit_resources(limits)
        result = extract(data, max_chars=limits.max_chars, max_pages=limits.max_pages,
                         max_unzipped=limits.max_unzipped, ocr=limits.ocr, workdir=workdir,
                         progress=lambda pages: sender.send(("ocr", pages)))
        message = ("ok", {"kind": result.kind, "mime_type": result.mime_type, "text": result.text,
                          "pages": result.pages, "truncated": result.truncated, "ocr_pages": result.ocr_pages,
                          "notes": result.notes})
    except ExtractionError as exc:
        message = ("error", exc.reason)
    except MemoryError:
        message = ("error", f"Die Textgewinnung brauchte mehr als {limits.memory_bytes // MiB} MB "
                            "Arbeitsspeicher und wurde abgebrochen (Dekompressionsbombe?).")
    except RecursionError:
        message = ("error", "Das Dokument ist zu tief verschachtelt und wurde nicht gelesen.")
    except BaseException as exc:  # noqa: BLE001 - the child reports, the parent decides
        message = ("error", f"Die Textgewinnung schlug fehl ({type(exc).__name__}: "
                            f"{' '.join(str(exc).split())[:160]}).")
    try:
        sender.send(message)
    except MemoryError:
        sender.send(("error", f"Die Textgewinnung brauchte mehr als {limits.memory_bytes // MiB} MB "
                              "Arbeitsspeicher und wurde abgebrochen."))
    finally:
        sender.close()


def _limit_resources(limits: Limits) -> None:
    # The fork shares the parent's pages, which count towards RLIMIT_AS; the
    # limit is the growth allowed on top of them.
    with open("/proc/self/statm") as statm:
        current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    memory = current + limits.memory_bytes
    # The hard limits leave room for the text recognition's programs, which
    # set their own soft limits (ocr.py); this process is held by the soft ones.
    ocr = limits.ocr
    resource.setrlimit(resource.RLIMIT_AS, (memory, max(memory, ocr.memory_bytes if ocr else 0)))
    # a forked child's CPU time starts at zero
    hard_cpu = max(limits.cpu_seconds, ocr.page_seconds * ocr.max_pages if ocr else 0) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, hard_cpu))
    # the default SIGXCPU action ends the process; make sure nobody changed it
    signal.signal(signal.SIGXCPU, signal.SIG_DFL)
