"""Start-up cost of the actor dictionaries (own data + the PETRARCH lower tier), printed in seconds.

Usage: ``python benchmarks/actor_load.py [--repeat 3]``. Each repeat runs in a fresh process (the lexicon is
cached per process), so the figures include imports. Prints wall and CPU seconds per stage:
packages (pycountry, the gazetteer), own data files, the lower tier, the resolver, the spaCy component and the
place resolver, then the total and the process's peak resident memory (MB) at the end. On a shared machine, read
the CPU column.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys

_CHILD = r"""
import json, os, resource, time
t0, c0 = time.perf_counter(), time.process_time()
import transforms.coding.actors.lexicon as L
from transforms.coding.actors.resolver import ActorResolver
marks = {}
def mark(name):
    marks[name] = (time.perf_counter(), time.process_time())
mark("import")
lex = L.ActorLexicon(); L._add_iso_countries(lex); L._add_capitals_and_cities(lex); mark("packages")
L.load_countries(lex, os.path.join(L.DATA_DIR, "actor_countries.tsv"))
L.load_roles(lex, os.path.join(L.DATA_DIR, "actor_roles.tsv"))
L.load_orgs(lex, os.path.join(L.DATA_DIR, "actor_orgs.tsv"))
L.load_people(lex, os.path.join(L.DATA_DIR, "people.tsv")); mark("own_files")
L.load_lower_tier(lex, L.PETRARCH_FILE); mark("lower_tier")
ActorResolver(lex); mark("resolver")
import spacy
nlp = spacy.blank("en"); mark("blank_nlp")
from transforms.coding.actors.recognizer import ActorRuler
ActorRuler(nlp, lex); mark("spacy_component")
from transforms.coding.places import PlaceResolver
PlaceResolver(); mark("place_resolver")
out, prev = {}, (t0, c0)
for name, (t, c) in marks.items():
    out[name] = {"wall": round(t - prev[0], 3), "cpu": round(c - prev[1], 3)}
    prev = (t, c)
out["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
print(json.dumps(out))
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes to time (default 3)")
    args = parser.parse_args(argv)
    runs = []
    for _ in range(args.repeat):
        out = subprocess.run([sys.executable, "-c", _CHILD], check=True, capture_output=True, text=True).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    stages = [k for k in runs[0] if k != "max_rss_mb"]
    best = {k: {m: min(r[k][m] for r in runs) for m in ("wall", "cpu")} for k in stages}
    total = {m: round(min(sum(r[k][m] for k in stages) for r in runs), 3) for m in ("wall", "cpu")}
    rss = min(r["max_rss_mb"] for r in runs)
    print(json.dumps({"best_of": args.repeat, "seconds": best, "total_seconds": total, "max_rss_mb": rss}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
