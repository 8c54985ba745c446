"""The merge driver git runs for the library: `python -m readlist.core.sync.driver %O %A %B %P`.

git hands it the common ancestor (%O), this side (%A, where the result goes), the other side
(%B) and the file's path (%P, for messages). Exit 0 tells git the merge is clean, and git then
takes %A as it is, so the result is read back and checked (it parses, every paper is there once)
before saying so. A file that is not a readlist library (a hand edit gone wrong, a newer schema)
is handed to `git merge-file`, which leaves conflict markers, and the driver exits 1: git reports a
conflict and nothing half-merged is ever committed. Messages go to stderr, one line each, starting
with "readlist: ", for git (and `readlist sync`) to show.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from readlist.core.errors import LibraryError
from readlist.core.library.documents import (
    RawLibrary,
    check_paper,
    encode_documents,
    read_documents,
    split_layout,
    write_documents,
)
from readlist.core.sync.merge import MergeResult, merge_libraries

EXIT_MERGED = 0
EXIT_CONFLICT = 1


def read_side(path: Path) -> RawLibrary:
    """One version of the library, as documents (LibraryError if it is not a library)."""
    try:
        with open(path, "rb") as handle:
            return read_documents(path, handle)
    except OSError as exc:
        raise LibraryError(f"{path}: cannot read ({exc.strerror})") from None


def merge_files(base: Path, ours: Path, theirs: Path) -> MergeResult:
    """Merge the three files into `ours` and check what was written; LibraryError if any of
    them is not a library or the result does not read back as the merged papers."""
    ancestor = read_side(base)
    result = merge_libraries(ancestor, read_side(ours), read_side(theirs))
    merged = ours.with_name(f".{ours.name}.{os.getpid()}.tmp")  # %A stays as it was until
    try:  # the result is checked, so a refused merge hands the original to `git merge-file`
        write_documents(merged, encode_documents(ours, result.docs, result.other_tables))
        check_written(merged, result, ancestor)
        os.replace(merged, ours)
    except OSError as exc:
        raise LibraryError(f"{ours}: cannot write the merged library ({exc.strerror})") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(merged)
    return result


def check_written(path: Path, result: MergeResult, ancestor: RawLibrary) -> RawLibrary:
    """The file at `path` is in readlist's layout (one document per paper, every id once, the
    schema table), holds exactly the merged documents in order, and every paper that is not
    as the common ancestor had it reads as a paper. The ancestor's own papers were checked
    when that version was committed (each sync checks the papers it commits new or changed);
    parsing all 100,000 again would double the driver's time. Returns the file as read."""
    with open(path, "rb") as handle:
        written = split_layout(path, handle)
    if written is None or list(written.docs) != result.ids:
        raise LibraryError(f"{path}: the merged file does not hold the merged papers")
    for (pid, doc), merged in zip(written.docs.items(), result.docs, strict=True):
        if doc != merged:
            raise LibraryError(f"{path}: paper {pid} was not written as merged")
        if ancestor.docs.get(pid) != doc:
            check_paper(path, pid, doc, written.seqs[pid])
    return written


def text_merge(base: Path, ours: Path, theirs: Path, name: str) -> None:
    """git's own line merge into `ours`, conflict markers and all, for the user to look at."""
    git = shutil.which("git")
    if git is None:
        return  # %A keeps this side's text; the exit status still says conflict
    labels = ["-L", f"{name} (this side)", "-L", "base", "-L", f"{name} (other)"]
    subprocess.run(
        [git, "merge-file", *labels, str(ours), str(base), str(theirs)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 3:
        print("readlist: usage: python -m readlist.core.sync.driver %O %A %B [%P]", file=sys.stderr)
        return 2
    base, ours, theirs = (Path(a) for a in args[:3])
    name = args[3] if len(args) > 3 else ours.name
    try:
        result = merge_files(base, ours, theirs)
    except LibraryError as error:
        text_merge(base, ours, theirs, name)
        print(f"readlist: {name}: not merged ({error}); left as a conflict", file=sys.stderr)
        return EXIT_CONFLICT
    for report in result.reports:
        print(f"readlist: {name}: {report}", file=sys.stderr)
    return EXIT_MERGED


if __name__ == "__main__":
    sys.exit(main())
