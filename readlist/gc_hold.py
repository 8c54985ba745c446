"""Hold the cyclic garbage collector off between a keystroke and the frame that shows its result.

Why: at 100,000 papers a search makes lists of up to 100,000 entries, and any collection that
lands while they live walks every one of them: a young-generation pass took 2-6 ms on nearly
every key of `learning` typed, an older one 14 ms (traced in `make bench`'s typing, 40 keys). Held
off until the result is on screen, the same collection runs after the frame instead of before
it. Nothing is freed later than a frame: reference counting frees all that is not cyclic.
"""

from __future__ import annotations

import gc


class CollectorHold:
    """Disables the GC on `hold` and enables it again on `release`, only if it was on."""

    def __init__(self) -> None:
        self._held = False

    def hold(self) -> bool:
        """Hold the GC off; True if this call did (it was on, and not held already)."""
        if not self._held and gc.isenabled():
            gc.disable()
            self._held = True
            return True
        return False

    def release(self) -> None:
        if self._held:
            self._held = False
            gc.enable()
