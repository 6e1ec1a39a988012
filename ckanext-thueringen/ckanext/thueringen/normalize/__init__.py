"""Raw metadata values, as German publishers really send them, mapped to the
portal's vocabulary URIs and canonical forms.

- `values`: one small function per kind of value (`licence`, `theme`,
  `language`, `file_type`, `date`, `email`, ...): a raw value in, the canonical
  value out, or None when it cannot be mapped;
- `text`: free text (HTML in descriptions, keywords CKAN refuses, over-long
  titles, e-mail addresses glued to names);
- `dataset`: `normalize_dataset` applies both to a CKAN dataset dict and
  reports every change as an `Unmapped` finding with a German message and a
  kind (KINDS); `missing_mandatory` lists what DCAT-AP.de requires and a record
  lacks; `guess_file_type` tells a distribution's format from its media type or
  file name;
- `ckan_form`: formats and licences in CKAN's API form ("CSV", "cc-by/4.0")
  with their URIs beside them (`format_uri`, `license_uri`), and back for the
  RDF export.

Pure: no database, no CKAN configuration, no network. What a value may be called
(codes, old URIs, names, other code lists) is data in the vocabulary files
(schemas/vocabularies, read through ckanext.thueringen.vocabularies); the rules
here apply to every value of a kind. docs/dcat-ap-de.md, "Mapping rules", lists
them.
"""
from ckanext.thueringen.normalize.ckan_form import (  # noqa: F401
    export_form,
    format_fields,
    licence_fields,
    to_ckan_form,
)
from ckanext.thueringen.normalize.dataset import (  # noqa: F401
    CLEANED,
    DERIVED,
    DROPPED,
    KINDS,
    MISSING,
    UNMAPPED,
    Normalized,
    Unmapped,
    field_value,
    guess_file_type,
    missing_mandatory,
    normalize_dataset,
)
from ckanext.thueringen.normalize.text import (  # noqa: F401
    MAX_TAG_LENGTH,
    MAX_TITLE_LENGTH,
    MIN_TAG_LENGTH,
    clean_tag,
    contains_html,
    cut_at_word,
    html_to_markdown,
    is_valid_tag,
    plain_text,
    split_glued_email,
    split_keywords,
)
from ckanext.thueringen.normalize.values import (  # noqa: F401
    DCATDE_NAMESPACE,
    IANA_MEDIA_TYPES,
    SPDX_CHECKSUM,
    access_right,
    availability,
    conformance,
    contributor,
    date,
    dcatde_namespace,
    distribution_status,
    email,
    email_address,
    emails_in,
    file_type,
    file_type_of_url,
    frequency,
    geocoding_level,
    hash_algorithm,
    http_url,
    hvd_category,
    is_open_end,
    is_placeholder_date,
    language,
    last_segment,
    licence,
    media_type,
    publisher_type,
    region,
    spatial,
    theme,
    uri,
)
