"""Every rule once: its id, check, default severity, title, meaning, fix advice and options.

A rule is declared beside the code that raises it, the way pycodestyle keeps a check's codes with
the check and yamllint a rule's options with the rule: a check class registers itself with
``@register_check(...)``, naming what it reads (text, pictures) and the ``Rule`` and ``Option``
records it owns; a rule raised outside the checks (a draft that cannot be decoded, a file ``fix``
could not copy, a check that crashed) is declared with ``declare(...)`` where it is raised.
Everything that describes rules reads them from here: rules.yaml validation (``rules.py``), the
pipeline (which checks run on text and on pictures), SARIF's ``tool.driver.rules``, ``postcheck
rules``, annotate's boxes, fix's list of faces to hide and the README's "What fails a post" table
(``uv run python -m postcheck.catalogue --markdown``; ``tests/test_catalogue.py`` checks it is current).

The registry is filled when ``postcheck.checks`` is imported (importing it imports every check
module, cheaply: models load only when a check runs). It is the one piece of module-level state
here, written once per process at import time and never changed after, as flake8's plugin table is.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from postcheck.findings import Severity

if TYPE_CHECKING:
    from postcheck.checks import Check

TEXT = "text"
PICTURES = "pictures"
"""What a check reads: the draft's text, or the photos, animations and video frames of a post."""

CHECK_FAILED = ".check-failed"

_DECLARING_MODULES = ("postcheck.pipeline", "postcheck.fix")
"""Modules that declare rules raised outside the checks (imported by ``rules()``, not by ``checks()``:
a check run need not import ``fix``)."""


@dataclass(frozen=True)
class FaceMark:
    """How a face finding is drawn by ``--annotate`` and whether ``fix`` hides the face."""

    label: str
    """The word on the box, such as ``NO CONSENT``."""
    colour: str
    """``green``, ``red`` or ``amber`` (see annotate.COLOURS)."""
    hide: bool
    """``postcheck fix`` pixelates the face."""


@dataclass(frozen=True)
class Rule:
    """One rule id and what a member of staff needs to know about it."""

    id: str
    """``names.full-name``: the check's rules.yaml section, a dot, the rule's own name."""
    severity: Severity
    """The severity with default settings; a finding's own severity always wins."""
    title: str
    """One line: the SARIF alert title and the ``postcheck rules`` listing."""
    means: str
    """What the rule looks for and why it matters (README table, SARIF full description)."""
    fix: str
    """What a member of staff should do about it."""
    setting: str | None = None
    """The rules.yaml key that changes its severity or turns it off (``faces.unknown``), if any."""
    face: FaceMark | None = None
    """For face findings: how annotate draws the box and whether fix hides the face."""
    check: str = ""
    """The check that raises it (filled in by registration)."""

    def for_check(self, check: str) -> Rule:
        """A pattern rule (``<check>.check-failed``) made concrete for one check."""
        return Rule(self.id.replace("<check>", check), self.severity, self.title.format(check=check),
                    self.means.format(check=check), self.fix.format(check=check), self.setting, self.face, check)


@dataclass(frozen=True)
class Option:
    """One rules.yaml key a check reads, validated by ``rules.py`` from this declaration."""

    key: str
    """The key inside the check's section: ``tolerance`` in ``faces: {tolerance: 0.45}``."""
    kind: str
    """``choice`` (one of ``choices``), ``number`` (between ``low`` and ``high``), ``texts`` (a list of
    text) or ``domains`` (a list of allowlist entries)."""
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    range_words: tuple[str, str] = ("", "")
    """What the ends of a number's range mean, for the error message: ("strict", "loose")."""
    attr: str | None = None
    """The ``Rules`` field that carries the value, for options older than this catalogue."""

    def type_text(self) -> str:
        if self.kind == "choice":
            return " | ".join(self.choices)
        if self.kind == "number":
            return f"number {self.low} to {self.high}"
        return "list of domains" if self.kind == "domains" else "list of text"


@dataclass(frozen=True)
class CheckSpec:
    """A registered check: what it reads, how the pipeline builds it, and what it declares."""

    name: str
    """Unique among checks: ``names``, ``personal-data``, ``profanity``."""
    section: str
    """Its rules.yaml section and the prefix of its rule ids (the class's ``id``)."""
    reads: frozenset[str]
    build: Callable[[Any], Check]
    """Called once per run with the pipeline (rules, register, on, channel, references)."""
    rules: tuple[Rule, ...]
    options: tuple[Option, ...]
    module: str


_CHECKS: dict[str, CheckSpec] = {}
_LOOSE: dict[str, Rule] = {}


