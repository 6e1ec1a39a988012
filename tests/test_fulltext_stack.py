"""Full text of documents on the real stack: the dataset's resources point at
a local HTTP server in this test; CKAN (gunicorn) queues the jobs on Redis,
the stack's `fulltext-worker` (`ckan jobs worker fulltext`) fetches, extracts
and stores the text in its own table and re-indexes the dataset in Solr."""
from __future__ import annotations

import json
import socket
import threading
import time
import uuid

import pytest
import requests

import fulltext_documents as documents
from conftest import run_stack, wait_until
from pdf_writer import write_pdf

JOB_TIMEOUT = 180


@pytest.fixture
def document_server():
    server = documents.DocumentServer()
    yield server
    server.close()


@pytest.fixture
def organization(sysadmin_api):
    suffix = uuid.uuid4().hex[:8]
    return sysadmin_api("organization_create", name=f"volltext-{suffix}", title=f"Volltextamt {suffix}")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _statuses(api, dataset_id: str) -> dict[str, dict]:
    return {status["resource_id"]: status
            for status in api("thueringen_fulltext_status", id=dataset_id)["resources"]}


def _settled(api, dataset_id: str, final: bool = True):
    """All documents out of pending (retries included when `final`), else None."""
    statuses = _statuses(api, dataset_id)
    if any(status["status"] == "pending" for status in statuses.values()):
        return None
    return statuses


def _search(api, q: str) -> list[str]:
    return [result["id"] for result in api("package_search", q=q, rows=10)["results"]]


def test_documents_are_extracted_stored_outside_package_show_and_searchable(
        sysadmin_api, anonymous_api, document_server, organization, stack):
    word = f"pdfwort{uuid.uuid4().hex[:8]}"
    docx_word = f"docxwort{uuid.uuid4().hex[:8]}"
    html_word = f"htmlwort{uuid.uuid4().hex[:8]}"
    text_word = f"textwort{uuid.uuid4().hex[:8]}"
    pdf = write_pdf([f"Haushaltsplan der Stadt Jena – {word}", "Zweite Seite: Verpflichtungs-\nermächtigungen"])
    resources = [
        # served under a misleading name and type: the content decides
        {"name": "Haushaltsplan", "url": document_server.put("/haushalt.txt", pdf, "text/plain")},
        {"name": "Vertrag", "url": document_server.put("/vertrag", documents.docx([f"Vertrag {docx_word}"]),
                                                       "application/octet-stream")},
        {"name": "Bekanntmachung", "url": document_server.put(
            "/bekanntmachung.html", documents.html("Bekanntmachung", [f"Größe {html_word}"]), "text/html")},
        {"name": "Notiz", "url": document_server.put("/notiz.txt", f"Grüße {text_word}".encode("cp1252"),
                                                     "text/plain")},
        {"name": "Verschlüsselt", "url": document_server.put("/geheim.pdf", documents.encrypted_pdf(),
                                                             "application/pdf")},
        {"name": "Bombe", "url": document_server.put("/bombe.pdf", documents.flate_bomb_pdf(200),
                                                     "application/pdf")},
        {"name": "Unerreichbar", "url": f"http://127.0.0.1:{_closed_port()}/weg.pdf"},
        # a data file, not a document: neither fetched nor extracted
        {"name": "Daten", "url": document_server.put("/daten.csv", b"a;b\n1;2\n", "text/csv"), "format": "CSV"},
    ]
    dataset = sysadmin_api("package_create", name=f"volltext-{uuid.uuid4().hex[:8]}", title="Volltexttest",
                           owner_org=organization["id"], license_id="cc-by", notes="Dokumente zum Test.", resources=resources)
    ids = {resource["name"]: resource["id"] for resource in dataset["resources"]}

    statuses = wait_until(lambda: _settled(anonymous_api, dataset["id"]), timeout=JOB_TIMEOUT, interval=2,
                          what="all documents extracted or failed")
    by_name = {name: statuses[resource_id] for name, resource_id in ids.items()}

    pdf_status = by_name["Haushaltsplan"]
    assert (pdf_status["status"], pdf_status["pages"], pdf_status["mime_type"]) == ("done", 2, "application/pdf")
    assert len(pdf_status["content_hash"]) == 64
    for name in ("Vertrag", "Bekanntmachung", "Notiz"):
        assert by_name[name]["status"] == "done", by_name[name]
    assert by_name["Vertrag"]["mime_type"].endswith("wordprocessingml.document")
    assert by_name["Verschlüsselt"]["status"] == "failed"
    assert "verschlüsselt" in by_name["Verschlüsselt"]["reason"]
    assert by_name["Bombe"]["status"] == "failed"
    assert "Dekompressionsbombe" in by_name["Bombe"]["reason"]
    unreachable = by_name["Unerreichbar"]
    assert unreachable["status"] == "failed" and unreachable["attempts"] == 3
    assert "nach 3 Versuchen" in unreachable["reason"] and "lehnt die Verbindung ab" in unreachable["reason"]

    data_file = by_name["Daten"]
    assert (data_file["document"], data_file["status"]) == (False, "failed")
    assert "kein Textdokument (Format CSV)" in data_file["reason"]
    assert "/daten.csv" not in document_server.requests

    # Solr finds the dataset by words that are only in the documents ...
    for only_in_document in (word, docx_word, html_word, text_word, "Verpflichtungsermächtigungen"):
        assert dataset["id"] in _search(anonymous_api, only_in_document), only_in_document
    # ... while package_show (and the API in general) stays without the text
    shown = json.dumps(anonymous_api("package_show", id=dataset["id"]), ensure_ascii=False)
    for only_in_document in (word, docx_word, html_word, text_word):
        assert only_in_document not in shown
    assert "fulltext" not in shown
    single = anonymous_api("thueringen_fulltext_status", id=ids["Haushaltsplan"])
    assert single["status"] == "done" and "text" not in single

    # the resource page says so in German (the default locale)
    page = requests.get(f"{stack['web_url']}/dataset/{dataset['name']}/resource/{ids['Haushaltsplan']}",
                        timeout=30).text
    assert "Volltext: erfasst (2 Seiten)" in page
    page = requests.get(f"{stack['web_url']}/dataset/{dataset['name']}", timeout=30).text
    assert "Volltext: fehlgeschlagen – Das PDF ist verschlüsselt" in page

    # the hostile documents did not take the worker down
    assert "fulltext-worker" in run_stack("status", check=False).stdout
    assert "fulltext-worker  -                running" in run_stack("status", check=False).stdout


