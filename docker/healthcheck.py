"""Health checks of the portal image's services (compose.yaml `healthcheck`).

  healthcheck.py web [URL]   the web service answers status_show (default
                             http://127.0.0.1:5000)
  healthcheck.py worker      an RQ worker of this container has sent its
                             heartbeat to Redis within its time-to-live (the
                             full-text worker)
  healthcheck.py queue       Redis answers a PING (harvest consumers and
                             scheduler: they block on Redis and die, ending the
                             container, on any other failure)

Exit code 0 when healthy, 1 otherwise, with the reason on stderr.
"""
from __future__ import annotations

import json
import os
import socket
import sys
import urllib.request


def web(url: str = "http://127.0.0.1:5000") -> str | None:
    with urllib.request.urlopen(url.rstrip("/") + "/api/3/action/status_show", timeout=10) as response:
        body = json.load(response)
    return None if body.get("success") else f"status_show answered {body}"


def _redis():
    import redis

    return redis.Redis.from_url(os.environ["CKAN_REDIS_URL"], socket_timeout=5, socket_connect_timeout=5)


def queue() -> str | None:
    _redis().ping()
    return None


def worker() -> str | None:
    # RQ keeps a worker's key only while its heartbeats arrive (worker_ttl).
    from rq import Worker

    host = socket.gethostname()
    if any(w.hostname == host for w in Worker.all(connection=_redis())):
        return None
    return f"no RQ worker of host {host} has sent a heartbeat"


CHECKS = {"web": web, "queue": queue, "worker": worker}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in CHECKS:
        print(f"usage: healthcheck.py {'|'.join(CHECKS)} [URL]", file=sys.stderr)
        return 2
    try:
        problem = CHECKS[argv[0]](*argv[1:])
    except Exception as error:  # noqa: BLE001 - any failure means: unhealthy
        problem = f"{type(error).__name__}: {error}"
    if problem:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
