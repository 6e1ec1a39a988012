"""Poison input and failing services during a harvest: the consumers live on,
the other records are stored, the report names the bad ones, and no job hangs.

Runs against the real stack: its consumers (supervised by scripts/supervise.py),
PostgreSQL (an error injected by a trigger), Solr (stopped during a job).
"""
from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid

import ckan.model as model
import pytest
import requests
import sqlalchemy as sa
from ckanext.harvest.model import HarvestObject

import conftest
from ckanext.thueringen.harvesters.report import job_report
from conftest import consumer_pids, run_stack, wait_until
from db_faults import POISON
from fault_server import FaultServer, send
from harvest_fixtures import (
    counts,
    finished_jobs,
    harvest,
    messages,
    new_org,
    new_source,
    next_page,
    packages,
    rdf_catalogue,
    rdf_dataset,
)

CONSUMERS = ("gather-consumer", "fetch-consumer")


@pytest.fixture
def consumers_stay_alive():
    """The test must leave both consumers running as the same processes."""
    before = consumer_pids()
    yield
    assert consumer_pids() == before, "a consumer died (and was restarted) during the test"


def same_title_catalogue(folder, name: str, count: int, title: str) -> str:
    (folder / f"{name}.rdf").write_bytes(rdf_catalogue(*(
        rdf_dataset(f"https://{name}.example/{i}", title) for i in range(count))))
    return f"{name}.rdf"


def test_records_with_the_same_title_get_names_of_their_own(api, served, consumers_stay_alive):
    """Twelve records of one batch and five of another source share one title:
    each gets a URL name of its own, made from its identity, and keeps it."""
    folder, base = served
    title = f"Haushaltsplan {uuid.uuid4().hex[:6]}"
    org = new_org(api, "gleichnamig")
    first = new_source(api, org["id"], "gleichnamig-a", f"{base}/{same_title_catalogue(folder, 'gleich-a', 12, title)}")
    second = new_source(api, org["id"], "gleichnamig-b", f"{base}/{same_title_catalogue(folder, 'gleich-b', 5, title)}",
                        import_batch=1)
    jobs = harvest(api, first["id"], second["id"])
    assert counts(jobs[first["id"]])["added"] == 12 and counts(jobs[first["id"]])["failed"] == 0, \
        messages(jobs[first["id"]])
    assert counts(jobs[second["id"]])["added"] == 5 and counts(jobs[second["id"]])["failed"] == 0, \
        messages(jobs[second["id"]])
    names = {p.extras["uri"]: p.name for p in packages(org["id"])}
    assert len(names) == 17 and len(set(names.values())) == 17

    again = harvest(api, first["id"], second["id"])
    assert {source: counts(job)["unchanged"] for source, job in again.items()} == \
        {first["id"]: 12, second["id"]: 5}
    assert {p.extras["uri"]: p.name for p in packages(org["id"])} == names


def test_a_database_error_in_a_batch_flush_fails_one_record(api, served, poisoned_insert, consumers_stay_alive):
    folder, base = served
    datasets = [rdf_dataset(f"https://gift.example/{i}", f"Gesunder Datensatz {i}") for i in range(9)]
    datasets.insert(4, rdf_dataset("https://gift.example/gift", POISON))
    (folder / "gift.rdf").write_bytes(rdf_catalogue(*datasets))
    org = new_org(api, "gift")
    source = new_source(api, org["id"], "gift", f"{base}/gift.rdf")
    job = harvest(api, source["id"])[source["id"]]
    assert (counts(job)["added"], counts(job)["failed"]) == (9, 1), messages(job)
    [error] = job["report"]["errors"]
    assert error["guid"] == "https://gift.example/gift"
    assert "interner Fehler beim Speichern" in error["message"] and "injected failure" in error["message"]
    assert f"Datensatz https://gift.example/gift („{POISON}“) aus {base}/gift.rdf" in error["message"]
    assert len(packages(org["id"])) == 9


def solr_answers(stack) -> bool:
    try:
        return requests.get(f"{stack['solr_url']}/admin/ping", timeout=2).ok
    except requests.RequestException:
        return False


@pytest.fixture
def solr_restored(stack):
    """Whatever the test does to Solr and the consumers, they run again afterwards."""
    yield
    run_stack("start")
    wait_until(lambda: solr_answers(stack), timeout=120, interval=1, what="Solr answering again")


def job_objects_done(job_id: str) -> bool:
    model.Session.remove()
    states = [state for (state,) in model.Session.query(HarvestObject.state)
              .filter(HarvestObject.harvest_job_id == job_id)]
    return bool(states) and all(state in ("COMPLETE", "ERROR") for state in states)


