"""Health checks of the portal image's services (compose.yaml `healthcheck`).

  healthcheck.py web [URL]   the web service answers status_show (default
                             http://127.0.0.1:5000)
  healthcheck.py queue       Redis answers a PING (harvest consumers, scheduler,
                             full-text worker: each is the container's main
                             process, so when it dies the container ends and is
                             restarted)

The full-text worker is not judged by its RQ heartbeat: Redis forgets the
worker's registration when it restarts without the data, while the worker
goes on working, so such a check would report a working worker as down.

Exit code 0 when healthy, 1 otherwise, with the reason on stderr.
"""
from __future__ import annotations

import json
import os
import sys
import urllib.request


def web(url: str = "http://127.0.0.1:5000") -> str | None:
    with urllib.request.urlopen(url.rstrip("/") + "/api/3/action/status_show", timeout=10) as response:
        body = json.load(response)
    return None if body.get("success") else f"status_show answered {body}"


def queue() -> str | None:
    import redis

    redis.Redis.from_url(os.environ["CKAN_REDIS_URL"], socket_timeout=5, socket_connect_timeout=5).ping()
    return None


CHECKS = {"web": web, "queue": queue}


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
