"""Checks of the dated people dictionary transforms/coding/data/people.tsv (data only, no actor coder)."""
from __future__ import annotations

import csv
import datetime as dt
import itertools
import pathlib
import unicodedata
from collections import Counter, defaultdict

import pycountry
import pytest

PEOPLE = pathlib.Path(__file__).resolve().parents[1] / "transforms" / "coding" / "data" / "people.tsv"
HEADER = ["name", "aliases", "country", "role", "title", "start", "end"]
CAMEO_AGENTS = {"GOV", "MIL", "LEG", "JUD", "COP", "SPY", "OPP", "PTY", "REB", "INS", "ELI", "BUS", "MED", "EDU",
                "CVL", "REF", "LAB", "NGO", "IGO", "REL", "HLH", "AGR", "CRM", "UAF", "SEP", "MOD", "RAD", "DEV"}
ISO3 = {c.alpha_3 for c in pycountry.countries} | {"XKX"}
ORG_CODES = {
    line.split("\t")[2]
    for line in (PEOPLE.parent / "actor_orgs.tsv").read_text(encoding="utf-8").splitlines()[1:]
    if line and not line.startswith("#") and line.count("\t") >= 4
}
G20 = "ARG AUS BRA CAN CHN FRA DEU IND IDN ITA JPN KOR MEX RUS SAU ZAF TUR GBR USA".split()
NEWS30 = ("UKR ISR PSE IRN IRQ SYR AFG PAK PRK EGY NGA ETH KEN VEN COL ESP POL NLD SWE QAT ARE TWN PHL VNM THA "
          "MMR LBN YEM SDN LBY").split()
# Posts whose holders count as head of state or government for the coverage check.
LEADER_TITLES = {"President", "Prime Minister", "Chancellor", "King", "Queen", "Emir", "Supreme Leader", "Premier",
                 "Emperor", "General Secretary of the Communist Party", "Acting President", "Acting Prime Minister",
                 "Chairman of the State Administration Council", "Chairman of the Transitional Sovereignty Council",
                 "Chairman of the Presidential Leadership Council", "Chairman of the Presidential Council",
                 "Brotherly Leader and Guide of the Revolution", "Chairman of the State Peace and Development Council"}


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    with PEOPLE.open(encoding="utf-8", newline="") as handle:
        lines = [(n, line) for n, line in enumerate(handle, 1) if line.strip() and not line.startswith("#")]
    reader = csv.reader((line for _, line in lines), delimiter="\t", quoting=csv.QUOTE_NONE)
    parsed = [(n, fields) for (n, _), fields in zip(lines, reader)]
    assert parsed[0][1] == HEADER
    out = []
    for n, fields in parsed[1:]:
        assert len(fields) == 7, f"line {n}: {len(fields)} fields"
        out.append(dict(zip(HEADER, fields), line=n))
    return out


def test_fields_are_valid(rows):
    for row in rows:
        where = f"line {row['line']}"
        assert row["name"] and row["name"] == row["name"].strip(), where
        assert row["country"] in ISO3 or row["country"] in ORG_CODES, where
        assert row["role"] in CAMEO_AGENTS, where
        assert row["title"], where
        start = _date(row["start"])
        assert dt.date(1940, 1, 1) <= start <= dt.date(2026, 12, 31), where
        if row["end"]:
            assert start <= _date(row["end"]), where
        aliases = [a for a in row["aliases"].split("|") if a] if row["aliases"] else []
        assert row["name"] not in aliases, where
        surname = row["name"].split()[-1]
        bare = [a for a in aliases if " " not in a and (a == surname or not a[0].isupper())]
        assert not bare, f"{where}: bare surname or odd alias {bare}"


def test_header_comment_documents_the_format():
    head = PEOPLE.read_text(encoding="utf-8").split("\nname\t", 1)[0]
    assert head.startswith("#") and all(word in head.lower() for word in HEADER + ["corrections welcome"])


def test_no_duplicate_tenures(rows):
    counts = Counter((r["name"], r["title"], r["start"]) for r in rows)
    assert [k for k, n in counts.items() if n > 1] == []


def test_one_country_per_person(rows):
    countries = defaultdict(set)
    for r in rows:
        if r["country"] not in ORG_CODES:  # posts in international bodies come on top of the nationality
            countries[r["name"]].add(r["country"])
    assert {n: c for n, c in countries.items() if len(c) > 1} == {}


