"""Politeness: many hosts at once, each host one request at a time with a pause.

`Dispatcher.run(items, work)` calls `work(item)` for every (host, item) on
`threads` threads and yields (item, result) as each is done. A host is never
given to two threads at once, and its next request starts no earlier than
`pause` seconds after its last one ended, also across runs of the same
dispatcher (the worker's batches). Hosts with the longest-waiting work go
first; the threads never wait while another host is ready.
"""
from __future__ import annotations

import heapq
import itertools
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any, TypeVar

Item = TypeVar("Item")

_DONE = object()


class Dispatcher:
    def __init__(self, threads: int, pause: float, clock: Callable[[], float] = time.monotonic):
        self.threads = max(1, threads)
        self.pause = max(0.0, pause)
        self.clock = clock
        # host -> when its last request ended (kept between runs; old entries pruned)
        self._last_end: dict[Hashable, float] = {}

    def run(self, items: Iterable[tuple[Hashable, Item]], work: Callable[[Item], Any]) -> Iterator[tuple[Item, Any]]:
        waiting: dict[Hashable, deque] = {}
        for host, item in items:
            waiting.setdefault(host, deque()).append(item)
        if not waiting:
            return
        self._prune()
        order = itertools.count()
        ready: list[tuple[float, int, Hashable]] = [
            (self._last_end.get(host, float("-inf")) + self.pause, next(order), host) for host in waiting]
        heapq.heapify(ready)
        lock = threading.Condition()
        results: queue.Queue = queue.Queue()
        state = {"busy": 0, "stop": False}

        def take() -> tuple[Hashable, Any] | None:
            with lock:
                while True:
                    if state["stop"] or (not ready and state["busy"] == 0):
                        return None
                    if not ready:
                        lock.wait()
                        continue
                    not_before, _, host = ready[0]
                    delay = not_before - self.clock()
                    if delay > 0:
                        lock.wait(timeout=delay)
                        continue
                    heapq.heappop(ready)
                    state["busy"] += 1
                    return host, waiting[host].popleft()

        def finished(host: Hashable) -> None:
            with lock:
                ended = self.clock()
                self._last_end[host] = ended
                state["busy"] -= 1
                if waiting[host]:
                    heapq.heappush(ready, (ended + self.pause, next(order), host))
                else:
                    del waiting[host]
                lock.notify_all()

        def thread_main() -> None:
            try:
                while (taken := take()) is not None:
                    host, item = taken
                    try:
                        result = work(item)
                    except BaseException as exc:  # noqa: BLE001 - handed to the caller, who decides
                        result = exc
                    finished(host)
                    results.put((item, result))
            finally:
                results.put(_DONE)

        count = min(self.threads, len(waiting))
        workers = [threading.Thread(target=thread_main, name=f"linkcheck-{n}", daemon=True) for n in range(count)]
        for thread in workers:
            thread.start()
        running = count
        try:
            while running:
                got = results.get()
                if got is _DONE:
                    running -= 1
                    continue
                item, result = got
                if isinstance(result, BaseException) and not isinstance(result, Exception):
                    raise result
                yield item, result
        finally:
            with lock:
                state["stop"] = True
                lock.notify_all()
            for thread in workers:
                thread.join()

    def _prune(self) -> None:
        """Forget hosts whose pause is long over (bounded memory across batches)."""
        limit = self.clock() - self.pause
        for host in [h for h, ended in self._last_end.items() if ended < limit]:
            del self._last_end[host]
