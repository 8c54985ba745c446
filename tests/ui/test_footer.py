"""The key hints at the bottom: the keys of what has the focus, rebuilt only when they change."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from readlist.app import ReadlistApp
from readlist.core.library import Library
from readlist.widgets.key_footer import KeyFooter, Shown

from .conftest import SIZE, settle


def keys_drawn(app: ReadlistApp) -> list[str]:
    return [key.key for key in app.screen.query_one(KeyFooter).query(FooterKey)]


def keys_due(app: ReadlistApp) -> list[str]:
    """What Textual's footer shows: the first key of each shown action, in binding order."""
    first: dict[str, str] = {}
    for _, binding, _, _ in app.screen.active_bindings.values():
        if binding.show:
            first.setdefault(binding.action, binding.key)
    return list(first.values())


async def test_the_footer_shows_the_focused_keys_and_is_rebuilt_only_when_they_change(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual's footer rebuilt itself twice right after the first frame (15-25 ms each, while
    a search typed then waited on the same GIL for the saved index): it is built once, again
    when the focus brings other keys, and not for a key that changes none."""
    rebuilt: list[Shown] = []
    real = KeyFooter.recompose

    async def counting(self: KeyFooter) -> None:
        rebuilt.append(self.keys_shown())
        await real(self)

    monkeypatch.setattr(KeyFooter, "recompose", counting)
    app = ReadlistApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(rebuilt) == 1
        listed = keys_drawn(app)
        assert listed == keys_due(app) and "s" in listed  # the list's keys: `s` stars
        await pilot.press("slash")
        await settle(pilot)
        assert keys_drawn(app) == keys_due(app) != listed
        assert len(rebuilt) == 2
        await pilot.press("escape")
        await settle(pilot)
        assert keys_drawn(app) == listed
        assert len(rebuilt) == 3
        for key in ("j", "j", "s", "k"):
            await pilot.press(key)
        await settle(pilot)
        assert keys_drawn(app) == listed
        assert len(rebuilt) == 3
