"""The terminal quiz: FSRS scheduling over the same cards as the Anki packages."""
