"""OCR benchmark: pages per second of the worker's extraction path for the
same pages with a text layer and as scans (text recognition). Not a test: it
measures and reports. Needs no stack; needs Tesseract with its German model
and poppler's pdftoppm (scripts/stack.py installs them).

    .venv/bin/python tests/benchmarks/ocr_benchmark.py --count 12 --max-pages 4

What it does (docs/benchmarks.md, "Text recognition (OCR)"):

1. writes COUNT documents of 1 … MAX_PAGES pages of German administrative
   prose (the generator of extraction_benchmark.py, seeded), each twice:
   as a text PDF (scripts/pdf_writer.write_pdf) and as a scan of the same
   pages (write_scanned_pdf: the pages rendered at --scan-dpi, grey, and
   wrapped as images in a PDF without text layer);
2. extracts every document with `sandbox.extract_limited` — the worker's
   path — with the portal's default limits (OCR at 300 dpi, one Tesseract
   thread), text and scan interleaved document by document;
3. prints pages, wall and CPU seconds (this process and its children: the
   extraction child, pdftoppm, tesseract), pages/s and pages per CPU
   second, and the share of the marker words the recognition got back
   exactly (exit code 1 if a text PDF lost its marker).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from extraction_benchmark import cpu_seconds, page_text  # noqa: E402

from ckanext.thueringen.fulltext.ocr import OcrLimits  # noqa: E402
from ckanext.thueringen.fulltext.sandbox import Limits, extract_limited  # noqa: E402
from pdf_writer import write_pdf, write_scanned_pdf  # noqa: E402

SEED = 7


def generate(count: int, max_pages: int, dpi: int) -> list[dict]:
    rng = random.Random(SEED)
    documents = []
    for number in range(count):
        pages = [page_text(rng, f"scan{number:04d}x" if page == 0 else None)
                 for page in range(rng.randint(1, max_pages))]
        documents.append({"marker": f"scan{number:04d}x", "text": write_pdf(pages),
                          "scan": write_scanned_pdf(pages, dpi=dpi)})
    return documents


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=12)
    parser.add_argument("--max-pages", type=int, default=4)
    parser.add_argument("--scan-dpi", type=int, default=200, help="resolution of the generated scans")
    parser.add_argument("--json", type=Path, help="write the raw results here")
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} CPUs, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    started = time.perf_counter()
    documents = generate(args.count, args.max_pages, args.scan_dpi)
    print(f"generated {len(documents)} documents as text PDFs and as scans at {args.scan_dpi} dpi "
          f"in {time.perf_counter() - started:.1f} s", flush=True)

    limits = Limits(ocr=OcrLimits())
    extract_limited(documents[0]["text"], limits)  # warm-up outside the measurement
    totals = {kind: {"seconds": 0.0, "cpu_seconds": 0.0, "pages": 0, "markers": 0, "ocr_pages": 0}
              for kind in ("text", "scan")}
    for document in documents:
        for kind in ("text", "scan"):
            wall, cpu = time.perf_counter(), cpu_seconds()
            result = extract_limited(document[kind], limits)
            totals[kind]["seconds"] += time.perf_counter() - wall
            totals[kind]["cpu_seconds"] += cpu_seconds() - cpu
            totals[kind]["pages"] += result.pages or 0
            totals[kind]["markers"] += document["marker"] in result.text
            totals[kind]["ocr_pages"] += len(result.ocr_pages)
    rows = []
    for kind, total in totals.items():
        pages = total["pages"]
        row = {"kind": kind, "documents": len(documents), **total,
               "pages_per_second": pages / total["seconds"],
               "pages_per_cpu_second": pages / max(total["cpu_seconds"], 1e-9)}
        rows.append(row)
        print(f"{kind:<5} {len(documents):>4} docs {pages:>5} pages ({total['ocr_pages']} by OCR) "
              f"{total['seconds']:8.1f} s wall {total['cpu_seconds']:8.1f} s CPU "
              f"{row['pages_per_second']:7.2f} pages/s {row['pages_per_cpu_second']:7.2f} pages/CPU-s "
              f"markers {total['markers']}/{len(documents)}", flush=True)
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.json:
        args.json.write_text(json.dumps({"count": args.count, "max_pages": args.max_pages, "seed": SEED,
                                         "scan_dpi": args.scan_dpi, "cpus": os.cpu_count(), "results": rows},
                                        indent=2))
    return 1 if totals["text"]["markers"] < len(documents) else 0


if __name__ == "__main__":
    sys.exit(main())
