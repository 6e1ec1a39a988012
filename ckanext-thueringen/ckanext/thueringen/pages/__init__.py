"""The portal's own text pages (plugin `thueringen_pages`): the accessibility
statement (BITV 2.0 § 7), Leichte Sprache, Impressum, Datenschutz, and the
feedback channel in every page's footer; the portal's stylesheet."""