def test_changed_content_is_extracted_again_and_unchanged_content_is_not(
        sysadmin_api, anonymous_api, document_server, organization):
    old_word, new_word = f"altwort{uuid.uuid4().hex[:8]}", f"neuwort{uuid.uuid4().hex[:8]}"
    url = document_server.put("/bericht.pdf", write_pdf([f"Bericht {old_word}"]), "application/pdf")
    dataset = sysadmin_api("package_create", name=f"volltext-{uuid.uuid4().hex[:8]}", title="Änderungstest",
                           owner_org=organization["id"], license_id="cc-by", notes="Dokumente zum Test.",
                           resources=[{"name": "Bericht", "url": url}])
    resource_id = dataset["resources"][0]["id"]

    def status():
        return anonymous_api("thueringen_fulltext_status", id=resource_id)

    first = wait_until(lambda: status() if status()["status"] == "done" else None, timeout=JOB_TIMEOUT,
                       interval=1, what="first extraction")
    assert dataset["id"] in _search(anonymous_api, old_word)

    # an update of the dataset with the same document: fetched, compared, not extracted again
    fetched_before = document_server.requests["/bericht.pdf"]
    sysadmin_api("package_patch", id=dataset["id"], notes="Beschreibung geändert")
    unchanged = wait_until(lambda: status() if status()["updated_at"] != first["updated_at"] else None,
                           timeout=JOB_TIMEOUT, interval=1, what="the unchanged document checked")
    assert document_server.requests["/bericht.pdf"] == fetched_before + 1
    assert unchanged["status"] == "done"
    assert unchanged["content_hash"] == first["content_hash"]
    assert unchanged["extracted_at"] == first["extracted_at"]

    # new bytes under the same address: extracted again, the index follows
    document_server.put("/bericht.pdf", write_pdf([f"Neuer Bericht {new_word}", "Seite zwei"]), "application/pdf")
    sysadmin_api("package_patch", id=dataset["id"], notes="Dokument ersetzt")
    changed = wait_until(lambda: status() if status()["content_hash"] != first["content_hash"] else None,
                         timeout=JOB_TIMEOUT, interval=1, what="the changed document extracted")
    assert changed["status"] == "done" and changed["pages"] == 2
    assert changed["extracted_at"] != first["extracted_at"]
    wait_until(lambda: dataset["id"] in _search(anonymous_api, new_word), timeout=30, what="new text indexed")
    assert dataset["id"] not in _search(anonymous_api, old_word)


