"""names: what the words around a register name say about it.

A first name alone is a pupil only when it is used as one. These small, separately testable cues
read the text around a name (in original offsets) and say whether it is part of a title, another
person's name, a group's name or a character in a cast list, or, the other way round, clearly a
person (a by-line, "Hope in Year 2", a quote's attribution). ``Cues`` is built once per draft.

Word lists live in ``words/`` as data files that say where they come from.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import re
from collections.abc import Callable

from postcheck.checks.names.fold import caseless, line_bounds
from postcheck.checks.names.words import Work, is_title, word_list, works
from postcheck.dates import MONTHS

_WORD = r"[^\W\d_][\w'’\-]*"
_CAP_WORD = r"[A-Z][\w'’\-]*"
_SCHOOL_YEAR = r"(?:Year|Yr|Y|YEAR|YR)\s?\d{1,2}\b|Reception\b|RECEPTION\b|Nursery\b|NURSERY\b|\d[A-Z]{1,3}\b|Class\s+[A-Z]"
_QUOTED = re.compile(
    r'"[^"\n]{1,80}"|“[^”\n]{1,80}”|(?<!\w)‘[^’\n]{1,80}’(?!\w)|(?<!\w)\'[^\'\n]{1,80}\'(?!\w)'
    r"|(?<![*\w])\*[^*\n]{1,80}\*(?![*\w])|(?<![_\w])_[^_\n]{1,80}_(?![_\w])"
)
"""Quoted or Markdown-italic spans (``*Matilda*``, ``_Peter Rabbit_``); bold (``**Hope**``) is not a title."""
_BYLINE = re.compile(r"^[ \t]*(?:(?:written|reported|report|words|photos?|blog|article)[ \t]+)?by[ \t]+",
                     re.IGNORECASE | re.MULTILINE)
_LIST_ITEM = re.compile(r"[^\n;]+")
_PAIR = re.compile(r"^\s*(?:[-*•]\s*)?(?:[^:\n]{1,30}:\s*)?(?P<a>.+?)\s+[-–—]\s+(?P<b>.+?)\s*[.!]?\s*$")


_NAME_LABEL = re.compile(r"[ \t]*[A-Z][\w'’\-]*[ \t]+[A-Z]\.?[ \t]*")
"""A first name and an initial in quotes is a name as written on a label ("a coat labelled 'Ruby S'"), not a title."""


def _title_case(inner: str) -> bool:
    """Every word of four letters or more capitalised, at most ten words: a title, not speech."""
    words = re.findall(r"[^\W\d_]+", inner)
    return 0 < len(words) <= 10 and all(w[0].isupper() for w in words if len(w) >= 4) and words[0][0].isupper()


class Cues:
    """The cues of one draft's text; ``is_first_name`` says whether a word is a register first name."""

    def __init__(self, text: str, is_first_name: Callable[[str], bool],
                 is_form: Callable[[str], bool] = lambda word: False):
        self.text = text
        self._is_first_name = is_first_name
        self._is_form = is_form
        """Is this word a class or registration group of the register ("Willow" in "Isla from Willow")?"""
        self._titles = [m.span() for m in _QUOTED.finditer(text)
                        if _title_case(m.group()[1:-1]) and not _NAME_LABEL.fullmatch(m.group()[1:-1])]
        self._bylines = [(m.start(), text.find("\n", m.end()) % (len(text) + 1)) for m in _BYLINE.finditer(text)]
        self._characters = self._cast_list_characters()
        self._works = _named_works(text)
        self._breaks = [m.end() for m in _PARAGRAPH_BREAK.finditer(text)]

    # ---------------------------------------------------------------- not a pupil

    def not_a_pupil(self, start: int, end: int, surnames: tuple[str, ...] = ()) -> str | None:
        """Why the first name at [start, end) is not a pupil named by first name, or None.

        ``surnames``: the folded surnames of the pupils with this first name."""
        if self.a_value(start):
            return "value"
        if self.in_title(start, end):
            return "title"
        if self.group_name(start, end):
            return "group"
        if self.character(start, end) or self.figure_title(start):
            return "character"
        if self.another_person(start, end, surnames) or self.of_organisation(start, end):
            return "another person"
        if self.refers_back(start, end, surnames) or self.owner_in_named_work(start, end):
            return "the figure named before"
        if self.called_by_a_thing(start):
            return "a thing's name"
        if self.a_date(start, end) or self.an_abbreviation(end):
            return "time"
        if self.journey_end(start, end):
            return "place"
        return None

    def refers_back(self, start: int, end: int, surnames: tuple[str, ...] = ()) -> bool:
        """A possessive that refers back to a figure named earlier in the paragraph: "the Florence
        Nightingale Museum ... Florence's lamp", "King Arthur ... Arthur's sword". A reader takes the
        name to mean whoever it last meant; only a possessive is read this way (a bare "Florence said"
        after the museum may be the pupil: fail closed), or a bare name after a titled adult's full name
        ("Mrs Hope Williams ... We will miss you, Hope!"); a cue of its own ("Florence (Year 5)'s") is
        asked about before this."""
        possessive = re.match(r"['’]s\b", self.text[end:end + 3]) is not None
        word = self.text[start:end]
        paragraph = max(self._paragraph_start(start), start - _LOOKBACK)
        earlier = [paragraph + m.start() for m in
                   re.finditer(r"(?<![\w'’\-])" + re.escape(word) + r"(?![\w\-])", self.text[paragraph:start])]
        # every earlier mention a figure: one that was the pupil ("Florence (Year 5) visited ...") makes
        # the possessive ambiguous, and ambiguous fails closed; and the last one in this sentence or the
        # one before, where a reader still has the figure in mind
        if not earlier or len(re.findall(r"[.!?]+[\"')\]]*\s", self.text[earlier[-1]:start])) > 1:
            return False
        if not possessive:
            # a bare name refers back only to a titled adult's full name: "our deputy head, Mrs Hope
            # Williams ... We will miss you, Hope!"; after a figure ("Florence Nightingale ... Florence
            # said") a bare name may be the pupil (fail closed)
            return all(self._titled_adult(before, before + len(word)) for before in earlier)
        return all(self._a_figure(before, before + len(word), surnames) for before in earlier)

    def _titled_adult(self, start: int, end: int) -> bool:
        """A title straight before the name and a surname after it: "Mrs Hope Williams", "Dr Amber Holt"."""
        title = re.search(r"\b(" + _WORD + r")\.?[ \t]+$", self.text[max(0, start - 12):start])
        surname = re.match(r"[ \t]+[A-Z][\w'’\-]+", self.text[end:end + 30])
        return title is not None and is_title(title.group(1)) and surname is not None

    def _paragraph_start(self, offset: int) -> int:
        """Where the paragraph holding ``offset`` starts (after the last blank line before it)."""
        index = bisect.bisect_right(self._breaks, offset)
        return self._breaks[index - 1] if index else 0

    def owner_in_named_work(self, start: int, end: int) -> bool:
        """A possessive naming a character of a work the paragraph names: "The Wizard of Oz ... Dorothy's
        ruby slippers" (words/characters.txt). Only a possessive, as in ``refers_back``: "Dorothy won the
        spelling bee" after the same title may be the pupil, and is read so (fail closed)."""
        if not re.match(r"['’]s\b", self.text[end:end + 3]):
            return False
        word = self.text[start:end].casefold()
        titles = [(s, e) for (s, e), work in self._works if word in work.characters and not s <= start < e]
        return any(self._paragraph_start(s) == self._paragraph_start(start) for s, _ in titles)

    def called_by_a_thing(self, start: int) -> bool:
        """"the baby elephant called Sunny", "our class bear named Hope": the name of an animal or a thing.
        After a word for a person ("a new girl called Sunny", "her sister named Hope") it is a person's."""
        m = re.search(r"(" + _WORD + r")[ \t]+(?:called|named)[ \t]+$", self.text[max(0, start - 40):start])
        return m is not None and m.group(1).casefold() not in word_list("person_nouns")

    def an_abbreviation(self, end: int) -> bool:
        """"Max. 2 raffle books per family": a word cut short before a number is no name."""
        return re.match(r"\.[ \t]*\d", self.text[end:end + 4]) is not None

    def journey_end(self, start: int, end: int) -> bool:
        """Where a journey goes: "walked over Mam Tor and down to Hope for lunch", "the coach back to
        Florence". Only with a place's sequel after it (for lunch, where, via, ".") and no possessive: "ran
        over to Grace" (a person approached) and "went to Hope's party" stay the pupil's."""
        if not _JOURNEY_AFTER.match(self.text[end:end + 12]):
            return False
        return _JOURNEY_BEFORE.search(self.text[max(0, start - 60):start]) is not None

    def a_date(self, start: int, end: int) -> bool:
        """A month or season that a time word opens a phrase with, a year group straight after it: "and
        by April Reception will have finished phase 3", "In May Year 6 sit their SATs". The year group is
        the sentence's subject. A time word inside a phrase ("a poem by May Year 6") opens nothing, and
        "Written by April, Reception" is a by-line (``clearly_a_person``, asked first)."""
        if self.text[start:end].casefold() not in _MONTHS_AND_SEASONS:
            return False
        if not re.match(r"[ \t]+(?:" + _SCHOOL_YEAR + ")", self.text[end:end + 20]):
            return False
        m = re.search(r"(?:^|(\S+)[ \t]+)(" + _WORD + r")[ \t]+$", self.text[max(0, start - 40):start])
        if not m or m.group(2).casefold() not in word_list("calendar_before"):
            return False
        opener = m.group(1)
        if opener is None:
            return line_bounds(self.text, start)[0] >= max(0, start - 40)  # the time word starts the line
        return opener[-1] in ",;:.!?(" or opener.casefold() in ("and", "but", "so", "then", "also")

    def _a_figure(self, start: int, end: int, surnames: tuple[str, ...]) -> bool:
        """A name used for someone who can own things: another person, a character, a work's hero."""
        named = re.match(r"[ \t]+(" + _CAP_WORD + ")", self.text[end:end + 30])
        if named and named.group(1).casefold() in word_list("place_words") | word_list("not_name_caps"):
            return False  # "May Day ... May's ribbon": a day or a place owns no ribbon
        return self.not_a_pupil(start, end, surnames) in ("title", "character", "another person")

    def figure_title(self, start: int) -> bool:
        """``King Arthur``, ``Queen Elsa``, ``Princess Aurora``: a royal or legendary title straight before
        the name, unless a capitalised word makes the title a school role ("May Queen Poppy")."""
        m = re.search(r"(?:^|(\S+)[ \t]+)(" + _CAP_WORD + r")[ \t]+$", self.text[max(0, start - 40):start])
        if not m or m.group(2).casefold() not in word_list("figure_titles"):
            return False
        previous = m.group(1)
        return previous is None or not previous[:1].isupper() or previous[-1:] in ".!?:;"

    def in_title(self, start: int, end: int) -> bool:
        """A quoted or italic title, "X in Wonderland", "X and the Y", "the X ...", "the book X", "read X"."""
        if any(s <= start and end <= e for s, e in self._titles):
            return True
        if any(s <= start and end <= e for (s, e), _ in self._works):
            return True  # "Alice's Adventures in Wonderland", "Charlie and the Chocolate Factory"
        before, after = self.text[max(0, start - 60):start], self.text[end:end + 60]
        if re.search(r"\b(?i:the)(?:[ \t]+[A-Z][\w'’\-]*){0,2}[ \t]+$", before):
            return True  # "the Charlie and Lola books", "the Hope Tree", "the Angel Gabriel"
        last = re.search(r"(" + _WORD + r")[,:]?[ \t]+$", before)
        if last and last.group(1).casefold() in word_list("works") | word_list("reading_verbs"):
            return True
        if last and last.group(1).casefold() in word_list("viewing_verbs") and re.match(r"[ \t]+[A-Z0-9]", after):
            return True  # "watched Robin Robin", not "watched Grace perform"
        if self.a_value(start):
            return True
        if re.match(r"[ \t]+by[ \t]+(?!(?:Mr|Mrs|Miss|Ms|Mx|Dr)\b)[A-Z][\w'’\-.]*[ \t]+[A-Z][\w'’\-]+", after):
            return True  # "Matilda by Roald Dahl": a work and its author
        m = re.match(r"[ \t]+(?:(in)[ \t]+|(and|to)[ \t]+the[ \t]+)(" + _CAP_WORD + ")", after)
        if m and not self._school_word(m.group(3), after[m.end():]):
            return not self._is_first_name(m.group(3).casefold()) or bool(m.group(2))
        return False  # "Alice in Wonderland", "Jack and the Beanstalk", "Joy to the World"

    def a_value(self, start: int) -> bool:
        """"our Christian value this term is Hope", "Theme: Joy": a value or virtue, not a pupil."""
        return re.search(r"\b(?:value|virtue|theme)s?\b[^.!?\n]{0,40}(?:\b(?:is|was)|:)[ \t]+$",
                         self.text[max(0, start - 60):start], re.IGNORECASE) is not None

    def of_organisation(self, start: int, end: int) -> bool:
        """``Isaac from the Woodland Trust``, ``Jonathan of the National Literacy Trust``: a visitor."""
        after = self.text[end:end + 60]
        m = re.match(r"[ \t]+(?:of|from)[ \t]+(?:the[ \t]+)?(" + _CAP_WORD + ")", after)
        return m is not None and not self._school_word(m.group(1), after[m.end():]) \
            and not self._is_first_name(m.group(1).casefold())

    def group_name(self, start: int, end: int) -> bool:
        """``Ruby Class``, ``Amber team``, ``Class Robin``, ``House Oak``."""
        after = re.match(r"[ \t]+(" + _WORD + ")", self.text[end:end + 30])
        if after and after.group(1).casefold() in word_list("groups"):
            return True
        if re.search(r"\b(?:Class|House|Team|Dosbarth|Tŷ|Tîm)[ \t]+$", self.text[max(0, start - 12):start]):
            return True
        return self._in_group_scores(start, end)

    def _in_group_scores(self, start: int, end: int) -> bool:
        """An item of a scores list whose items are groups: "House points: Oak 412, Holly 398, Ash 377"
        (the lead-in names houses), or "Oak 412, Holly 398, Ash 377 ... Oak House" (an item is a house
        elsewhere). A leaderboard without either ("Reading minutes: Holly 398, Ivy 351") lists pupils."""
        line_start = line_bounds(self.text, start)[0]
        found = _SENTENCE_OR_LINE_END.search(self.text, end)
        line_end = found.start() if found else len(self.text)
        items = list(_SCORE_ITEM.finditer(self.text, line_start, line_end))
        if len(items) < _SCORE_LIST_ITEMS or not any(m.start("name") == start for m in items):
            return False
        lead_in = re.findall(_WORD, self.text[line_start:items[0].start()])
        if any(word.casefold() in word_list("groups") for word in lead_in):
            return True
        others = "|".join(re.escape(m.group("name")) for m in items if m.start("name") != start)
        return any(g.group(1).casefold() in word_list("groups")
                   for g in re.finditer(r"(?<![\w'’\-])(?:" + others + r")\s+(" + _WORD + ")", self.text))

    def character(self, start: int, end: int) -> bool:
        """A part in a play: the character column of a cast or costume list, "Daisy as Mary", "X was played by"."""
        if any(s <= start and end <= e for s, e in self._characters):
            return True
        if re.search(r"(?:\b(?:played|starred|cast|dressed|dressed up|came|appeared)|[A-Z][\w'’\-]*)[ \t]+as[ \t]+(?:the[ \t]+)?$",
                     self.text[max(0, start - 40):start]):
            return True
        after = self.text[end:end + 60]
        if re.match(r"(?:[ \t]+and[ \t]+" + _CAP_WORD + r")?[ \t]+(?:was|were|is|are|will be)[ \t]+played[ \t]+by\b", after):
            return True  # "Annie was played by Sophie", "Mary and Joseph were played by Lola and Noah"
        cast = re.match(r"\s*\([ \t]*(" + _CAP_WORD + r")[ \t]*\)", after)
        return cast is not None and self._is_first_name(cast.group(1).casefold())  # "Mary (Evie)", "Peter (Harvey)"

    def another_person(self, start: int, end: int, surnames: tuple[str, ...] = ()) -> bool:
        """A first name and a different surname (``Tom Daley``, ``Grace Darling``) or a name followed by
        a capitalised word (``Hope Valley``, ``Poppy Appeal``): someone or something else. A word that
        looks like a misspelling of the pupil's own surname still counts as the pupil (fail closed)."""
        m = re.match(r"(?:[ \t]+|[ \t]*\n[ \t]*)(" + _CAP_WORD + ")", self.text[end:end + 40])  # a line may wrap
        if not m or len(m.group(1)) < 2 or self._school_word(m.group(1), self.text[end + m.end():end + m.end() + 20]):
            return False
        if self.in_headline(start):
            return False  # "Isla Scores Hat-Trick": in a Title Case headline a capital says nothing
        word = re.sub(r"['’]s?$", "", m.group(1).casefold())
        if any(difflib.SequenceMatcher(None, word, surname).ratio() >= 0.75 for surname in surnames):
            return False
        return not self._is_first_name(word)

    def in_headline(self, offset: int) -> bool:
        """Is the line a Title Case headline: most of its longer words capitalised, no full stop?"""
        line = self.text[slice(*line_bounds(self.text, offset))].strip()
        words = [w for w in re.findall(r"[^\W\d_]+", line) if len(w) >= 4]
        return len(words) >= 3 and not line.endswith(".") and \
            sum(w[0].isupper() for w in words) >= _HEADLINE_SHARE * len(words)

    def in_capitals(self, offset: int) -> bool:
        """Is the line written all in capitals ("SUMMER UNIFORM MAY BE WORN FROM MONDAY")?"""
        line = self.text[slice(*line_bounds(self.text, offset))]
        return caseless(line) and line == line.upper()

    def _school_word(self, word: str, after: str) -> bool:
        """Year, Reception, Class, a register class name...: words that place a pupil in school rather
        than name something else."""
        if word.casefold() in _NOT_OTHER or self._is_form(word):
            return True
        following = re.match(r"[ \t]+(" + _WORD + ")", after)
        # "Ruby Class", and "Harry and the Nolan family": a family's name is no title or organisation
        return following is not None and following.group(1).casefold() in \
            word_list("groups") | word_list("family") | word_list("siblings")

    # ---------------------------------------------------------------- clearly a person

    def clearly_a_person(self, start: int, end: int) -> bool:
        """A by-line, a school year or class next to the name, an attribution, "X, who ..."."""
        if any(s <= start < e for s, e in self._bylines):
            return True
        after, before = self.text[end:end + 40], self.text[max(0, start - 40):start]
        # a post's lines wrap: "May in\nYear 6" is "May in Year 6" (a line that only ends in a name, no)
        year = re.match(r"[ \t]*(?:([,(]|\s(?:in|from|of)\b)[ \t]*\n?[ \t]*)?(?:" + _SCHOOL_YEAR + ")", after)
        if year and (year.group(1) or not self._a_time(start)):
            return True  # "Hope in Year 2", "Autumn (Year 1)", "Summer, Year 4", "Sunny from Year 2"
        if re.search(r"(?:" + _SCHOOL_YEAR + r")[ \t]*[:\-–][ \t]*$", before):
            return True  # "Year 2: Hope for helping a friend"
        if _WITH_INITIAL.match(after):
            return True  # "Ruby S", "Elizabeth K.": the policy's own way of writing a pupil's name
        called = re.search(r"(" + _WORD + r")[ \t]+(?:called|named)[ \t]+$", before)
        if called and called.group(1).casefold() in word_list("person_nouns"):
            return True  # "a new girl called Sunny"
        if re.search(r"[\"”’][ \t]*[-–—][ \t]*$", before) or re.match(r",[ \t]+who\b", after):
            return True  # '"I liked being a shepherd." - Jack', "April, who has read 100 books"
        return _PERFORMED.match(after) is not None


    def _a_time(self, start: int) -> bool:
        """The word is the object of a time word ("in May Year 6 sit their SATs", "During May Year 6
        will..."): with nothing between it and a year group, the year group is the sentence's subject."""
        last = re.search(r"(" + _WORD + r")[ \t]+$", self.text[max(0, start - 20):start])
        return last is not None and last.group(1).casefold() in word_list("calendar_before")

    # ---------------------------------------------------------------- cast and costume lists

    def _cast_list_characters(self) -> list[tuple[int, int]]:
        """In a list of "A - B" items, the column that is not the pupils' is the characters'.

        A side scores +1 when it reads as a pupil (a first name, a first name and an initial) and -1
        when it reads as a character (several capitalised words, "the ...", a first name with another
        surname). With at least two items and one column clearly ahead, the other column's spans are
        characters: "Alice - Lola; White Rabbit - Olivia", "Rebekah S. - Matilda; Lola - the Gruffalo".
        """
        pairs = []
        for item in _LIST_ITEM.finditer(self.text):
            m = _PAIR.match(item.group())
            if m:
                base = item.start()
                pairs.append(((base + m.start("a"), base + m.end("a")), (base + m.start("b"), base + m.end("b"))))
        if len(pairs) < 2:
            return []
        score = [sum(self._side_score(side[k]) for side in pairs) for k in (0, 1)]
        if abs(score[0] - score[1]) < 2 or max(score) < 2:
            return []
        characters = 1 if score[0] > score[1] else 0
        return [side[characters] for side in pairs]

    def _side_score(self, span: tuple[int, int]) -> int:
        words = re.findall(r"[^\W\d_]+\.?", self.text[span[0]:span[1]])
        if not words or len(words) > 4:
            return 0
        if words[0].casefold() == "the":
            return -1
        first = words[0].rstrip(".").casefold()
        if len(words) == 1:
            return 1 if self._is_first_name(first) else 0
        if len(words) == 2 and len(words[1].rstrip(".")) == 1:
            return 1  # "Rebekah S."
        return -1 if all(w[0].isupper() for w in words) else 0


