"""The portal's harvesters and the stages of its harvesting pipeline.

fetch -> parse -> normalise -> validate -> store. The stages here need no
running service: `fetch` downloads a remote catalogue page safely (size cap,
timeouts, total deadline, content type), `rdf_guard` refuses dangerous XML and
JSON-LD before any RDF parser sees it and parses the page into portal datasets.
"""
