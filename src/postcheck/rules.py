"""rules.yaml: the school's policy. Loaded and validated strictly; every problem is one line.

```yaml
links:
  allow: [myschool.sch.uk, gov.uk]   # a domain allows itself and its subdomains
faces:
  unknown: fail        # fail | warn: a face that matches nobody in the register
  tolerance: 0.45      # how close a face must be to a reference photo to count as that person
names:
  with_photo: warn     # fail | warn | off: a pupil named in the text whose face is in a photo
text:
  allow_emails: [office@myschool.sch.uk]   # addresses that may appear in a post
  allow_phones: ["01632 960000"]
  allow_addresses: ["1 School Lane, AB1 2CD"]
waivers: []            # accountable exceptions, see README
```

Which sections and keys exist, their types and defaults, are declared by the checks that read them
(``Option`` in each check module, collected by ``postcheck.catalogue``); this module reads each kind
of value and words the errors.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from postcheck.dates import DateError, as_date
from postcheck.errors import RulesError

if TYPE_CHECKING:
    from postcheck.catalogue import Option

DEFAULT_TOLERANCE = 0.45
"""Default faces.tolerance, measured on ../shared/faces and its wild/people pairs with bench/faces.py
(CenterFace landmarks, dlib 5-point alignment, one jitter): the same person 0.05-0.44 apart (76 pairs),
different people 0.48 or more (452 pairs; 0.48 is a brother and sister)."""


@dataclass(frozen=True)
class Waiver:
    """An accountable exception: one finding accepted by a named person, for a reason, until a date."""

    rule: str
    approved_by: str
    reason: str
    expires: date
    pupil_id: str | None = None
    link: str | None = None
    post: str | None = None


@dataclass(frozen=True)
class Rules:
    path: Path | None = None
    allow: tuple[str, ...] = ()
    unknown_faces: str = "fail"
    tolerance: float = DEFAULT_TOLERANCE
    with_photo: str = "warn"
    allow_emails: tuple[str, ...] = ()
    allow_phones: tuple[str, ...] = ()
    allow_addresses: tuple[str, ...] = ()
    waivers: tuple[Waiver, ...] = field(default=())
    settings: tuple[tuple[str, Any], ...] = ()
    """Options that have no field of their own, as ("section.key", value) pairs (``setting`` reads them)."""

    def setting(self, key: str) -> Any:
        """The value of rules.yaml's ``section.key`` (``faces.tolerance``), or its declared default."""
        from postcheck import catalogue

        option = catalogue.option(key)
        if option.attr is not None:
            return getattr(self, option.attr)
        return dict(self.settings).get(key, option.default)


def _schema() -> dict[str, dict[str, Option]]:
    """Sections and their keys, as the checks declare them; ``waivers`` is read here."""
    from postcheck import catalogue

    sections = {section: {o.key: o for o in declared} for section, declared in catalogue.options().items()}
    return {**sections, "waivers": {}}


_WAIVER_KEYS = ("rule", "approved_by", "reason", "expires", "pupil_id", "link", "post")