_JOURNEY_BEFORE = re.compile(
    r"\b(?:walk|drove|drive|driving|travel|head|cycl|hik|climb|return|arriv|journey|trek|sail|flew|fly|"
    r"flying|coach|train|bus|trip|visit|(?:we|they|us|everyone)[ \t]+(?:all[ \t]+)?(?:went|go|going))\w*\b[^.!?\n]{0,30}?"
    r"(?<!\bover)[ \t]+(?:(?:down|up|back|out|across|straight|on)[ \t]+)?(?:to|into|towards|via|through)[ \t]+$",
    re.IGNORECASE)
"""A journey's verb or noun, then "to" / "into" / "via": "walked ... down to", "the coach back to", "we went
to". Not "went to" alone: "Goal of the day went to Amber" is an award."""
_JOURNEY_AFTER = re.compile(r"[ \t]+(?:for|where|via|before|after|then|by|on|in|at)\b|[.!;]|,(?![ \t]+who\b)")
"""What follows a place at a journey's end; ", who" follows a person."""

_SENTENCE_OR_LINE_END = re.compile(r"[.!?](?:\s|$)|\n")

_SCORE_ITEM = re.compile(r"(?P<name>[A-Z][\w'’\-]*)[ \t]*[:=\-–]?[ \t]*\d[\d,.]*(?![\w/:])")
"""One item of a scores list: "Holly 398", "Oak: 412"."""
_SCORE_LIST_ITEMS = 3
"""Items that make a line a scores list: two could be a sentence ("Holly 3, Ivy 4")."""

