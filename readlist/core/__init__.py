"""The plain-Python core of readlist: feeds, links, the library and the search language.

Nothing under this package imports Textual; a test enforces it.
"""
