"""names: findings as a member of staff reads them: what was found, which pupil, what to write instead.

Messages follow the policy: with name consent, the first name or the initials; without it, neither
(remove the name). Every finding's wording marks the names in it as sensitive, with the initials
``--redact`` shows instead, and carries the suggestion ``postcheck fix`` writes.
"""

from __future__ import annotations

import re
from datetime import date

from postcheck.checks.names.fold import Tokens, as_shown
from postcheck.checks.names.match import Match
from postcheck.findings import Finding, Severity
from postcheck.post import Draft
from postcheck.register import Person
from postcheck.wording import Either, Sensitive, Wording

REMOVE_ADVICE = ('Remove the name (e.g. "a Year 2 pupil"): without name consent neither the first name nor '
                  'initials may be published')
"""Advice for a pupil without name consent (policy: first names or initials only where permission is in place)."""
UNNAMED = "a pupil"
"""What ``postcheck fix`` writes for a pupil without name consent: neither their first name nor initials."""


class Messages:
    """Findings about the register's people, for one date and channel."""

    def __init__(self, people: tuple[Person, ...], *, on: date, channel: str):
        self.people = people
        self.on = on
        self.channel = channel

    def finding(self, draft: Draft, tokens: Tokens, match: Match) -> Finding:
        person = self.people[match.person]
        written = tokens.original(match.start, match.end)
        initials = person.initials
        consent = person.name_consent_on(self.on, self.channel)
        first = match.first or person.first_name
        shown = Sensitive(as_shown(written), initials)
        pupil, instead = person.pupil_id, Either((Sensitive(first, initials), initials))
        if match.rule == "full-name" and match.family:
            # the first name and the family's name are apart: which to drop is the writer's choice
            family = Sensitive(as_shown(match.family), initials)
            if consent:
                wording = Wording.of('Full name of a pupil: "{shown}" with the family name "{family}" ({pupil}). '
                                     'Write {instead} and leave the family name out.',
                                     shown=shown, family=family, pupil=pupil, instead=instead)
            else:
                wording = Wording.of('Full name of a pupil with {no_consent}: "{shown}" with the family name '
                                     '"{family}" ({pupil}). {advice}.', no_consent=self._no_consent(person),
                                     shown=shown, family=family, pupil=pupil, advice=REMOVE_ADVICE)
        elif match.rule in ("full-name", "initial-surname"):
            what = "Full name" if match.rule == "full-name" else "Initial and surname"
            if consent:
                policy = "." if match.rule == "full-name" else "; the policy allows first names or initials only."
                wording = Wording.of('{what} of a pupil: "{shown}" ({pupil}){policy} Write {instead} instead.',
                                     what=what, shown=shown, pupil=pupil, policy=policy, instead=instead)
            else:
                wording = Wording.of('{what} of a pupil with {no_consent}: "{shown}" ({pupil}). {advice}.',
                                     what=what, no_consent=self._no_consent(person), shown=shown, pupil=pupil,
                                     advice=REMOVE_ADVICE)
        elif match.rule == "no-name-consent":
            wording = self._no_name_consent(person, match, shown)
        else:  # surname-only
            advice = (Wording.of("Write {instead} instead", instead=Either((Sensitive(person.first_name, initials),
                                                                          initials)))
                      if consent else 'If it is the pupil, remove the name (e.g. "a Year 2 pupil")')
            wording = Wording.of('Surname of a pupil without a title: "{shown}" ({pupil}). '
                                 '{advice}, or add a title (Mr, Mrs, Ms) if you mean an adult.',
                                 shown=shown, pupil=pupil, advice=advice)
        severity = Severity.WARNING if match.rule == "surname-only" else Severity.ERROR
        start, end = tokens.orig_start(match.start), tokens.orig_end(match.end)
        line, column = draft.position(start)
        # what `postcheck fix` writes instead; a bare surname may be an adult's, so it is left to a person
        suggestion = None if match.rule == "surname-only" or match.family else \
            first if consent and match.rule != "no-name-consent" else initials if consent else UNNAMED
        return Finding(
            rule=f"names.{match.rule}", severity=severity, wording=wording, file=draft.display,
            line=line, column=column, pupil_id=person.pupil_id, span=(start, end), suggestion=suggestion,
        )

    def _no_name_consent(self, person: Person, match: Match, shown: Sensitive) -> Wording:
        owners = match.candidates
        if len(owners) <= 1:
            return Wording.of('Pupil named with {no_consent}: "{shown}" ({pupil}). {advice}.',
                              no_consent=self._no_consent(person), shown=shown, pupil=person.pupil_id,
                              advice=REMOVE_ADVICE)
        ids = ", ".join(self.people[p].pupil_id for p in owners)
        lacking = [self.people[p] for p in owners if not self.people[p].name_consent_on(self.on, self.channel)]
        without = "; ".join(f"{p.pupil_id} has {self._no_consent(p)}" for p in lacking)
        return Wording.of('"{shown}" is the first name of {count} pupils this post may mean ({ids}) and '
                          '{without}: the reader cannot tell them apart. {advice}, or say which pupil '
                          'it is in a "pupils:" line at the top of the draft.',
                          shown=shown, count=len(owners), ids=ids, without=without, advice=REMOVE_ADVICE)

    def _no_consent(self, person: Person) -> str:
        if person.expired_on(self.on):
            return f"name consent that expired on {person.consent_expires.isoformat()}"
        return f"no name consent for {self.channel}"

    def unknown(self, draft: Draft, start: int, text: str) -> Finding:
        words = re.findall(r"[^\W\d_]+", as_shown(text))
        initials = f"{words[0][0].upper()}.{words[-1][0].upper()}."
        line, column = draft.position(start)
        return Finding(
            rule="names.unknown-person", severity=Severity.WARNING,
            wording=Wording.of('"{shown}" looks like a person\'s full name but is not in the consent register: '
                               'if this is a pupil, check their consent and write only the first name or "{initials}".',
                               shown=Sensitive(as_shown(text), initials), initials=initials),
            file=draft.display, line=line, column=column, span=(start, start + len(text)),
        )
