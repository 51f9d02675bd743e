"""Full-text search over the program catalogue (German lay language, both databases).

How a query finds programs
==========================

Every program keeps two normalised columns, written by ``Program.save()`` through
:func:`search_columns` (and by :func:`rebuild_search_columns` after bulk loads):

* ``search_title`` — title (German and English), folded;
* ``search_text`` — title, keywords, conditions, ICD-10 codes, DMP indication, type, region
  note, summary and description in both languages, folded.

*Folded* (:func:`fold`) means: casefolded, umlauts and accents stripped (``Rücken`` →
``rucken``, ``ß`` → ``ss``), everything except letters and digits turned into single
spaces, with a leading and trailing space so that ``" herz"`` matches at a word start.
The folding is done in Python, so SQLite and PostgreSQL see identical text.

The query is parsed by :func:`parse_query` into terms (AND) with alternatives (OR):

* **umlauts spelled out** — ``Rueckenschmerzen`` also tries ``ruckenschmerzen``, i.e. the
  folded form of ``Rückenschmerzen`` (ae/oe/ue → a/o/u only in the query, where the
  original spelling is kept as an alternative, so ``Feuer`` still finds ``Feuer``);
* **compounds** — lay compounds whose head is a complaint word (``-schmerzen``,
  ``-erkrankung``, ``-beschwerden`` …) also try their first part: ``Rückenschmerzen`` →
  ``rucken``; the other way round, a term of five or more letters matches *inside* words, so
  ``Krebs`` finds ``Brustkrebs`` and ``Herz`` (a word start) finds ``Herzinsuffizienz``;
* **stemming** — a light German suffix stripper (:func:`light_stem`: ``-en``, ``-er``,
  ``-e``, ``-n``, ``-s`` …) on both databases, and on PostgreSQL additionally the Snowball
  ``german`` stemmer with prefix matching (``to_tsquery('german', 'term:*')``);
* **lay synonyms** — a small dictionary (:data:`SYNONYMS`): ``Zucker`` → Diabetes,
  ``Krebs`` → Onkologie/Tumor, ``Lunge`` → COPD/Asthma …;
* **typos** (PostgreSQL only) — trigram word similarity (``pg_trgm``, threshold 0.6) for
  terms of five or more letters: ``Diabetis`` finds ``Diabetes``.

Stems shorter than five letters only match at a word start (``" ruck"``), so ``Rücken``
does not find ``Bluthochdruck``; the whole word (five letters or more) still matches
anywhere (``krebs`` in ``brustkrebs``).

Indexes (PostgreSQL, created by migration ``programs.0003`` only on that database): GIN
trigram index on ``search_text`` (serves ``LIKE '%…%'`` and the ``%>`` word-similarity
operator) and a GIN index on ``to_tsvector('german', search_text)``. SQLite scans; with
1,500 programs that takes about a millisecond.

Queries longer than :data:`MAX_QUERY_LENGTH` characters are cut (the view says so) and at
most :data:`MAX_TERMS` terms are used.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connections
from django.db.models import Case, ExpressionWrapper, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django.utils import translation

if TYPE_CHECKING:  # pragma: no cover
    from programs.models import Program

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
#: Stems shorter than this only match at the start of a word.
MIN_INFIX_LENGTH = 5
#: Terms at least this long also match by trigram similarity (PostgreSQL).
MIN_FUZZY_LENGTH = 5

_NON_WORD = re.compile(r"[^a-z0-9]+")

_STOPWORDS_TEXT = """
    der die das den dem des ein eine einer eines einem einen und oder mit fur bei von vom zu zum
    zur im in am an auf aus als fuer nach uber ueber unter ich mein meine wir sie ihr es ist
    sind the a an of for and or with to on at by my
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

#: Stems that are also common word prefixes: the whole word is used instead.
PREFIX_STEMS = frozenset({"ruck", "zuruck", "vorn", "hint"})

