"""The personal data check: details in the draft that identify a child or a family.

``text.personal-data`` (error) flags, at the line and column where it starts:

- **email addresses of people** (``jane.smith@gmail.com``). Generic role mailboxes at any
  domain (``office@``, ``admin@``, ``enquiries@``, ``head@``, ``senco@``, ``pta@`` ...) are not a
  person and pass, as do the addresses listed in ``text.allow_emails`` (compared ignoring case).
- **phone numbers**, found and read by libphonenumber (``phonenumbers``): UK mobiles and landlines as
  people write them (``07700 900123``, ``+44 7700 900123``, ``(01632) 960 123``, ``0161 496 0000``,
  ``+44 (0)20 7946 0000``) and international numbers with their country code (``+33 (0)1 23 45 67 89``,
  ``+1 (614) 555-0143``). Dates, times, years, prices, scores, short service numbers (``0800 1111``) and
  reference numbers (``Ref: 01234567890``, ``Charity no. 1098765``) are not phone numbers. Numbers in
  ``text.allow_phones`` pass in any formatting: they are compared as international (E.164) numbers, so
  ``01632 960000`` also allows ``+44 (0)1632 960 000``.
- **postcodes** (``SW1A 1AA``, ``m1 1ae``, ``B338TH``) and **street addresses** with a house
  number (``12 Acacia Avenue``, ``Flat 3, 45 High Street``). A road named without a number
  (``the fun run along Mill Lane``) is not a home address. Anything that is part of an address in
  ``text.allow_addresses`` (the school's own) passes.
- **dates of birth**: a date after ``DOB``, ``d.o.b.``, ``date of birth`` or ``birth date``,
  and a full date after ``born`` or ``birthday`` (``born on 3rd May 2016``). Ordinary event
  dates (``Sports day is on 12 June``) are not dates of birth.

The message quotes what was found; ``--redact`` hides it. Not detected: addresses written
without a capitalised street name (``12 acacia avenue``), street types beyond the common ones
(``Park``, ``Hill``, ``Green``, ``Walk`` are too often not streets), and spelled-out or
disguised details (``jane dot smith at gmail``).
"""

from __future__ import annotations

import re
from typing import ClassVar, Iterator

import phonenumbers

from postcheck.catalogue import TEXT, Option, Rule, register_check
from postcheck.findings import Finding, Severity
from postcheck.post import LoadedPost
from postcheck.rules import Rules
from postcheck.wording import Sensitive, Wording

RULE = "text.personal-data"
RULES = (
    Rule(RULE, Severity.ERROR, "Personal contact details in the text",
         "The draft contains an email address, phone number, home address, postcode or date of birth that is "
         "not on the school's allowed list.",
         "Remove the details, or use the school office's contact details."),
)
OPTIONS = (
    Option("allow_emails", "texts", (), "the school's own email addresses", attr="allow_emails"),
    Option("allow_phones", "texts", (), "the school's own phone numbers", attr="allow_phones"),
    Option("allow_addresses", "texts", (), "the school's own postal address", attr="allow_addresses"),
)

_WHAT = {
    # kind: (what it is, replacement for --redact, what to do)
    "email": ("An email address", "[email]", "remove it, or give a school mailbox such as the office address"),
    "phone": ("A phone number", "[phone]", "remove it, or use the school office number"),
    "postcode": ("A postcode", "[postcode]", "remove it, or give only the town or the school's own address"),
    "address": ("A street address", "[address]", "remove it, or name only the area or the school"),
    "dob": ("A date of birth", "[date of birth]", "remove it; a year group or age says enough"),
}

# Whitespace that stays on one line: a finding never spans lines.
_S = r"[^\S\n]"

# --- email -------------------------------------------------------------------------------------

