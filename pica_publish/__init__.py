"""pica_publish: build a journal special issue from Markdown chapters and a shared bibliography."""

__version__ = "0.1.0"