def test_solr_stopped_during_an_import_loses_nothing(api, served, stack, solr_restored):
    """Solr stops after the job was queued: every record of the job fails with a
    German reason, the consumers live on, nothing stored before changes; with
    Solr back, the next job stores them."""
    folder, base = served
    (folder / "ohne-solr.rdf").write_bytes(rdf_catalogue(*(
        rdf_dataset(f"https://ohne-solr.example/{i}", f"Messreihe {i}") for i in range(4))))
    org = new_org(api, "ohne-solr")
    source = new_source(api, org["id"], "ohne-solr", f"{base}/ohne-solr.rdf")
    assert counts(harvest(api, source["id"])[source["id"]])["added"] == 4
    before = {p.id: (p.title, p.metadata_modified) for p in packages(org["id"])}
    (folder / "ohne-solr.rdf").write_bytes(rdf_catalogue(*(
        rdf_dataset(f"https://ohne-solr.example/{i}", f"Messreihe {i}, berichtigt", modified="2024-06-01")
        for i in range(6))))

    run_stack("stop", *CONSUMERS)
    job_id = api("harvest_job_create", source_id=source["id"], run=True)["id"]
    run_stack("stop", "solr")
    run_stack("start", *CONSUMERS)
    pids = consumer_pids()
    wait_until(lambda: job_objects_done(job_id), timeout=180, interval=1, what="every record tried")
    assert consumer_pids() == pids, "a consumer died"
    model.Session.remove()
    report = job_report(job_id)
    assert report["counts"]["failed"] == 6 and report["counts"]["updated"] == report["counts"]["added"] == 0, report
    assert all("Suchindex" in error["message"] for error in report["errors"]), report["errors"]
    assert {p.id: (p.title, p.metadata_modified) for p in packages(org["id"])} == before

    run_stack("start", "solr")
    wait_until(lambda: solr_answers(stack), timeout=120, interval=1, what="Solr answering again")
    job = harvest_finished(api, source["id"], job_id)   # the failed job ends
    job = harvest(api, source["id"])[source["id"]]
    assert (counts(job)["updated"], counts(job)["added"], counts(job)["failed"]) == (4, 2, 0), messages(job)
    assert consumer_pids() == pids


def test_a_killed_consumer_is_restarted_and_status_says_so():
    """scripts/supervise.py restarts a consumer that died; `make status` shows the restart."""
    pidfile = conftest.STATE_DIR / "pids" / "gather-consumer.pid"
    old = int(pidfile.read_text())
    os.kill(old, signal.SIGKILL)

    def restarted():
        try:
            pid = int(pidfile.read_text())
            os.kill(pid, 0)
        except (OSError, ValueError):
            return False
        return pid != old

    wait_until(restarted, timeout=60, interval=0.5, what="the gather consumer restarted")
    status = run_stack("status", check=False).stdout
    line = next(line for line in status.splitlines() if "gather-consumer" in line)
    assert "running" in line and "restart(s), last exit code -9" in line, status
    state = json.loads((conftest.STATE_DIR / "pids" / "gather-consumer.status.json").read_text())
    assert state["restarts"] >= 1
    assert "restart" in (conftest.STATE_DIR / "log" / "gather-consumer.log").read_text()


def harvest_finished(api, source_id: str, job_id: str) -> dict:
    return finished_jobs(api, {source_id: job_id}, timeout=120)[source_id]


# redis-py 8's socket timeout for every connection (harvesters/queue.py), which a
# consumer waiting on its queue must outlast
REDIS_SOCKET_TIMEOUT = 5


def test_consumers_idle_longer_than_the_redis_socket_timeout_still_consume(api, served, consumers_stay_alive):
    folder, base = served
    same_title_catalogue(folder, "nach-pause", 3, "Nach der Pause")
    org = new_org(api, "nach-pause")
    source = new_source(api, org["id"], "nach-pause", f"{base}/nach-pause.rdf")
    time.sleep(REDIS_SOCKET_TIMEOUT + 3)   # nothing queued: both consumers wait on their queues
    job = harvest(api, source["id"], timeout=60)[source["id"]]
    assert counts(job)["added"] == 3, messages(job)


