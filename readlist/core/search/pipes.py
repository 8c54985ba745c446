"""Values between two processes of readlist down a pipe: each one `marshal`led, after its size.

Why: the bulk index build (`bulk_index`) and the search helper (`helper`) fork a process that
sends back lists of ints and strings; `marshal` is the fastest way Python has for those, and a
size first lets the reader take exactly one value.
"""

from __future__ import annotations

import marshal
import os
import struct
from typing import Any


def send(fd: int, value: Any) -> None:
    data = marshal.dumps(value)
    view = memoryview(struct.pack("q", len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def receive(fd: int) -> Any:
    """The next value; EOFError if the other end closed before one came whole."""

    def exactly(size: int) -> bytes:
        parts, left = [], size
        while left:
            part = os.read(fd, min(left, 1 << 20))
            if not part:
                raise EOFError("the other process ended early")
            parts.append(part)
            left -= len(part)
        return b"".join(parts)

    (size,) = struct.unpack("q", exactly(8))
    return marshal.loads(exactly(size))
