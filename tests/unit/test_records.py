"""Records with what a source adds (authors, arXiv id, upvotes, ...): stored, cached, merged into
one record per paper, and a library written by the previous readlist upgraded with nothing lost."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest
from tinydb import TinyDB

from readlist.core.errors import LibraryError
from readlist.core.library import Library, safe_files
from readlist.core.library.cache_files import cache_path
from readlist.core.library.storage import SCHEMA
from readlist.core.models import META_FIELDS, Paper, paper_id

SCHEMA1 = Path(__file__).resolve().parents[1] / "fixtures" / "library_schema1.json"

TITLE = "Attention Is All You Need"
FETCHED = Paper(
    id=paper_id(TITLE),
    title=TITLE,
    abstract="The dominant sequence transduction models are based on recurrent networks.",
    date="2017-06-12",
    authors=("Ashish Vaswani", "Noam Shazeer", "Niki Parmar"),
    arxiv_id="1706.03762",
    published="2017-06-12",
    upvotes=42,
    project_page="https://example.org/transformer",
    categories=("cs.CL", "cs.LG"),
    comment="15 pages, 5 figures",
    doi="10.48550/arXiv.1706.03762",
    journal_ref="NeurIPS 2017",
)


def stock_docs(path: Path) -> dict[str, dict[str, Any]]:
    db = TinyDB(path)
    try:
        return {doc["id"]: dict(doc) for doc in db.table("papers").all()}
    finally:
        db.close()


def forget_entry_cache(path: Path) -> None:
    cache_path(path, "entries").unlink(missing_ok=True)


def test_the_source_fields_are_stored_read_back_and_cached(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    pasted = Paper(paper_id("A pasted paper"), "A pasted paper", "Its abstract.", "2026-11-30")
    with Library.open(path) as library:
        library.import_papers([FETCHED, pasted], "hf")
    docs = stock_docs(path)
    for name in META_FIELDS:
        assert name in docs[FETCHED.id]
        assert name not in docs[pasted.id]  # stored only where set
    assert docs[FETCHED.id]["authors"] == list(FETCHED.authors)
    assert docs[FETCHED.id]["upvotes"] == 42
    with Library.open(path) as library:  # from the entry cache
        assert library.get(FETCHED.id).paper == dataclasses.replace(FETCHED, source="hf")
        assert library.get(pasted.id).paper.meta() is None
    forget_entry_cache(path)
    with Library.open(path) as library:  # from the file
        assert library.get(FETCHED.id).paper == dataclasses.replace(FETCHED, source="hf")


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("upvotes", "many", "'upvotes' is neither a whole number nor null"),
        ("upvotes", True, "'upvotes' is neither a whole number nor null"),
        ("arxiv_id", 1706.03762, "'arxiv_id' is neither text nor null"),
        ("authors", "A. Vaswani", "'authors' is not a list of text"),
        ("categories", [1], "'categories' is not a list of text"),
    ],
)
def test_a_source_field_of_the_wrong_type_is_named_and_nothing_changes(
    tmp_path: Path, field: str, value: Any, said: str
) -> None:
    path = tmp_path / "library.json"
    with Library.open(path) as library:
        library.import_papers([FETCHED], "hf")
    document = orjson.loads(path.read_bytes())
    document["papers"]["1"][field] = value
    path.write_bytes(orjson.dumps(document))
    before = path.read_bytes()
    with pytest.raises(LibraryError, match=f"paper document 1: {said}"):
        Library.open(path)
    assert path.read_bytes() == before


def test_pasted_text_then_a_fetch_is_one_record_with_the_state_kept(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    pasted = Paper(FETCHED.id, TITLE, "The dominant sequence models.", "2017-06-13", source="p.txt")
    with Library.open(path) as library:
        library.import_papers([pasted], "p.txt")
        library.update_state(pasted.id, starred=True, read=True, note="cite it", tags=["nlp"])
        result = library.import_papers([FETCHED], "hf")
        assert (result.new, result.updated) == (0, 1)
        assert len(library) == 1
        entry = library.get(pasted.id)
    assert entry.paper.authors == FETCHED.authors
    assert entry.paper.arxiv_id == "1706.03762" and entry.paper.upvotes == 42
    assert entry.paper.date == "2017-06-13"  # the day it was first listed stays
    assert entry.paper.source == "p.txt"
    assert (entry.state.starred, entry.state.read, entry.state.note, entry.state.tags) == (
        True,
        True,
        "cite it",
        ("nlp",),
    )


def test_a_fetch_again_refreshes_content_and_a_later_paste_erases_nothing(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    with Library.open(path) as library:
        library.import_papers([FETCHED], "hf")
        library.set_starred(FETCHED.id, True)
        more = dataclasses.replace(FETCHED, upvotes=97, github="https://github.com/a/b")
        assert library.import_papers([more], "hf").updated == 1
        assert library.import_papers([more], "hf").updated == 0  # nothing new the second time
        pasted = Paper(FETCHED.id, TITLE, FETCHED.abstract, "2017-06-12")
        library.import_papers([pasted], "paste.txt")
        paper = library.get(FETCHED.id).paper
        assert library.get(FETCHED.id).state.starred
    assert (paper.upvotes, paper.github, paper.authors) == (97, more.github, FETCHED.authors)
    assert paper.categories == ("cs.CL", "cs.LG") and paper.doi == FETCHED.doi


def test_the_arxiv_id_is_the_identity_where_known(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    renamed = dataclasses.replace(
        FETCHED, id=paper_id("Attention: v2 title"), title="Attention: v2 title"
    )
    namesake = dataclasses.replace(FETCHED, arxiv_id="2401.00001", authors=("Someone Else",))
    with Library.open(path) as library:
        library.import_papers([FETCHED], "hf")
        library.set_note(FETCHED.id, "mine")
        # a new version with a new title is the same record
        assert library.import_papers([renamed], "arxiv").new == 0
        assert len(library) == 1 and library.get(FETCHED.id).paper.title == "Attention: v2 title"
        # another arXiv paper that happens to share the first title is a record of its own
        assert library.import_papers([namesake], "arxiv").new == 1
        other = next(e for e in library.entries() if e.id != FETCHED.id)
    assert other.paper.arxiv_id == "2401.00001" and other.id == paper_id("arXiv:2401.00001")
    assert other.paper.authors == ("Someone Else",)


def test_a_library_of_the_previous_release_opens_and_upgrades_with_nothing_lost(
    tmp_path: Path,
) -> None:
    path = tmp_path / "library.json"
    shutil.copyfile(SCHEMA1, path)
    before = stock_docs(path)
    assert orjson.loads(path.read_bytes())["_readlist"]["1"]["schema"] == 1
    with Library.open(path) as library:
        assert path.read_bytes() == SCHEMA1.read_bytes()  # opening alone writes nothing
        starred = [e.id for e in library.entries() if e.state.starred]
        assert len(starred) == 2
        library.set_starred(starred[0], False)
        library.compact()
    document = orjson.loads(path.read_bytes())
    assert document["_readlist"]["1"]["schema"] == SCHEMA
    after = stock_docs(path)
    assert set(after) == set(before)
    for pid, doc in before.items():
        expected = dict(doc, starred=False) if pid == starred[0] else doc
        assert after[pid] == expected  # every field, state and content, as it was
    assert not list(tmp_path.glob("*.bak"))  # the copy goes once the upgraded file is synced


def test_the_old_file_is_kept_beside_it_if_the_upgrade_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "library.json"
    shutil.copyfile(SCHEMA1, path)
    library = Library.open(path)
    entry = library.entries()[5]

    def full_disk(tmp: str, target: Path) -> Any:
        if target == path:
            raise LibraryError(f"{path}: could not save the library (no space left on device)")
        return real_commit(tmp, target)

    real_commit = safe_files.commit_temp
    monkeypatch.setattr("readlist.core.library.library.commit_temp", full_disk)
    monkeypatch.setattr("readlist.core.library.storage.commit_temp", full_disk)
    library.set_starred(entry.id, True)  # the journal takes it
    with pytest.raises(LibraryError, match="no space left"):
        library.compact()
    assert path.read_bytes() == SCHEMA1.read_bytes()
    backup = tmp_path / "library.json.schema1.bak"
    assert backup.read_bytes() == SCHEMA1.read_bytes()
    monkeypatch.undo()
    library.compact()  # the disk has room again
    library.close()
    assert not backup.exists()
    assert orjson.loads(path.read_bytes())["_readlist"]["1"]["schema"] == SCHEMA


def test_a_newer_library_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    with Library.open(path) as library:
        library.import_papers([FETCHED], "hf")
    document = orjson.loads(path.read_bytes())
    document["_readlist"]["1"]["schema"] = SCHEMA + 1
    path.write_bytes(orjson.dumps(document))
    before = path.read_bytes()
    with pytest.raises(LibraryError, match=f"newer readlist \\(schema {SCHEMA + 1}\\)"):
        Library.open(path)
    assert path.read_bytes() == before
