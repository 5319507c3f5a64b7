"""Presentation: the form and status pages, the editors' page, and email texts (zh and en)."""
