"""The output folder's file system (transforms/storage/files.py): "not found" is no files, any other failure to list
is a StorageError naming the path (never "no files": an incremental run would re-code everything)."""
from __future__ import annotations

import builtins
import os

import pytest

from transforms.aggregate import resolve_table_input
from transforms.coding.errors import StorageError
from transforms.storage import commit, files

NO_FILESYSTEM = "nosuch://bucket/out"  # a scheme with no registered file system: Beam cannot list it


def test_a_missing_folder_or_pattern_has_no_files(tmp_path):
    assert files.list_files(str(tmp_path / "missing")) == []
    assert files.list_files(str(tmp_path / "missing"), recursive=False) == []
    assert files.has_files(str(tmp_path / "missing" / "*.parquet")) is False
    assert commit.committed_files(str(tmp_path / "missing"), "events", "parquet") == []


def test_a_folder_with_files_lists_them(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "top.json").write_text("{}", encoding="utf-8")
    (tmp_path / "a" / "b" / "deep.json").write_text("{}", encoding="utf-8")
    assert files.list_files(str(tmp_path / "a")) == [str(tmp_path / "a" / "b" / "deep.json"),
                                                     str(tmp_path / "a" / "top.json")]
    assert files.list_files(f"file://{tmp_path}/a", recursive=False) == [str(tmp_path / "a" / "top.json")]
    assert files.has_files(str(tmp_path / "a" / "*.json")) is True


def test_a_scheme_without_file_system_is_an_error_naming_the_path():
    with pytest.raises(StorageError, match=f"cannot list {NO_FILESYSTEM}/_runs/\\*"):
        files.list_files(f"{NO_FILESYSTEM}/_runs", recursive=False)
    with pytest.raises(StorageError, match=f"cannot list {NO_FILESYSTEM}/events/\\*.parquet"):
        files.has_files(f"{NO_FILESYSTEM}/events/*.parquet")
    with pytest.raises(StorageError, match=NO_FILESYSTEM):  # committed_files asks for the run records first
        commit.committed_files(NO_FILESYSTEM, "events", "parquet")
    with pytest.raises(StorageError, match=NO_FILESYSTEM):  # aggregate_events / query input given as a glob
        resolve_table_input(f"{NO_FILESYSTEM}/parquet/events/*/*.parquet", "events")


def test_a_folder_that_cannot_be_read_is_an_error_naming_it(tmp_path, monkeypatch):
    (tmp_path / "out" / "_runs").mkdir(parents=True)
    (tmp_path / "out" / "parquet" / "events").mkdir(parents=True)
    real_listdir, real_scandir = os.listdir, os.scandir

    def denied(call):
        def refuse(path="."):
            if os.fspath(path).startswith(str(tmp_path / "out")):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return call(path)
        return refuse

    monkeypatch.setattr(os, "listdir", denied(real_listdir))
    monkeypatch.setattr(os, "scandir", denied(real_scandir))  # what os.walk lists with
    with pytest.raises(StorageError, match=f"cannot list {tmp_path}/out/_runs: PermissionError"):
        files.list_files(str(tmp_path / "out" / "_runs"), recursive=False)
    with pytest.raises(StorageError, match=f"cannot list {tmp_path}/out/parquet"):
        files.list_files(str(tmp_path / "out" / "parquet"))


def test_a_run_record_that_cannot_be_read_is_an_error_not_a_run_that_never_was(tmp_path, monkeypatch):
    # Ignoring the record would drop its run's files from the committed ones: an incremental run would code them again.
    root = str(tmp_path / "out")
    data = files.join(root, "parquet", "events", "dt=2025-06-17", "part-x-00000.parquet")
    files.atomic_write(data, b"not really parquet")
    run_id = commit.new_run_id()
    commit.begin(root, run_id, kind="extract")
    commit.commit(root, run_id, kind="extract", files=[data], started_at=commit.utc_now())
    assert commit.committed_files(root, "events", "parquet") == [data]
    record = commit.run_record_path(root, run_id)
    real_open = builtins.open

    def denied(path, *args, **kwargs):
        if os.fspath(path) == record:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", denied)
    with pytest.raises(StorageError, match=f"cannot read {record}: PermissionError"):
        commit.committed_files(root, "events", "parquet")
