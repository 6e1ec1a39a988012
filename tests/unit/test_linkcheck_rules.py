"""ckanext.thueringen.linkcheck: the pure rules (no stack needed):
    .venv/bin/python -m pytest tests/unit/test_linkcheck_rules.py -p no:ckan -p no:ckan_fixtures -q
Scheduling spread, format/content-type mismatch, OGC detection, the refusal
of bad URLs, and the per-host politeness of the dispatcher.
"""
from __future__ import annotations

import collections
import datetime as dt
import ipaddress
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ckanext.thueringen import vocabularies
from ckanext.thueringen.linkcheck import mismatch, schedule, urls
from ckanext.thueringen.linkcheck.dispatch import Dispatcher
from ckanext.thueringen.linkcheck.mismatch import media_types_of
from ckanext.thueringen.security.outbound import OutboundPolicy

CSV_URI = "http://publications.europa.eu/resource/authority/file-type/CSV"
url_texts = st.text(min_size=1, max_size=200)
moments = st.datetimes(min_value=dt.datetime(2001, 1, 1), max_value=dt.datetime(2090, 1, 1))
intervals = st.floats(min_value=0.01, max_value=60, allow_nan=False)


# --- scheduling -------------------------------------------------------------------

@given(url_texts, moments, intervals)
def test_the_next_check_is_half_to_one_and_a_half_intervals_away_at_the_urls_phase(url, checked_at, days):
    period = max(1, int(days * 86400))
    due = schedule.next_check_at(url, checked_at, days)
    assert checked_at + dt.timedelta(seconds=period / 2) <= due < checked_at + dt.timedelta(seconds=1.5 * period)
    since_epoch = int((due - schedule.EPOCH).total_seconds())
    assert since_epoch % period == schedule.phase_seconds(url, period)
    assert schedule.next_check_at(url, checked_at, days) == due   # deterministic


@given(url_texts, moments, st.integers(min_value=0, max_value=3 * 86400))
def test_a_late_check_keeps_the_rhythm_of_one_interval(url, start, late_seconds):
    """Checked at its due time plus a backlog of up to 3 days, the next check is
    exactly one week after the one that was due."""
    due = schedule.next_check_at(url, start, 7)
    following = schedule.next_check_at(url, due + dt.timedelta(seconds=late_seconds), 7)
    assert following - due == dt.timedelta(days=7)


