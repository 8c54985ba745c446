"""`python -m readlist`: the same as the `readlist` command."""

from __future__ import annotations

import sys

from readlist.cli import main

if __name__ == "__main__":
    sys.exit(main())