_WITH_INITIAL = re.compile(r"[ \t]+[A-Z]\.?(?=[ \t]*(?:[,;:.!?)'’\"”\n]|$|and\b|&))")
"""A surname's initial after a first name, then punctuation or "and": "a coat labelled 'Ruby S'", "Ivy W and
Neil". Not "Summer A Level" or "Amber B Team", where a capitalised word follows the letter."""

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_LOOKBACK = 1500
"""How far back ``refers_back`` reads for earlier mentions: a school post's paragraph is shorter; a draft of
one endless paragraph would otherwise be read from its start for every name (bench/names.py went from 24 to 87
s per MB when the lookback was the whole paragraph)."""


def _named_works(text: str) -> list[tuple[tuple[int, int], Work]]:
    """Where the text names a work from words/characters.txt, written with a capital ("The Wizard of Oz",
    "Alice's Adventures in Wonderland"); a one-word title that is a character's own name is left out
    (the pupil Matilda would otherwise name the book)."""
    pattern, by_title = _works_pattern()
    if pattern is None:
        return []
    return [(m.span(), by_title[" ".join(m.group().split()).casefold()]) for m in pattern.finditer(text)
            if m.group()[:1].isupper()]


@functools.cache
def _works_pattern() -> tuple[re.Pattern | None, dict[str, Work]]:
    by_title: dict[str, Work] = {}
    for work in works():
        title = re.sub(r"^the\s+", "", work.title, flags=re.IGNORECASE)
        if work.title == "*" or title.casefold() in work.characters:
            continue
        by_title[title.casefold()] = work
    if not by_title:
        return None, {}
    alternatives = sorted((r"\s+".join(map(re.escape, t.split())) for t in by_title), key=len, reverse=True)
    return re.compile(r"(?<![\w'’])(?:" + "|".join(alternatives) + r")(?![\w'’])", re.IGNORECASE), by_title


