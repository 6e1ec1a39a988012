"""Wait until the portal's services answer: PostgreSQL, Solr and Redis.

Run by entrypoint.sh before any `ckan` command. The addresses are the ones CKAN
itself reads from the environment (CKAN_SQLALCHEMY_URL, CKAN_SOLR_URL,
CKAN_REDIS_URL). Each service must really answer (a query, Solr's ping of the
core, a Redis PING), not merely accept connections: PostgreSQL accepts them
while it still replays its log, Solr while its core still loads.

Exits 1 with the last error of each service still down after WAIT_TIMEOUT
seconds (default 180).
"""
from __future__ import annotations

import os
import sys
import time
import urllib.request


def postgres_answers(url: str) -> None:
    import sqlalchemy

    engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("SELECT 1"))
    finally:
        engine.dispose()


def solr_answers(url: str) -> None:
    with urllib.request.urlopen(url.rstrip("/") + "/admin/ping?wt=json", timeout=5) as response:
        if b'"OK"' not in response.read():
            raise RuntimeError("ping without status OK")


def redis_answers(url: str) -> None:
    import redis

    redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5).ping()


CHECKS = {
    "PostgreSQL": ("CKAN_SQLALCHEMY_URL", postgres_answers),
    "Solr": ("CKAN_SOLR_URL", solr_answers),
    "Redis": ("CKAN_REDIS_URL", redis_answers),
}


def main() -> int:
    timeout = float(os.environ.get("WAIT_TIMEOUT", "180"))
    missing = [variable for variable, _ in CHECKS.values() if not os.environ.get(variable)]
    if missing:
        print(f"wait_for_services: not set: {', '.join(missing)}", file=sys.stderr)
        return 1
    deadline = time.monotonic() + timeout
    waiting = dict(CHECKS)
    errors: dict[str, str] = {}
    while waiting:
        for name, (variable, check) in list(waiting.items()):
            try:
                check(os.environ[variable])
            except Exception as error:  # noqa: BLE001 - any failure means: not ready yet
                errors[name] = f"{type(error).__name__}: {error}"
            else:
                print(f"wait_for_services: {name} answers", flush=True)
                del waiting[name]
                errors.pop(name, None)
        if waiting and time.monotonic() >= deadline:
            for name in waiting:
                print(f"wait_for_services: {name} does not answer after {timeout:.0f} s ({errors[name]})",
                      file=sys.stderr)
            return 1
        if waiting:
            time.sleep(2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
