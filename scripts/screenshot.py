"""Regenerate docs/screenshot.svg: the app at 120x40 over the sample feed, a search, one star.

Run `.venv/bin/python scripts/screenshot.py` after a visible change to the app.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from readlist.app import ReadlistApp
from readlist.core.formats import read_feed
from readlist.core.library import Library
from readlist.paths import sample_feed_path

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshot.svg"


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        library = Library.open(Path(folder) / "library.json")
        feed = read_feed(str(sample_feed_path()))
        library.import_papers(feed.papers, feed.source)
        app = ReadlistApp(library=library)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("j", "j", "s", "m", "slash", *"synergy", "enter", "j")
            await pilot.pause(0.5)
            app.save_screenshot(filename=OUT.name, path=str(OUT.parent))
        library.close()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    asyncio.run(main())
