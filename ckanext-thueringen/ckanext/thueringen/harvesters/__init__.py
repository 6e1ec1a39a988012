"""The portal's harvesters and the stages of its harvesting pipeline.

One module per harvester (`dcat`, `ckan` with its client `ckan_client`, `feed`,
`fragdenstaat`, each with its `*_mapping`), the base class they share (`base`)
and the pipeline by concern: `fetch`, `deadline`, `rdf_guard`, `paging` (reading a source),
`config`, `records`, `limits` (what a record becomes), `gather`, `pages`,
`importing`, `batches`, `duplicates`, `objects`, `state`, `messages`, `report`,
`queue` (the consumers) and `ckan_overrides`. Map and configuration keys:
harvesters/README.md at the top of the repository; how it works:
docs/harvesting.md.
"""
