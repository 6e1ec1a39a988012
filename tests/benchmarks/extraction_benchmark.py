"""Full-text extraction benchmark: pages per second of the portal's
extraction path against the stock alternatives, on generated PDFs. Not a test:
it measures and reports. Needs no stack (extraction is pure; the job around it
adds one download and one Solr update per document).

    .venv/bin/python tests/benchmarks/extraction_benchmark.py --count 200 --max-pages 40

What it does (docs/benchmarks.md, "Full-text extraction"):

1. writes COUNT PDFs of 1 … MAX_PAGES pages (seeded, so every run gets the same
   files) with German administrative prose — umlauts, ß, €, words hyphenated at
   line ends — through scripts/pdf_writer.py;
2. extracts every file, one after the other as the single job worker does,
   the methods interleaved document by document (a shared machine's changing
   load falls on all alike), after one warm-up document each, with
   - ours: `sandbox.extract_limited` — a forked child per document with
     RLIMIT_AS, RLIMIT_CPU, wall-clock deadline and text cap; sniffing,
     pypdf, dehyphenation, tidying;
   - stock pypdf: `PdfReader(...).pages[i].extract_text()` in-process, no
     limits, no post-processing;
   - pdftotext (poppler-utils), a process per document, if installed;
3. prints documents, pages, wall and CPU seconds (own process plus children),
   pages/s, pages per CPU second and documents/s per method, and checks that
   every method found the marker word of every document (exit code 1 if not).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from ckanext.thueringen.fulltext.sandbox import Limits, extract_limited  # noqa: E402
from pdf_writer import write_pdf  # noqa: E402

SEED = 5
WORDS = (
    "Haushaltsplan Zuwendungsbescheid Verpflichtungsermächtigung Landesverwaltungsamt Gemeinderat "
    "Beschlussvorlage Straßenbaulastträger Abwasserzweckverband Kreistag Förderrichtlinie Jahresabschluss "
    "Beteiligungsbericht Gebührensatzung Bebauungsplan Umweltinformation Tätigkeitsbericht Stellenplan "
    "Vergabeverfahren Auftragnehmer Ausschreibung Fördermittel Maßnahme Prüfung Größenordnung Übersicht "
    "öffentlich Thüringen Erfurt Jena Gera Weimar Gotha Nordhausen Eisenach Suhl Ilmenau Mühlhausen "
    "der die das und oder für über mit nach bei zur zum im am vom wird wurden ist sind hat haben "
    "gemäß insbesondere jeweils sowie bereits künftig erforderlich zuständig vorgesehen beschlossen"
).split()


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 18))]
    if rng.random() < 0.3:
        words.append(f"{rng.randint(1, 999)}.{rng.randint(0, 999):03d} €")
    return " ".join(words).capitalize() + "."


def page_text(rng: random.Random, marker: str | None) -> str:
    paragraphs = []
    for _ in range(rng.randint(4, 7)):
        text = " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))
        paragraphs.append(text)
    if marker:
        paragraphs.insert(1, f"Kennung {marker}: Haushalts-\nplan und Bund-\nLänder-Vereinbarung.")
    return "\n\n".join(paragraphs)


def generate(count: int, max_pages: int, folder: Path) -> list[tuple[Path, int, str]]:
    rng = random.Random(SEED)
    files = []
    for number in range(count):
        pages = rng.randint(1, max_pages)
        marker = f"dok{number:05d}x"
        data = write_pdf([page_text(rng, marker if page == 0 else None) for page in range(pages)],
                         title=f"Dokument {number}")
        path = folder / f"{marker}.pdf"
        path.write_bytes(data)
        files.append((path, pages, marker))
    return files


def ours(data: bytes) -> tuple[str, int]:
    result = extract_limited(data, Limits())
    return result.text, result.pages or 0


def stock_pypdf(data: bytes) -> tuple[str, int]:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                          text=True, timeout=120).stdout


def cpu_seconds() -> float:
    """CPU time of this process and its finished children: the cost of the work
    itself, which a loaded machine's waiting does not inflate."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(methods: dict, files) -> list[dict]:
    """Every method on every file, interleaved document by document, so that a
    shared machine's changing load falls on all methods alike."""
    totals = {name: {"seconds": 0.0, "cpu_seconds": 0.0, "missing": 0} for name in methods}
    for path, _, marker in files:
        for name, run in methods.items():
            started, cpu_started = time.perf_counter(), cpu_seconds()
            text = run(path)
            totals[name]["seconds"] += time.perf_counter() - started
            totals[name]["cpu_seconds"] += cpu_seconds() - cpu_started
            totals[name]["missing"] += marker not in text
    pages = sum(page_count for _, page_count, _ in files)
    rows = []
    for name, total in totals.items():
        seconds, cpu = total["seconds"], total["cpu_seconds"]
        row = {"method": name, "documents": len(files), "pages": pages, "seconds": seconds, "cpu_seconds": cpu,
               "pages_per_second": pages / seconds, "pages_per_cpu_second": pages / max(cpu, 1e-9),
               "documents_per_second": len(files) / seconds, "marker_missing": total["missing"]}
        rows.append(row)
        print(f"{name:<24} {len(files):>4} docs {pages:>5} pages {seconds:7.1f} s wall {cpu:7.1f} s CPU "
              f"{row['pages_per_second']:6.1f} pages/s {row['pages_per_cpu_second']:6.1f} pages/CPU-s "
              f"{row['documents_per_second']:6.2f} docs/s  markers missing: {total['missing']}", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--max-pages", type=int, default=40)
    parser.add_argument("--keep", type=Path, help="write the PDFs here and keep them")
    parser.add_argument("--json", type=Path, help="write the raw results here")
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} CPUs, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)

    folder = args.keep or Path(tempfile.mkdtemp(prefix="extraction-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    files = generate(args.count, args.max_pages, folder)
    size = sum(path.stat().st_size for path, _, _ in files)
    print(f"generated {len(files)} PDFs, {sum(p for _, p, _ in files)} pages, {size / 1e6:.1f} MB "
          f"in {time.perf_counter() - started:.1f} s ({folder})", flush=True)

    methods = {
        "ours (child + limits)": lambda path: ours(path.read_bytes())[0],
        "stock pypdf in-process": lambda path: stock_pypdf(path.read_bytes())[0],
    }
    if shutil.which("pdftotext"):
        methods["pdftotext (poppler)"] = pdftotext
    else:
        print("pdftotext: not installed (Debian package poppler-utils), skipped")
    for run in methods.values():  # first-use imports and tables, outside the measurement
        run(files[0][0])
    rows = measure(methods, files)
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.json:
        args.json.write_text(json.dumps({"count": args.count, "max_pages": args.max_pages, "seed": SEED,
                                         "cpus": os.cpu_count(), "results": rows}, indent=2))
    if not args.keep:
        shutil.rmtree(folder)
    return 1 if any(row["marker_missing"] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
