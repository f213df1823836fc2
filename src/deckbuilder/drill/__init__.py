"""Back-of-envelope drills: sourced reference data, formula families, units, FSRS scheduling."""
