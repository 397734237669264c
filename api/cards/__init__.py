"""Link preview cards: the worker that fetches them, its HTTP client and its page parser."""
