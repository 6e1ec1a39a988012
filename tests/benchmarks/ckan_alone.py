"""CKAN alone: how fast CKAN 2.12 itself stores the datasets of a harvest, with
no harvester around it — the upper bound of any harvester that stores through
CKAN's actions. Run by harvest_benchmark.py (`--ckan-alone N`) in
the benchmark stack, after the portal harvester's first harvest:

    .venv/bin/python tests/benchmarks/ckan_alone.py --ini var/bench/ckan.ini \\
        --job JOB_ID --org ORG_ID --count 2000 --mode batched

It takes the first COUNT normalised datasets that job gathered (exactly what
the portal's import passes to `package_create`), gives them identifiers,
URIs and names of their own (they are no duplicates of the harvested ones)
and the organisation ORG_ID, and stores them:

- `batched`: as the portal's import does (harvesters/batches.py
  `_store_together`) without any of its harvest bookkeeping: per batch of
  `--batch` datasets a deferred `package_create` each, one dictization per
  dataset for its Solr document and its activity, the documents sent to Solr
  alongside (`index_and_record_activities`), one commit, then the batch's
  full-text jobs in one Redis round trip;
- `single`: one `package_create` per dataset as an API client (and the stock
  harvester's import) calls it: commit, indexing with CKAN's configured
  `ckan.search.solr_commit`, the activity plugin's own activity, the full
  dataset returned.

Prints one JSON line: {"mode", "count", "started" (epoch seconds, after CKAN
has loaded), "stored" (epoch seconds, the last commit)}. The caller waits until
Solr finds them all, so that, like the harvests, the time is until searchable.
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def prepared(datasets: list[dict], org_id: str, mode: str) -> list[dict]:
    """The datasets as new ones of ORG_ID, in a namespace of their own (per
    organisation, so that the scenario can run again on the same stack)."""
    out = []
    for number, original in enumerate(datasets):
        dataset = copy.deepcopy(original)
        for key in ("identifier", "uri"):
            if dataset.get(key):
                dataset[key] = f"{dataset[key]}#ckan-alone-{mode}-{org_id}"
        for resource in dataset.get("resources") or []:
            resource.pop("id", None)
        dataset.pop("id", None)
        dataset["name"] = f"ckan-alone-{mode}-{org_id[:8]}-{number:05d}"
        dataset["owner_org"] = org_id
        dataset["state"] = "active"
        out.append(dataset)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ini", required=True)
    parser.add_argument("--job", required=True, help="harvest job whose gathered datasets are stored")
    parser.add_argument("--org", required=True, help="organisation (id) of the stored datasets")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--mode", choices=("batched", "single"), default="batched")
    parser.add_argument("--batch", type=int, default=50, help="datasets per transaction (batched)")
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(args.ini))
    import ckan.model as model
    import ckan.plugins.toolkit as toolkit
    from ckanext.harvest.model import HarvestObject

    from ckanext.thueringen.fulltext import jobs as fulltext_jobs
    from ckanext.thueringen.harvesters.batches import index_and_record_activities
    from ckanext.thueringen.harvesters.ckan_overrides import activity_recorded_by_batch, solr_commit_deferred

    with app._wsgi_app.test_request_context():
        contents = model.Session.query(HarvestObject.content) \
            .filter(HarvestObject.harvest_job_id == args.job, HarvestObject.content.isnot(None)) \
            .order_by(HarvestObject.gathered, HarvestObject.id).limit(args.count).all()
        datasets = prepared([json.loads(content)["dataset"] for content, in contents], args.org, args.mode)
        model.Session.remove()
        site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        context = {"model": model, "session": model.Session, "user": site_user,
                   "auth_user_obj": model.User.by_name(site_user), "ignore_auth": True}
        create = toolkit.get_action("package_create")
        started = time.time()
        if args.mode == "single":
            for dataset in datasets:
                create(dict(context), dataset)
        else:
            batch_context = {**context, "defer_commit": True, "return_id_only": True}
            with solr_commit_deferred(), activity_recorded_by_batch():
                for start in range(0, len(datasets), args.batch):
                    with fulltext_jobs.held_back() as send_jobs:
                        ids = [create(dict(batch_context), dataset) for dataset in datasets[start:start + args.batch]]
                        model.Session.flush()
                        index_and_record_activities(batch_context, [(package_id, "new") for package_id in ids])
                        model.repo.commit()
                        send_jobs()
        stored = time.time()
    print(json.dumps({"mode": args.mode, "count": len(datasets), "started": started, "stored": stored}))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
