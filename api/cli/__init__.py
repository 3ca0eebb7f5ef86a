"""`ocrq`, the command line above the API and the workers: it runs them (`up`, `api`, `worker`), manages apps,
recognises a file in-process, and pours files into a server (`ingest`, a client of the HTTP API)."""
from api.cli.commands import main

__all__ = ["main"]
