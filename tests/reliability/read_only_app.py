"""Open the app over a library with file modes enforced, press `s`, and report what it showed.

Run by test_rel_disk.py as `python read_only_app.py LIBRARY`. As root, file modes do not bite, so
this process first gives up the capabilities that ignore them (as tests/helpers does).
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "helpers"))

from appkit import SIZE, notifications, settle, status, visible_rows  # noqa: E402
from library_child import drop_permission_override  # noqa: E402

from readlist.app import ReadlistApp  # noqa: E402
from readlist.core.library import Library  # noqa: E402


async def run(path: Path) -> dict[str, object]:
    library = Library.open(path)
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        report: dict[str, object] = {
            "read_only": library.read_only,
            "status_before": status(app),
        }
        await pilot.press("s")
        await settle(pilot)
        report.update(
            status_after=status(app),
            row=visible_rows(app)[0],
            notifications=notifications(app),
            starred_in_memory=library.entries()[0].state.starred,
        )
    return report


if __name__ == "__main__":
    drop_permission_override()
    print(json.dumps(asyncio.run(run(Path(sys.argv[1])))), flush=True)
