"""Registry and archive exports of the issue: Crossref deposit, JATS, CITATION.cff, BibTeX, RIS.

Each module is a pure function from the issue (and the page map) to bytes; the *export* stage
puts them under ``build/metadata/``.
"""