def test_100000_urls_are_spread_evenly_over_the_days_of_the_interval():
    """The same moment for all (a catalogue harvested at once): each day of the
    week gets a seventh of the checks, each hour a 168th, give or take."""
    checked_at = dt.datetime(2026, 12, 7, 12, 0)
    dues = [schedule.next_check_at(f"https://daten.example/{n}.csv", checked_at, 7) for n in range(100_000)]
    per_day = collections.Counter((due - checked_at).total_seconds() // 86400 for due in dues)
    assert sum(per_day.values()) == 100_000
    for count in per_day.values():
        # the half-open window of 3.5 to 10.5 days: 7 full days of 1/7 each, and half a day at each end
        assert count <= 100_000 / 7 * 1.05
    per_hour = collections.Counter((due - checked_at).total_seconds() // 3600 for due in dues)
    assert max(per_hour.values()) <= 100_000 / 168 * 1.25


# --- format and content type ------------------------------------------------------

@pytest.mark.parametrize("declared", ["CSV", CSV_URI, "csv", "text/csv", "CSV-Datei"])
def test_csv_in_any_declared_form_fits_text_csv(declared):
    assert mismatch.mismatch(declared, None, "text/csv; charset=utf-8") is None
    assert mismatch.mismatch(declared, None, "text/plain") is None


@pytest.mark.parametrize("declared", ["CSV", CSV_URI])
def test_csv_served_as_a_pdf_or_an_html_page_is_a_mismatch(declared):
    reason = mismatch.mismatch(declared, None, "application/pdf")
    assert reason is not None and "CSV" in reason and "application/pdf" in reason
    page = mismatch.mismatch(declared, None, "text/html; charset=utf-8", kind="download")
    assert page is not None and "HTML-Seite" in page


def test_an_html_landing_page_at_an_access_url_is_no_mismatch():
    assert mismatch.mismatch("CSV", None, "text/html", kind="access") is None


@pytest.mark.parametrize("served", ["application/octet-stream", "binary/octet-stream", "application/zip",
                                    "application/gzip", "", None])
def test_generic_and_archive_types_are_not_judged(served):
    assert mismatch.mismatch("CSV", None, served) is None


def test_an_unknown_declared_format_or_an_ogc_service_is_not_judged():
    assert mismatch.mismatch("Mein Sonderformat", None, "application/pdf") is None
    assert mismatch.mismatch("CSV", None, "application/vnd.ogc.wms_xml", ogc=True) is None


def test_the_media_type_field_declares_when_the_format_is_empty():
    assert mismatch.mismatch("", "application/json", "application/json") is None
    assert mismatch.mismatch("", "application/json", "application/pdf") is not None


_TYPED = [concept for concept in vocabularies.vocabulary("filetypes").current() if media_types_of(concept)]


@given(st.sampled_from(_TYPED), st.data())
def test_each_file_type_fits_its_own_media_types(concept, data):
    served = data.draw(st.sampled_from(sorted(media_types_of(concept))))
    for declared in (concept.uri, concept.label("de"), concept.code):
        assert mismatch.mismatch(declared, None, served) is None, (declared, served)
        assert mismatch.mismatch(declared, None, f"{served.upper()}; charset=UTF-8") is None


# --- OGC services -----------------------------------------------------------------

def _case(draw_bools, text):
    return "".join(c.upper() if flip else c.lower() for c, flip in zip(text, draw_bools, strict=False))


@given(st.sampled_from(sorted(urls.OGC_SERVICES)), st.lists(st.booleans(), min_size=40, max_size=40),
       st.booleans(), st.sampled_from(["", "&version=1.3.0", "&foo=bar"]))
def test_ogc_capabilities_requests_are_recognised_in_any_case_and_order(service, flips, swap, extra):
    params = [f"{_case(flips, 'service')}={_case(flips[7:], service)}",
              f"{_case(flips[10:], 'request')}={_case(flips[17:], 'GetCapabilities')}"]
    if swap:
        params.reverse()
    assert urls.is_ogc_request(f"https://geo.example/ows?{'&'.join(params)}{extra}")


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-/._", max_size=60))
def test_addresses_without_a_service_query_are_no_ogc_requests(path):
    assert not urls.is_ogc_request(f"https://daten.example/{path}")
    assert not urls.is_ogc_request(f"https://daten.example/{path}?page=2&format=csv")


# --- bad URLs -----------------------------------------------------------------------

@pytest.mark.parametrize("url, phrase", [
    ("ftp://daten.example/a.csv", "„ftp:“"), ("file:///etc/passwd", "„file:“"), ("javascript:alert(1)", "Schema"),
    ("gopher://daten.example/", "Schema"), ("daten.example/a.csv", "keine als Schema"),
    ("http:///a.csv", "keinen Rechner"), ("http://daten.example:99999/", "Port"),
    ("http://daten example/", "Leer"), ("http://10.0.0.1/a.csv", "privaten Netzes"),
    ("http://169.254.169.254/latest/meta-data/", "Link-local"), ("http://[::1]:8080/", "Loopback"),
    ("http://127.0.0.1:5432/", "Loopback"), ("http://[::ffff:10.0.0.1]/", "privaten Netzes"),
    ("http://2130706433/", "IP-Adresse"), ("http://0x7f.0.0.1/", "IP-Adresse"), ("", "leer"),
])
def test_bad_urls_are_refused_with_a_german_reason(url, phrase):
    reason = urls.refusal(url, OutboundPolicy())
    assert reason is not None and phrase in reason, reason


@given(st.integers(min_value=int(ipaddress.ip_address("10.0.0.0")), max_value=int(ipaddress.ip_address("10.255.255.255"))),
       st.sampled_from(["http", "https"]))
def test_every_address_of_a_private_range_is_refused(number, scheme):
    assert urls.refusal(f"{scheme}://{ipaddress.ip_address(number)}/daten.csv", OutboundPolicy()) is not None


def test_public_addresses_and_names_pass_and_the_allow_list_opens_an_internal_one():
    for url in ("https://daten.example/a.csv", "http://8.8.8.8/", "https://geo.example:8443/ows?service=WMS"):
        assert urls.refusal(url, OutboundPolicy()) is None
    assert urls.refusal("http://127.0.0.1:8123/x", OutboundPolicy("127.0.0.1:8000-9000")) is None
    assert urls.refusal("http://127.0.0.1:9123/x", OutboundPolicy("127.0.0.1:8000-9000")) is not None


def test_the_links_of_a_resource_leave_uploads_out():
    resource = {"url": "https://a.example/x.csv", "access_url": " https://a.example/ ",
                "download_url": "https://a.example/x.csv"}
    assert urls.links_of(resource) == [("url", "access", "https://a.example/x.csv"),
                                       ("access_url", "access", "https://a.example/"),
                                       ("download_url", "download", "https://a.example/x.csv")]
    assert urls.links_of({"url": "daten.csv", "url_type": "upload"}) == []
    assert urls.unique_urls([resource, resource]) == ["https://a.example/x.csv", "https://a.example/"]


# --- politeness -----------------------------------------------------------------------

@settings(max_examples=15, deadline=None)
@given(st.lists(st.sampled_from("abcd"), min_size=1, max_size=14), st.integers(min_value=1, max_value=4))
def test_one_host_is_never_requested_twice_at_once_and_pauses_between(hosts, threads):
    pause, busy = 0.02, 0.005
    log: list[tuple[str, float, float]] = []
    lock = threading.Lock()

    def work(item):
        host, _ = item
        start = time.monotonic()
        time.sleep(busy)
        with lock:
            log.append((host, start, time.monotonic()))
        return item

    items = [(host, (host, n)) for n, host in enumerate(hosts)]
    done = list(Dispatcher(threads, pause).run(items, work))
    assert sorted(item for item, _ in done) == sorted(item for _, item in items)
    for host in set(hosts):
        spans = sorted((start, end) for h, start, end in log if h == host)
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert start >= end + pause - 0.002, (host, spans)


def test_different_hosts_are_requested_at_the_same_time():
    running, peak, lock = [0], [0], threading.Lock()

    def work(item):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1

    list(Dispatcher(4, 0.0).run([(host, host) for host in "abcd"], work))
    assert peak[0] == 4


def test_the_pause_holds_across_runs_of_one_dispatcher():
    dispatcher, ends, starts = Dispatcher(2, 0.2), [], []
    list(dispatcher.run([("a", 1)], lambda item: ends.append(time.monotonic())))
    list(dispatcher.run([("a", 2)], lambda item: starts.append(time.monotonic())))
    assert starts[0] - ends[0] >= 0.19


def test_a_failing_work_item_is_handed_back_and_the_others_go_on():
    def work(item):
        if item == 2:
            raise ValueError("kaputt")
        return item * 10

    done = dict(Dispatcher(2, 0.0).run([("a", 1), ("a", 2), ("b", 3)], work))
    assert done[1] == 10 and done[3] == 30 and isinstance(done[2], ValueError)
