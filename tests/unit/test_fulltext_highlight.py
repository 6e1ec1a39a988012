"""The search words marked in a document's text (fulltext/highlight.py): pure."""
from __future__ import annotations

from ckanext.thueringen.fulltext.highlight import count_matches, highlight, parts, query_terms


def _marked(text: str, q: str) -> list[str]:
    import re

    return re.findall(r'<mark id="treffer-\d+">(.*?)</mark>', highlight(text, query_terms(q)).html)


def test_compound_parts_inflections_and_spellings_are_marked():
    text = ("Der Haushaltsplan 2026 nennt die Beiträge für die Kita am Markt. "
            "Die Straße und die Strasse; die Änderungen der Satzung; Kitas und Gebühren.")
    assert _marked(text, "Haushalt Plan") == ["Haushaltsplan"]
    assert _marked(text, "Beitrag") == ["Beiträge"]
    assert _marked(text, "Kitas") == ["Kita", "Kitas"]
    assert _marked(text, "Strasse") == ["Straße", "Strasse"]
    assert _marked(text, "Aenderung") == ["Änderungen"]
    # operators and function words mark nothing
    assert _marked(text, "die AND der") == []


def test_the_text_is_escaped_and_only_mark_is_markup():
    result = highlight('<script>alert("x")</script> Gutachten & Plan', query_terms("Gutachten"))
    assert result.html == ('&lt;script&gt;alert("x")&lt;/script&gt; <mark id="treffer-1">Gutachten</mark> '
                           '&amp; Plan')
    assert result.count == 1
    assert highlight("<b>", ()).html == "&lt;b&gt;"


def test_marks_are_numbered_across_parts():
    text = "Plan eins\n" * 5
    terms = query_terms("Plan")
    assert count_matches(text, terms) == 5
    second = highlight(text, terms, first_id=3)
    assert 'id="treffer-3"' in second.html and 'id="treffer-7"' in second.html


def test_long_texts_are_cut_into_parts_at_line_breaks():
    text = "".join(f"Zeile {n:04d}\n" for n in range(1000))
    spans = parts(text, 1000)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(text[end - 1] == "\n" for _, end in spans)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    assert parts("", 10) == [(0, 0)]
