"""Metadata quality: the MQA score of every dataset (plugin thueringen_quality, docs/quality.md)."""
