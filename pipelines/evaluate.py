"""Score the coders on labelled files: ``python -m pipelines.evaluate {actors,events,when-where} --gold FILE``.

Each sub-command prints one JSON object (add ``--verbose`` for the failures). The scorers live in the ``evaluation``
package (``actors.py``, ``events.py``, ``when_where.py``, ``news.py``; gold files are read by ``evaluation/gold.py``)
and code the gold items with the same per-document coder the pipeline runs.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import Optional, Sequence

from evaluation.gold import GoldError

SCORERS = {
    "actors": ("evaluation.actors", "actor coding: country, role and name accuracy (actors_dev.jsonl format)"),
    "events": ("evaluation.events", "event coding: PLOVER type / source / triple P-R-F1 (plover_gsr format)"),
    "when-where": ("evaluation.when_where", "event dates and places: accuracy (when_where_gold.jsonl format)"),
    "news": ("evaluation.news", "real news articles: per-field event precision/recall (eval/news_gold.jsonl format)"),
}


def build_parser(prog: str = "python -m pipelines.evaluate") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="{" + ",".join(SCORERS) + "}")
    for name, (module_name, help_text) in SCORERS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        importlib.import_module(module_name).add_arguments(sub)
        sub.set_defaults(module=module_name)
    return parser


def main(argv: Optional[Sequence[str]] = None, *, prog: str = "python -m pipelines.evaluate") -> int:
    args = build_parser(prog).parse_args(argv)
    module = importlib.import_module(args.module)
    try:
        result = module.evaluate(args)
    except GoldError as err:  # bad gold / missing corpus: a message, not a traceback
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
