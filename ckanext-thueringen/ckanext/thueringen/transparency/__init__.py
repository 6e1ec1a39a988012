"""Transparency publications (dataset type `publication`): the rules on their
values (publications), their DCAT-AP.de mapping (publication_rdf), the
transparency area's facets (facets) and the plugin `thueringen_transparency`
(plugin). See docs/transparency.md."""
