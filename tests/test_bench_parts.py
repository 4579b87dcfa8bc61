"""``python -m bench.parts`` measures the page with parts left out: every part's edit must
still match the code it leaves out, and a copy without them must still compile, or the
bench would measure the page as it is under another name."""

from __future__ import annotations

import py_compile
from pathlib import Path

import pytest

from bench import parts


def test_every_part_can_be_left_out_and_the_copy_still_compiles(tmp_path: Path) -> None:
    copy = parts.copy_without(tuple(parts.PARTS), tmp_path / "copy")
    for edit in {e for edits in parts.PARTS.values() for e in edits}:
        assert edit.old not in (copy / edit.path).read_text(encoding="utf-8")
    for path in {e.path for edits in parts.PARTS.values() for e in edits}:
        py_compile.compile(str(copy / path), doraise=True)
    assert not (copy / "data").exists()  # the server is handed the bundled store apart


def test_an_edit_that_no_longer_matches_stops_the_bench_naming_its_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(parts.PARTS, "renamed", (parts.Edit("emss/ui.py", "no such code\n"),))
    with pytest.raises(SystemExit, match="'renamed' no longer matches emss/ui.py"):
        parts.copy_without(("renamed",), tmp_path / "copy")
