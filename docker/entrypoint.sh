#!/bin/sh
# Entrypoint of the portal image: wait until PostgreSQL, Solr and Redis answer;
# the web service (PORTAL_MIGRATE=1) then brings the database up to date, core
# and plugin migrations (`ckan db upgrade`, a no-op when nothing is pending),
# before its command starts. The other services wait for the web service to be
# healthy (compose.yaml), so only one process ever migrates.
set -eu
here=$(dirname "$0")

python "$here/wait_for_services.py"

if [ "${PORTAL_MIGRATE:-0}" = 1 ]; then
    ckan -c "$CKAN_INI" db upgrade
fi

exec "$@"