def register_check(
    *, reads: Iterable[str], rules: Iterable[Rule] = (), options: Iterable[Option] = (),
    name: str | None = None, build: Callable[[Any], Check] | None = None,
):
    """Class decorator: the check joins the registry with the rules and options it declares.

    ``build(pipeline)`` makes the check for a run; by default the class is called with no arguments.
    """

    def add(cls):
        key = name or cls.id
        spec = CheckSpec(key, cls.id, frozenset(reads), build or (lambda pipeline: cls()),
                         tuple(_owned(r, key) for r in rules), tuple(options), cls.__module__)
        for rule in spec.rules:
            if not rule.id.startswith(f"{cls.id}."):
                raise ValueError(f"rule {rule.id} of check {key} must start with '{cls.id}.'")
        known = _CHECKS.get(key)
        if known is not None and known.module != spec.module:
            raise ValueError(f"two checks are called {key}: {known.module} and {spec.module}")
        _CHECKS[key] = spec
        return cls

    return add


def declare(*rules: Rule, check: str) -> tuple[Rule, ...]:
    """Rules raised outside a check (by the pipeline, ``fix``), declared where they are raised."""
    for rule in rules:
        _LOOSE[rule.id] = _owned(rule, check)
    return rules


def _owned(rule: Rule, check: str) -> Rule:
    return rule if rule.check else replace(rule, check=check)


def checks() -> list[CheckSpec]:
    """Every registered check, in the order ``postcheck.checks.CHECK_MODULES`` lists their modules."""
    from postcheck.checks import CHECK_MODULES  # importing the package registers every check

    order = {f"postcheck.checks.{m}": i for i, m in enumerate(CHECK_MODULES)}
    return sorted(_CHECKS.values(), key=lambda spec: _module_order(spec.module, order))


def _module_order(module: str, order: Mapping[str, int]) -> int:
    for prefix, index in order.items():
        if module == prefix or module.startswith(prefix + "."):
            return index
    return len(order)


def rules() -> dict[str, Rule]:
    """Every declared rule by id: the checks' rules in check order, then those raised elsewhere."""
    for module in _DECLARING_MODULES:
        importlib.import_module(module)
    out = {rule.id: rule for spec in checks() for rule in spec.rules}
    out.update((rule_id, rule.for_check("<check>") if "<check>" in rule_id else rule) for rule_id, rule in _LOOSE.items())
    return out


def options() -> dict[str, list[Option]]:
    """rules.yaml sections and their options, from the checks that own them (in check order)."""
    sections: dict[str, list[Option]] = {}
    for spec in checks():
        if spec.options:
            sections.setdefault(spec.section, []).extend(spec.options)
    return sections


def option(key: str) -> Option:
    """The declaration of ``section.key``, such as ``text.profanity``."""
    section, _, name = key.partition(".")
    for declared in options().get(section, []):
        if declared.key == name:
            return declared
    raise KeyError(key)


def face_marks() -> dict[str, FaceMark]:
    """Rule id -> how annotate draws a face of it, for every rule that marks a face."""
    return {rule.id: rule.face for rule in rules().values() if rule.face is not None}


def hides_face(rule_id: str) -> bool:
    """Whether ``postcheck fix`` pixelates a face reported under ``rule_id``."""
    mark = face_marks().get(rule_id)
    return mark is not None and mark.hide


def describe(rule_id: str) -> Rule:
    """The rule ``rule_id``; ``<check>.check-failed`` made concrete; a generic entry for an unknown id."""
    known = rules()
    if rule_id in known:
        return known[rule_id]
    if rule_id.endswith(CHECK_FAILED) and f"<check>{CHECK_FAILED}" in _LOOSE:
        return _LOOSE[f"<check>{CHECK_FAILED}"].for_check(rule_id[: -len(CHECK_FAILED)])
    return Rule(rule_id, Severity.WARNING, f"postcheck rule {rule_id}", f"A finding of the postcheck rule {rule_id}.",
                "Read the finding's message for what to change.", check=rule_id.split(".", 1)[0])


def main(argv: list[str] | None = None) -> None:
    """``--markdown`` prints the README's rule table; ``--readme README.md`` rewrites it in place."""
    import sys
    from pathlib import Path

    from postcheck.formats.rules import render_rules, with_table

    args = sys.argv[1:] if argv is None else argv
    if args == ["--markdown"]:
        sys.stdout.write(render_rules("markdown"))
    elif len(args) == 2 and args[0] == "--readme":
        path = Path(args[1])
        path.write_text(with_table(path.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        sys.exit("usage: python -m postcheck.catalogue --markdown | --readme README.md")


if __name__ == "__main__":
    main()