# The lookbehind makes a match start only at the beginning of a run of address characters, so a
# long run without an "@" is scanned once, not once per character.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+'\-])"
    r"(?P<local>[A-Za-z0-9][A-Za-z0-9._%+'\-]{0,63}|\"[^\"\\\n]{1,64}\")"  # "john"@: a quoted local part
    r"@(?P<domain>(?:[A-Za-z0-9][A-Za-z0-9\-]{0,62}\.)+(?P<tld>[A-Za-z]{2,24}))"
    r"(?![A-Za-z0-9\-])"
)
_FILE_SUFFIXES = frozenset({"png", "jpg", "jpeg", "gif", "webp", "svg", "heic", "pdf", "css", "js"})
"""``logo@2x.png`` is a file name, not an address."""

_ROLE_WORDS = frozenset(
    """
    office schooloffice admin administration administrator enquiries enquiry info information
    head headteacher headteachers headofschool teacher principal deputy executive senco sendco
    send sen inclusion bursar business finance accounts payments reception hello contact pta
    fosa friends parents governors governance clerk chair admissions attendance absence absences
    safeguarding dsl nurse welfare pastoral hr it itsupport support tech technician network news
    newsletter communications comms media press marketing events lettings catering kitchen
    lunches meals dinners clubs sport sports pe music library exams careers sixthform nursery
    preschool reception wraparound breakfast breakfastclub afterschool holiday trips uniform
    transport dpo gdpr data protection noreply no reply donotreply webmaster postmaster
    admin1 admin2 school academy trust team staff class year form house general mail
    """.split()
)


def _is_role_mailbox(local: str) -> bool:
    """office@, head.teacher@, year6@, pta+events@: words of a role, never a person's name."""
    words = [w for w in re.split(r"[._+'\-]+|(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])", local.casefold()) if w]
    return bool(words) and any(w in _ROLE_WORDS for w in words) and all(
        w in _ROLE_WORDS or w.isdigit() for w in words
    )


# --- phone -------------------------------------------------------------------------------------

# libphonenumber (``phonenumbers``) finds and parses the numbers, UK and international, in any way
# people write them; the filters below are what it does not know about a school's post.
PHONE_REGION = "GB"
"""Numbers written without a country code are read as UK numbers."""
PHONE_LENIENCY = phonenumbers.Leniency.POSSIBLE
"""Measured on tests/data/personal_data_cases.yaml (113 cases): VALID and the stricter leniencies miss every
number in Ofcom's drama ranges (07700 900xxx, 01632 960xxx), which are written exactly like real ones, and any
range allocated after the bundled metadata; POSSIBLE finds them all, and the filters below drop what it finds
that is not a phone number."""
PERSONAL_TYPES = (
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    phonenumbers.PhoneNumberType.VOIP,
    phonenumbers.PhoneNumberType.PERSONAL_NUMBER,
    phonenumbers.PhoneNumberType.PAGER,
    phonenumbers.PhoneNumberType.UAN,
)
"""Kinds of number a person or family can be reached on; a number must have a full length of one of them
(libphonenumber's possible lengths). A UK number then has 9 or 10 digits after the 0: years, times, prices,
scores and 7-digit service numbers (Childline's 0800 1111) are too short."""
_MAX_TRIES = 10**9
"""The matcher gives up after max_tries candidates (65,535 by default): a long draft would stop being checked."""
_GLUED_BEFORE = re.compile(r"(?:[\w£$€¥#@/\\+]|[0-9][.,:/\-])$")
"""Text a phone number never follows: a word, a longer number, a price (£12.50), a path or a date's digits."""
_REFERENCE_LABEL = re.compile(
    r"\b(?:ref(?:erence)?|order|invoice|account|a/c|urn|upn|uln|isbn|issn|vat|charity|company|"
    r"registration|reg|candidate|booking|payment|policy|case|ticket|receipt|transaction|id)"
    rf"(?:{_S}*(?:no\.?|number|num|code|#))?{_S}*[:#.]?{_S}*$",
    re.IGNORECASE,
)


