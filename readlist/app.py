"""ReadlistApp: wiring only. The library is passed in, so a test builds an app in one line.

The app owns what is not about one screen: the stylesheet, the theme (remembered in the config
file), the user's keymap, the command palette entries for every key, the help screen, and closing
the library at exit.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme

from readlist.config import Config, save_theme
from readlist.core.errors import LibraryError
from readlist.core.library import Library
from readlist.paths import stylesheet_path
from readlist.screens.main import MainScreen
from readlist.screens.main_actions import DOWNLOAD_NAME
from readlist.screens.main_triage import saved_search_rows
from readlist.widgets.paper_list import PaperList


class ReadlistApp(App[None]):
    """A keyboard-driven reading list over one `Library`."""

    CSS_PATH = stylesheet_path()
    TITLE = "readlist"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="help"),
        Binding(
            "ctrl+s",
            "sync",
            "Sync",
            tooltip="Sync the library with other machines (git)",
            show=False,
            id="sync",
        ),
    ]

    def __init__(
        self,
        library: Library,
        notices: Sequence[str] = (),
        config: Config | None = None,
        config_file: Path | None = None,
    ) -> None:
        """`config_file` is where a theme chosen in the palette is remembered (None: nowhere)."""
        super().__init__()
        self.library = library
        # Answers the first searches of a large library while its saved index loads here.
        self.search_helper = MainScreen.helper_for(library)
        if self.search_helper is not None:  # an app never run, or dropped, ends it too
            weakref.finalize(self, self.search_helper.close)
        self.notices = tuple(notices)
        self.config = config or Config()
        self.config_file = config_file
        self.syncing = False
        self._quitting = False

    def get_default_screen(self) -> Screen[None]:
        return MainScreen(self.library, self.config)

    def on_mount(self) -> None:
        if self.config.theme and self.config.theme in self.available_themes:
            self.theme = self.config.theme
        elif self.config.theme:
            self.notify(f"Unknown theme {self.config.theme!r} in the config file", markup=False)
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        for notice in self.notices:
            self.notify(notice, markup=False)
        if self.config.sync_on_start:
            self.action_sync()

    @on(events.DeliveryComplete)
    def _download_done(self, event: events.DeliveryComplete) -> None:
        """An export downloaded in a browser tab (`readlist serve`) has reached the browser."""
        if event.name == DOWNLOAD_NAME:
            self.notify("Download finished: the browser has the file")

    @on(events.DeliveryFailed)
    def _download_failed(self, event: events.DeliveryFailed) -> None:
        if event.name == DOWNLOAD_NAME:
            self.notify(f"Download failed: {event.exception}", severity="error", markup=False)

    def _remember_theme(self, theme: Theme) -> None:
        if self.config_file is None:
            return
        problem = save_theme(self.config_file, theme.name)
        if problem:
            self.notify(problem, severity="warning", markup=False)

    def on_unmount(self) -> None:
        """Fold the journal into the library file before the terminal is handed back.

        A failure here is logged only: the journal keeps every change, and the command line's own
        `close()` after the app reports it.
        """
        try:
            self.library.close()
        except LibraryError as error:
            self.log.error(f"closing the library: {error}")

    # ---- sync --------------------------------------------------------------------------

    def action_sync(self) -> None:
        """`readlist sync` in a thread; the list shows what it brought within a second (the
        screen polls the library), and a notification says how it went."""
        if self.syncing:
            self.notify("A sync is already running", markup=False)
            return
        self.syncing = True
        self.notify("Syncing...", timeout=2, markup=False)
        self._sync(then_quit=False)

    async def action_quit(self) -> None:
        """Quit, after a sync when the config asks for one (`sync_on_exit`)."""
        if not self.config.sync_on_exit or self._quitting:
            self.exit()
            return
        self._quitting = True
        self.notify("Syncing before quitting...", markup=False)
        if not self.syncing:
            self.syncing = True
            self._sync(then_quit=True)

    @work(thread=True, group="sync", description="sync")
    def _sync(self, then_quit: bool) -> None:
        from readlist.core.sync.commands import run_sync
        from readlist.core.sync.git import SyncError

        severity: SeverityLevel = "information"
        try:
            lines = run_sync(self.library.path, library=self.library)
            message = "Synced: " + "; ".join(lines[-2:])
        except SyncError as error:
            message, severity = f"Sync failed: {error}", "error"
        self.call_from_thread(self._synced, message, severity, then_quit or self._quitting)

    def _synced(self, message: str, severity: SeverityLevel, then_quit: bool) -> None:
        self.syncing = False
        if then_quit:
            self.exit(message=f"readlist: {message}")
            return
        self.notify(message, severity=severity, timeout=8, markup=False)

    # ---- keys: help screen and command palette ------------------------------------------

    def key_table(self) -> list[tuple[str, str, str, str]]:
        """(keys shown, description, where the action runs, action) for every readlist key."""
        rows: list[tuple[str, str, str, str]] = []
        sources: list[tuple[str, Iterable[BindingType]]] = [
            ("list", PaperList.BINDINGS),
            ("screen", MainScreen.BINDINGS),
            ("app", ReadlistApp.BINDINGS),
        ]
        for target, bindings in sources:
            for binding in bindings:
                if not isinstance(binding, Binding) or binding.action.startswith("saved_search("):
                    continue  # the saved searches: one row each, below
                keys = self._keys_for(binding)
                rows.append((keys, binding.tooltip or binding.description, target, binding.action))
        rows.extend(saved_search_rows(self.config, self._keys_for))
        rows.append(
            ("ctrl+p", "Command palette (themes and every action)", "app", "command_palette")
        )
        return rows

    def _keys_for(self, binding: Binding) -> str:
        """The keys bound now (after the user's keymap), as the user would type them."""
        key = self._keymap.get(binding.id, binding.key) if binding.id else binding.key
        if binding.key_display and key == binding.key:
            return binding.key_display
        return ", ".join(self.get_key_display(Binding(k.strip(), "")) for k in key.split(","))

    def action_help(self) -> None:
        from readlist.screens.help import HelpScreen

        self.push_screen(HelpScreen([(keys, desc) for keys, desc, _, _ in self.key_table()]))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if not isinstance(screen, MainScreen):
            return
        for keys, description, target, action in self.key_table():
            if target == "app" and action in ("quit", "command_palette"):
                continue  # Textual lists Quit itself; the palette is already open
            runners: dict[str, Callable[[str], Awaitable[object]]] = {
                "list": screen.paper_list.run_action,
                "screen": screen.run_action,
                "app": self.run_action,
            }
            help_text = f"key: {keys}" if keys else "no key (only the first nine have one)"
            yield SystemCommand(description, help_text, partial(runners[target], action))
