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
* **stemming and prefixes** — a light German suffix stripper (:func:`light_stem`: ``-en``,
  ``-er``, ``-e``, ``-n``, ``-s`` …) whose stem matches as a prefix (``Schulungen`` →
  ``schulung…``, ``Kindern`` → ``kind…``), on both databases;
* **lay synonyms** — a small dictionary (:data:`SYNONYMS`): ``Zucker`` → Diabetes,
  ``Krebs`` → Onkologie/Tumor, ``Lunge`` → COPD/Asthma …;
* **typos** (both databases) — a term of five or more letters that is not a word of the
  catalogue's vocabulary (:class:`programs.models.SearchWord`) also tries the vocabulary
  words closest to it (``difflib``, ratio at least :data:`FUZZY_CUTOFF`): ``Diabetis`` finds
  ``Diabetes``, ``Depresion`` ``Depression``, ``Astma`` ``Asthma``. The vocabulary and each
  word's close words are memoised per catalogue version, so this costs no query; the list
  says "Meinten Sie …?" with the words it searched instead (:func:`corrections`);
* **children** — "Kind", "Kinder", "Jugendliche" … next to another term also match every
  program open to people under 18 (no lower age limit, or one below 18): ``Asthma Kind``
  finds the asthma program although its text never says "Kind";
* **numbers** — "Typ 2", "Typ II": a digit (or roman numeral) does not filter, it ranks titles
  containing it first (``Diabetes Typ 2`` puts type 2 before type 1).

Where the matching runs: :func:`matching_program_ids` applies the rule of
:func:`search_filter` (every term, any of its patterns, as a substring of ``search_text``) in
Python over the programs' search texts, which each process reads once per catalogue version;
the query then reads the matches by primary key and ranks them in SQL. With 1,500 programs this
took the search query from about 20 ms (PostgreSQL scanning every text) to under 3 ms; a test
compares both ways over the relevance set.

Stems shorter than five letters only match at a word start (``" ruck"``), so ``Rücken``
does not find ``Bluthochdruck``; the whole word (five letters or more) still matches
anywhere (``krebs`` in ``brustkrebs``).

Indexes (PostgreSQL, created by migrations ``programs.0003``/``0004`` only on that database):
GIN trigram indexes on ``search_text`` and ``search_title`` (``LIKE '%…%'``) and on the
vocabulary's words; on PostgreSQL the rank adds the trigram word similarity of the title. With 1,500 programs the planner mostly scans the
table (about 3 ms for a query); the indexes keep it fast when the catalogue grows.

Why not ``to_tsvector('german', …)``: computing it per row at query time made a search
cost 200–400 ms with 1,500 programs (the planner does not use the functional index in an
OR with other conditions), and a stored ``tsvector`` column cannot exist on SQLite. The
light stemmer gives the same recall for the catalogue's German, on both databases.

