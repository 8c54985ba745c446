"""A second readlist process for the durability and concurrency tests.

The tests start this script, read what it prints (each line is printed only after the library call
it reports has returned), and kill it with SIGKILL or wait for it. Run as
`python library_child.py COMMAND LIBRARY [ARGS]`.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import random
import resource
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import make_papers

from readlist.core.errors import LibraryError
from readlist.core.library import Library

NOTE_CHARS = 'abc xyz ÄÖü 数学 🙂"\\\n\t'


def say(**fields: object) -> None:
    print(json.dumps(fields), flush=True)


def star(path: Path, args: list[str]) -> None:
    """Star one paper, say "ok", then wait to be killed (no close, so no compaction)."""
    library = Library.open(path)
    library.set_starred(args[0], True)
    print("ok", flush=True)
    time.sleep(60)


def random_changes(path: Path, args: list[str]) -> None:
    """Random state changes forever; "want" before each call, "ok" after it returns."""
    rng = random.Random(int(args[0]))
    library = Library.open(path)
    ids = [e.id for e in library.entries()]
    step = 0
    while True:
        paper = rng.choice(ids)
        field = rng.choice(["starred", "read", "note", "tags"])
        value: object
        if field in ("starred", "read"):
            value = rng.random() < 0.5
        elif field == "note":
            value = "".join(rng.choice(NOTE_CHARS) for _ in range(rng.randint(0, 400)))
        else:
            value = sorted({f"t{rng.randint(0, 9)}" for _ in range(rng.randint(0, 3))})
        say(event="want", id=paper, field=field, value=value)
        library.update_state(paper, **{field: value})
        say(event="ok", id=paper, field=field, value=value)
        step += 1
        if step % 40 == 0:
            library.compact()


def import_forever(path: Path, args: list[str]) -> None:
    """Import a bigger feed, then two variants of it alternately, saying each one done."""
    count = int(args[0])
    library = Library.open(path)
    round_ = 0
    while True:
        papers = make_papers(count, github_every=2 + round_ % 2)
        result = library.import_papers(papers, "synthetic.txt")
        say(event="imported", round=round_, new=result.new, updated=result.updated)
        round_ += 1


def hammer(path: Path, args: list[str]) -> None:
    """Concurrency: toggle stars on this process's own papers and write notes on a shared one."""
    name, shared, count = args[0], args[1], int(args[2])
    own = args[3:]
    library = Library.open(path)
    for k in range(count):
        library.set_starred(own[k % len(own)], k % 2 == 0)
        library.set_note(shared, f"{name}-{k}")
        library.set_tags(own[k % len(own)], [name, f"k{k}"])
        if k % 25 == 24:
            library.compact()
    library.close()
    say(event="done", name=name)


def drop_permission_override() -> None:
    """As root, give up the capabilities that ignore file modes, so a chmod'ed file really bites."""
    if os.geteuid() != 0:
        return

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [
            ("effective", ctypes.c_uint32),
            ("permitted", ctypes.c_uint32),
            ("inheritable", ctypes.c_uint32),
        ]

    libc = ctypes.CDLL(None, use_errno=True)
    header = Header(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (Data * 2)()
    if libc.capget(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capget failed")
    keep = ~((1 << 1) | (1 << 2) | (1 << 3)) & 0xFFFFFFFF  # DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER
    for field in ("effective", "permitted", "inheritable"):
        setattr(data[0], field, getattr(data[0], field) & keep)
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")


def restricted(path: Path, args: list[str]) -> None:
    """Open with file modes enforced; star paper `args[0]` and compact; report what happened."""
    drop_permission_override()
    report: dict[str, object] = {}
    try:
        library = Library.open(path)
    except LibraryError as exc:
        say(open_error=str(exc), error_type=type(exc).__name__)
        return
    report.update(read_only=library.read_only, count=len(library))
    paper = args[0]
    for action, call in (
        ("star", lambda: library.set_starred(paper, True)),
        ("compact", library.compact),
    ):
        try:
            call()
            report[action] = "saved"
        except LibraryError as exc:
            report[action] = f"{type(exc).__name__}: {exc}"
    report["starred_in_memory"] = library.get(paper).state.starred
    say(**report)


def file_size_limit(path: Path, args: list[str]) -> None:
    """Writes past `args[0]` bytes fail (EFBIG, as on a full disk); change paper `args[1]`."""
    library = Library.open(path)
    paper = args[1]
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limit = int(args[0])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    report: dict[str, object] = {}
    attempts = (
        ("small_star", lambda: library.set_starred(paper, True)),
        ("big_note", lambda: library.set_note(paper, "n" * limit)),
        ("import", lambda: library.import_papers(make_papers(30, start=1000), "more.txt")),
        ("compact", library.compact),
    )
    for action, call in attempts:
        try:
            call()
            report[action] = "saved"
        except LibraryError as exc:
            report[action] = str(exc)
    entry = library.get(paper)
    report.update(note_in_memory=entry.state.note, starred=entry.state.starred, count=len(library))
    say(**report)


def batches(path: Path, args: list[str]) -> None:
    """Mark every paper read, then every paper unread, forever, each as one batch; "want" before
    each call, "ok" after it returns."""
    library = Library.open(path)
    ids = [e.id for e in library.entries()]
    read = bool(int(args[0]))
    while True:
        read = not read
        say(event="want", read=read)
        fields = {"read": read}
        library.update_states({paper: fields for paper in ids})
        say(event="ok", read=read)


def batch_past_size_limit(path: Path, args: list[str]) -> None:
    """Star paper `args[0]`, then let writes reach only `args[1]` bytes past the journal's end
    (EFBIG, as on a full disk) and mark every paper read in one batch; report what happened."""
    library = Library.open(path)
    library.set_starred(args[0], True)
    journal = path.with_name(path.name + ".journal")
    before = journal.read_bytes()
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limit = len(before) + int(args[1])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    fields = {"read": True}
    report: dict[str, object] = {}
    try:
        library.update_states({e.id: fields for e in library.entries()})
        report["batch"] = "saved"
    except LibraryError as exc:
        report["batch"] = str(exc)
    report.update(
        journal_unchanged=journal.read_bytes() == before,
        unread_in_memory=library.counts().unread,
        starred_in_memory=library.get(args[0]).state.starred,
    )
    say(**report)


COMMANDS = {
    "batches": batches,
    "batch_fsize": batch_past_size_limit,
    "star": star,
    "random": random_changes,
    "import": import_forever,
    "hammer": hammer,
    "restricted": restricted,
    "fsize": file_size_limit,
}

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=sorted(COMMANDS))
    parser.add_argument("library", type=Path)
    parser.add_argument("args", nargs="*")
    options = parser.parse_args()
    COMMANDS[options.command](options.library, options.args)
