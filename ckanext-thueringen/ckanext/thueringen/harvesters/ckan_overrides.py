"""The three places where the harvest import changes CKAN's process-wide behaviour.

Written against CKAN 2.12.0 and ckanext-harvest 1.6.3. Each override is a
context manager that holds only for the block of one import and restores what
it changed, whatever happens in the block.

Safe because of one condition that all three share: a harvest consumer
(`harvesters.queue.consume`) imports one object or batch at a time, in one
thread, and runs nothing else meanwhile (the gather consumer imports only
after its gather has read every page). Nothing else in that process can see
the change. Never use them in the web process, in a thread pool, or around
code that does other work.

1. `solr_commit_deferred`: sets the config `ckan.search.solr_commit` to False.
   With it True (right for an editor's single save: the dataset is searchable
   when the page reloads) CKAN sends every indexed dataset with commit=true, a
   hard commit that opens a new Solr searcher per record, which the import
   waits for. Solr's autoSoftCommit and autoCommit
   (config/solr/configsets/ckan/conf/solrconfig.xml) make the records
   searchable and durable instead. Can go when CKAN lets a caller ask for
   `defer_commit` on `package_create`/`package_update` and their index call.
2. `IndexSender.sending`: replaces `ckan.lib.search.index.make_connection`
   (which `index_package` calls for every document, each with a new
   connection and a wait for Solr's answer) with one sender that hands the
   documents to a thread of its own and sends those that queued up meanwhile
   in one request. Can go when CKAN's `index_package` accepts a connection or
   indexes several documents in one request.
3. `activity_recorded_by_batch`: disconnects the activity plugin's subscriber
   `ckanext.activity.subscriptions.package_changed` from the signal
   `action_succeeded` for `package_create`. The subscriber dictizes the new
   dataset once more, which the batch has done for the index already; the
   batch records the same activity from that (`batches.record_activity`). A
   deferred `package_update` records no activity in CKAN 2.12 (no
   `changed_entities`), so that needs no change. Can go when CKAN's activity
   plugin takes the dictized dataset from the action, or when the import is
   content with one more dictization per new dataset.
"""
from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit
from ckan.lib.search import common as search_common
from ckan.lib.search import index as search_index

from .fetch import one_line


@contextlib.contextmanager
def solr_commit_deferred() -> Iterator[None]:
    """Index without a Solr commit of its own (override 1 of the module's doc)."""
    key = "ckan.search.solr_commit"
    before = toolkit.config.get(key)
    toolkit.config[key] = False
    try:
        yield
    finally:
        toolkit.config[key] = before


class IndexSender:
    """Stands in for the Solr connection of CKAN's `index_package` while a batch
    indexes (override 2 of the module's doc): takes the documents and sends them
    from a thread, those that queued up meanwhile in one request."""

    def __init__(self) -> None:
        self.connection = search_common.make_connection()
        self.url = self.connection.url   # index_package names it when the connection fails
        self.queued: queue.SimpleQueue = queue.SimpleQueue()
        self.failure: Exception | None = None
        self.thread = threading.Thread(target=self._send, name="solr-index-sender", daemon=True)
        self.thread.start()

    @classmethod
    @contextlib.contextmanager
    def sending(cls) -> Iterator[IndexSender]:
        sender = cls()
        original = search_index.make_connection
        search_index.make_connection = lambda *args, **kwargs: sender
        try:
            yield sender
        finally:
            search_index.make_connection = original
            sender.stop()

    def add(self, docs: list[dict], commit: bool = False, **_ignored) -> None:
        """What index_package calls; the commit stays deferred (solr_commit_deferred)."""
        self.queued.put(list(docs))

    def _send(self) -> None:
        while True:
            docs = self.queued.get()
            if docs is None:
                return
            ending = False
            while not ending:
                try:
                    more = self.queued.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    ending = True
                else:
                    docs += more
            if self.failure is None:
                try:
                    self.connection.add(docs=docs, commit=False)
                except Exception as exc:  # noqa: BLE001 - handed to the importing thread by finish()
                    self.failure = exc
            if ending:
                return

    def stop(self) -> None:
        if self.thread.is_alive():
            self.queued.put(None)
            self.thread.join()

    def finish(self) -> None:
        """Wait until Solr has answered for every document; raise its refusal."""
        self.stop()
        if self.failure is not None:
            raise search_common.SearchIndexError(f"Solr returned an error: {one_line(self.failure, 1000)}")


@contextlib.contextmanager
def activity_recorded_by_batch() -> Iterator[None]:
    """Keep CKAN's activity plugin from recording a package_create itself
    (override 3 of the module's doc)."""
    if not plugins.plugin_loaded("activity"):
        yield
        return
    from ckanext.activity import subscriptions

    signal = toolkit.signals.action_succeeded
    signal.disconnect(subscriptions.package_changed, sender="package_create")
    try:
        yield
    finally:
        signal.connect(subscriptions.package_changed, sender="package_create")
