"""names: findings as a member of staff reads them: what was found, which pupil, what to write instead.

Messages follow the policy: with name consent, the first name or the initials; without it, neither
(remove the name). Every finding carries the redactions ``--redact`` applies and the suggestion
``postcheck fix`` writes.
"""

from __future__ import annotations

import re
from datetime import date

from postcheck.checks.names.fold import Tokens, as_shown
from postcheck.checks.names.match import Match
from postcheck.findings import Finding, Severity
from postcheck.post import Draft
from postcheck.register import Person

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
        shown = as_shown(written)
        initials = person.initials
        consent = person.name_consent_on(self.on, self.channel)
        first = match.first or person.first_name
        if match.rule == "full-name" and match.family:
            # the first name and the family's name are apart: which to drop is the writer's choice
            if consent:
                message = (f'Full name of a pupil: "{shown}" with the family name "{as_shown(match.family)}" '
                           f'({person.pupil_id}). Write "{first}" or "{initials}" and leave the family name out.')
            else:
                message = (f'Full name of a pupil with {self._no_consent(person)}: "{shown}" with the family name '
                           f'"{as_shown(match.family)}" ({person.pupil_id}). {REMOVE_ADVICE}.')
        elif match.rule == "full-name":
            if consent:
                message = f'Full name of a pupil: "{shown}" ({person.pupil_id}). Write "{first}" or "{initials}" instead.'
            else:
                message = (f'Full name of a pupil with {self._no_consent(person)}: "{shown}" ({person.pupil_id}). '
                           f'{REMOVE_ADVICE}.')
        elif match.rule == "initial-surname":
            if consent:
                message = (f'Initial and surname of a pupil: "{shown}" ({person.pupil_id}); the policy allows '
                           f'first names or initials only. Write "{first}" or "{initials}" instead.')
            else:
                message = (f'Initial and surname of a pupil with {self._no_consent(person)}: "{shown}" '
                           f'({person.pupil_id}). {REMOVE_ADVICE}.')
        elif match.rule == "no-name-consent":
            owners = match.candidates
            if len(owners) > 1:
                ids = ", ".join(self.people[p].pupil_id for p in owners)
                lacking = [self.people[p] for p in owners if not self.people[p].name_consent_on(self.on, self.channel)]
                without = "; ".join(f"{p.pupil_id} has {self._no_consent(p)}" for p in lacking)
                message = (f'"{shown}" is the first name of {len(owners)} pupils this post may mean ({ids}) and '
                           f'{without}: the reader cannot tell them apart. {REMOVE_ADVICE}, or say which pupil '
                           f'it is in a "pupils:" line at the top of the draft.')
            else:
                message = (f'Pupil named with {self._no_consent(person)}: "{shown}" ({person.pupil_id}). '
                           f'{REMOVE_ADVICE}.')
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
        suggestion = None if match.rule == "surname-only" or match.family else \
            first if consent and match.rule != "no-name-consent" else initials if consent else UNNAMED
        return Finding(
            rule=f"names.{match.rule}", severity=severity, message=message, file=draft.display,
            line=line, column=column, pupil_id=person.pupil_id, redactions=tuple(dict.fromkeys(redactions)),
            span=(start, end), suggestion=suggestion,
        )

    def _no_consent(self, person: Person) -> str:
        if person.expired_on(self.on):
            return f"name consent that expired on {person.consent_expires.isoformat()}"
        return f"no name consent for {self.channel}"

    def unknown(self, draft: Draft, start: int, text: str) -> Finding:
        shown = as_shown(text)
        words = re.findall(r"[^\W\d_]+", shown)
        initials = f"{words[0][0].upper()}.{words[-1][0].upper()}."
        line, column = draft.position(start)
        return Finding(
            rule="names.unknown-person", severity=Severity.WARNING,
            message=(f'"{shown}" looks like a person\'s full name but is not in the consent register: '
                     f'if this is a pupil, check their consent and write only the first name or "{initials}".'),
            file=draft.display, line=line, column=column, redactions=((text, initials), (shown, initials)),
        )