def phone_key(number: str) -> str:
    """One form for every way of writing a number (E.164: ``01632 960000`` and ``+44 (0)1632 960 000`` ->
    ``+441632960000``); the bare digits when libphonenumber cannot read it."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(number, PHONE_REGION), phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        return re.sub(r"[^0-9]", "", number)


def _full_length(number: phonenumbers.PhoneNumber) -> bool:
    return any(
        phonenumbers.is_possible_number_for_type_with_reason(number, kind)
        == phonenumbers.ValidationResult.IS_POSSIBLE
        for kind in PERSONAL_TYPES
    )


def _dialled_as_written(raw: str) -> bool:
    """A number without ``+`` or ``00`` is dialled in the UK with its trunk 0 (``0161 ...``, not ``161 ...``)."""
    digits = re.sub(r"[^0-9]", "", raw)
    return raw.lstrip("(").startswith("+") or digits.startswith("0")


def _grouped_like_a_phone(raw: str) -> bool:
    """Digit groups as people write phone numbers: ``0161 496 0000``, ``+33 1 23 45 67 89``, ``+44 (0)20 ...``;
    not ``0-1 0-2 0-0 1-0`` (scores) or ``0-14-032872-5`` (an ISBN). Nationally the first group holds the 0 and
    the area code or mobile prefix (3+ digits) and every other group 2+ digits; after a country code the first
    group may be a one-digit area code, and a ``(0)`` is the trunk 0 not dialled from abroad."""
    groups = re.findall(r"[0-9]+", re.split(r"(?i)\s*(?:ext|x|#)", raw, maxsplit=1)[0])
    if raw.lstrip("(").startswith("+") or groups[0].startswith("00"):
        rest = groups[1:]  # after the country code
        if rest[:1] == ["0"] and "(0)" in raw.replace(" ", ""):
            rest = rest[1:]
        return all(len(group) >= 2 for group in rest[1:])
    return len(groups[0]) >= 3 and all(len(group) >= 2 for group in groups[1:])


def _glued(text: str, start: int, end: int) -> bool:
    """Part of a word, a longer number, a price, a path, a date or an email address (``...123@mail``)."""
    before = text[max(0, start - 2) : start]
    return bool(_GLUED_BEFORE.search(before)) or (end < len(text) and (text[end].isalnum() or text[end] == "@"))


def _phone_at(text: str, start: int, end: int, number: phonenumbers.PhoneNumber) -> bool:
    raw = text[start:end]  # the cheap tests first: most of what the matcher finds in prose is dates and times
    return (_dialled_as_written(raw) and not _glued(text, start, end) and _grouped_like_a_phone(raw)
            and _full_length(number))


_NUMBER_RUN = re.compile(
    rf"\+?\(?[0-9]+(?:(?:{_S}{{0,2}}[\-.\u2013()]{{1,2}}{_S}{{0,2}}|{_S}{{1,2}})[0-9]+)*"
)
_LONGEST_NUMBER = 40
"""Characters a written phone number spans at most (15 digits, separators, a "(0)")."""


def _longest_number_at(text: str, start: int, end: int) -> tuple[int, int, phonenumbers.PhoneNumber] | None:
    """The longest phone number starting at ``start``, going on past ``end``, and ending at a digit group's end.

    libphonenumber gives up on a number followed by more digits (``0161 496 0000 12 times``: it tries ``0161`` and
    ``496 0000 12``); the grammar postcheck had before took the longest start that is a phone number, and so does this.
    """
    run = _NUMBER_RUN.match(text, start, min(len(text), start + _LONGEST_NUMBER))
    if run is None or run.end() <= end:
        return None  # nothing follows that the matcher could have cut off
    for group in reversed(list(re.finditer(r"[0-9]+", run.group()))):
        end = start + group.end()
        try:
            number = phonenumbers.parse(text[start:end], PHONE_REGION)
        except phonenumbers.NumberParseException:
            continue
        if _phone_at(text, start, end, number):
            return start, end, number
    return None


_DIGIT_STRETCH = re.compile(
    r"[+(\uff08]?\d(?:[^\S\n\d]|[\-\u2010-\u2015\u2212\u30fc\uff0d/\uff0f().\[\]~\u2053\u223c\uff5e\uff08\uff09\uff3b\uff3d]){0,4}"
    r"(?:\d(?:[^\S\n\d]|[\-\u2010-\u2015\u2212\u30fc\uff0d/\uff0f().\[\]~\u2053\u223c\uff5e\uff08\uff09\uff3b\uff3d]){0,4}){5,}"
)
"""Six or more digits on one line with only the punctuation libphonenumber allows between them: the only
stretches the matcher is shown. Every number of a kind in PERSONAL_TYPES has six digits or more with its country
code (the shortest in the bundled metadata: Austrian fixed lines, +43 and four digits). Skipping the dates, times
and prices of prose took bench/text.py's school prose from 0.84 to 0.51 s/MB."""


