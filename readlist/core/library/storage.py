"""The library file on disk: one TinyDB JSON document, read and written whole with orjson.

Stock TinyDB reads it (`TinyDB(path).table("papers")`), but TinyDB's own storage rewrites the file
on every change and keeps a stale handle after another process replaces it, so readlist reads and
writes the document itself: orjson for speed, and a temp file + fsync + atomic replace so the file
on disk is always either the old library or the new one, never half of each.

Layout: one paper document per line (`{"papers":{` / `"1":{...},` / ... / `},"_readlist":...}`),
still one JSON document. Reading it line by line never holds the whole file's bytes and its whole
decoded document at once (at 100,000 papers: a 677 MB load peak instead of ~340 MB); a file in any
other layout (written by TinyDB or by hand) is read whole, as before.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import stat
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from readlist.core.errors import LibraryError
from readlist.core.library.safe_files import (
    FileSig,
    commit_temp,
    describe_os_error,
    sig_of,
    write_temp,
)
from readlist.core.models import (
    ABSTRACT_SLOT,
    META_DEFAULTS,
    META_FIELDS,
    Entry,
    Paper,
    PaperState,
    gc_paused,
    normalise_tags,
)

#: The schema version this readlist writes; a file with a newer one is refused, never rewritten.
#: 2: papers may carry what a source adds (`models.META_FIELDS`), each stored only when set.
SCHEMA = 2
PAPERS_TABLE = "papers"
META_TABLE = "_readlist"


@dataclass
class LoadedFile:
    """What one read of the library file gave: the entries in feed order and any other tables."""

    entries: dict[str, Entry] = field(default_factory=dict)
    other_tables: dict[str, Any] = field(default_factory=dict)
    sig: FileSig | None = None
    cached: bool = False  # read from the entry cache, not the file
    schema: int = SCHEMA  # as written in the file (an older one is migrated on the next write)


def read_library(path: Path) -> LoadedFile:
    """Read and check the library file; a missing or empty file is an empty library."""
    try:
        with open(path, "rb") as handle:
            st = os.fstat(handle.fileno())
            if stat.S_ISDIR(st.st_mode):
                raise IsADirectoryError(errno.EISDIR, "is a directory")
            with gc_paused():
                loaded = read_lines(path, handle)
            if loaded is None:
                handle.seek(0)
                data = handle.read()
    except FileNotFoundError:
        return LoadedFile()
    except IsADirectoryError:
        raise LibraryError(f"{path}: is a folder, not a library file") from None
    except OSError as exc:
        raise LibraryError(f"{path}: cannot read the library ({describe_os_error(exc)})") from None
    if loaded is None:
        with gc_paused():
            document = decode_library(path, data)
            del data  # the raw bytes are as big as the file: free them before building entries
            loaded = library_from_document(path, document)
    loaded.sig = sig_of(st)
    return loaded


#: The first line of a file in readlist's own layout: one paper document per line follows.
LAYOUT_HEAD = b'{"' + PAPERS_TABLE.encode() + b'":{\n'


def read_lines(path: Path, handle: BinaryIO) -> LoadedFile | None:
    """Read a file in readlist's one-paper-per-line layout, one line at a time.

    None (read it whole instead) for anything else, so the whole-document reader decides
    what a file that is not exactly in this layout means and words every error: a file cut
    short, a damaged line, a duplicate or out-of-order document id, a hand edit.
    """
    if handle.readline() != LAYOUT_HEAD:
        return None
    entries: dict[str, Entry] = {}
    last_seq = 0
    more = True  # the previous paper line ended with a comma (or there was none yet)
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    for line in handle:
        if line[:1] == b"}":
            # after the last paper's line, which has no comma (or straight after the head)
            return None if more and entries else _layout_tail(path, handle, line, entries)
        if not more:
            return None
        # `"<seq>":{...},\n` (the last paper's line has no comma)
        colon = line.find(b":")
        key = line[1 : colon - 1]
        if colon < 3 or line[:1] != b'"' or line[colon - 1 : colon] != b'"' or not key.isdigit():
            return None
        seq = int(key)
        if seq <= last_seq:
            return None
        if line.endswith(b",\n"):
            end = len(line) - 2
        elif line.endswith(b"\n"):
            end, more = len(line) - 1, False
        else:
            return None
        try:
            doc = loads(memoryview(line)[colon + 1 : end])
            entry = entry_from_doc(path, key.decode(), doc, seq)
        except (decode_error, LibraryError):
            return None
        if entry.id in entries:
            return None
        entries[entry.id] = entry
        last_seq = seq
    return None  # no closing line: cut short


def _layout_tail(
    path: Path, handle: BinaryIO, line: bytes, entries: dict[str, Entry]
) -> LoadedFile | None:
    """The closing line `},"_readlist":{...}}` (and the user's own tables), checked."""
    if handle.read().strip():
        return None
    body = line[1:].strip()
    if body == b"}":
        rest: Any = {}
    elif body[:1] == b",":
        try:
            rest = orjson.loads(b"{" + body[1:])
        except orjson.JSONDecodeError:
            return None
    else:
        return None
    if not isinstance(rest, dict) or PAPERS_TABLE in rest:
        return None
    schema = check_schema(path, rest.get(META_TABLE))
    other = {k: v for k, v in rest.items() if k != META_TABLE}
    return LoadedFile(entries, other, schema=schema)


def decode_library(path: Path, data: bytes) -> Any:
    """The file's JSON document ({} for an empty file, as TinyDB reads one), or LibraryError."""
    if not data.strip():
        return {}
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        reason = str(exc)
        if "end of data" in reason:
            raise LibraryError(
                f"{path}: truncated JSON (the file ends mid-document after {len(data)} bytes)"
            ) from None
        if "UTF-8" in reason:
            raise LibraryError(f"{path}: not JSON (not UTF-8 text)") from None
        raise LibraryError(f"{path}: not JSON ({reason})") from None


def library_from_document(path: Path, document: Any) -> LoadedFile:
    """Check the document's shape and schema and build the entries in feed order."""
    if not isinstance(document, dict):
        raise _shape(path, f"expected a JSON object of tables, found {_kind(document)}")
    schema = check_schema(path, document.get(META_TABLE))
    papers = document.get(PAPERS_TABLE, {})
    if not isinstance(papers, dict):
        raise _shape(path, f"the '{PAPERS_TABLE}' table is {_kind(papers)}, not an object")
    rows: list[tuple[int, Entry]] = []
    for key, doc in papers.items():
        try:
            seq = int(key)
        except ValueError:
            raise _shape(path, f"document id {key!r} is not a number") from None
        rows.append((seq, entry_from_doc(path, key, doc, seq)))
    rows.sort(key=lambda row: row[0])
    entries: dict[str, Entry] = {}
    for _seq, entry in rows:
        if entry.id in entries:
            raise _shape(path, f"paper id {entry.id!r} appears twice")
        entries[entry.id] = entry
    other = {k: v for k, v in document.items() if k not in (PAPERS_TABLE, META_TABLE)}
    return LoadedFile(entries, other, schema=schema)


def check_schema(path: Path, meta: Any) -> int:
    """The file's schema version (a file without one is as old as the first), or LibraryError
    if it is damaged or newer than this readlist, which would drop what it does not know."""
    if meta is None:
        return 1
    doc = meta.get("1") if isinstance(meta, dict) else None
    version = doc.get("schema") if isinstance(doc, dict) else None
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _shape(path, f"the '{META_TABLE}' table has no valid schema version")
    if version > SCHEMA:
        raise LibraryError(
            f"{path}: written by a newer readlist (schema {version}); "
            f"this version reads schema {SCHEMA} and leaves the file alone"
        )
    return version


#: Most papers have the default state: they share one object (frozen, so sharing is safe).
DEFAULT_STATE = PaperState()


def entry_from_doc(path: Path, key: str, doc: Any, seq: int) -> Entry:
    """One stored document as an Entry, checking every field's type (a wrong one is an error).

    Written for speed (100,000 of these on every load): exact type checks in one expression,
    and the slow path only to say what is wrong.
    """
    if type(doc) is dict:
        get = doc.get
        id_, title, abstract = get("id"), get("title"), get("abstract")
        date, github = get("date"), get("github")
        source, added, note = get("source", ""), get("added", ""), get("note", "")
        starred, read = get("starred", False), get("read", False)
        links, tags = get("links") or (), get("tags") or ()
        try:
            meta = _meta_from_doc(doc) if len(doc) > _PLAIN_DOC_SIZE else None
        except ValueError:
            raise _doc_problem(path, key, doc) from None
        if (
            type(id_) is str
            and type(title) is str
            and type(abstract) is str
            and (date is None or type(date) is str)
            and (github is None or type(github) is str)
            and type(source) is str
            and type(added) is str
            and type(note) is str
            and type(starred) is bool
            and type(read) is bool
            and (not links or (type(links) is list and all(type(v) is str for v in links)))
            and (not tags or (type(tags) is list and all(type(v) is str for v in tags)))
        ):
            if starred or read or note or tags:
                state = PaperState(starred, read, note, normalise_tags(tags))
            else:
                state = DEFAULT_STATE
            # A feed's papers share a handful of days, one source and one import time: one
            # string each instead of one per paper (~20 MB fewer at 100,000 papers).
            if date is not None:
                date = intern_text(date)
            source = intern_text(source)
            paper = build_paper(id_, title, abstract, date, github, tuple(links), source, meta)
            return build_entry(paper, state, intern_text(added), seq)
    raise _doc_problem(path, key, doc)


#: A document with no more keys than `DOC_FIELDS` less the source's ones has none of those.
_PLAIN_DOC_SIZE = 12
_TEXT_LISTS = ("authors", "categories")
_OPTIONAL_TEXT = ("arxiv_id", "published", "project_page", "comment", "doi", "journal_ref")


def _meta_from_doc(doc: dict[str, Any]) -> tuple[Any, ...] | None:
    """The source's fields of a document in `META_FIELDS` order, or None if it has none of them.
    ValueError if one has the wrong type."""
    get = doc.get
    authors, categories, upvotes = get("authors") or (), get("categories") or (), get("upvotes")
    texts = [get(name) for name in _OPTIONAL_TEXT]
    if (
        (authors and (type(authors) is not list or any(type(v) is not str for v in authors)))
        or (
            categories
            and (type(categories) is not list or any(type(v) is not str for v in categories))
        )
        or (upvotes is not None and type(upvotes) is not int)
        or any(v is not None and type(v) is not str for v in texts)
    ):
        raise ValueError("a source field of the wrong type")
    arxiv_id, published, project_page, comment, doi, journal_ref = texts
    if published is not None:
        published = intern_text(published)
    meta = (
        tuple(authors),
        arxiv_id,
        published,
        upvotes,
        project_page,
        tuple(categories),
        comment,
        doi,
        journal_ref,
    )
    return None if meta == META_DEFAULTS else meta


def stored_doc(entry: Entry) -> dict[str, Any]:
    """The document written to the file: `Entry.to_doc()` without the source's fields it lacks,
    so a library of pasted feeds stays as small and as quick to load as before."""
    doc = entry.to_doc()
    meta = entry.paper.meta()
    if meta is None:
        for name in META_FIELDS:
            del doc[name]
    else:
        for name, value, default in zip(META_FIELDS, meta, META_DEFAULTS, strict=True):
            if value == default:
                del doc[name]
    return doc


def _slot_setters(cls: type, names: tuple[str, ...]) -> tuple[Callable[[Any, Any], None], ...]:
    """The slot setters of `cls`, one per field in `names`; () if `cls` is not a slotted
    dataclass with exactly these fields (models.py changed): the builders then use `cls`."""
    # A paper's abstract is a property over its slot (see `models.ABSTRACT_SLOT`).
    slots = [
        ABSTRACT_SLOT if (cls, name) == (Paper, "abstract") else cls.__dict__.get(name)
        for name in names
    ]
    if tuple(f.name for f in dataclasses.fields(cls)) != names or not all(
        type(slot) is _MEMBER_DESCRIPTOR for slot in slots
    ):
        return ()
    return tuple(slot.__set__ for slot in slots)  # type: ignore[union-attr]


_MEMBER_DESCRIPTOR = type(PaperState.__dict__["starred"])
_PAPER_SLOTS = _slot_setters(
    Paper, ("id", "title", "abstract", "date", "github", "links", "source", *META_FIELDS)
)
_ENTRY_SLOTS = _slot_setters(Entry, ("paper", "state", "added", "seq"))
_new = object.__new__
intern_text = sys.intern

# A load makes 100,000 Papers and Entries. A frozen dataclass's __init__ sets each field by name
# through object.__setattr__; filling the slots directly, one call per field written out (a loop
# over the setters costs a third more), takes 1.8 us a Paper instead of 2.4-3.2 us. Every field
# is set, from a checked document or the entry cache.
if _PAPER_SLOTS and _ENTRY_SLOTS:
    _set_id, _set_title, _set_abstract, _set_date, _set_github, _set_links, _set_source = (
        _PAPER_SLOTS[:7]
    )
    (
        _set_authors,
        _set_arxiv_id,
        _set_published,
        _set_upvotes,
        _set_project_page,
        _set_categories,
        _set_comment,
        _set_doi,
        _set_journal_ref,
    ) = _PAPER_SLOTS[7:]
    _set_paper, _set_state, _set_added, _set_seq = _ENTRY_SLOTS

    def build_paper(
        id: str,
        title: str,
        abstract: str,
        date: str | None,
        github: str | None,
        links: tuple[str, ...],
        source: str,
        meta: tuple[Any, ...] | None,
    ) -> Paper:
        paper: Paper = _new(Paper)
        _set_id(paper, id)
        _set_title(paper, title)
        _set_abstract(paper, abstract)
        _set_date(paper, date)
        _set_github(paper, github)
        _set_links(paper, links)
        _set_source(paper, source)
        authors, arxiv_id, published, upvotes, page, categories, comment, doi, journal = (
            meta or META_DEFAULTS
        )
        _set_authors(paper, authors)
        _set_arxiv_id(paper, arxiv_id)
        _set_published(paper, published)
        _set_upvotes(paper, upvotes)
        _set_project_page(paper, page)
        _set_categories(paper, categories)
        _set_comment(paper, comment)
        _set_doi(paper, doi)
        _set_journal_ref(paper, journal)
        return paper

    def build_entry(paper: Paper, state: PaperState, added: str, seq: int) -> Entry:
        entry: Entry = _new(Entry)
        _set_paper(entry, paper)
        _set_state(entry, state)
        _set_added(entry, added)
        _set_seq(entry, seq)
        return entry

else:  # pragma: no cover - only if models.py stops being slotted dataclasses

    def build_paper(
        id: str,
        title: str,
        abstract: str,
        date: str | None,
        github: str | None,
        links: tuple[str, ...],
        source: str,
        meta: tuple[Any, ...] | None,
    ) -> Paper:
        fields = dict(zip(META_FIELDS, meta or META_DEFAULTS, strict=True))
        return Paper(id, title, abstract, date, github, links, source, **fields)

    build_entry = Entry


def _doc_problem(path: Path, key: str, doc: Any) -> LibraryError:
    """Say exactly what is wrong with a document `entry_from_doc` refused."""
    if not isinstance(doc, dict):
        return _shape(path, f"paper document {key} is {_kind(doc)}, not an object")
    for name in ("id", "title", "abstract"):
        if not isinstance(doc.get(name), str):
            return _shape(path, f"paper document {key} has no text '{name}'")
    for name in ("date", "github"):
        if not isinstance(doc.get(name), (str, type(None))):
            return _shape(path, f"paper document {key}: '{name}' is neither text nor null")
    for name in ("source", "added", "note"):
        if not isinstance(doc.get(name, ""), str):
            return _shape(path, f"paper document {key}: '{name}' is not text")
    for name in ("starred", "read"):
        if not isinstance(doc.get(name, False), bool):
            return _shape(path, f"paper document {key}: '{name}' is not true/false")
    for name in _OPTIONAL_TEXT:
        if not isinstance(doc.get(name), (str, type(None))):
            return _shape(path, f"paper document {key}: '{name}' is neither text nor null")
    upvotes = doc.get("upvotes")
    if upvotes is not None and type(upvotes) is not int:
        return _shape(path, f"paper document {key}: 'upvotes' is neither a whole number nor null")
    for name in ("links", "tags", *_TEXT_LISTS):
        value = doc.get(name) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return _shape(path, f"paper document {key}: '{name}' is not a list of text")
    return _shape(path, f"paper document {key}: a field has the wrong type")


def _shape(path: Path, what: str) -> LibraryError:
    return LibraryError(f"{path}: not a readlist library ({what})")


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")


#: Papers per orjson call when encoding: orjson holds the GIL for the whole call, so one call for
#: 100,000 papers (~200 MB) would freeze the UI thread while a worker compacts.
ENCODE_CHUNK = 2000


def encode_library(
    path: Path, entries: Sequence[Entry], other_tables: dict[str, Any]
) -> list[bytes]:
    """The whole TinyDB document for these entries (in the order given, keyed by seq), one paper
    per line (see the module docstring), as pieces to write one after another (joining 200 MB
    would hold the GIL for the copies)."""
    pieces = [LAYOUT_HEAD]
    dumps = orjson.dumps
    try:
        with gc_paused():
            for start in range(0, len(entries), ENCODE_CHUNK):
                chunk = entries[start : start + ENCODE_CHUNK]
                lines = [b'"%d":%b,\n' % (e.seq, dumps(stored_doc(e))) for e in chunk]
                if start + ENCODE_CHUNK >= len(entries):
                    lines[-1] = lines[-1][:-2] + b"\n"  # the last paper: no comma
                pieces.append(b"".join(lines))
        pieces.append(layout_tail(other_tables))
    except orjson.JSONEncodeError as exc:  # e.g. a lone surrogate in a paper's text
        raise LibraryError(
            f"{path}: could not save the library ({exc}); nothing was changed"
        ) from None
    return pieces


def layout_tail(other_tables: dict[str, Any]) -> bytes:
    """The closing line: the end of the papers table, then the schema table and any other tables
    (orjson.JSONEncodeError if one cannot be encoded)."""
    rest = dict(other_tables)
    rest[META_TABLE] = {"1": {"schema": SCHEMA}}
    return b"}," + orjson.dumps(rest)[1:] + b"\n"


def write_library(path: Path, entries: Sequence[Entry], other_tables: dict[str, Any]) -> FileSig:
    """Replace the library file atomically; LibraryError (file untouched) if the write fails."""
    return commit_temp(write_temp(path, encode_library(path, entries, other_tables)), path)
