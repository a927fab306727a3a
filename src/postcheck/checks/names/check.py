"""names: the check itself: one pass over a draft from register names to findings.

Order of work (``NamesCheck._check``): fold and split the text (``fold.py``); walk it against the
register's name parts (``index.py``, ``match.py``); report full names, initials with surnames and
titled adults; judge first names and surnames alone in context (``context.py``, ``cues.py``,
``candidates.py``, ``nlp.py``); report them and unknown people (``messages.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import ClassVar

from postcheck.catalogue import TEXT, Option, Rule, register_check
from postcheck.checks.names.candidates import SchoolCues, declared_pupils
from postcheck.checks.names.context import Usage
from postcheck.checks.names.cues import Cues
from postcheck.checks.names.fold import Tokens
from postcheck.checks.names.index import NameIndex
from postcheck.checks.names.match import Match, Matcher, Scope
from postcheck.checks.names.messages import Messages
from postcheck.checks.names.nlp import Context
from postcheck.findings import Finding, Severity
from postcheck.post import Draft, LoadedPost, Picture
from postcheck.register import Register
from postcheck.wording import Quoted, Sensitive, Wording

E, W = Severity.ERROR, Severity.WARNING
RULES = (
    Rule("names.full-name", E, "A pupil's full name is in the text",
         "The draft names a pupil by first name and surname (in any case, possessive, with or without accents, "
         "as a hashtag, handle, link or a photo's file name, or first names with the family's surname: "
         "\"Bethany and Abigail (the Lomax twins)\", or a pupil's first name and surname used apart in one "
         "paragraph: \"Jacob opened the scoring ... Hollins made it two\"), which lets a stranger identify and "
         "find the child. A whole family (\"the Nolan family\") counts only beside a pupil's name or with two of "
         "its pupils named.",
         "Use the first name only, or no name at all."),
    Rule("names.initial-surname", E, "A pupil is named by initial and surname",
         "The draft names a pupil as an initial and surname (\"J. Smith\", a team sheet's \"Smith J\"), which "
         "identifies the child as surely as a full name.",
         "Use the first name only, or no name at all."),
    Rule("names.no-name-consent", E, "A pupil is named without consent to be named",
         "The draft uses a first name alone as the name of a pupil whose parents have not given consent (or whose "
         "consent expired) for the child's name to be published on this channel, in any case (\"well done "
         "grace!!\"); not a book, film or song title, another person's name (\"Tom Daley\"), a class or house "
         "(\"Ruby Class\", \"House points: Oak 412, Holly 398\"), a cast list's character (\"Mary (Evie)\"), a "
         "titled figure (\"King Arthur\"), a date (\"by April Reception will...\"), a place a trip goes to or an "
         "animal \"called\" the name. Only a title (Mr, Mrs, Miss, Ms, Mx, Dr, Rev) makes a name an adult's, "
         "never a relation or role word (sister, captain, coach).",
         "Remove the name, or check the consent register with the office."),
    Rule("names.unknown-person", W, "A name that is not in the consent register",
         "The draft contains a person's name that matches nobody in the consent register; it may be a pupil "
         "who is missing from the register.",
         "Check who it is; if it is a pupil, remove the name or add them to the register."),
    Rule("names.surname-only", W, "A pupil's surname is in the text",
         "The draft contains a pupil's surname, written as a name, which can identify the child and their family.",
         "Remove the surname."),
    Rule("names.with-photo", W, "A named pupil is also in a photo",
         "The draft names a pupil who also appears in a photo of the same post, which links the child's name "
         "to their face.",
         "Remove the name from the text or the pupil from the photos.", setting="names.with_photo"),
)
OPTIONS = (
    Option("with_photo", "choice", "warn", "a pupil named in the text whose face is in a photo",
           choices=("fail", "warn", "off"), attr="with_photo"),
)


@register_check(reads=[TEXT], rules=RULES, options=OPTIONS,
                build=lambda run: NamesCheck(run.register, on=run.on, channel=run.channel))
class NamesCheck:
    """Pupils' full names, initials with surnames and names without consent in a post's text."""

    id: ClassVar[str] = "names"

    def __init__(self, register: Register, *, on: date, channel: str):
        self.on = on
        self.channel = channel
        self.index = NameIndex(register.people)
        self.matcher = Matcher(self.index, on=on, channel=channel)
        self.usage = Usage(self.index)
        self.messages = Messages(self.index.people, on=on, channel=channel)
        self._last: tuple[Draft, tuple[tuple[Finding, ...], dict[str, tuple[int, str]]]] | None = None

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
                # the check knows where the name stands in the file name: that part is hidden as the message's
                # own name is (``#GoIsla.jpg`` too, where no word boundary would find it); the rest is quoted
                start, end = finding.span
                hidden = finding.wording.names()[0][1]
                quoted = Wording.of("{before}{name}{after}", before=Quoted(name[:start]),
                                    name=Sensitive(name[start:end], hidden), after=Quoted(name[end:]))
                wording = Wording.of("In the file name {name}: {finding} Rename the file.",
                                     name=quoted, finding=finding.wording)
                yield replace(finding, line=None, column=None, span=None, suggestion=None, wording=wording)

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
        scope = Scope(declared_pupils(draft.text), SchoolCues.in_path(draft.display))
        tokens = Tokens(draft.text)
        parts_at = self.matcher.walk(tokens)
        matches = self.matcher.combined(tokens, parts_at)
        claimed: set[int] = set()

        def name(match: Match) -> None:
            person = self.index.people[match.person]
            start = tokens.orig_start(match.start)
            if not person.is_staff and (person.pupil_id not in named or start < named[person.pupil_id][0]):
                named[person.pupil_id] = (start, tokens.original(match.start, match.end))

        for match in matches:
            if self.usage.reads_as_words(tokens, match):
                continue
            claimed.update(range(match.start, match.end + 1))
            if match.rule not in ("title", "staff"):
                name(match)
                yield self.messages.finding(draft, tokens, match)
        cues = Cues(draft.text, self.index.is_first_name, self.index.is_form)
        singles = self.matcher.singles(tokens, parts_at, claimed, scope)
        mentions = self.matcher.consented_mentions(tokens, parts_at, claimed, scope)
        sure: set[Match] = set()
        singles = [m for m in singles if self.usage.used_as_name(tokens, m, cues, sure)]
        mentions = [m for m in mentions if self.usage.used_as_name(tokens, m, cues, sure)]
        needs_nlp = {m for m in singles if m not in sure and self.matcher.needs_context(tokens, m)}
        explained = {offset for i, (j, _) in parts_at.items()
                     for offset in range(tokens.orig_start(i), tokens.orig_end(j))}
        explained.update(offset for i in claimed for offset in range(tokens.orig_start(i), tokens.orig_end(i)))
        context = Context(draft.text, [(tokens.orig_start(m.start), tokens.orig_end(m.end)) for m in needs_nlp],
                           explained)
        # A consented first name that is also a word ("Grace") is asked about only where the model has
        # already read the sentence; elsewhere a capitalised one counts as named (fail closed), so the
        # findings stay exactly what they were without this.
        needs_nlp.update(m for m in mentions if m not in sure and self.matcher.needs_context(tokens, m))
        kept = [m for m in (*singles, *mentions)
                if m not in needs_nlp or context.is_name(tokens.orig_start(m.start), tokens.orig_end(m.end))]
        for match in self.usage.shared_surnames(tokens, kept):
            name(match)
            yield self.messages.finding(draft, tokens, match)
        for match in kept:
            name(match)
            if match.rule not in ("mention", "first-with-surname"):
                yield self.messages.finding(draft, tokens, match)
        known = [(tokens.orig_start(i), tokens.orig_end(i)) for i in sorted(claimed)]
        known += [(tokens.orig_start(m.start), tokens.orig_end(m.end)) for m in kept]
        for start, end, text in context.unknown_people(known):
            if not (cues.in_title(start, end) or cues.character(start, end) or cues.group_name(start, end)):
                yield self.messages.unknown(draft, start, text)


@dataclass
class FileNamesCheck:
    """Pupils' names in the file names of a post's photos and videos (``oliver-bennett.jpg``)."""

    names: NamesCheck
    id: ClassVar[str] = "names"

    def run(self, post: LoadedPost) -> Iterator[Finding]:
        for picture in post.pictures:
            yield from self.names.file_name_findings(picture)
