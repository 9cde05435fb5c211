"""gradtrail's delivery layer: HTTP API, streams, pages and the command line."""
