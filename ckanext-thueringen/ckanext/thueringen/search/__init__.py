"""German search: Solr analysis helpers, the portal's edismax query over the
German fields, and highlighted snippets from the documents' text. The analysis
chain itself lives in Solr's schema (field type `text_de`); docs/search.md
describes it."""
