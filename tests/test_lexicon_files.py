"""User lexicon files as they really arrive: a UTF-8 byte-order mark is tolerated; bytes that are not UTF-8, binary
files and paths that are not regular files give ``FILE:LINE`` (or ``FILE``) errors before the job starts."""
from __future__ import annotations

import os

import pytest

from conftest import SEED
from pipelines import extract_events
from transforms.coding.coder import DocumentCoder
from transforms.coding.data_files import data_file_lines
from transforms.coding.errors import DataFileError

ACTORS = "kind\tform\taliases\tcode\tcountry\trole\ttitle\tstart\tend\ncountry\tRuritania\t\tname\tAUT\t\t\t\t\n"
PATTERNS = "# my patterns\nmine.upbraid  111  v:upbraid  > obj\n"
PLACES = "Old Town\tcity:2761369\n"
FILES = {"actors_file": ACTORS, "patterns_file": PATTERNS, "place_aliases_file": PLACES}


def test_lexicons_with_a_byte_order_mark_and_crlf_are_read(tmp_path):
    paths = {}
    for option, content in FILES.items():
        paths[option] = tmp_path / f"{option}.txt"
        paths[option].write_bytes(b"\xef\xbb\xbf" + content.replace("\n", "\r\n").encode())
    coder = DocumentCoder(**{option: str(path) for option, path in paths.items()})
    assert coder.actors.resolve("Ruritania").country == "AUT"
    assert any(p.pattern_id == "mine.upbraid" for p in coder.events.lexicon.patterns)


@pytest.mark.parametrize("option", sorted(FILES))
@pytest.mark.parametrize(
    "damage, line",
    [
        (lambda text: text.encode() + b"caf\xe9\tcity:1\n", 3),  # Latin-1 byte on the line after the content
        (lambda text: b"\x00\x01\x02\xff\xfe binary", 1),
    ],
)
def test_undecodable_lexicons_stop_the_job_with_file_and_line(tmp_path, option, damage, line):
    path = tmp_path / f"{option}.tsv"
    data = damage(FILES[option])
    if option == "place_aliases_file" and line == 3:
        data = damage(FILES[option] + "# comment\n")
    path.write_bytes(data)
    with pytest.raises(DataFileError) as info:
        extract_events.run([f"--input={SEED}", f"--output={tmp_path}/out", f"--{option}={path}"])
    assert str(info.value).startswith(f"{path}:{line}: ") and "UTF-8" in str(info.value) or "binary" in str(info.value)
    assert info.value.line == line
    assert not (tmp_path / "out").exists()


def test_a_fifo_or_a_folder_given_as_lexicon_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "actors.fifo"
    os.mkfifo(fifo)
    for path in (fifo, tmp_path):
        with pytest.raises(DataFileError, match="actor dictionary") as info:
            data_file_lines(str(path), what="actor dictionary")
        assert info.value.path == str(path)
