"""An undo stack of previous state values.

Each change the app makes records the paper's state fields as they were before, so `u` can put
them back through `Library.update_state` (which is durable like any other change). Only state is
recorded: content comes from feeds and is never changed by the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from readlist.core.models import STATE_FIELDS, Entry


@dataclass(frozen=True)
class UndoStep:
    """One change to undo: which paper, what it was called, and the fields as they were."""

    paper_id: str
    description: str
    previous: dict[str, Any]


class UndoStack:
    """Previous state values, newest last; bounded so a long session cannot grow it forever."""

    def __init__(self, limit: int = 500) -> None:
        self._steps: list[UndoStep] = []
        self._limit = limit

    def __len__(self) -> int:
        return len(self._steps)

    def record(
        self, before: Entry, description: str, fields: tuple[str, ...] = STATE_FIELDS
    ) -> None:
        """Remember `fields` of `before` (the entry as it was just before a change)."""
        previous = {name: getattr(before.state, name) for name in fields}
        self._steps.append(UndoStep(before.id, description, previous))
        if len(self._steps) > self._limit:
            del self._steps[0]

    def pop(self) -> UndoStep | None:
        """The newest step, removed from the stack; None when there is nothing to undo."""
        return self._steps.pop() if self._steps else None

    def push_back(self, step: UndoStep) -> None:
        """Return a step that could not be applied (e.g. the write failed), so it is not lost."""
        self._steps.append(step)
