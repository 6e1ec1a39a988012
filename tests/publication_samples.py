"""A complete transparency publication, as a client sends it to the API: shared by
the tests of the publication schema and of the content security checks."""
from __future__ import annotations

DL_BY = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"


def complete_publication(owner_org: str, marker: str, **overrides) -> dict:
    """A publication with every field, as a client would send it (aliases, German forms)."""
    publication = {
        "type": "publication",
        "name": f"vertrag-{marker}",
        "title": f"Konzessionsvertrag Wasserversorgung {marker}",
        "notes": "Wesentliche Inhalte des Konzessionsvertrags über die Wasserversorgung.",
        "owner_org": owner_org,
        "document_type": "Vertrag",
        "legal_basis": "§ 6 Abs. 3 Nr. 12 ThürTG",
        "file_reference": "32-0815/2024",
        "document_date": "01.03.2024",
        "decision_date": "2024-02-20",
        "publication_date": "2024-03-15",
        "contract_parties": ["Stadt Weimar", "Stadtwerke Weimar GmbH"],
        "contract_value": "1.250.000,00 €",
        "contract_start": "2024-04-01",
        "contract_end": "2044-03-31",
        "temporal_coverage": [{"start": "2024-01-01", "end": "2024-12-31"}],
        "license_id": DL_BY,
        "theme": ["http://publications.europa.eu/resource/authority/data-theme/GOVE"],
        "language": ["http://publications.europa.eu/resource/authority/language/DEU"],
        "spatial_coverage": [{"uri": "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/160550000000"}],
        "contact": [{"name": "Stadtverwaltung Weimar", "email": "transparenz@weimar.de"}],
        "tag_string": "Wasser,Konzession",
        "resources": [{"url": f"https://example.org/{marker}/vertrag.pdf", "name": "Konzessionsvertrag (PDF)",
                       "format": "PDF", "size": 48213}],
    }
    publication.update(overrides)
    return publication
