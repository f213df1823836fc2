"""deckbuilder: LLM system-design scenarios in markdown, turned into Anki packages and a quiz."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("deckbuilder")
except PackageNotFoundError:  # pragma: no cover - only when running from a bare checkout
    __version__ = "0.0.0"
