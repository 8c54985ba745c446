"""Another process holding the library's file lock: the app says so and stays responsive."""

from __future__ import annotations

import filelock

from readlist.app import ReadlistApp
from readlist.core.library import Library
from readlist.screens.main_changes import BUSY_MESSAGE

from .conftest import SIZE, notifications, paper_list, settle, visible_rows


async def test_a_held_lock_does_not_freeze_the_app(library: Library) -> None:
    app = ReadlistApp(library)
    first, second = library.entries()[0], library.entries()[1]
    other = filelock.FileLock(str(library.path) + ".lock", thread_local=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        other.acquire()  # a separate file handle: excludes this process's library like another
        try:
            await pilot.press("s")
            assert BUSY_MESSAGE in notifications(app)
            assert not library.get(first.id).state.starred
            await pilot.press("j")  # the app still reads keys and moves
            assert paper_list(app).cursor == 1
        finally:
            other.release()
        for _ in range(200):  # the library polls the lock; wait for the queued star to land
            if library.get(first.id).state.starred:
                break
            await pilot.pause(0.05)
        await settle(pilot)
        assert library.get(first.id).state.starred
        assert not library.get(second.id).state.starred
        assert visible_rows(app)[0].startswith("★")
        assert paper_list(app).cursor == 1
        await pilot.press("u")  # the late change was recorded for undo
        assert not library.get(first.id).state.starred


async def test_changes_keep_the_order_of_the_keys_while_busy(library: Library) -> None:
    app = ReadlistApp(library)
    first = library.entries()[0]
    other = filelock.FileLock(str(library.path) + ".lock", thread_local=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        other.acquire()
        try:
            await pilot.press("s", "m", "s")  # star, read, unstar: queued in this order
        finally:
            other.release()
        for _ in range(200):
            if library.get(first.id).state.read and not library.get(first.id).state.starred:
                break
            await pilot.pause(0.05)
        await settle(pilot)
        state = library.get(first.id).state
        assert state.read
        assert not state.starred
