"""readlist: a keyboard-driven terminal reading list for research papers."""

from __future__ import annotations

__version__ = "0.1.0"
