"""names: the consent register as name parts, the index every match starts from.

Each person gives ``first`` parts (first name, its first word, the first part of a hyphenated name,
nicknames), ``full`` parts (first + last, folded together) and a ``last`` part. Keys are
``name_key`` forms, so ``Amelia-Rose``, ``amelia rose`` and ``AMELIA ROSE`` are one key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from postcheck.checks.names.candidates import form_key
from postcheck.checks.names.fold import name_key
from postcheck.register import Person


@dataclass(frozen=True)
class Part:
    person: int
    """Index into the check's people."""
    kind: str
    """first (first name, its first word, a nickname), last, full (first+last) or reversed (last+first)."""
    first: str = ""
    """For first and full parts: the register's spelling of the first name used (for messages)."""


class NameIndex:
    """Name parts of everyone in the register, with prefixes for the walk and each first name's pupils."""

    def __init__(self, people: tuple[Person, ...]):
        self.people: tuple[Person, ...] = people
        self.parts: dict[str, list[Part]] = {}
        for index, person in enumerate(self.people):
            self._add_person(index, person)
        self.initials = [{name_key(form)[:1] for form in (p.first_name, *p.known_as) if name_key(form)}
                         for p in self.people]
        self.prefixes = frozenset(key[:n] for key in self.parts for n in range(1, len(key)))
        self.forms = frozenset(form_key(p.form) for p in people if p.form) - {""}
        self.first_owners: dict[str, tuple[int, ...]] = {
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
                self.parts.setdefault(key, []).append(Part(index, kind, first))

        for key, form in firsts.items():
            add(key, "first", form)
            add(key + last, "full", form)
        add(last, "last")

    def is_form(self, word: str) -> bool:
        """Is this word a class or registration group in the register's form column ("Willow", "3B")?"""
        return form_key(word) in self.forms

    def is_first_name(self, word: str) -> bool:
        """Is this word anyone's first name (or nickname) in the register?"""
        return any(p.kind == "first" for p in self.parts.get(name_key(word), ()))