def test_status_of_a_private_dataset_is_not_public(sysadmin_api, anonymous_api, organization, document_server):
    dataset = sysadmin_api("package_create", name=f"volltext-{uuid.uuid4().hex[:8]}", title="Intern",
                           owner_org=organization["id"], license_id="cc-by", notes="Dokumente zum Test.", private=True,
                           resources=[{"name": "Intern", "url": document_server.put(
                               "/intern.txt", b"intern", "text/plain")}])
    assert anonymous_api.raw("thueringen_fulltext_status", id=dataset["id"]).status_code == 403
    assert anonymous_api.raw("thueringen_fulltext_status", id=dataset["resources"][0]["id"]).status_code == 403
    assert sysadmin_api("thueringen_fulltext_status", id=dataset["id"])["package_id"] == dataset["id"]
    missing = anonymous_api.raw("thueringen_fulltext_status", id="gibt-es-nicht")
    assert missing.status_code == 404
    assert "Ressource oder Datensatz nicht gefunden" in missing.json()["error"]["message"]


def test_rows_of_removed_documents_and_deleted_datasets_are_dropped(
        sysadmin_api, anonymous_api, document_server, organization):
    import ckan.model as model

    from ckanext.thueringen.fulltext import storage

    dataset = sysadmin_api("package_create", name=f"volltext-{uuid.uuid4().hex[:8]}", title="Aufräumen",
                           owner_org=organization["id"], license_id="cc-by", notes="Dokumente zum Test.",
                           resources=[{"name": name, "url": document_server.put(f"/{name}.txt", name.encode(),
                                                                                "text/plain")}
                                      for name in ("eins", "zwei")])
    first, second = (resource["id"] for resource in dataset["resources"])
    wait_until(lambda: _settled(anonymous_api, dataset["id"]), timeout=JOB_TIMEOUT, interval=1,
               what="both documents extracted")

    def row(resource_id):
        model.Session.remove()  # a fresh transaction sees the worker's commits
        return storage.get(resource_id)

    assert row(first).status == row(second).status == "done"
    sysadmin_api("resource_delete", id=second)
    wait_until(lambda: row(second) is None, timeout=JOB_TIMEOUT, interval=1, what="removed document's row dropped")
    assert row(first) is not None

    sysadmin_api("package_delete", id=dataset["id"])
    wait_until(lambda: row(first) is None, timeout=JOB_TIMEOUT, interval=1, what="deleted dataset's rows dropped")


def test_worker_runs_below_the_harvest_and_keeps_its_database_connection(
        sysadmin_api, anonymous_api, document_server, organization):
    """The worker lowers its CPU priority (`thueringen.fulltext.worker_nice`, 10) and
    keeps its PostgreSQL connection from job to job: twenty documents do not open
    twenty database sessions (CKAN's worker disposes of its engine after each job,
    which is right for its forked work horse, not for a worker that goes on)."""
    import ckan.model as model
    import sqlalchemy as sa

    from conftest import STATE_DIR

    pid = int((STATE_DIR / "pids" / "fulltext-worker.pid").read_text())
    nice = int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[16])
    assert nice == 10

    def sessions() -> int:
        model.Session.remove()
        return model.Session.execute(sa.text(
            "SELECT sessions FROM pg_stat_database WHERE datname = current_database()")).scalar()

    documents = [{"name": f"Notiz {n}", "url": document_server.put(f"/notiz-{n}.txt", f"Notiz {n}".encode(),
                                                                      "text/plain")} for n in range(20)]
    before = sessions()
    dataset = sysadmin_api("package_create", name=f"volltext-{uuid.uuid4().hex[:8]}", title="Verbindungstest",
                           owner_org=organization["id"], license_id="cc-by", notes="Zwanzig Notizen.",
                           resources=documents)
    statuses = wait_until(lambda: _settled(anonymous_api, dataset["id"]), timeout=JOB_TIMEOUT, interval=1,
                          what="twenty documents extracted")
    assert [status["status"] for status in statuses.values()] == ["done"] * 20
    # this test's own reads and the web workers' pools may add a few; one per job would add 20 and more
    assert sessions() - before < 10


# --- the commands (`ckan thueringen fulltext ...`, as an operator runs them) ---------------

def _fulltext_command(*args: str, check: bool = True):
    return run_stack("ckan", "thueringen", "fulltext", *args, check=check)


def _counts_in_the_database() -> dict[str, int]:
    import ckan.model as model
    import sqlalchemy as sa

    model.Session.remove()
    rows = model.Session.execute(sa.text("SELECT status, count(*) FROM thueringen_fulltext GROUP BY status")).all()
    return {status: count for status, count in rows}