def test_the_scheduler_ends_a_job_without_progress_after_the_harvest_timeout(api, served):
    """`ckan.harvest.timeout` (minutes): a job nobody works on (its gather consumer
    is stopped) that was created longer ago than that is ended by the stack's
    scheduler, with a gather error that says why."""
    from ckan.plugins import toolkit
    from ckanext.harvest import queue as harvest_queue
    from ckanext.harvest.model import HarvestJob

    minutes = int(toolkit.config.get("ckan.harvest.timeout") or 0)
    folder, base = served
    same_title_catalogue(folder, "stillstand", 2, "Stillstand")
    org = new_org(api, "stillstand")
    source = new_source(api, org["id"], "stillstand", f"{base}/stillstand.rdf")
    run_stack("stop", "gather-consumer")
    try:
        job_id = api("harvest_job_create", source_id=source["id"], run=True)["id"]
        model.Session.remove()
        model.Session.execute(sa.text("UPDATE harvest_job SET created = created - make_interval(mins => :minutes) "
                                      "WHERE id = :id"), {"minutes": minutes + 5, "id": job_id})
        model.Session.commit()

        def ended() -> bool:
            model.Session.remove()
            return HarvestJob.get(job_id).status == "Finished"

        # no harvest_jobs_run here: the stack's scheduler must do it
        wait_until(ended, timeout=toolkit.config.get("thueringen.harvest.scheduler_interval") + 60, interval=1,
                   what="the stalled job ended by the scheduler")
        errors = [error.message for error in HarvestJob.get(job_id).get_gather_errors()]
        assert any(f"Job {job_id} timeout ({minutes} minutes)" in message for message in errors), errors
        # the job's gather message must not start a gather of the ended job later
        redis = harvest_queue.get_connection()
        key = harvest_queue.get_gather_routing_key()
        for message in redis.lrange(key, 0, -1):
            if job_id in message:
                redis.lrem(key, 0, message)
    finally:
        run_stack("start")


def test_a_gather_whose_consumer_is_killed_ends_with_what_it_read(api):
    """The gather consumer is SIGKILLed while it waits for page 2 of a source:
    the job does not wait for `ckan.harvest.timeout`. Once the grace period has
    passed, harvest_jobs_run (what the scheduler calls) ends the gather: page 1's
    records are stored, nothing is withdrawn, a gather error says what happened,
    and the job's gather message, sent again, does not start the gather anew."""
    from ckan.plugins import toolkit
    from ckanext.harvest import queue as harvest_queue
    from ckanext.harvest.model import HarvestJob

    page_2_asked = threading.Event()
    page_2_requests = []

    def held_page_2(handler):
        page_2_requests.append(time.monotonic())
        page_2_asked.set()
        time.sleep(20)   # the consumer is killed meanwhile
        send(handler, rdf_catalogue(rdf_dataset("https://abbruch.example/4", "Abbruch Seite 2")))

    server = FaultServer({})
    base = server.start()
    try:
        server.routes["/abbruch/1.rdf"] = lambda handler: send(handler, rdf_catalogue(
            *(rdf_dataset(f"https://abbruch.example/{i}", f"Abbruch Seite 1 Datensatz {i}") for i in range(3)),
            extra=next_page(f"{base}/abbruch/1.rdf", f"{base}/abbruch/2.rdf")))
        server.routes["/abbruch/2.rdf"] = held_page_2
        org = new_org(api, "abbruch")
        source = new_source(api, org["id"], "abbruch", f"{base}/abbruch/1.rdf")
        pidfile = conftest.STATE_DIR / "pids" / "gather-consumer.pid"
        job_id = api("harvest_job_create", source_id=source["id"], run=True)["id"]
        assert page_2_asked.wait(120), "the gather never asked for page 2"
        os.kill(int(pidfile.read_text()), signal.SIGKILL)

        def job() -> HarvestJob:
            model.Session.remove()
            return HarvestJob.get(job_id)

        assert job().gather_finished is None
        api("harvest_jobs_run", source_id=source["id"])   # within the grace period: the job is left alone
        assert job().status == "Running" and job().gather_finished is None

        def ended() -> bool:
            api("harvest_jobs_run", source_id=source["id"])
            return job().status == "Finished"

        grace = toolkit.config.get("thueringen.harvest.gather_grace_seconds")
        wait_until(ended, timeout=grace + 120, interval=2, what="the orphaned gather ended")
        errors = [error.message for error in job().get_gather_errors()]
        assert any("Die Ernte wurde abgebrochen" in message for message in errors), errors
        titles = sorted(p.title for p in packages(org["id"]) if p.state == "active")
        assert titles == [f"Abbruch Seite 1 Datensatz {i}" for i in range(3)], titles

        # ckanext-harvest's resubmit_jobs sends the message of an unacknowledged gather again
        requests_before = len(page_2_requests)
        harvest_queue.get_gather_publisher().send({"harvest_job_id": job_id})
        time.sleep(10)
        assert len(page_2_requests) == requests_before, "the ended job was gathered again"
        assert job().status == "Finished"
        assert sorted(p.title for p in packages(org["id"]) if p.state == "active") == titles
    finally:
        server.stop()