#: Heads of lay compounds: "Rückenschmerzen" also searches "Rücken" (folded spelling).
COMPOUND_HEADS = (
    "schmerzen",
    "schmerz",
    "beschwerden",
    "erkrankungen",
    "erkrankung",
    "krankheiten",
    "krankheit",
    "leiden",
    "probleme",
    "problem",
    "storungen",
    "storung",
    "schwache",
)

#: Lay terms → what the catalogue calls it (folded spelling, matched on the light stem).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "zucker": ("diabetes",),
    "zuckerkrank": ("diabetes",),
    "zuckerkrankheit": ("diabetes",),
    "blutzucker": ("diabetes",),
    "diabetiker": ("diabetes",),
    "herz": ("koronar", "khk", "kardio", "herzinsuffizienz"),
    "herzinfarkt": ("koronar", "khk"),
    "herzschwache": ("herzinsuffizienz",),
    "krebs": ("onkolog", "tumor", "karzinom", "cancer"),
    "tumor": ("krebs", "onkolog"),
    "rucken": ("ruckenschmerz", "wirbelsaule", "bandscheibe"),
    "kreuz": ("ruckenschmerz", "rucken"),
    "lunge": ("copd", "asthma", "pneumolog"),
    "lungen": ("copd", "asthma", "pneumolog"),
    "atemnot": ("copd", "asthma"),
    "atem": ("copd", "asthma"),
    "seele": ("depression", "psych"),
    "seelisch": ("depression", "psych"),
    "psyche": ("depression", "psych"),
    "psychisch": ("depression", "psych"),
    "traurig": ("depression",),
    "gelenk": ("rheuma", "arthritis", "arthrose"),
    "rheuma": ("arthritis",),
    "knochen": ("osteoporose",),
    "knochenschwund": ("osteoporose",),
    "ubergewicht": ("adipositas",),
    "fettleibig": ("adipositas",),
    "kopfschmerz": ("migrane", "kopfschmerz"),
    "migrane": ("kopfschmerz",),
    "sucht": ("abhangig", "alkohol"),
    "alkohol": ("sucht",),
    "hausarzt": ("hzv", "hausarztzentriert"),
    "hausarztin": ("hzv", "hausarztzentriert"),
    "hausarztprogramm": ("hzv", "hausarztzentriert"),
    "hzv": ("hausarzt",),
    "kind": ("kinder", "jugend", "padiatr"),
    "schwanger": ("schwangerschaft", "geburt"),
    "corona": ("covid",),
    "longcovid": ("covid",),
    "krampfader": ("venen", "varik"),
    "vene": ("venen", "varik"),
    "magersucht": ("essstorung",),
    "bulimie": ("essstorung",),
    "pflegeheim": ("pflege",),
    "altenheim": ("pflege",),
    "cancer": ("krebs", "onkolog"),
    "diabetes": ("zucker",),
    "heart": ("herz", "kardio"),
    "back": ("rucken",),
    "lung": ("copd", "asthma"),
}


