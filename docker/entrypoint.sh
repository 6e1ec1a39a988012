#!/bin/sh
# Entrypoint of the portal image: wait until PostgreSQL, Solr and Redis answer;
# the web service (PORTAL_MIGRATE=1) then brings the database up to date, core
# and plugin migrations (`ckan db upgrade`, a no-op when nothing is pending),
# before its command starts, and writes the strings of CKAN's scripts in every
# language (`ckan translation js`, into the storage volume; only `ckan run`
# would write them, and without them every script speaks English). The other services wait for the web service to be
# healthy (compose.yaml), so only one process ever migrates.
set -eu
here=$(dirname "$0")

python "$here/wait_for_services.py"

if [ "${PORTAL_MIGRATE:-0}" = 1 ]; then
    ckan -c "$CKAN_INI" db upgrade
    ckan -c "$CKAN_INI" translation js
fi

exec "$@"