Queries longer than :data:`MAX_QUERY_LENGTH` characters are cut (the view says so) and at
most :data:`MAX_TERMS` terms are used.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connections, transaction
from django.db.models import (
    Case,
    ExpressionWrapper,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import translation

from programs.caching import per_catalogue_version

if TYPE_CHECKING:  # pragma: no cover
    from programs.models import Program

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
#: Stems shorter than this only match at the start of a word.
MIN_INFIX_LENGTH = 5
#: Terms at least this long also match the vocabulary words closest to them (typos).
MIN_FUZZY_LENGTH = 5
#: Longest word kept in the vocabulary (longer "words" are codes or noise).
MAX_WORD_LENGTH = 60

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

#: Query words asking for programs open to children: next to another term they also match
#: every program without a lower age limit under 18 ("Asthma Kind" finds the asthma program).
CHILD_WORDS = frozenset(
    {"kind", "kinder", "kindern", "kindes", "kleinkind", "schulkind", "baby", "babys", "sohn", "tochter",
     "jugend", "jugendliche", "jugendlicher", "jugendlichen", "child", "children", "kid", "kids", "teenager"}
)  # fmt: skip
CHILD_AGE = 18
#: Roman numerals as people write them after "Typ": ranked like the digit.
ROMAN = {"ii": "2", "iii": "3", "iv": "4"}
#: difflib ratio a vocabulary word needs to count as what a misspelt word meant.
FUZZY_CUTOFF = 0.8

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
    "angst": ("psych",),
    "demenz": ("geriatr",),
    "alzheimer": ("geriatr", "demenz"),
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
    #: Words tried against the vocabulary for typos (`close_words`).
    fuzzy: tuple[str, ...]
    #: A word such as "Kind": next to other terms it also matches programs open to children.
    for_children: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    terms: tuple[Term, ...] = ()
    truncated: bool = False
    dropped_terms: int = 0
    #: Numbers ("Typ 2", "Typ II") that rank titles containing them first, without filtering.
    boosts: tuple[str, ...] = ()

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
    for_children = word in CHILD_WORDS or light_stem(word) in CHILD_WORDS
    return Term(word=word, alternatives=tuple(alternatives), patterns=patterns, fuzzy=fuzzy, for_children=for_children)


def parse_query(raw: str | None) -> ParsedQuery:
    """Split a user query into terms; never raises, whatever the input."""
    text = (raw or "").strip()
    truncated = len(text) > MAX_QUERY_LENGTH
    if truncated:
        text = text[:MAX_QUERY_LENGTH]
    folded = fold(text).split()
    boosts = tuple(dict.fromkeys(ROMAN.get(w, w) for w in folded if w in ROMAN or (len(w) == 1 and w.isdigit())))
    words = [w for w in folded if len(w) >= 2 and w not in STOPWORDS and w not in ROMAN]
    words = list(dict.fromkeys(words))
    dropped = max(0, len(words) - MAX_TERMS)
    terms = tuple(_expand(w) for w in words[:MAX_TERMS])
    return ParsedQuery(text=text, terms=terms, truncated=truncated, dropped_terms=dropped, boosts=boosts)


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
    rebuild_vocabulary()
    return count


def document_words(text: str) -> set[str]:
    """The words of a folded text that typo tolerance can match (letters only, 5–60 long)."""
    return {w for w in text.split() if MIN_FUZZY_LENGTH <= len(w) <= MAX_WORD_LENGTH and w.isalpha()}


def record_search_words(texts, *, using: str | None = None) -> None:
    """Add the words of `texts` (folded search texts) to the vocabulary (idempotent)."""
    from programs.models import SearchWord

    words: set[str] = set()
    for text in texts:
        words |= document_words(text or "")
    if words:
        SearchWord.objects.using(using).bulk_create(
            [SearchWord(word=w) for w in sorted(words)], ignore_conflicts=True, batch_size=1000
        )


def rebuild_vocabulary() -> int:
    """Make the vocabulary exactly the words of all programs' search texts."""
    from programs.models import Program, SearchWord

    words: set[str] = set()
    for text in Program.objects.values_list("search_text", flat=True).iterator(chunk_size=500):
        words |= document_words(text)
    with transaction.atomic():
        SearchWord.objects.all().delete()
        record_search_words([" ".join(sorted(words))])
    return len(words)


# --- querying ---------------------------------------------------------------------------------


def _is_postgres(qs: QuerySet) -> bool:
    return connections[qs.db].vendor == "postgresql"


@per_catalogue_version
def _vocabulary() -> tuple[frozenset[str], tuple[str, ...]]:
    from programs.models import SearchWord

    words = tuple(sorted(SearchWord.objects.values_list("word", flat=True)))
    return frozenset(words), words


@per_catalogue_version
def close_words(word: str) -> tuple[str, ...]:
    """Words of the catalogue's vocabulary that `word` is probably a misspelling of
    ("depresion" → "depression", "astma" → "asthma"); none when the word itself occurs.
    Pure Python (difflib), so both databases behave alike; memoised per catalogue version."""
    known, ordered = _vocabulary()
    if len(word) < MIN_FUZZY_LENGTH or word in known:
        return ()
    return tuple(difflib.get_close_matches(word, ordered, n=3, cutoff=FUZZY_CUTOFF))


def term_patterns(term: Term) -> tuple[str, ...]:
    """The term's patterns plus those of the vocabulary words it is probably a misspelling of."""
    extra = [p for word in term.fuzzy for close in close_words(word) for p in _patterns(close)]
    return tuple(dict.fromkeys((*term.patterns, *extra)))


def corrections(query: ParsedQuery) -> dict[str, str]:
    """Typed word → the vocabulary word searched instead, for "Meinten Sie …?"."""
    found = {}
    for term in query.terms:
        close = close_words(term.word)
        if close:
            found[term.word] = close[0]
    return found


@per_catalogue_version
def _search_documents() -> tuple[tuple[int, str, int | None], ...]:
    """(id, search text, lower age limit) of every program, read once per catalogue version."""
    from programs.models import Program

    return tuple(Program.objects.values_list("pk", "search_text", "min_age").order_by("pk"))


@per_catalogue_version
def matching_program_ids(query: ParsedQuery) -> tuple[int, ...]:
    """The programs every term of `query` matches — the rule of `search_filter`, evaluated in
    Python over the memoised search texts (a substring test per pattern, as ``LIKE '%…%'``):
    the database then reads the matches by primary key instead of scanning every program's
    text (15–20 ms with 1,500 programs). Memoised per query and catalogue version."""
    qualifies = len(query.terms) > 1
    checks = [(term_patterns(term), term.for_children and qualifies) for term in query.terms]
    found = []
    for pk, text, min_age in _search_documents():
        text = text or ""
        for patterns, children in checks:
            if any(pattern in text for pattern in patterns):
                continue
            if children and (min_age is None or min_age < CHILD_AGE):
                continue
            break
        else:
            found.append(pk)
    return tuple(found)


def _term_q(term: Term, *, qualifies: bool) -> Q:
    q = Q()
    for pattern in term_patterns(term):
        q |= Q(search_text__contains=pattern)
    if term.for_children and qualifies:
        q |= Q(min_age__isnull=True) | Q(min_age__lt=CHILD_AGE)
    return q


def search_filter(query: ParsedQuery, *, postgres: bool = False) -> Q:
    """The WHERE clause: every term must match (by any of its alternatives). The reference for
    `matching_program_ids`, which applies the same rule in Python (tests compare the two)."""
    q = Q()
    qualifies = len(query.terms) > 1
    for term in query.terms:
        q &= _term_q(term, qualifies=qualifies)
    return q


def _title_score(terms: Iterable[Term], boosts: Iterable[str] = ()) -> Case | Value:
    """3 points per term found in the title (any alternative), 1 per exact word in the text,
    3 per number of the query in the title ("Diabetes Typ 2" ranks type 2 first)."""
    whens_total = []
    for term in terms:
        title_q = Q()
        for pattern in term_patterns(term):
            title_q |= Q(search_title__contains=pattern)
        word_q = Q(search_text__contains=f" {term.word} ")
        whens_total.append(
            Case(When(title_q, then=Value(3)), default=Value(0), output_field=IntegerField())
            + Case(When(word_q, then=Value(1)), default=Value(0), output_field=IntegerField())
        )
    for number in boosts:
        whens_total.append(
            Case(
                When(search_title__contains=f" {number} ", then=Value(3)), default=Value(0), output_field=IntegerField()
            )
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
    qs = qs.filter(pk__in=matching_program_ids(query))
    score = _title_score(query.terms, query.boosts)
    if postgres:
        from django.contrib.postgres.search import TrigramWordSimilarity

        similarity = TrigramWordSimilarity(" ".join(query.words), "search_title")
        qs = qs.annotate(rank=ExpressionWrapper(Cast(score, FloatField()) + similarity, output_field=FloatField()))
    else:
        qs = qs.annotate(rank=Cast(score, FloatField()))
    return qs
