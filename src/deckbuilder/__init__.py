"""deckbuilder: LLM system-design scenarios in markdown, turned into Anki packages and a quiz."""

# Kept here rather than read through importlib.metadata, which costs ~50 ms at start-up.
__version__ = "0.1.0"
