"""German search: folding for the compound dictionary, the word lists shipped
with the Solr config set, snippet rendering and the search parameters."""
from __future__ import annotations

import re

import pytest

from ckanext.thueringen.search.analysis import COMPOUND_DICTIONARY, STOPWORDS, SYNONYMS, fold, is_compound_of, word_list
from ckanext.thueringen.search.query import german_search_params, highlight_params, is_free_text, snippets_from_response
from ckanext.thueringen.search.snippets import MARK_END, MARK_START, render_snippet, render_snippets


@pytest.mark.parametrize("word, folded", [
    ("Straße", "strasse"), ("Strasse", "strasse"), ("Schloß", "schloss"),
    ("Haushaltspläne", "haushaltsplane"), ("Kindertagesstätte", "kindertagesstatte"),
    ("Lärm", "larm"), ("Laerm", "larm"), ("Öffentlich", "offentlich"), ("Oeffentlich", "offentlich"),
    ("Übersicht", "ubersicht"), ("Uebersicht", "ubersicht"),
    # "ue" after a vowel or q is no umlaut: Bauer, Steuer, Quelle keep their e.
    ("Bauer", "bauer"), ("Steuer", "steuer"), ("Quelle", "quelle"),
])
def test_fold_matches_german_normalisation(word, folded):
    assert fold(word) == folded


def test_compound_dictionary_is_folded_sorted_and_large():
    entries = word_list(COMPOUND_DICTIONARY)
    assert len(entries) >= 1000
    not_folded = [entry for entry in entries if fold(entry) != entry]
    assert not_folded == []
    assert entries == sorted(set(entries))
    assert all(len(entry) >= 3 for entry in entries)
    for part in ("haushalt", "plan", "bebauung", "kind", "tages", "statte", "strasse", "verkehr",
                 "umwelt", "bericht", "satzung", "verordnung", "vertrag", "gutachten", "sitzung",
                 "protokoll", "stelle", "akte", "beschluss", "wasser", "abfall", "schule"):
        assert part in entries


def test_compound_dictionary_holds_parts_not_whole_compounds():
    entries = set(word_list(COMPOUND_DICTIONARY))
    assert [entry for entry in sorted(entries) if is_compound_of(entry, entries)] == []


def test_is_compound_of_knows_linking_elements():
    parts = {"bebauung", "plan", "haushalt", "kinder", "tages", "statte"}
    assert is_compound_of("bebauungsplan", parts)
    assert is_compound_of("kindertagesstatte", parts)
    assert not is_compound_of("plan", parts)
    assert not is_compound_of("planung", parts)


def test_compound_dictionary_leaves_out_parts_hidden_in_unrelated_words():
    entries = set(word_list(COMPOUND_DICTIONARY))
    assert not entries & {"ort", "tor", "band", "art", "tal", "zug"}


def test_stop_words_are_lower_case_and_keep_negations():
    words = word_list(STOPWORDS)
    assert words == [w.lower() for w in words]
    assert {"der", "die", "das", "und", "für", "fuer"} <= set(words)
    assert not {"nicht", "kein", "ohne", "gegen", "über"} & set(words)


def test_synonym_lines_are_groups_of_two_or_more():
    groups = [line for line in word_list(SYNONYMS)]
    assert any(line.startswith("Kita, Kindertagesstätte") for line in groups)
    for line in groups:
        terms = [t.strip() for t in re.split(r",|=>", line)]
        assert len(terms) >= 2 and all(terms), line


def test_snippet_escapes_text_and_keeps_only_marks():
    raw = f"Der <b>{MARK_START}Haushaltsplan{MARK_END}</b> & \n\n die {MARK_START}Pläne{MARK_END}"
    assert render_snippet(raw) == ("Der &lt;b&gt;<mark>Haushaltsplan</mark>&lt;/b&gt; &amp; "
                                   "die <mark>Pläne</mark>")


def test_snippet_closes_an_unbalanced_mark_and_drops_duplicates():
    assert render_snippet(f"{MARK_START}Plan") == "<mark>Plan</mark>"
    assert render_snippet(f"Plan{MARK_END}") == "Plan"
    assert render_snippets(["a  b", "a b", "  "]) == ["a b"]


@pytest.mark.parametrize("q, free", [
    ("Haushaltsplan 2024", True), ("", False), ("*:*", False), ("name:haushalt", False),
    ('""', False), (None, False),
])
def test_free_text_queries(q, free):
    assert is_free_text(q) is free


def test_free_text_search_uses_edismax_over_the_given_fields():
    params = german_search_params({"q": "Kita", "fq": "+organization:jena", "rows": 5}, "title_de^4 text")
    assert params == {"q": "Kita", "fq": "+organization:jena", "rows": 5,
                      "defType": "edismax", "qf": "title_de^4 text"}


@pytest.mark.parametrize("data_dict", [
    {"q": "name:foo"}, {"q": ""}, {"q": "Kita", "defType": "lucene"}, {"q": "Kita", "qf": "title"}])
def test_fielded_or_caller_tuned_searches_stay_as_they_are(data_dict):
    assert german_search_params(dict(data_dict), "title_de") == data_dict


def test_highlight_query_asks_for_marked_snippets_of_the_page_only():
    params = highlight_params(["a-1", "b 2"], "Kita Jena", 3, 160, "thueringen")
    assert params["fq"] == ['id:("a-1" OR "b 2")', '+site_id:"thueringen"']
    assert params["rows"] == 2 and params["mm"] == "1"
    assert params["hl.method"] == "unified"
    assert (params["hl.tag.pre"], params["hl.tag.post"]) == (MARK_START, MARK_END)
    assert params["hl.fl"] == "fulltext notes_de"


def test_snippets_are_keyed_by_dataset_id_text_first():
    highlighting = {"idx-a": {"notes_de": [f"{MARK_START}Kita{MARK_END} Jena"],
                              "fulltext": [f"Die {MARK_START}Kita{MARK_END} <b>", "zwei", "drei"]},
                    "idx-unknown": {"fulltext": ["x"]}}
    found = snippets_from_response(highlighting, ["a", "b"], {"idx-a": "a"}, 3)
    assert found == {"a": ["Die <mark>Kita</mark> &lt;b&gt;", "zwei", "drei"], "b": []}
