"""Convert the PETRARCH2 CAMEO verb dictionary into a second-tier demarche event pattern file.

Usage (re-runnable; the output is committed, the input is never read at run time)::

    python tools/convert_petrarch_verbs.py \
        --input ../shared/reference/petrarch2/CAMEO.2.0.txt \
        --output transforms/coding/data/event_patterns_petrarch.txt --roots 10,11,12,13,14,15,16,17,18,19,20

What is converted (format of the input: ``dictionaries.rst`` beside it):

- each verb block (``--- NAME [CODE] ---``) lists synonym verbs (``+CORDON_OFF`` multi-word verbs whose extra
  word is a particle become ``prt=`` conditions; other multi-word verbs are skipped) and patterns
  ``- PRE * POST [CODE]``;
- a pattern becomes one demarche pattern over all the block's verbs: the first bare noun (or ``{ADJ NOUN}``) after
  ``*`` is ``obj=NOUN`` (``mod=ADJ``), a bare particle is ``prt=``, ``(PREP NOUN)`` is ``prep=PREP:NOUN``, and
  ``(PREP +)`` / ``(PREP $)`` make that preposition the target place; ``&SYNSET`` expands to its members (the head
  word of multi-word members); a single pre-verb noun is ``subj=NOUN``;
- skipped: null codes ``[---]`` (PETRARCH's "not an event"), passive-only codes ``[:CODE]``, patterns with
  auxiliaries or more than one noun before the verb, codes missing from the demarche taxonomy, and (by default,
  see ``--isolated``) verbs with no object or preposition condition: the measured choice (data/README.md) is to
  take only verb+object and verb+preposition phrases, because bare verbs carry PETRARCH's block code ("beat",
  "master", "dominate" -> 190; "die" -> 190) and cost precision; and only conflict roots 10-20 are kept
  (``--roots``): on the real-news dev half every converted cooperation phrase (roots 01-08) was wrong.

The MIT notice of the source is copied into the header of the generated file.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Optional

PARTICLES = frozenset({
    "off", "up", "down", "out", "away", "back", "in", "on", "over", "through", "along", "aside", "forward", "around",
    "about", "apart", "together", "into",
})
MARKERS = frozenset({"$", "+", "%", "^"})
_WORD = re.compile(r"^[a-z0-9][a-z0-9'\-]*$")
_CODE = re.compile(r"\[([^\]]*)\]")
HERE = os.path.dirname(os.path.abspath(__file__))
TAXONOMY = os.path.join(HERE, "..", "transforms", "coding", "data", "cameo_taxonomy.tsv")


def read_taxonomy(path: str) -> set[str]:
    with open(path, encoding="utf-8") as handle:
        rows = [line.split("\t", 1)[0].strip() for line in handle if line.strip() and not line.startswith("#")]
    return {r for r in rows if r.isdigit()}


def parse_license(lines: list[str]) -> list[str]:
    """The header comment of the dictionary from 'The MIT License' to the end of the permission notice."""
    out, on = [], False
    for line in lines:
        if not line.startswith("#"):
            if on:
                break
            continue
        text = line[1:].strip()
        if text.startswith("The MIT License"):
            on = True
        if on:
            out.append(text)
        if on and "DEALINGS IN THE SOFTWARE" in text:
            break
    return out


def parse_synsets(lines: list[str]) -> dict[str, list[str]]:
    synsets: dict[str, list[str]] = {}
    current: Optional[str] = None
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if line.startswith("---"):
            break
        if line.startswith("&"):
            current = line.split()[0].rstrip("_")
            synsets[current] = []
        elif line.startswith("+") and current:
            phrase = line[1:].strip().rstrip("_").lower()
            head = phrase.replace("_", " ").split()[-1] if phrase else ""
            if head and _WORD.match(head):
                synsets[current].append(head)
        elif not line:
            current = None if current and synsets.get(current) else current
    return synsets


def _words(item: str, synsets: dict[str, list[str]]) -> Optional[list[str]]:
    """Lemma list for a noun item (WORD or &SYNSET); None when not convertible."""
    if item.startswith("&"):
        members = synsets.get(item.rstrip("_"))
        return sorted(set(members)) if members else None
    word = item.lower().replace("_", "-").rstrip("-")
    if not _WORD.match(word):
        return None
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]  # PETRARCH lists plural nouns too; conditions compare lemmas
    return [word]


def _tokens(text: str) -> list[str]:
    return re.findall(r"\{[^}]*\}|\([^)]*\)|\S+", text)


def convert_pattern(body: str, synsets: dict[str, list[str]]) -> Optional[tuple[list[str], list[str]]]:
    """(conditions, target places) of one ``PRE * POST`` body, or None when it cannot be expressed."""
    if "*" not in body:
        return None
    pre, _, post = body.partition("*")
    conditions: list[str] = []
    targets: list[str] = []
    pre_items = [t for t in _tokens(pre) if t not in MARKERS]
    if len(pre_items) > 1 or any(t.startswith(("(", "{")) for t in pre_items):
        return None
    if pre_items:
        words = _words(pre_items[0], synsets)
        if words is None or pre_items[0].lower() in ("will", "would", "not", "to"):
            return None
        conditions.append("subj=" + ",".join(words))
    have_obj = False
    for item in _tokens(post):
        if item in MARKERS:
            if not have_obj and item in ("+", "$"):
                targets.append("obj")
            continue
        if item.startswith("("):
            inner = item[1:-1].split(None, 1)
            if not inner or not inner[0].isalpha():
                return None
            prep = inner[0].lower()
            rest = inner[1].strip() if len(inner) > 1 else ""
            if rest in ("", "$", "^", "%"):
                conditions.append(f"prep={prep}")
            elif rest == "+":
                conditions.append(f"prep={prep}:@actor")
                targets.append(prep)
            else:
                noun = rest
                if noun.startswith("{"):
                    parts = noun[1:-1].split()
                    if not parts:
                        return None
                    noun = parts[-1]
                words = _words(noun, synsets)
                if words is None:
                    return None
                conditions.append(f"prep={prep}:" + ",".join(words))
            continue
        if item.startswith("{"):
            parts = item[1:-1].split()
            if not parts or have_obj:
                return None
            head = _words(parts[-1], synsets)
            mods = [w for p in parts[:-1] for w in (_words(p, synsets) or [])]
            if head is None or len(mods) != len(parts) - 1:
                return None
            conditions.append("obj=" + ",".join(head))
            if mods:
                conditions.append("mod=" + ",".join(sorted(set(mods))))
            have_obj = True
            continue
        low = item.lower()
        if low in PARTICLES and not have_obj:
            conditions.append(f"prt={low}")
            continue
        if have_obj:
            return None  # two object nouns: a phrase the dependency conditions cannot express
        words = _words(item, synsets)
        if words is None:
            return None
        conditions.append("obj=" + ",".join(words))
        have_obj = True
    if not any(c.startswith("obj=") or (c.startswith("prep=") and ":" in c and not c.endswith("@actor")) for c in conditions):
        return None  # a bare preposition ("said on [Monday]") or actor slot does not pin the verb's sense down
    return conditions, targets


def parse_code(text: str, taxonomy: set[str]) -> Optional[str]:
    code = text.strip()
    if ":" in code:
        code = code.split(":", 1)[0]  # "[062:062]"; "[:1823]" (passive-only) gives "" and is skipped
    return code if code in taxonomy else None


def parse_verb(line: str) -> Optional[tuple[str, Optional[str], list[str]]]:
    """(lemma, particle or None, irregular forms) of a verb line, or None for unusable multi-word verbs."""
    body = line.split("#", 1)[0]
    forms = re.findall(r"\{([^}]*)\}", body)
    head = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", body).split()
    if not head:
        return None
    verb = head[0]
    irregular: list[str] = []
    if "_" in verb:
        parts = verb.split("_")
        marked = [i for i, p in enumerate(parts) if p.startswith("+")]
        if len(parts) != 2 or marked != [0] or parts[1].lower() not in PARTICLES:
            return None
        lemma, particle = parts[0][1:].lower(), parts[1].lower()
        for group in forms:
            for form in group.split():
                irregular.append(form.split("_")[0].lstrip("+").lower())
    else:
        lemma, particle = verb.lstrip("+").lower(), None
        for group in forms:
            irregular.extend(f.lower() for f in group.split())
    if not _WORD.match(lemma):
        return None
    return lemma, particle, [f for f in irregular if _WORD.match(f) and f != lemma]


def convert(
    lines: list[str], taxonomy: set[str], *, isolated: bool, roots: Optional[set[str]], synonyms: bool = False
) -> tuple[list[str], dict]:
    synsets = parse_synsets(lines)
    out: list[str] = []
    stats = {"blocks": 0, "verbs": 0, "patterns_in": 0, "patterns_out": 0, "isolated_out": 0, "skipped": 0}
    forms: dict[str, set[str]] = {}
    block: Optional[str] = None
    block_code: Optional[str] = None
    verbs: list[tuple[str, Optional[str], Optional[str]]] = []
    counter = 0

    def keep(code: Optional[str]) -> bool:
        return code is not None and (roots is None or code[:2] in roots)

    def emit(code: str, conditions: list[str], targets: list[str], named: set[str]) -> None:
        nonlocal counter
        chosen = verbs
        if not synonyms:
            # only the verbs the pattern was written for (named in its comment), else the block's first verb
            chosen = [v for v in verbs if (f"{v[0]}_{v[1]}" if v[1] else v[0]) in named] or verbs[:1]
        plain = sorted({v for v, prt, _ in chosen if prt is None})
        groups = ([(plain, None)] if plain else []) + [([v], prt) for v, prt, _ in chosen if prt is not None]
        for lemmas, prt in groups:
            counter += 1
            fields = [f"petrarch.{block}.{counter}", code, "v:" + ",".join(lemmas)]
            fields += ([f"prt={prt}"] if prt and not any(c.startswith("prt=") for c in conditions) else []) + conditions
            if targets:
                fields += [">", ",".join(dict.fromkeys(targets + ["obj", "to", "with", "against", "on"]))]
            out.append("  ".join(fields))

    for raw in lines:
        line = raw.rstrip("\n")
        stripped = line.strip()
        if stripped.startswith("---"):
            match = _CODE.search(stripped)
            name = stripped.strip("- ").split("[")[0].strip().lower()
            block = re.sub(r"[^a-z0-9]+", "_", name).strip("_") or "block"
            block_code = parse_code(match.group(1), taxonomy) if match else None
            verbs, counter = [], 0
            stats["blocks"] += 1
            continue
        if block is None or not stripped or stripped.startswith(("#", "~", "&")):
            continue
        if stripped.startswith("-"):
            stats["patterns_in"] += 1
            match = list(_CODE.finditer(stripped.split("#", 1)[0]))
            code = parse_code(match[-1].group(1), taxonomy) if match else None
            body = stripped[1:].split("[", 1)[0]
            converted = convert_pattern(body, synsets) if keep(code) else None
            if converted is None or not verbs:
                stats["skipped"] += 1
                continue
            comment = stripped.split("#", 1)[1] if "#" in stripped else ""
            named = {w.lower() for w in re.findall(r"[A-Za-z_]+", comment)}
            emit(code, *converted, named)
            stats["patterns_out"] += 1
            continue
        parsed = parse_verb(stripped)
        if parsed is None:
            continue
        lemma, particle, irregular = parsed
        match = _CODE.search(stripped.split("#", 1)[0])
        own = parse_code(match.group(1), taxonomy) if match else None
        verb_code = own if match else block_code
        verbs.append((lemma, particle, verb_code))
        stats["verbs"] += 1
        if irregular:
            forms.setdefault(lemma, set()).update(irregular)
        if isolated and keep(verb_code):
            counter += 1
            fields = [f"petrarch.{block}.{counter}", verb_code, f"v:{lemma}"] + ([f"prt={particle}"] if particle else [])
            out.append("  ".join(fields))
            stats["isolated_out"] += 1
    form_lines = [f"@forms {lemma} {','.join(sorted(fs))}" for lemma, fs in sorted(forms.items())]
    return form_lines + [""] + out, stats


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", required=True, help="PETRARCH2 verb dictionary (CAMEO.2.0.txt)")
    parser.add_argument("--output", required=True, help="generated pattern file")
    parser.add_argument("--taxonomy", default=TAXONOMY, help="demarche cameo_taxonomy.tsv (codes outside are skipped)")
    parser.add_argument("--isolated", action="store_true",
                        help="also convert bare verbs (no object/preposition condition) with their block code")
    parser.add_argument("--synonyms", action="store_true",
                        help="apply each pattern to every verb of its synonym block (default: only to the verbs named "
                             "in the pattern's comment, the verbs it was written for)")
    parser.add_argument("--roots", default="",
                        help="comma-separated CAMEO roots to keep (default: all), e.g. 01,02,03,04,05,06,07,08")
    args = parser.parse_args(argv)
    with open(args.input, encoding="utf-8", errors="replace") as handle:
        lines = handle.readlines()
    roots = {r.strip() for r in args.roots.split(",") if r.strip()} or None
    body, stats = convert(lines, read_taxonomy(args.taxonomy), isolated=args.isolated, roots=roots, synonyms=args.synonyms)
    notice = parse_license(lines)
    if not notice:
        print("error: no MIT notice found in the input header", file=sys.stderr)
        return 1
    command = "python tools/convert_petrarch_verbs.py --input CAMEO.2.0.txt --output " + os.path.basename(args.output)
    if args.isolated:
        command += " --isolated"
    if args.synonyms:
        command += " --synonyms"
    if args.roots:
        command += f" --roots {args.roots}"
    header = [
        "# GENERATED FILE - do not edit by hand. Second-tier event patterns converted from the PETRARCH2 CAMEO",
        "# verb dictionary (CAMEO.2.0.txt, Open Event Data Alliance) by tools/convert_petrarch_verbs.py:",
        f"#   {command}",
        "# Format: as event_patterns.txt (see data/README.md). The built-in and user patterns always win; these",
        "# only code trigger words none of them matched. Pattern ids: petrarch.<VERB BLOCK>.<n>.",
        f"# Converted: {stats['patterns_out']} of {stats['patterns_in']} patterns, {stats['isolated_out']} bare verbs,"
        f" {stats['verbs']} verbs in {stats['blocks']} blocks.",
        "#",
        "# The source dictionary is distributed under the MIT License; its notice follows.",
        "#",
    ] + [("# " + line).rstrip() for line in notice] + ["", ""]
    with open(args.output, "w", encoding="utf-8") as handle:
        handle.write("\n".join(header + body) + "\n")
    print(f"wrote {args.output}: {stats}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
