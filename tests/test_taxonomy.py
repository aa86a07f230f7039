"""The CAMEO taxonomy file and its loader's validation."""
from __future__ import annotations

import pytest

from transforms.coding.errors import DataFileError, DemarcheError
from transforms.coding.taxonomy import PLOVER_TYPES, Taxonomy, quad_class_of_root

HEADER = "code\tlabel\tgoldstein\tquad_class\tplover_type\tplover_mode\n"


@pytest.fixture(scope="module")
def taxonomy():
    return Taxonomy.load()


def write(tmp_path, body: str) -> str:
    roots = "".join(
        f"{r:02d}\troot {r}\t0.0\t{quad_class_of_root(r)}\t{'' if r == 1 else 'ACCUSE'}\t\n" for r in range(1, 21)
    )
    path = tmp_path / "tax.tsv"
    path.write_text("# test taxonomy\n" + HEADER + roots + body, encoding="utf-8")
    return str(path)


def test_builtin_covers_all_roots_and_about_300_codes(taxonomy):
    assert 280 <= len(taxonomy) <= 330
    for root in range(1, 21):
        assert f"{root:02d}" in taxonomy


def test_every_code_has_parent_and_consistent_values(taxonomy):
    for entry in taxonomy:
        if len(entry.code) > 2:
            assert entry.code[:-1] in taxonomy
        assert -10 <= entry.goldstein <= 10
        assert entry.quad_class == quad_class_of_root(int(entry.root))
        assert entry.plover_type is None or entry.plover_type in PLOVER_TYPES


def test_known_facts(taxonomy):
    phone = taxonomy.get("041")
    assert (phone.plover_type, phone.plover_mode, phone.quad_class) == ("CONSULT", "phone", 1)
    assert taxonomy.get("057").plover_type == "SUPPORT"
    assert taxonomy.get("0233").plover_type == "REQUEST"  # 02x appeals -> REQUEST
    assert taxonomy.get("010").plover_type is None  # statements have no PLOVER type
    assert taxonomy.get("163").plover_type == "COERCE"  # sanctions are COERCE in PLOVER 2021
    assert taxonomy.get("190").goldstein == -10.0
    assert taxonomy.get("106").plover_type == "REQUEST"


def test_unknown_code_raises_keyerror_like_demarche_error(taxonomy):
    assert "999" not in taxonomy
    with pytest.raises(DemarcheError):
        taxonomy.get("999")
    with pytest.raises(KeyError):
        taxonomy.get("0420")


def test_minimal_valid_file_loads(tmp_path):
    tax = Taxonomy.load(write(tmp_path, "111\tcriticise\t-2.0\t3\tACCUSE\tdisapprove\n"))
    assert tax.get("111").plover_mode == "disapprove"
    assert tax.parent("111") == "11"


@pytest.mark.parametrize(
    "line, message",
    [
        ("1111\torphan\t-2.0\t3\tACCUSE\t\n", "no parent"),
        ("111\tx\t-12.0\t3\tACCUSE\t\n", "outside -10..10"),
        ("111\tx\tabc\t3\tACCUSE\t\n", "not a number"),
        ("111\tx\t-2.0\t1\tACCUSE\t\n", "inconsistent with root"),
        ("111\tx\t-2.0\t3\tBLAME\t\n", "unknown PLOVER type"),
        ("111\tx\t-2.0\t3\n", "columns"),
        ("11\tdup\t-2.0\t3\tACCUSE\t\n", "duplicate"),
        ("1a1\tx\t-2.0\t3\tACCUSE\t\n", "2 to 4 digits"),
    ],
)
def test_validation_errors_name_file_and_line(tmp_path, line, message):
    path = write(tmp_path, line)
    with pytest.raises(DataFileError) as info:
        Taxonomy.load(path)
    assert info.value.path == path
    assert info.value.line == 23  # comment + header + 20 roots, then the bad line
    assert message in info.value.message


def test_missing_root_is_reported(tmp_path):
    path = tmp_path / "tax.tsv"
    path.write_text(HEADER + "01\tstatement\t0.0\t1\t\t\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="missing CAMEO roots"):
        Taxonomy.load(str(path))