def fold(text: str) -> str:
    """Casefold, strip accents and umlauts, keep letters/digits as space-separated words.

    ``fold("Rückenschmerzen, Herz-Kreislauf!")`` → ``"ruckenschmerzen herz kreislauf"``.
    """
    text = unicodedata.normalize("NFKD", (text or "").casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", text).split())


def fold_document(*parts: str | None) -> str:
    """The stored form: folded words with a leading and trailing space (word-start matching)."""
    words = fold(" ".join(p for p in parts if p))
    return f" {words} " if words else ""


def light_stem(word: str) -> str:
    """Strip one common German inflection suffix, keeping at least four letters."""
    for suffix in ("ern", "en", "er", "es", "e", "n", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _umlaut_variant(word: str) -> str | None:
    """``rueckenschmerzen`` → ``ruckenschmerzen`` (the folded form of the umlaut spelling)."""
    variant = word.replace("ae", "a").replace("oe", "o").replace("ue", "u")
    return variant if variant != word else None


def _compound_modifier(word: str) -> str | None:
    for head in COMPOUND_HEADS:
        if word.endswith(head) and len(word) - len(head) >= 3:
            return word[: -len(head)]
    return None


@dataclass(frozen=True)
class Term:
    """One query word: it matches when any of its ``patterns`` matches (OR)."""

    word: str
    #: Folded words tried for this term (the word, its umlaut variant, compound part, synonyms).
    alternatives: tuple[str, ...]
    #: Substring patterns for ``search_text`` (a leading space means: at a word start).
    patterns: tuple[str, ...]
    #: Words tried by trigram similarity and the German stemmer (PostgreSQL).
    fuzzy: tuple[str, ...]


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    terms: tuple[Term, ...] = ()
    truncated: bool = False
    dropped_terms: int = 0

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def words(self) -> list[str]:
        return [t.word for t in self.terms]


def _patterns(word: str) -> list[str]:
    """The stem anywhere (if long enough) or at a word start; a long word whose stem is short
    also matches anywhere as a whole ("krebs" in "brustkrebs", stem "kreb" only at a start)."""
    stem = light_stem(word)
    if stem in PREFIX_STEMS:  # "rücken" → "ruck" would find "Rückfall", "Rückkehr"
        stem = word
    if len(stem) >= MIN_INFIX_LENGTH:
        return [stem]
    patterns = [f" {stem}"]
    if len(word) >= MIN_INFIX_LENGTH:
        patterns.append(word)
    return patterns


def _expand(word: str) -> Term:
    alternatives: list[str] = [word]
    variant = _umlaut_variant(word)
    if variant:
        alternatives.append(variant)
    for alt in list(alternatives):
        modifier = _compound_modifier(alt)
        if modifier:
            alternatives.append(modifier)
    for alt in list(alternatives):
        for key in {alt, light_stem(alt)}:
            alternatives.extend(SYNONYMS.get(key, ()))
    seen: dict[str, None] = {}
    for alt in alternatives:
        seen.setdefault(alt, None)
    alternatives = list(seen)
    patterns = tuple(dict.fromkeys(p for a in alternatives for p in _patterns(a)))
    fuzzy = tuple(a for a in alternatives[:2] if len(a) >= MIN_FUZZY_LENGTH)
    return Term(word=word, alternatives=tuple(alternatives), patterns=patterns, fuzzy=fuzzy)


def parse_query(raw: str | None) -> ParsedQuery:
    """Split a user query into terms; never raises, whatever the input."""
    text = (raw or "").strip()
    truncated = len(text) > MAX_QUERY_LENGTH
    if truncated:
        text = text[:MAX_QUERY_LENGTH]
    words = [w for w in fold(text).split() if len(w) >= 2 and w not in STOPWORDS]
    words = list(dict.fromkeys(words))
    dropped = max(0, len(words) - MAX_TERMS)
    terms = tuple(_expand(w) for w in words[:MAX_TERMS])
    return ParsedQuery(text=text, terms=terms, truncated=truncated, dropped_terms=dropped)


# --- the columns ------------------------------------------------------------------------------


def search_columns(program: Program) -> dict[str, str]:
    """``search_title`` and ``search_text`` of one program (pure function of its fields)."""
    from programs.models import DmpIndication, ProgramType

    labels: list[str] = []
    for lang in ("de", "en"):
        with translation.override(lang):
            if program.program_type in ProgramType.values:
                labels.append(str(ProgramType(program.program_type).label))
            if program.dmp_indication in DmpIndication.values:
                labels.append(str(DmpIndication(program.dmp_indication).label))
    title = fold_document(program.title, program.title_en)
    text = fold_document(
        program.title,
        program.title_en,
        program.keywords,
        program.conditions,
        program.icd10_codes,
        " ".join(labels),
        program.program_type,
        program.legal_basis,
        program.region_note,
        program.summary,
        program.summary_en,
        program.description,
        program.description_en,
    )
    return {"search_title": title, "search_text": text}


def rebuild_search_columns(queryset: QuerySet | None = None, *, batch_size: int = 500) -> int:
    """Recompute the search columns of ``queryset`` (default: all programs); returns the count.

    Needed after ``bulk_create``/``update()``, which bypass ``Program.save()``.
    """
    from programs.models import Program

    qs = (queryset if queryset is not None else Program.objects.all()).order_by("pk")
    changed: list[Program] = []
    count = 0
    for program in qs.iterator(chunk_size=batch_size):
        columns = search_columns(program)
        if program.search_title != columns["search_title"] or program.search_text != columns["search_text"]:
            program.search_title = columns["search_title"]
            program.search_text = columns["search_text"]
            changed.append(program)
        if len(changed) >= batch_size:
            Program.objects.bulk_update(changed, ["search_title", "search_text"])
            count += len(changed)
            changed = []
    if changed:
        Program.objects.bulk_update(changed, ["search_title", "search_text"])
        count += len(changed)
    return count


# --- querying ---------------------------------------------------------------------------------


def _is_postgres(qs: QuerySet) -> bool:
    return connections[qs.db].vendor == "postgresql"


def _term_q(term: Term, *, postgres: bool) -> Q:
    q = Q()
    for pattern in term.patterns:
        q |= Q(search_text__contains=pattern)
    if postgres:
        for word in term.fuzzy:
            q |= Q(search_text__trigram_word_similar=word)
        q |= Q(search_fts=_prefix_tsquery(term))
    return q


def _prefix_tsquery(term: Term):
    from django.contrib.postgres.search import SearchQuery

    raw = " | ".join(f"{a}:*" for a in term.alternatives if a.isalnum())
    return SearchQuery(raw or "x", config="german", search_type="raw")


def search_filter(query: ParsedQuery, *, postgres: bool) -> Q:
    """The WHERE clause: every term must match (by any of its alternatives)."""
    q = Q()
    for term in query.terms:
        q &= _term_q(term, postgres=postgres)
    return q


def _title_score(terms: Iterable[Term]) -> Case | Value:
    """3 points per term found in the title (any alternative), 1 per exact word in the text."""
    whens_total = []
    for term in terms:
        title_q = Q()
        for pattern in term.patterns:
            title_q |= Q(search_title__contains=pattern)
        word_q = Q(search_text__contains=f" {term.word} ")
        whens_total.append(
            Case(When(title_q, then=Value(3)), default=Value(0), output_field=IntegerField())
            + Case(When(word_q, then=Value(1)), default=Value(0), output_field=IntegerField())
        )
    if not whens_total:
        return Value(0)
    total = whens_total[0]
    for expr in whens_total[1:]:
        total = total + expr
    return total


def apply_search(qs: QuerySet, query: ParsedQuery) -> QuerySet:
    """Filter ``qs`` (programs) by ``query`` and annotate ``rank`` (higher is better).

    Without terms the queryset is returned unchanged with ``rank`` = 0.
    """
    if not query:
        return qs.annotate(rank=Value(0.0))
    postgres = _is_postgres(qs)
    if postgres:
        from django.contrib.postgres.search import SearchVector, TrigramWordSimilarity

        qs = qs.alias(search_fts=SearchVector("search_text", config="german"))
    qs = qs.filter(search_filter(query, postgres=postgres))
    score = _title_score(query.terms)
    if postgres:
        similarity = TrigramWordSimilarity(" ".join(query.words), "search_title")
        qs = qs.annotate(rank=ExpressionWrapper(Cast(score, FloatField()) + similarity, output_field=FloatField()))
    else:
        qs = qs.annotate(rank=Cast(score, FloatField()))
    return qs
