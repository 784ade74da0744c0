"""Advisory and enrichment sources, each split into fetch (I/O) and parse (pure)."""
