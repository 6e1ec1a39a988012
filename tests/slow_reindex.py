"""Index one dataset again as a portal worker does (`search.reindex`), with the
step to Solr delayed: prints "read" once the dataset has been read, sleeps, sends.

    python tests/slow_reindex.py <ckan.ini> <dataset id> <seconds>

Used by test_quality_stack to put a save between a worker's read and its write."""
from __future__ import annotations

import sys
import time


def main(ini: str, package_id: str, seconds: float) -> None:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from ckan.lib.search import index as search_index

    make_app(load_config(ini))
    from ckanext.thueringen.search.reindex import reindex

    send_to_solr = search_index.PackageSearchIndex.update_dict

    def delayed(self, pkg_dict, defer_commit=False):
        print("read", flush=True)
        time.sleep(seconds)
        return send_to_solr(self, pkg_dict, defer_commit)

    search_index.PackageSearchIndex.update_dict = delayed
    reindex(package_id)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
