"""text.profanity: swearing, slurs and sexual terms in a post's text.

School social media policies ask that posts be "solely professional". ``text.profanity`` (a warning
by default; ``text: {profanity: fail | warn | off}`` in rules.yaml) reports a word or phrase from the
word list, at the line and column where it starts, so that someone rereads the post before it goes out.

The word list is the English dictionary of the ``glin-profanity`` package (``WORD_LIST``: 416 words
and phrases, derived from the widely used "List of Dirty, Naughty, Obscene, and Otherwise Bad Words"),
read as data once per process and only when a draft is checked; the package's own code is never run.
Matching is on whole words, ignoring case: a listed word inside another word never counts
(Scunthorpe, Sussex, Essex, cocktail, title, analysis, assess, Hancock, shitake), a phrase may be split
by spaces or a line break, and a hyphen or apostrophe ends a word (``bitch's``).

Not reported (each list is named data below, with its reason):

- ``SCHOOL_SENSES``: entries with an everyday meaning in school news (a blue tit, a rugby hooker, a
  garden hoe, oilseed rape, Relationships and Sex Education, pegging out tents, recorder fingering,
  "come and taste my cake");
- ``NAME_WORDS``: entries that are also names (Dick Whittington, Moby Dick): reported only in lowercase;
- any word that is a name in the consent register: a pupil's name is never called profanity.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Iterator

from postcheck.catalogue import TEXT, Option, Rule, register_check
from postcheck.findings import Finding, Severity
from postcheck.post import LoadedPost
from postcheck.register import Register
from postcheck.wording import Quoted, Wording

RULE = "text.profanity"
RULES = (
    Rule(RULE, Severity.WARNING, "Swearing or an offensive word in the text",
         "The draft contains a swear word, a slur or a sexual term from the profanity word list (whole words "
         "only); the policy asks for posts that are solely professional.",
         "Reword it, or check the sentence reads as intended before posting.", setting="text.profanity"),
)
SETTINGS = ("warn", "fail", "off")
OPTIONS = (Option("profanity", "choice", "warn", "swearing, slurs and sexual terms in the text", choices=SETTINGS),)

WORD_LIST = ("glin-profanity", "glin_profanity/data/dictionaries/english.json")
"""The package and the data file in it that hold the English word list (``{"words": [...]}``)."""

SCHOOL_SENSES = {
    "tit": "a bird (blue tit, great tit: the Big Garden Birdwatch)",
    "tits": "birds (blue tits)",
    "cock": "a cockerel (farm visits, Cock-a-doodle-doo, Who Killed Cock Robin?)",
    "hooker": "a rugby position",
    "hoe": "a garden tool (gardening club)",
    "scat": "scat singing (music lessons)",
    "rape": "oilseed rape (the fields on a farm or nature walk)",
    "sex": "Relationships and Sex Education; sex as an equality characteristic",
    "snatch": "sport (snatch a late winner; the weightlifting lift)",
    "butt": "a water butt (eco club)",
    "swastika": "history and RE lessons (the Second World War, Hindu and Buddhist symbols)",
    "domination": "match reports (their domination of the second half)",
    "escort": "a police or staff escort on a trip",
    "bs": "British Standards (BS 5839, fire safety)",
    "mf": "mezzo forte (music)",
    "xx": "kisses closing a message",
    "xxx": "kisses closing a message",
    "twinkie": "a cake (bake sales)",
    "undressing": "dressing and undressing independently (Reception, PE)",
    "snowballing": "playing in the snow",
    "shrimping": "shrimping and rock pooling on a seaside trip",
    "scissoring": "scissor skills (cutting in Reception)",
    "pegging": "pegging out tents (camps, Duke of Edinburgh) and washing",
    "fingering": "recorder and instrument fingering (music)",
    "skeet": "clay pigeon shooting (sport)",
    "tosser": "pancake races on Shrove Tuesday",
    "ball kicking": "football skills",
    "big black": "a big black spider, cat or cloud (stories, nature walks)",
    "girl on": "a girl on the team, the bus or the stage",
    "taste my": "come and taste my cake (bake sales, cooking)",
    "tied up": "boats, horses and shoelaces tied up",
    "tongue in a": "tongue in a twist (tongue twisters)",
    "how to kill": "how to kill germs (handwashing, science)",
    "how to murder": "how to write a murder mystery (drama, English)",
    "huge fat": "a huge fat caterpillar (The Very Hungry Caterpillar)",
    "spread legs": "PE and gymnastics instructions",
    "strap on": "strap on a helmet (cycling, Bikeability)",
    "make me come": "make me come back (stories, songs)",
    "tainted love": "a song title (school discos, music)",
    "jelly donut": "a doughnut (bake sales)",
    "lemon party": "a party with lemonade (summer fairs)",
}
"""Word-list entries not reported, each with the everyday meaning a school post gives it. Chosen by
reading every entry of the list for a sense common in UK school news; the corpus and tests' drafts had
no match before any was taken out (see the commit that added this check)."""

NAME_WORDS = {"dick": "a name: Dick Whittington (pantomime), Moby Dick, short for Richard"}
"""Entries that are also names: reported only when written all in lowercase."""


@functools.cache
def word_list() -> tuple[str, ...]:
    """The package's English entries, lowercased, once per process.

    The file is found with ``find_spec``, which locates the package without running its code."""
    package, data_file = WORD_LIST
    spec = importlib.util.find_spec(package.replace("-", "_"))
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {package} package, which holds the profanity word list, is not installed")
    folder = Path(spec.submodule_search_locations[0]).parent
    words = json.loads((folder / data_file).read_text(encoding="utf-8"))["words"]
    return tuple(sorted({" ".join(word.casefold().split()) for word in words if word.strip()}))


_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class _Entries:
    """The word list split for a fast whole-word scan (a 400-way regex takes longer to compile than to run)."""

    words: frozenset[str]
    """Entries of one word of letters and digits, looked up token by token."""
    phrases: dict[str, tuple[tuple[str, ...], ...]]
    """First word -> the rest of each phrase that starts with it, longest first."""
    symbols: re.Pattern | None
    """Entries with other characters (``sh!t``, ``g-spot``), as one small pattern."""


@functools.cache
def _entries() -> _Entries:
    words, phrases, symbols = set(), {}, []
    for entry in word_list():
        parts = entry.split()
        if entry in SCHOOL_SENSES:
            continue
        if not all(_WORD.fullmatch(part) for part in parts):
            symbols.append(r"\s+".join(map(re.escape, parts)))
        elif len(parts) == 1:
            words.add(entry)
        else:
            phrases.setdefault(parts[0], []).append(tuple(parts[1:]))
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(symbols) + r")(?!\w)", re.IGNORECASE) if symbols else None
    return _Entries(frozenset(words), {k: tuple(sorted(v, key=len, reverse=True)) for k, v in phrases.items()},
                    pattern)


def listed_spans(text: str) -> list[tuple[int, int]]:
    """Start and end of every whole word or phrase of the list in ``text`` (school senses left out)."""
    entries = _entries()
    tokens = list(_WORD.finditer(text))
    spans = []
    taken_until = -1
    for index, token in enumerate(tokens):
        if token.start() < taken_until:
            continue  # inside a phrase already found
        key = token.group().casefold()
        end = _phrase_end(text, tokens, index, entries.phrases.get(key, ()))
        if end is None and key in entries.words:
            end = token.end()
        if end is not None:
            spans.append((token.start(), end))
            taken_until = end
    if entries.symbols is not None:
        spans += [(m.start(), m.end()) for m in entries.symbols.finditer(text)]
    return sorted(spans)


def _phrase_end(text: str, tokens: list[re.Match], index: int, rests: tuple[tuple[str, ...], ...]) -> int | None:
    """Where the longest phrase starting at ``tokens[index]`` ends; words apart by spaces or line breaks only."""
    for rest in rests:
        following = tokens[index + 1 : index + 1 + len(rest)]
        if len(following) < len(rest) or any(t.group().casefold() != w for t, w in zip(following, rest)):
            continue
        gaps = zip(tokens[index : index + len(rest)], following)
        if all(text[a.end() : b.start()].isspace() for a, b in gaps):
            return following[-1].end()
    return None


@register_check(name="profanity", reads=[TEXT], rules=RULES, options=OPTIONS,
                build=lambda run: ProfanityCheck(run.register, run.rules.setting(RULES[0].setting)))
class ProfanityCheck:
    """Words and phrases from the profanity list in a draft, whole words only."""

    id: ClassVar[str] = "text"

    def __init__(self, register: Register, setting: str = "warn"):
        if setting not in SETTINGS:
            raise ValueError(f'invalid value {setting!r} for text option "profanity": expected one of {SETTINGS}')
        self.setting = setting
        self._names = frozenset(
            part.casefold()
            for person in register.people
            for name in (person.first_name, person.last_name, *person.known_as)
            for part in re.split(r"[\s\-']+", name)
            if part
        )

    def run(self, post: LoadedPost) -> Iterator[Finding]:
        draft = post.draft
        if draft is None or self.setting == "off":
            return
        severity = Severity.ERROR if self.setting == "fail" else Severity.WARNING
        for start, end in listed_spans(draft.text):
            found = " ".join(draft.text[start:end].split())
            if self._excused(found):
                continue
            line, column = draft.position(start)
            yield Finding(
                rule=RULE,
                severity=severity,
                wording=Wording.of('"{found}" may read as swearing or an offensive term: posts should be solely '
                                   "professional, so reword it.", found=Quoted(found)),
                file=draft.display,
                line=line,
                column=column,
                span=(start, end),
            )

    def _excused(self, found: str) -> bool:
        key = found.casefold()
        if key in NAME_WORDS and found != key:
            return True  # "Dick Whittington": a name where it is not all lowercase
        return all(word.casefold() in self._names for word in found.split())
