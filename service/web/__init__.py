"""Pages for people: server-rendered HTML over the same reads as the API."""
