"""Searching the library: the query language (query.py), the token index that keeps a search fast
(index.py), the per-list rows a search walks (rows.py), and the saved index (index_cache.py)."""