def _phone_spans(text: str) -> Iterator[tuple[int, int, phonenumbers.PhoneNumber]]:
    """(start, end, number) of every number libphonenumber finds that is written as a phone number."""
    for stretch in _DIGIT_STRETCH.finditer(text):
        offset, taken = stretch.start(), 0
        matcher = phonenumbers.PhoneNumberMatcher(
            stretch.group(), PHONE_REGION, leniency=PHONE_LENIENCY, max_tries=_MAX_TRIES
        )
        for match in matcher:
            start, end = offset + match.start, offset + match.end
            if start < taken:
                continue
            if _phone_at(text, start, end, match.number):
                found = (start, end, match.number)
            else:
                found = _longest_number_at(text, start, end)
            if found is not None:
                taken = found[1]
                yield found


# --- addresses ---------------------------------------------------------------------------------

_AREAS = (
    "AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT "
    "DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE "
    "LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM "
    "SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE"
).split()
# Any postcode shape; the area is then checked against the real ones, so "Y6 1st" or "KS2 3rd" are
# not postcodes. Inward letters never use CIKMOV.
_POSTCODE = re.compile(
    rf"(?<![A-Za-z0-9])(?P<area>[A-Z]{{1,2}})[0-9][0-9A-Z]?{_S}?[0-9][ABD-HJLNP-UW-Z]{{2}}(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_AREA_SET = frozenset(_AREAS)


def _postcodes(text: str) -> Iterator[re.Match]:
    for m in _POSTCODE.finditer(text):
        if m.group("area").upper() in _AREA_SET:
            yield m


_STREET_TYPES = (
    "Street|Road|Avenue|Lane|Close|Drive|Crescent|Grove|Gardens|Terrace|Mews|Way|Place|Court|"
    "Rise|Row|Square|Parade|Cottages|Villas|Boulevard|Wynd|St|Rd|Ave|Ln|Cres|Gdns"
)
_STREET = re.compile(
    r"(?<![\w.,/:£$€#\-])"
    rf"(?:(?:Flat|Apartment|Apt\.?|Unit){_S}+[0-9]{{1,4}}[A-Za-z]?,?{_S}+)?"
    rf"(?P<number>[0-9]{{1,4}}[A-Za-z]?(?:[\-\u2013][0-9]{{1,4}}[A-Za-z]?)?),?"
    rf"(?P<name>(?:{_S}+[A-Z][a-z'\u2019]+(?:-[A-Z][a-z'\u2019]+)?){{1,3}}?)"
    rf"{_S}+(?:{_STREET_TYPES})\b\.?"
)
_NOT_A_HOUSE_NUMBER = re.compile(
    r"\b(?:year|yr|y|class|room|group|team|set|form|page|chapter|table|lesson|week|level|grade|"
    rf"stage|step|term|number|no|under|u|top|best|over|about|nearly|than){_S}*\.?{_S}*$",
    re.IGNORECASE,
)
_NOT_A_STREET_NAME = frozenset(
    """
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday
    saturday sunday mile miles km lap laps minute minutes hour hours day days week weeks metre
    metres meter meters year years pupils children
    """.split()
)


def _compact(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[0-9a-z]+", text.casefold())) + " "


# --- dates of birth ----------------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ORD = r"(?:st|nd|rd|th)?"
_DATE_WITH_YEAR = (
    r"(?:[0-9]{1,2}[/.\-][0-9]{1,2}[/.\-](?:[0-9]{4}|[0-9]{2})(?![0-9])"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?![0-9])"
    rf"|[0-9]{{1,2}}{_ORD}(?:{_S}+of)?{_S}+{_MONTH},?{_S}+[0-9]{{4}}(?![0-9])"
    rf"|{_MONTH}{_S}+[0-9]{{1,2}}{_ORD},?{_S}+[0-9]{{4}}(?![0-9]))"
)
_DATE_NO_YEAR = (
    rf"(?:[0-9]{{1,2}}{_ORD}(?:{_S}+of)?{_S}+{_MONTH}\b|{_MONTH}{_S}+[0-9]{{1,2}}{_ORD}\b"
    r"|[0-9]{1,2}/[0-9]{1,2}(?![/0-9]))"
)
_DOB_LABELLED = re.compile(
    rf"\b(?:d\.?{_S}?o\.?{_S}?b\b\.?|date{_S}+of{_S}+birth|birth{_S}?date)"
    rf"{_S}*(?:[:=\-\u2013]{_S}*|(?:is|was|on){_S}+)?(?:{_DATE_WITH_YEAR}|{_DATE_NO_YEAR})",
    re.IGNORECASE,
)
_BORN = re.compile(
    rf"\b(?:born(?:{_S}+on)?|birthday(?:{_S}*:|{_S}+(?:is|was|on))?){_S}*(?:{_DATE_WITH_YEAR})",
    re.IGNORECASE,
)


@register_check(name="personal-data", reads=[TEXT], rules=RULES, options=OPTIONS,
                build=lambda run: PersonalDataCheck(run.rules))
class PersonalDataCheck:
    """Flags personal data of children and families in the draft: ``text.personal-data``."""

    id: ClassVar[str] = "text"

    def __init__(self, rules: Rules) -> None:
        self._emails = frozenset(e.strip().casefold() for e in rules.allow_emails)
        self._phones = frozenset(phone_key(p) for p in rules.allow_phones)
        self._address_words = tuple(_words(a) for a in rules.allow_addresses)
        self._postcodes = frozenset(
            _compact(m.group()) for a in rules.allow_addresses for m in _postcodes(a)
        )

    def run(self, post: LoadedPost) -> Iterator[Finding]:
        draft = post.draft
        if draft is None:
            return
        spans = sorted(self._matches(draft.text))
        taken_until = -1
        for start, end, kind in spans:
            if start < taken_until:
                continue  # inside an email address already reported (e.g. the digits in it)
            if kind == "email":
                taken_until = end
            found = " ".join(draft.text[start:end].split())
            what, replacement, advice = _WHAT[kind]
            line, column = draft.position(start)
            yield Finding(
                rule=RULE,
                severity=Severity.ERROR,
                wording=Wording.of("{what} ({found}) is personal data: {advice}.",
                                   what=what, found=Sensitive(found, replacement), advice=advice),
                file=draft.display,
                line=line,
                column=column,
                span=(start, end),
            )

    def _matches(self, text: str) -> Iterator[tuple[int, int, str]]:
        for m in _EMAIL.finditer(text):
            if m.group("tld").casefold() in _FILE_SUFFIXES:
                continue
            if m.group().casefold() in self._emails or _is_role_mailbox(m.group("local").strip('"')):
                continue
            yield m.start(), m.end(), "email"
        yield from self._phone_matches(text)
        for m in _postcodes(text):
            if _compact(m.group()) not in self._postcodes:
                yield m.start(), m.end(), "postcode"
        for m in _STREET.finditer(text):
            first_word = m.group("name").split()[0].casefold()
            before = text[max(0, m.start() - 20) : m.start()].rsplit("\n", 1)[-1]
            if first_word in _NOT_A_STREET_NAME or _NOT_A_HOUSE_NUMBER.search(before):
                continue
            if any(_words(m.group()) in allowed for allowed in self._address_words):
                continue
            yield m.start(), m.end(), "address"
        for pattern in (_DOB_LABELLED, _BORN):
            for m in pattern.finditer(text):
                yield m.start(), m.end(), "dob"

    def _phone_matches(self, text: str) -> Iterator[tuple[int, int, str]]:
        for start, end, number in _phone_spans(text):
            before = text[max(0, start - 40) : start].rsplit("\n", 1)[-1]
            if _REFERENCE_LABEL.search(before):
                continue
            if phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) in self._phones:
                continue
            yield start, end, "phone"
