"""ckanext-dcat RDF profiles of the portal, one module each: `dcatap_de`
(DCAT-AP.de 3.0, dcatap_de.py). Entry points `ckan.rdf.profiles` in setup.py."""
