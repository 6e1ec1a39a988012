"""Write schemas/vocabularies/iso-639-3.tsv: every ISO 639-3 language with its
codes and English and German names, the complement of the EU language list.

    .venv/bin/pip install pycountry && .venv/bin/python scripts/iso639_table.py

The portal's language vocabulary (eu-language.ttl) lists by hand the languages
German authorities publish in, with their EU URIs and labels. The EU's language
authority table names every other individual language by its ISO 639-3 code as
well (http://publications.europa.eu/resource/authority/language/NDS is Low
German), so this table lets the portal keep, label and export any of them
(vocabularies.py, `complement` in index.yaml). Data: pycountry (LGPL-2.1), from
Debian's iso-codes (LGPL-2.1+), which follows the ISO 639-3 registration
authority, SIL International. Not run by the stack: the table is committed.
"""
from __future__ import annotations

import csv
import gettext
import sys
from pathlib import Path

TARGET = (Path(__file__).resolve().parents[1] / "ckanext-thueringen" / "ckanext" / "thueringen" / "schemas"
          / "vocabularies" / "iso-639-3.tsv")
COLUMNS = ("code", "alpha_2", "bibliographic", "name_en", "name_de")


def rows() -> list[dict[str, str]]:
    import pycountry

    german = gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=["de"])
    table = []
    for language in pycountry.languages:
        name = language.name
        translated = german.gettext(name)
        table.append({"code": language.alpha_3.upper(), "alpha_2": getattr(language, "alpha_2", ""),
                      "bibliographic": getattr(language, "bibliographic", ""), "name_en": name,
                      "name_de": translated if translated != name else ""})
    return sorted(table, key=lambda row: row["code"])


def main() -> int:
    import pycountry

    table = rows()
    with TARGET.open("w", encoding="utf-8", newline="") as handle:
        version = getattr(pycountry, "__version__", "?")
        handle.write(f"# ISO 639-3 languages (pycountry {version}, Debian iso-codes; LGPL-2.1). "
                     "Written by scripts/iso639_table.py.\n")
        writer = csv.DictWriter(handle, COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)
    print(f"{len(table)} languages written to {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
