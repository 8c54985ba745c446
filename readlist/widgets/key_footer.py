"""The key hints at the bottom: Textual's footer, recomposed once per change of what it shows.

Why: Textual's footer rebuilds itself (a widget per key, 15-25 ms) every time the screen says
its bindings changed, and the screen says so twice in a row after the first frame: both
rebuilds ran then, on the same GIL as the saved index a search typed at the first paint waits
for. Here a rebuild that would show the keys already shown is skipped.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer

# What the footer shows of one binding: its key, words, action, whether it is enabled, tooltip.
Shown = tuple[tuple[str, str, str, bool, str, object], ...]


class KeyFooter(Footer):
    """`Footer` that recomposes only when the keys it would show change."""

    def __init__(self, *, compact: bool = False) -> None:
        super().__init__(compact=compact, show_command_palette=False)
        self._shown: Shown | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        shown = self.keys_shown()
        if shown != self._shown:
            self._shown = shown
            await self.recompose()

    def keys_shown(self) -> Shown:
        """The bindings the footer shows now, as it shows them."""
        return tuple(
            (binding.key, binding.description, binding.action, enabled, tooltip, binding.group)
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()
            if binding.show
        )
