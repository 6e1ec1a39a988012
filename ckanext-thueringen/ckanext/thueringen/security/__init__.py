"""The portal's security layer: outbound requests, CSRF, response headers, uploads.

See docs/security.md for the threat model and what each module enforces.
"""