def load_rules(path: Path) -> Rules:
    """Read and validate rules.yaml; raise RulesError naming the file, key and bad value."""
    if not path.exists():
        raise RulesError(f"{path} not found: pass --rules FILE or set POSTCHECK_RULES (see README, 'rules.yaml')")
    if path.is_dir():
        raise RulesError(f"{path} is a folder: --rules takes the rules.yaml file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RulesError(f"{path} cannot be read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RulesError(f"{path} is not UTF-8 text") from None
    return parse_rules(text, path)


def parse_rules(text: str, path: Path) -> Rules:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise RulesError(f"{path}{where}: invalid YAML: {problem}") from None
    if data is None:
        data = {}
    schema = _schema()
    if not isinstance(data, dict):
        raise RulesError(f"{path}: expected a mapping of sections ({', '.join(schema)}), got {_kind(data)}")
    for key in data:
        _known(path, str(key), schema, "section")
    sections = {}
    for name, value in data.items():
        if name == "waivers":
            continue
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise RulesError(f"{path}: {name} must be a mapping ({', '.join(schema[name])}), got {_kind(value)}")
        for key in value:
            _known(path, f"{name}.{key}", {f"{name}.{k}": v for k, v in schema[name].items()}, "key")
        sections[name] = value
    fields: dict[str, Any] = {}
    settings: list[tuple[str, Any]] = []
    for name, declared in schema.items():
        for key, option in declared.items():
            given = sections.get(name, {})
            read = _read(path, f"{name}.{key}", given[key], option) if key in given else option.default
            if option.attr is not None:
                fields[option.attr] = read
            else:
                settings.append((f"{name}.{key}", read))
    return Rules(path=path, **fields, settings=tuple(settings), waivers=_waivers(path, data.get("waivers")))


def _read(path: Path, key: str, value: Any, option: Option) -> Any:
    """One option's value, checked against its declared kind."""
    if option.kind == "choice":
        return _choice(path, key, value, option.choices)
    if option.kind == "number":
        return _number(path, key, value, option)
    if option.kind == "domains":
        return _domains(path, key, value)
    if option.kind == "texts":
        return _strings(path, key, value)
    raise ValueError(f"option {key} declares an unknown kind {option.kind!r}")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"'{str(value).lower()}' (true/false)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _known(path: Path, key: str, known: dict, what: str) -> None:
    if key in known:
        return
    guess = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    hint = f": did you mean '{guess[0]}'?" if guess else f": known {what}s are {', '.join(known)}"
    raise RulesError(f"{path}: unknown {what} '{key}'{hint}")


def _choice(path: Path, key: str, value: Any, choices: tuple[str, ...]) -> str:
    if value is False and "off" in choices:  # YAML 1.1 reads a bare off as false
        return "off"
    if isinstance(value, str) and value.strip().casefold() in choices:
        return value.strip().casefold()
    raise RulesError(f"{path}: {key} is {_kind(value)}: use one of {', '.join(choices)}")


def _number(path: Path, key: str, value: Any, option: Option) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RulesError(f"{path}: {key} is {_kind(value)}: use a number such as {option.default}")
    low, high = option.low, option.high
    if (low is not None and float(value) < low) or (high is not None and float(value) > high):
        strict, loose = (f" ({word})" if word else "" for word in option.range_words)
        raise RulesError(f"{path}: {key} {value} is out of range: use a number between {low}{strict} and {high}{loose}")
    return float(value)


def _strings(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise RulesError(f"{path}: {key} must be a list, got {_kind(value)}")
    out = []
    for index, item in enumerate(value):
        if not isinstance(item, (str, int)) or isinstance(item, bool) or not str(item).strip():
            raise RulesError(f"{path}: {key}[{index}] is {_kind(item)}: each entry must be text")
        out.append(str(item).strip())
    return tuple(out)


def _domains(path: Path, key: str, value: Any) -> tuple[str, ...]:
    # What a link's host may be is the links check's to say: one normaliser for rules.yaml and the check.
    from postcheck.checks.links import NotAllowable, allowlist_domain

    domains = []
    for index, entry in enumerate(_strings(path, key, value)):
        try:
            domains.append(allowlist_domain(entry))
        except NotAllowable as problem:
            raise RulesError(f"{path}: {key}[{index}] '{entry}' {problem}") from None
    return tuple(domains)


def _waivers(path: Path, value: Any) -> tuple[Waiver, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise RulesError(f"{path}: waivers must be a list of entries (rule, approved_by, reason, expires), got {_kind(value)}")
    waivers = []
    for index, entry in enumerate(value):
        where = f"{path}: waivers[{index}]"
        if not isinstance(entry, dict):
            raise RulesError(f"{where} must be a mapping with rule, approved_by, reason and expires, got {_kind(entry)}")
        for key in entry:
            if key not in _WAIVER_KEYS:
                guess = difflib.get_close_matches(str(key), _WAIVER_KEYS, n=1)
                hint = f": did you mean '{guess[0]}'?" if guess else f": known keys are {', '.join(_WAIVER_KEYS)}"
                raise RulesError(f"{where}: unknown key '{key}'{hint}")
        fields = {}
        for key in ("rule", "approved_by", "reason"):
            item = entry.get(key)
            if not isinstance(item, str) or not item.strip():
                raise RulesError(f"{where}: {key} is missing or empty: a waiver must say what it accepts, who approved it and why")
            fields[key] = item.strip()
        expires = _expires(where, entry.get("expires"))
        optional = {}
        for key in ("pupil_id", "link", "post"):
            item = entry.get(key)
            if item is not None:
                if not isinstance(item, (str, int)) or isinstance(item, bool):
                    raise RulesError(f"{where}: {key} must be text, got {_kind(item)}")
                optional[key] = str(item).strip()
        waivers.append(Waiver(expires=expires, **fields, **optional))
    return tuple(waivers)


def _expires(where: str, value: Any) -> date:
    """A waiver's end date: a YAML date, or text as the office writes dates (see postcheck.dates)."""
    if value is None:
        raise RulesError(f"{where}: expires is missing: a waiver needs the date it ends, e.g. 2026-07-31")
    if not isinstance(value, (str, date)):
        raise RulesError(f"{where}: expires is {_kind(value)}, not a date: write it as YYYY-MM-DD, e.g. 2026-07-31")
    try:
        return as_date(value)
    except DateError as exc:
        raise RulesError(f"{where}: expires '{' '.join(str(value).split())}' {exc}") from None
