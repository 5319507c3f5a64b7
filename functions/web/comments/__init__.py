"""Readers' comment pages and the embed script (issue 12): autoescaped templates, never raw user text."""
