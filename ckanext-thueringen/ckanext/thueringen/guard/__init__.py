"""Plugin `thueringen_guard`: private data stays private, bad input gets a clear
German 4xx and changes nothing (docs/security.md, "Private data and bad input")."""
