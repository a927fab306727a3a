"""The consent register: ``consent_data/register.csv`` and ``consent_data/photos/``.

register.csv is UTF-8 (an Excel BOM is fine) with a header row. Headings are case-insensitive and
common MIS export headings are accepted (see ``COLUMN_ALIASES``). Every problem is reported as one
line naming the file, the row and the bad value, with how to fix it.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from postcheck.encoding import NotText, decode
from postcheck.errors import RegisterError

PHOTO_EXTENSIONS = (".jpg", ".jpeg", ".png", ".heic", ".heif", ".webp")

CHANNELS = ("website", "social", "newsletter", "press", "prospectus", "display")
"""Publication channels a consent may be limited to; ``yes`` means all of them."""

CHANNEL_ALIASES = {
    "web": "website", "site": "website", "school website": "website",
    "social media": "social", "socialmedia": "social", "social_media": "social",
    "facebook": "social", "twitter": "social", "x": "social", "instagram": "social",
    "newsletters": "newsletter", "media": "press", "newspaper": "press", "local press": "press",
    "displays": "display", "wall displays": "display",
}

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "pupil_id": ("pupil_id", "pupil id", "id", "upn", "admission no", "admission number", "adno",
                 "admission_no", "student id", "student_id", "mis id", "person id", "staff id"),
    "first_name": ("first_name", "first name", "firstname", "forename", "legal forename", "given name",
                   "given_name", "legal first name"),
    "last_name": ("last_name", "last name", "lastname", "surname", "legal surname", "family name",
                  "family_name"),
    "known_as": ("known_as", "known as", "preferred forename", "preferred name", "preferred first name",
                 "nickname", "nicknames", "chosen name"),
    "role": ("role", "type", "person type"),
    "photo_consent": ("photo_consent", "photo consent", "photograph consent", "photo permission",
                      "photographs", "photos", "image consent", "photo/video consent"),
    "name_consent": ("name_consent", "name consent", "name permission", "names", "name publication"),
    "consent_expires": ("consent_expires", "consent expires", "consent expiry", "consent expiry date",
                        "expires", "expiry", "expiry date", "consent end date", "consent end"),
}
OPTIONAL_ALIASES: dict[str, tuple[str, ...]] = {
    "year_group": ("year_group", "year group", "year", "nc year", "national curriculum year", "year grp"),
    "form": ("form", "reg group", "registration group", "reg", "form group", "tutor group", "class",
             "class name", "reg form"),
}
"""Columns that only help tell pupils apart (the names check narrows "Harry" with "Year 3", "3B",
"Class Oak"); the first of several matching headings is used and the rest ignored, so an export that
carries both "Year" and "Year Group" stays valid."""
REQUIRED = ("pupil_id", "first_name", "last_name")

_YES = {"yes", "y", "true"}
_NO = {"no", "n", "false", ""}
"""Consent words as Excel and MIS exports write them. Nothing else counts: a mark such as ``x``, a tick or
``1`` means yes on one form and "crossed out" on another, so it is an error for a person to resolve."""


@dataclass(frozen=True)
class Consent:
    """Which channels a consent covers: none, all (``yes``), or a named list."""

    channels: frozenset[str]
    everywhere: bool = False

    def allows(self, channel: str) -> bool:
        return self.everywhere or channel in self.channels

    def __str__(self) -> str:
        if self.everywhere:
            return "yes"
        return ";".join(sorted(self.channels)) if self.channels else "no"


YES = Consent(frozenset(), everywhere=True)
NO = Consent(frozenset())


@dataclass(frozen=True)
class Person:
    """One row of the register: a pupil or a member of staff."""

    pupil_id: str
    first_name: str
    last_name: str
    known_as: tuple[str, ...] = ()
    role: str = "pupil"
    photo_consent: Consent = NO
    name_consent: Consent = NO
    consent_expires: date | None = None
    row: int = 0
    year_group: str = ""
    """As the register writes it ("3", "Year 3", "Reception"); empty when there is no such column."""
    form: str = ""
    """Registration group or class ("3B", "Oak"); empty when there is no such column."""

    @property
    def is_staff(self) -> bool:
        return self.role == "staff"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def initials(self) -> str:
        parts = [p for p in re.split(r"[\s\-]+", self.first_name.split()[0] if self.first_name.split() else "")]
        first = parts[0][:1] if parts and parts[0] else ""
        last = self.last_name.strip()[:1]
        return f"{first.upper()}.{last.upper()}." if first and last else (first or last).upper() + "."

    @property
    def redactions(self) -> tuple[tuple[str, str], ...]:
        """(name, replacement) pairs for every way this person is written: --redact hides them as words in text
        postcheck did not write (file and post names, quoted values; see ``postcheck.wording``)."""
        label = f"{self.initials}"
        pairs = [(self.full_name, label), (self.last_name, label), (self.first_name, label)]
        pairs += [(nick, label) for nick in self.known_as]
        return tuple(p for p in pairs if p[0])

    def expired_on(self, on: date) -> bool:
        return self.consent_expires is not None and on > self.consent_expires

    def photo_consent_on(self, on: date, channel: str) -> bool:
        return not self.expired_on(on) and self.photo_consent.allows(channel)

    def name_consent_on(self, on: date, channel: str) -> bool:
        return not self.expired_on(on) and self.name_consent.allows(channel)


@dataclass(frozen=True)
class Register:
    """The validated register: people by id and their reference photos."""

    root: Path
    people: tuple[Person, ...]
    photos: dict[str, tuple[Path, ...]] = field(default_factory=dict)
    """pupil_id -> reference photos, sorted."""
    stray_photos: tuple[Path, ...] = ()
    """Files under photos/ that belong to no pupil_id in register.csv, or have an unknown extension."""

    @property
    def csv_path(self) -> Path:
        return self.root / "register.csv"

    @functools.cached_property
    def pupil_names(self) -> tuple[tuple[str, str], ...]:
        """(name, initials) for every way each pupil is named: ``--redact`` hides them all (staff are not hidden)."""
        return tuple(pair for person in self.people if not person.is_staff for pair in person.redactions)

    def person(self, pupil_id: str) -> Person:
        return self._by_id[pupil_id]

    @functools.cached_property
    def _by_id(self) -> dict[str, Person]:
        return {p.pupil_id: p for p in self.people}

    def __contains__(self, pupil_id: object) -> bool:
        return pupil_id in self._by_id


def load_register(root: Path) -> Register:
    """Read and validate ``root/register.csv`` and list ``root/photos``; raise RegisterError on any problem."""
    if not root.exists():
        raise RegisterError(f"consent register folder {root} does not exist: pass --register DIR or set POSTCHECK_REGISTER")
    if not root.is_dir():
        raise RegisterError(f"consent register {root} is not a folder: --register takes the folder that holds register.csv")
    csv_path = root / "register.csv"
    if csv_path.is_dir():
        raise RegisterError(f"{csv_path} is a folder: it must be the register file, saved from Excel as CSV")
    if not csv_path.is_file():
        raise RegisterError(f"{csv_path} not found: the consent register needs a register.csv (see README, 'Consent register')")
    try:
        raw = csv_path.read_bytes()
    except OSError as exc:
        raise RegisterError(f"{csv_path} cannot be read: {exc.strerror or exc}") from None
    people = parse_register_csv(raw, str(csv_path))
    try:
        photos, strays = _find_photos(root / "photos", {p.pupil_id for p in people})
    except OSError as exc:
        raise RegisterError(f"{root / 'photos'} cannot be read: {exc.strerror or exc}") from None
    return Register(root, people, photos, strays)


def parse_register_csv(raw: bytes, display: str) -> tuple[Person, ...]:
    """Parse register.csv bytes; every problem is one RegisterError line naming ``display`` and the row."""
    text = _decode(raw, display)
    if not text.strip():
        raise RegisterError(f"{display} is empty: it needs a header row (pupil_id,first_name,last_name,...) and one row per pupil")
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise RegisterError(f"{display} row 1: cannot read the header row ({exc})") from None
    columns = _map_columns(header, display)
    people: list[Person] = []
    seen: dict[str, int] = {}
    row_number = 1  # as Excel numbers rows: the header is row 1, a cell with a line break is still one row
    try:
        for cells in reader:
            row_number += 1
            if not any(c.strip() for c in cells):
                continue
            person = _parse_row(cells, columns, display, row_number, len(header))
            if person.pupil_id in seen:
                raise RegisterError(
                    f"{display} row {row_number}: pupil_id '{person.pupil_id}' is also used on row "
                    f"{seen[person.pupil_id]}: every pupil needs their own id"
                )
            seen[person.pupil_id] = row_number
            people.append(person)
    except csv.Error as exc:
        raise RegisterError(f"{display} row {row_number + 1}: the row cannot be read as CSV ({exc}); re-save the file from Excel as 'CSV UTF-8'") from None
    return tuple(people)


def _decode(raw: bytes, display: str) -> str:
    try:
        return decode(raw)  # UTF-8, UTF-16, or Excel's plain "CSV (Comma delimited)" (Windows-1252) or Mac CSV
    except NotText as problem:
        if problem.why == "binary":
            raise RegisterError(f"{display} is not a CSV text file: save it from Excel as 'CSV UTF-8 (Comma delimited)'") from None
        raise RegisterError(f"{display} is not UTF-8 text: save it from Excel as 'CSV UTF-8 (Comma delimited)'") from None


def shown(value: str, limit: int = 60) -> str:
    """A cell value as it can be quoted on one line of an error message."""
    text = value.encode("unicode_escape").decode("ascii") if any(c < " " for c in value) else value
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _heading_key(heading: str) -> str:
    return re.sub(r"[\s_\-]+", " ", heading.replace("\ufeff", "")).strip().casefold()


_ALIAS_LOOKUP = {_heading_key(alias): canonical for canonical, aliases in COLUMN_ALIASES.items() for alias in aliases}
_OPTIONAL_LOOKUP = {_heading_key(alias): canonical for canonical, aliases in OPTIONAL_ALIASES.items() for alias in aliases}


def _map_columns(header: list[str], display: str) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, heading in enumerate(header):
        canonical = _ALIAS_LOOKUP.get(_heading_key(heading))
        if canonical is None:
            optional = _OPTIONAL_LOOKUP.get(_heading_key(heading))
            if optional is not None:
                columns.setdefault(optional, index)
            continue  # MIS exports carry many other columns (class, DOB ...): they are not used
        if canonical in columns:
            first = header[columns[canonical]].strip()
            raise RegisterError(
                f"{display} row 1: columns '{shown(first)}' and '{shown(heading.strip())}' both mean {canonical}: keep one of them"
            )
        columns[canonical] = index
    for required in REQUIRED:
        if required not in columns:
            accepted = ", ".join(COLUMN_ALIASES[required][:6])
            raise RegisterError(
                f"{display} row 1: missing column '{required}' (accepted headings: {accepted}, ...)"
            )
    return columns


def _parse_row(cells: list[str], columns: dict[str, int], display: str, row: int, width: int) -> Person:
    def cell(name: str) -> str:
        index = columns.get(name)
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()

    where = f"{display} row {row}"
    pupil_id = cell("pupil_id")
    if not pupil_id:
        raise RegisterError(f"{where}: pupil_id is empty: every row needs an id (e.g. the UPN or admission number)")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", pupil_id):
        raise RegisterError(
            f"{where}: pupil_id '{shown(pupil_id)}' may only hold letters, digits, '-', '_' and '.': it names the reference photo file"
        )
    first_name, last_name = cell("first_name"), cell("last_name")
    if not first_name:
        raise RegisterError(f"{where}: first_name is empty for pupil_id '{pupil_id}'")
    if not last_name:
        raise RegisterError(f"{where}: last_name is empty for pupil_id '{pupil_id}'")
    role = cell("role").casefold() or "pupil"
    if role in ("student", "child"):
        role = "pupil"
    if role in ("teacher", "teaching assistant", "ta", "employee"):
        role = "staff"
    if role not in ("pupil", "staff"):
        raise RegisterError(f"{where}: role '{shown(cell('role'))}' is not pupil or staff (leave it empty for a pupil)")
    known_as = tuple(
        n for n in (part.strip() for part in re.split(r"[;,/|]", cell("known_as"))) if n and n != first_name
    )
    return Person(
        pupil_id=pupil_id,
        first_name=first_name,
        last_name=last_name,
        known_as=known_as,
        role=role,
        photo_consent=parse_consent(cell("photo_consent"), f"{where}: photo_consent"),
        name_consent=parse_consent(cell("name_consent"), f"{where}: name_consent"),
        consent_expires=_parse_date(cell("consent_expires"), f"{where}: consent_expires"),
        row=row,
        year_group=cell("year_group"),
        form=cell("form"),
    )


def parse_consent(value: str, where: str) -> Consent:
    """yes/no as Excel writes it, or a list of channels (``website;newsletter``). Empty means no."""
    key = value.strip().casefold()
    if key in _YES:
        return YES
    if key in _NO:
        return NO
    # "x" alone is a mark in a box, not the X platform: in a list ("facebook;x") it is the channel.
    parts = [] if key == "x" else [p.strip() for p in re.split(r"[;,|/+]|\band\b", key) if p.strip()]
    channels = {CHANNEL_ALIASES.get(part, part) for part in parts}
    if not channels or not channels <= set(CHANNELS):
        raise RegisterError(
            f"{where} '{shown(value)}' is not yes or no or a list of channels ({', '.join(CHANNELS)}), e.g. website;newsletter"
        )
    return Consent(frozenset(channels))


def _parse_date(value: str, where: str) -> date | None:
    """Empty, or a date as the office writes it (see postcheck.dates: ISO or day first)."""
    from postcheck.dates import DateError, parse_date

    if not value.strip():
        return None
    try:
        return parse_date(value)
    except DateError as exc:
        raise RegisterError(f"{where} '{shown(value)}' {exc}") from None


def _find_photos(folder: Path, ids: set[str]) -> tuple[dict[str, tuple[Path, ...]], tuple[Path, ...]]:
    """photos/<id>.<ext> and photos/<id>/*.<ext>; ids match case-insensitively (Windows users rename files)."""
    by_key = {pid.casefold(): pid for pid in ids}
    found: dict[str, list[Path]] = {}
    strays: list[Path] = []
    if not folder.is_dir():
        return {}, ()
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            owner = by_key.get(entry.name.casefold())
            for photo in sorted(entry.iterdir()):
                if photo.name.startswith(".") or photo.is_dir():
                    continue
                if owner and photo.suffix.casefold() in PHOTO_EXTENSIONS:
                    found.setdefault(owner, []).append(photo)
                else:
                    strays.append(photo)
            continue
        owner = by_key.get(entry.stem.casefold())
        if owner and entry.suffix.casefold() in PHOTO_EXTENSIONS:
            found.setdefault(owner, []).append(entry)
        else:
            strays.append(entry)
    return {pid: tuple(paths) for pid, paths in found.items()}, tuple(strays)