_MONTHS_AND_SEASONS = frozenset(MONTHS) | {"spring", "summer", "autumn", "winter"}
"""Months and seasons: names that a time word can make a date ("by April", "in Summer")."""

_PERFORMED = re.compile(r"[ \t]+(?:(?:was|made|played)[ \t]+an?|(?:plays|played|is[ \t]+playing|will[ \t]+be[ \t]+playing|"
                        r"will[ \t]+play)[ \t]+(?:the|an?))[ \t]+(?:[a-z][\w'’\-]*[ \t]+){0,3}"
                        r"[A-Z][\w'’\-]*(?:[ \t]+[A-Z][\w'’\-]*)*[ \t]*(?:[.,;!(]|\band\b|$|[^\w\s])")
"""A review of a play: "Belle was a wonderful Dame Trott", "Ruby made a brilliant Mary", "Sunny will be
playing the Sun". Whoever plays a named part is a performer; the part ends the phrase ("Hope was a
Christian virtue" is no part)."""

_HEADLINE_SHARE = 0.85
"""Share of capitalised longer words that makes a line a headline; the development corpus's sentences
with several names in them stay below it (at most 0.7)."""

_NOT_OTHER = frozenset("""
year yr reception nursery class and or the a an we our i you he she they it is was will for
with to of in on at by from thank thanks well congratulations please dear
""".split())
"""Capitalised words after a first name that do not make it someone else's name."""
