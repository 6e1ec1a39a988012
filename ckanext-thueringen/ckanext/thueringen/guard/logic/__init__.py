"""Chained actions and auth functions of the plugin `thueringen_guard`."""
