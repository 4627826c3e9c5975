"""Outputs are written whole or not at all, and the previous version survives a failure."""

from __future__ import annotations

import json
import stat

import pytest

from forecast import atomic


@pytest.mark.parametrize(
    "write, content, read",
    [
        (atomic.write_text, "Lạng Sơn 95%\n", lambda p: p.read_text(encoding="utf-8")),
        (atomic.write_bytes, b"\x00\x01binary", lambda p: p.read_bytes()),
        (atomic.write_json, {"id": "T06", "tên": "xã"}, lambda p: json.loads(p.read_text(encoding="utf-8"))),
    ],
)
def test_writes_the_whole_content_into_a_new_folder(tmp_path, write, content, read):
    path = tmp_path / "new" / "out.dat"
    assert write(path, content) == path
    assert read(path) == content
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in path.parent.iterdir()] == ["out.dat"]


def test_a_failing_writer_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old", encoding="utf-8")

    def broken(tmp):
        tmp.write_text("half", encoding="utf-8")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic.write_with(path, broken)
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_json_is_readable_vietnamese(tmp_path):
    path = atomic.write_json(tmp_path / "s.json", {"b": "Đồng", "a": 1}, sort_keys=True)
    text = path.read_text(encoding="utf-8")
    assert "Đồng" in text and text.index('"a"') < text.index('"b"')


@pytest.mark.parametrize("content", [None, b"", b"{not json", b"\xff\xfe\x00", b"[1, 2]", b'"text"'])
def test_a_missing_or_damaged_cache_entry_reads_as_none(tmp_path, content):
    path = tmp_path / "entry.json"
    if content is not None:
        path.write_bytes(content)
    assert atomic.read_cache(path) is None


def test_a_cache_entry_reads_back_what_was_written(tmp_path):
    path = tmp_path / "deep" / "entry.json"
    assert atomic.write_cache(path, {"tỉnh": "Lạng Sơn", "p": 0.8})
    assert atomic.read_cache(path) == {"tỉnh": "Lạng Sơn", "p": 0.8}


def test_a_cache_that_cannot_be_written_is_said_not_fatal(tmp_path):
    (tmp_path / "file").write_text("x")
    said: list[str] = []
    assert atomic.write_cache(tmp_path / "file" / "entry.json", {"a": 1}, said.append) is False
    assert len(said) == 1 and "could not write the cache" in said[0] and "the run goes on" in said[0]
