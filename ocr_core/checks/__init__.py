"""Check digits and formats of the numbers Chinese documents print, one module per family, used to
pick and correct what an engine read, not only to report it."""
