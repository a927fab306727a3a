"""A finding's wording as data: a sentence template and the named values it is built from.

A check knows which of its values identify a pupil (the name as written, the pupil's name from the
register, a suggestion that contains it) and which are personal data: it marks them ``Sensitive``
with the form ``--redact`` shows instead. Text postcheck did not write (a file name, an error's text,
words quoted from the draft) is ``Quoted``. Rendering puts the values into the template; rendering
after ``redacted`` puts in the hidden forms. Redaction is structural: the template, postcheck's own
words, is never searched for names, so a pupil called "Will" or "Hope" cannot rewrite the advice.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class Sensitive:
    """A value that identifies a pupil or is personal data: ``text`` as written, ``hidden`` under --redact."""

    text: str
    hidden: str


@dataclass(frozen=True)
class Quoted:
    """Text postcheck did not write (a file name, an error's text, words from the draft).

    The check cannot know which names are in it, so ``--redact`` hides every name it is given as a
    word (``redact_words``): the finding's own sensitive values and every pupil in the register.
    """

    text: str


@dataclass(frozen=True)
class Either:
    """Alternatives to write instead, each in quotes (``"Oliver" or "O.B."``); said once where they read the same."""

    options: tuple[Value, ...]


Value = Union[str, int, Sensitive, Quoted, Either, "Wording"]


@dataclass(frozen=True, eq=False)
class Wording:
    """One message: ``template`` (``str.format`` fields) and the values that fill it, by name.

    Two wordings are equal when they read the same, as two findings' messages were compared before
    their wording was data: deduplication and sorting see the text a person reads.
    """

    template: str
    values: tuple[tuple[str, Value], ...] = ()

    @classmethod
    def of(cls, template: str, **values: Value) -> Wording:
        return cls(template, tuple(values.items()))

    @functools.cached_property
    def text(self) -> str:
        """The message as a member of staff reads it."""
        if not self.values:
            return self.template
        return self.template.format_map({key: _render(value) for key, value in self.values})

    def __str__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Wording) and self.text == other.text

    def __hash__(self) -> int:
        return hash(self.text)

    def names(self) -> tuple[tuple[str, str], ...]:
        """Every sensitive value as a (text, hidden) pair, in the order the message says them."""
        return tuple(dict.fromkeys((v.text, v.hidden) for v in _leaves(self) if isinstance(v, Sensitive)))

    def redacted(self, names: Sequence[tuple[str, str]] = ()) -> Wording:
        """Sensitive values replaced by their hidden forms; ``names`` (and this wording's own) hidden in quoted text."""
        pairs = (*self.names(), *names)
        return self._mapped(lambda v: Quoted(redact_words(v.text, pairs)) if isinstance(v, Quoted) else v.hidden)

    def map_quoted(self, change: Callable[[str], str]) -> Wording:
        """The same wording with ``change`` applied to every quoted text (e.g. a temporary folder taken out)."""
        return self._mapped(lambda v: Quoted(change(v.text)) if isinstance(v, Quoted) else v)

    def _mapped(self, change: Callable[[Sensitive | Quoted], Value]) -> Wording:
        def value(v: Value) -> Value:
            if isinstance(v, (Sensitive, Quoted)):
                return change(v)
            if isinstance(v, Either):
                return Either(tuple(value(o) for o in v.options))
            if isinstance(v, Wording):
                return v._mapped(change)
            return v

        return Wording(self.template, tuple((key, value(v)) for key, v in self.values))


def _render(value: Value) -> str:
    if isinstance(value, (Sensitive, Quoted)):
        return value.text
    if isinstance(value, Either):
        return " or ".join(f'"{option}"' for option in dict.fromkeys(_render(o) for o in value.options))
    return str(value)


def _leaves(value: Value) -> Iterator[Value]:
    """The plain values inside ``value``, through nested wordings and alternatives, in reading order."""
    if isinstance(value, Wording):
        for _, inner in value.values:
            yield from _leaves(inner)
    elif isinstance(value, Either):
        for option in value.options:
            yield from _leaves(option)
    else:
        yield value


def redact_words(text: str, names: Sequence[tuple[str, str]]) -> str:
    """``text`` with each name replaced wherever it stands as a word, in any case, with or without accents,
    and with any separators between its words (``Oliver Bennett`` also hides ``oliver_bennett.jpg``).

    Only for text postcheck did not write and so cannot mark: file and post names, quoted values (see
    ``Quoted``). A message's own values are hidden from their fields (``Wording.redacted``).
    """
    pattern, replacements = _names_pattern(tuple(names))
    if pattern is None:
        return text
    return pattern.sub(lambda m: replacements[m.lastgroup], text)


@functools.lru_cache(maxsize=8)  # one register per run: compile its pattern once
def _names_pattern(names: tuple[tuple[str, str], ...]) -> tuple[re.Pattern | None, dict[str, str]]:
    alternatives, replacements = [], {}
    # Longest first; among names written alike, the first given wins (a finding's own before the register's),
    # so the same run always hides a name the same way.
    for sensitive, replacement in sorted(dict.fromkeys(names), key=lambda r: -len(r[0])):
        for form in dict.fromkeys((sensitive, _without_accents(sensitive))):
            words = [w for w in re.split(r"[\W_]+", form) if w]
            if words:
                group = f"n{len(alternatives)}"
                replacements[group] = replacement
                alternatives.append(f"(?P<{group}>" + r"[\W_]*".join(map(re.escape, words)) + ")")
    if not alternatives:
        return None, {}
    # A name is a whole word: "Ada" hides "ada.jpg" but not "Canada".
    return re.compile(r"(?<![^\W\d_])(?:" + "|".join(alternatives) + r")(?![^\W\d_])", re.IGNORECASE), replacements


def _without_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
