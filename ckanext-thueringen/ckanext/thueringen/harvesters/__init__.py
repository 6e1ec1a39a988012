"""The portal's harvesters and the stages of its harvesting pipeline.

fetch -> parse -> normalise -> validate -> store. `fetch` downloads a remote
catalogue page safely (size cap, timeouts, total deadline, content type),
`rdf_guard` refuses dangerous XML and JSON-LD before any RDF parser sees it and
parses the page into portal datasets; neither needs a running service. `base`
is what every portal harvester shares (source defaults, change detection,
duplicates, withdrawals, history, the report; see docs/harvesting.md),
`dcat` the DCAT-AP.de harvester (`dcat_ap_de`) and `ckan` the CKAN harvester
(`ckan_api`, reading through `ckan_api` and `ckan_mapping`).
"""
