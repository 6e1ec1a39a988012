"""The portal's ckanext-scheming schemas and vocabulary data.

A package only so that CKAN settings can name the files as
`ckanext.thueringen.schemas:<file>` wherever the portal is installed.
"""
