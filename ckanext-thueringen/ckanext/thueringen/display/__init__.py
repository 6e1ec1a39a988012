"""Stored values as people read them: labels of vocabulary values and areas
(`labels`), dates and periods in German (`dates`), descriptions as safe
Markdown or plain text (`text`). Pure: no CKAN configuration, no database."""
from ckanext.thueringen.display.areas import STATES, area_label, geocoding_key, state_name  # noqa: F401
from ckanext.thueringen.display.dates import date_text, form_date, period_text, size_text  # noqa: F401
from ckanext.thueringen.display.labels import AREA_FIELDS, FIELD_VOCABULARIES, concept, label, labels  # noqa: F401
from ckanext.thueringen.display.text import description_markdown, snippet  # noqa: F401