def test_the_status_command_counts_the_documents_by_status(sysadmin_api, anonymous_api, document_server,
                                                           organization):
    dataset = sysadmin_api("package_create", name=f"volltext-{uuid.uuid4().hex[:8]}", title="Zähltest",
                           owner_org=organization["id"], license_id="cc-by", notes="Zwei Dokumente.", resources=[
                               {"name": "Notiz", "url": document_server.put("/zaehl.txt", b"Notiz", "text/plain")},
                               {"name": "Geheim", "url": document_server.put("/zaehl.pdf", documents.encrypted_pdf(),
                                                                             "application/pdf")}])
    wait_until(lambda: _settled(anonymous_api, dataset["id"]), timeout=JOB_TIMEOUT, interval=1,
               what="both documents settled")
    before = _counts_in_the_database()
    output = _fulltext_command("status").stdout
    after = _counts_in_the_database()
    printed = {name: int(count) for name, count in (line.split(": ") for line in output.strip().splitlines())}
    assert set(printed) == {"pending", "done", "failed"}, output
    expected = [{name: counts.get(name, 0) for name in printed} for counts in (before, after)]
    assert printed in expected
    assert printed["done"] >= 1 and printed["failed"] >= 1


def test_the_queue_command_extracts_again_what_changed(sysadmin_api, anonymous_api, document_server, organization):
    old_word, new_word = (f"{kind}wort{uuid.uuid4().hex[:8]}" for kind in ("alt", "neu"))
    url = document_server.put("/bericht.txt", f"Bericht {old_word}".encode(), "text/plain")
    dataset = sysadmin_api("package_create", name=f"volltext-{uuid.uuid4().hex[:8]}", title="Nachfassen",
                           owner_org=organization["id"], license_id="cc-by", notes="Ein Bericht.",
                           resources=[{"name": "Bericht", "url": url}])
    wait_until(lambda: _search(anonymous_api, old_word) == [dataset["id"]], timeout=JOB_TIMEOUT, interval=1,
               what="the first text searchable")
    # The document changes at its source; the dataset is not saved, so nothing queues it but the command.
    document_server.put("/bericht.txt", f"Bericht {new_word}".encode(), "text/plain")

    output = _fulltext_command("queue", dataset["name"]).stdout
    assert "1 Dokument(e) eingereiht" in output, output
    wait_until(lambda: _search(anonymous_api, new_word) == [dataset["id"]], timeout=JOB_TIMEOUT, interval=1,
               what="the changed text searchable")
    assert _search(anonymous_api, old_word) == []

    unknown = _fulltext_command("queue", "gibt-es-nicht", check=False)
    assert unknown.returncode != 0 and "Datensatz gibt-es-nicht gibt es nicht." in unknown.stderr
    nothing = _fulltext_command("queue", check=False)
    assert nothing.returncode != 0 and "Datensätze nennen oder --all angeben." in nothing.stderr