def test_names_with_diacritics_have_an_ascii_alias(rows):
    def fold(text: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))

    missing = {r["name"] for r in rows if not r["name"].isascii()
               and not any(a.isascii() and len(a.split()) == len(fold(r["name"]).split())
                           for a in r["aliases"].split("|"))}
    assert missing == set()


def test_same_person_has_same_aliases(rows):
    by_name = defaultdict(set)
    for r in rows:
        by_name[r["name"]].add(r["aliases"])
    assert {n for n, a in by_name.items() if len(a) > 1} == set()


def test_posts_do_not_overlap(rows):
    posts = defaultdict(list)
    for r in rows:
        # Single-holder posts only: legislators, advisers, spokespeople and acting holders may be several.
        shared = r["title"].startswith("Acting") or any(w in r["title"] for w in ("Adviser", "Spokes"))
        if r["role"] == "GOV" and not shared:
            posts[(r["country"], r["title"])].append(r)
    overlaps = []
    for post, holders in posts.items():
        for a, b in itertools.combinations(holders, 2):
            a_end = _date(a["end"]) if a["end"] else dt.date.max
            b_end = _date(b["end"]) if b["end"] else dt.date.max
            if _date(a["start"]) < b_end and _date(b["start"]) < a_end:
                overlaps.append((post, a["name"], b["name"]))
    assert overlaps == []


@pytest.mark.parametrize("country", G20 + NEWS30)
def test_every_country_has_a_leader_in_2010_and_2025(rows, country):
    for day in (dt.date(2010, 1, 1), dt.date(2025, 1, 1)):
        holders = [r["name"] for r in rows if r["country"] == country and r["title"] in LEADER_TITLES
                   and _date(r["start"]) <= day and (not r["end"] or day < _date(r["end"]))]
        assert holders, f"{country} has no head of state/government on {day}"


@pytest.mark.parametrize("country", G20 + NEWS30)
def test_every_country_has_a_foreign_minister_today(rows, country):
    foreign = [r for r in rows if r["country"] == country and not r["end"]
               and r["title"] in {"Foreign Minister", "Secretary of State", "Foreign Secretary",
                                  "External Affairs Minister", "Acting Foreign Minister"}]
    assert len(foreign) == 1, f"{country}: {[r['name'] for r in foreign]}"


def _tenures(rows, name, title):
    return [(r["country"], r["role"], r["start"], r["end"]) for r in rows if r["name"] == name and r["title"] == title]


def test_known_facts(rows):
    assert _tenures(rows, "Angela Merkel", "Chancellor") == [("DEU", "GOV", "2005-11-22", "2021-12-08")]
    assert _tenures(rows, "Shigeru Ishiba", "Prime Minister") == [("JPN", "GOV", "2024-10-01", "2025-10-21")]
    assert _tenures(rows, "Sanae Takaichi", "Prime Minister") == [("JPN", "GOV", "2025-10-21", "")]
    assert [t[:3] for t in _tenures(rows, "Lee Jae-myung", "President")] == [("KOR", "GOV", "2025-06-04")]
    ishiba_leg = [r for r in rows if r["name"] == "Shigeru Ishiba" and r["role"] == "LEG"]
    assert ishiba_leg and all(_date(r["start"]) < dt.date(2024, 10, 1) for r in ishiba_leg)
    nagashima = {r["role"] for r in rows if r["name"] == "Akihisa Nagashima"
                 and _date(r["start"]) <= dt.date(2025, 6, 17) and (not r["end"] or dt.date(2025, 6, 17) < _date(r["end"]))}
    assert nagashima == {"GOV", "LEG"}
    assert _tenures(rows, "Donald Trump", "President") == [("USA", "GOV", "2017-01-20", "2021-01-20"),
                                                           ("USA", "GOV", "2025-01-20", "")]
    assert ("RUS", "GOV", "2012-05-07", "") in _tenures(rows, "Vladimir Putin", "President")
    assert "Recep Tayyip Erdogan" in next(r["aliases"] for r in rows if r["name"] == "Recep Tayyip Erdoğan").split("|")


def test_breadth(rows):
    assert len(rows) >= 800
    assert {r["country"] for r in rows} >= set(G20 + NEWS30)
