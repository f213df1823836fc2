"""``deckbuilder preview``: every card in a browser, as Anki renders it."""