def test_the_retry_command_queues_a_retry_that_redis_lost(sysadmin_api, anonymous_api, organization):
    """A document's first download meets HTTP 503: it waits for its retry, which RQ
    holds in its schedule on Redis. The worker stops and the schedule is lost (as when
    Redis loses its data); the worker comes back and the document stays pending, until
    `fulltext retry` queues it again."""
    from ckan.lib.jobs import get_queue

    from ckanext.thueringen.fulltext import jobs
    from fault_server import FaultServer, send

    word = f"nachholwort{uuid.uuid4().hex[:8]}"
    arrived, release, answered = threading.Event(), threading.Event(), []

    def first_held_then_served(handler):
        if not answered:
            answered.append(503)
            arrived.set()
            release.wait(60)
            send(handler, b"Wartung", "text/plain", status=503)
        else:
            send(handler, f"Nachgeholt {word}".encode(), "text/plain")

    server = FaultServer({"/nachholen.txt": first_held_then_served})
    base = server.start()
    stopping = None
    try:
        dataset = sysadmin_api("package_create", name=f"volltext-{uuid.uuid4().hex[:8]}", title="Nachholen",
                               owner_org=organization["id"], license_id="cc-by", notes="Ein Dokument.",
                               resources=[{"name": "Später", "url": f"{base}/nachholen.txt"}])
        resource_id = dataset["resources"][0]["id"]
        assert arrived.wait(JOB_TIMEOUT), "the worker never fetched the document"
        # Stop the worker while it waits for the answer: it ends the job (a retry
        # scheduled) and then exits.
        stopping = threading.Thread(target=run_stack, args=("stop", "fulltext-worker"))
        stopping.start()
        time.sleep(2)
        release.set()
        stopping.join(60)

        queue = get_queue(jobs.queue_name())
        lost = [job_id for job_id in [*queue.scheduled_job_registry.get_job_ids(), *queue.job_ids]
                if (job := queue.fetch_job(job_id)) is not None and job.args and job.args[0] == resource_id]
        assert lost, "no retry was scheduled"
        for job_id in lost:
            queue.scheduled_job_registry.remove(job_id, delete_job=True)
            queue.remove(job_id)
        status = _statuses(anonymous_api, dataset["id"])[resource_id]
        assert (status["status"], status["attempts"]) == ("pending", 1), status
        assert status["next_attempt_at"]

        run_stack("start", "fulltext-worker")
        time.sleep(5)   # longer than the retry's delay: nothing fetches it now
        assert _statuses(anonymous_api, dataset["id"])[resource_id]["status"] == "pending"
        assert len(answered) == 1

        output = _fulltext_command("retry").stdout
        assert int(output.split()[0]) >= 1, output
        wait_until(lambda: _search(anonymous_api, word) == [dataset["id"]], timeout=JOB_TIMEOUT, interval=1,
                   what="the document fetched again and searchable")
    finally:
        release.set()
        if stopping is not None:
            stopping.join(60)
        run_stack("start")
        server.stop()


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize("enabled, queued", [("true", 1), ("false", 0)])
def test_saving_a_dataset_queues_its_documents_only_when_fulltext_is_enabled(ckan_config, monkeypatch, enabled,
                                                                             queued):
    """`thueringen.fulltext.enabled = false` queues nothing. The datasets are saved in
    this process (its plugins, the stack's database and Redis), with jobs going to a
    queue of this test's own, which no worker empties."""
    from ckan.lib.jobs import get_queue
    from ckan.tests import factories, helpers

    queue_name = f"volltext-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(ckan_config, "thueringen.fulltext.queue", queue_name)
    monkeypatch.setitem(ckan_config, "thueringen.fulltext.enabled", enabled)
    queue = get_queue(queue_name)
    try:
        context = {"user": factories.Sysadmin()["name"]}
        dataset = helpers.call_action(
            "package_create", context, name=f"volltext-{uuid.uuid4().hex[:8]}", title="Schalter",
            owner_org=factories.Organization()["id"], license_id="cc-by", notes="Ein Dokument.",
            resources=[{"name": "Bericht", "url": "http://127.0.0.1:9/bericht.pdf"}])
        assert [job.args[0] for job in queue.jobs] == [dataset["resources"][0]["id"]] * queued
        helpers.call_action("package_patch", dict(context), id=dataset["id"], notes="Geändert.")
        assert queue.count == 2 * queued
    finally:
        queue.empty()
        queue.delete(delete_jobs=True)


def test_a_dataset_is_saved_while_redis_is_down_and_the_lost_jobs_are_logged(sysadmin_api, organization, stack):
    """Queueing never fails the save: with Redis stopped, the web server stores the
    dataset and logs that its documents' jobs could not be queued."""
    from conftest import STATE_DIR, consumer_pids

    log = STATE_DIR / "log" / "ckan.log"
    logged_before = log.stat().st_size
    name = f"ohne-redis-{uuid.uuid4().hex[:8]}"
    run_stack("stop", "redis")
    try:
        dataset = sysadmin_api("package_create", name=name, title="Ohne Redis", owner_org=organization["id"],
                               license_id="cc-by", notes="Gespeichert, während Redis steht.",
                               resources=[{"name": "Bericht", "url": "http://127.0.0.1:9/bericht.pdf"}])
        assert sysadmin_api("package_show", id=name)["resources"][0]["id"] == dataset["resources"][0]["id"]

        def logged() -> bool:
            with log.open("rb") as file:
                file.seek(logged_before)
                return f"Datensatz {dataset['id']} konnten nicht eingereiht werden".encode() in file.read()

        wait_until(logged, timeout=30, interval=0.5, what="the lost jobs in the web server's log")
    finally:
        run_stack("start")
        # the consumers and the worker lost their connection and are started again by their supervisors
        wait_until(lambda: run_stack("status", check=False).returncode == 0, timeout=120, interval=1,
                   what="every service running again")
        wait_until(consumer_pids, timeout=120, interval=1, what="both harvest consumers running")
