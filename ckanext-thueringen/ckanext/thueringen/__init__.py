"""CKAN extension of the Thüringen Open Data & Transparency Portal."""
