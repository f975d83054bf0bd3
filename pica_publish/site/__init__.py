"""Pieces of the HTML edition: indexer metadata, reference back-links, search, cover image."""
