#!/usr/bin/env python3
"""Start, check and stop the portal's real services on this machine.

Two profiles share this code and never share state:

* ``run``  – the local portal of ``make run`` (state in ``var/run``)
* ``test`` – the isolated stack of ``make test`` (state in ``var/test``,
  other ports, other database and Solr core)

Services, in start order: PostgreSQL 15 (a project-local cluster run as an
unprivileged user, because ``initdb`` refuses root and CI runs as root),
Redis 7, Solr 9 (JettySolrRunner, see ``config/solr``), CKAN under gunicorn,
the ckanext-harvest gather and fetch consumers, the harvest scheduler and, for
``run``, the file server for the demo catalogues; test profiles also run
``source-ckan``, a second, plain CKAN to harvest from (config/source.ini).

Only the standard library is used: this script builds the virtualenv, so it
cannot depend on it.  Ports can be set with ``<PROFILE>_<SERVICE>_PORT``
(e.g. ``RUN_CKAN_PORT=8080``).

The code lives in the package ``scripts/portal_stack``, one concern a module:

* ``profiles``      – Profile, the ports of each profile, profile_named; ROOT, VENV
* ``messages``      – say, die, StackError
* ``install``       – SYSTEM_TOOLS, BUILD_PACKAGES, DATA_PACKAGES, find_tool and the
  ensure_* steps (Debian packages, virtualenv, npm, translations, Solr runner)
* ``processes``     – ports, wait_for, http_ok and the Service base class
* ``postgres``      – Postgres, the project-local cluster
* ``services``      – Redis, Solr, CkanCommand, Web, SourceWeb, CatalogServer and
  ``services(profile)``, every service of a profile in start order
* ``configuration`` – secrets, ckan.ini and source-ckan's ini, the outbound
  allow-list, source-ckan's sysadmin, ckan_cli
* ``commands``      – the cmd_* commands and main (argparse)
"""
from __future__ import annotations

import sys

from portal_stack.commands import main

if __name__ == "__main__":
    sys.exit(main(description=__doc__.split("\n\n")[0]))
