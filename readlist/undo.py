"""An undo stack of previous state values.

Each change the app makes records the paper's state fields as they were before, so `u` can put
them back through the library (which is durable like any other change). A change to many papers
at once (marking every shown paper read) is one step that puts them all back in one write. Only
state is recorded: content comes from feeds and is never changed by the user.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from readlist.core.models import STATE_FIELDS, Entry

#: Papers remembered across all steps: a step over 100,000 papers costs ~10 MB, so a long
#: session of such steps keeps only the newest few (always at least the newest step).
PAPER_LIMIT = 500_000


@dataclass(frozen=True)
class UndoStep:
    """One change to undo: which paper, what it was called, and the fields as they were."""

    paper_id: str
    description: str
    previous: dict[str, Any]

    @property
    def size(self) -> int:
        return 1


@dataclass(frozen=True)
class GroupUndoStep:
    """One change to many papers: the fields as they were, by paper id.

    Papers with the same previous values share one dict, so 100,000 papers marked read hold one
    `{"read": False}` between them.
    """

    description: str
    previous: dict[str, dict[str, Any]]

    @property
    def size(self) -> int:
        return len(self.previous)


def group_step(
    befores: Sequence[Entry], description: str, fields: tuple[str, ...] = STATE_FIELDS
) -> GroupUndoStep | None:
    """The step that puts back `fields` of every entry in `befores`; None if there are none.

    ~40 ms for 100,000 papers (C attribute getters, one dict per distinct set of values).
    """
    if not befores:
        return None
    values_of = attrgetter(*fields)  # one field: the value itself; several: a tuple
    shared: dict[Any, dict[str, Any]] = {}
    previous: dict[str, dict[str, Any]] = {}
    for before in befores:
        values = values_of(before.state)
        known = shared.get(values)
        if known is None:
            as_tuple = values if len(fields) > 1 else (values,)
            known = shared[values] = dict(zip(fields, as_tuple, strict=True))
        previous[before.paper.id] = known
    return GroupUndoStep(description, previous)


class UndoStack:
    """Previous state values, newest last; bounded so a long session cannot grow it forever."""

    def __init__(self, limit: int = 500, paper_limit: int = PAPER_LIMIT) -> None:
        self._steps: list[UndoStep | GroupUndoStep] = []
        self._limit = limit
        self._paper_limit = paper_limit
        self._papers = 0

    def __len__(self) -> int:
        return len(self._steps)

    def record(
        self, before: Entry, description: str, fields: tuple[str, ...] = STATE_FIELDS
    ) -> None:
        """Remember `fields` of `before` (the entry as it was just before a change)."""
        previous = {name: getattr(before.state, name) for name in fields}
        self._push(UndoStep(before.id, description, previous))

    def record_group(
        self, befores: Sequence[Entry], description: str, fields: tuple[str, ...] = STATE_FIELDS
    ) -> None:
        """Remember `fields` of every entry in `befores` as one step (nothing if it is empty)."""
        step = group_step(befores, description, fields)
        if step is not None:
            self.push(step)

    def push(self, step: UndoStep | GroupUndoStep) -> None:
        """Add a step made elsewhere (a group step is built off the UI thread: see group_step)."""
        self._push(step)

    def _push(self, step: UndoStep | GroupUndoStep) -> None:
        self._steps.append(step)
        self._papers += step.size
        while len(self._steps) > 1 and (
            len(self._steps) > self._limit or self._papers > self._paper_limit
        ):
            self._papers -= self._steps.pop(0).size

    def pop(self) -> UndoStep | GroupUndoStep | None:
        """The newest step, removed from the stack; None when there is nothing to undo."""
        if not self._steps:
            return None
        step = self._steps.pop()
        self._papers -= step.size
        return step

    def push_back(self, step: UndoStep | GroupUndoStep) -> None:
        """Return a step that could not be applied (e.g. the write failed), so it is not lost."""
        self._steps.append(step)
        self._papers += step.size
