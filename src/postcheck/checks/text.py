"""The personal data check: details in the draft that identify a child or a family.

``text.personal-data`` (error) flags, at the line and column where it starts:

- **email addresses of people** (``jane.smith@gmail.com``). Generic role mailboxes at any
  domain (``office@``, ``admin@``, ``enquiries@``, ``head@``, ``senco@``, ``pta@`` ...) are not a
  person and pass, as do the addresses listed in ``text.allow_emails`` (compared ignoring case).
- **phone numbers**: UK mobiles and landlines as people write them (``07700 900123``,
  ``+44 7700 900123``, ``(01632) 960 123``, ``0161 496 0000``, ``+44 (0)20 7946 0000``) and
  other ``+``-prefixed international numbers. Dates, times, years, prices, scores and reference
  numbers (``Ref: 01234567890``) are not phone numbers. Numbers in ``text.allow_phones`` pass;
  they are compared by digits, so ``01632 960000`` also allows ``+44 1632 960000``.
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

from postcheck.catalogue import TEXT, Option, Rule, register_check
from postcheck.findings import Finding, Severity
from postcheck.post import LoadedPost
from postcheck.rules import Rules

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

# "+" and a digit, or the trunk 0 and two more digits, then up to 13 more digits, each after at
# most one short separator: spaces, a hyphen, a dot or a bracket. Bounded, so each start costs a
# constant; the lookbehinds stop a match starting inside a word, a longer number, a price (£12.50)
# or a date (12/03/2025).
_PHONE_SEP = rf"(?:{_S}{{0,2}}[\-.\u2013()]{{1,2}}{_S}{{0,2}}|{_S}{{1,2}})?"
_PHONE = re.compile(
    rf"(?<![\w£$€¥#@/\\+])(?<![0-9][.,:/\-])(?:\+[0-9]|\(?0[0-9]{{2}})(?:{_PHONE_SEP}[0-9]){{5,13}}"
)
_DIGIT_GROUP = re.compile(r"[0-9]+")
_REFERENCE_LABEL = re.compile(
    r"\b(?:ref(?:erence)?|order|invoice|account|a/c|urn|upn|uln|isbn|issn|vat|charity|company|"
    r"registration|reg|candidate|booking|payment|policy|case|ticket|receipt|transaction|id)"
    rf"(?:{_S}*(?:no\.?|number|num|code|#))?{_S}*[:#.]?{_S}*$",
    re.IGNORECASE,
)


def _uk_national_ok(nsn: str) -> bool:
    """A UK number without its trunk 0: ten digits, or nine for some 01 areas and 0800."""
    if len(nsn) == 10:
        return nsn[0] in "1235789"
    return len(nsn) == 9 and (nsn[0] == "1" or nsn.startswith("800"))


def _phone_length(candidate: str) -> int:
    """Length of the longest start of ``candidate`` that is written like a phone number, else 0."""
    # Each digit group with the separator written before it: "+44 (0)20 7946" -> ("44", ""), ("0", " ("), ...
    parts = []
    previous_end = 0
    for m in _DIGIT_GROUP.finditer(candidate):
        parts.append((m.group(), m.end(), candidate[previous_end : m.start()]))
        previous_end = m.end()
    lead = parts[0][2]
    first = parts[0][0]
    if lead == "+" or first.startswith("00"):
        code = first if lead == "+" else first[2:]
        if not code.startswith("44"):
            return _other_international_length(lead, parts)
        # UK: +44 7700 900123, +447700900123, +44 (0)20 7946 0000, 0044 161 496 0000
        nsn_parts = ([(code[2:], parts[0][1], "")] if len(code) > 2 else []) + parts[1:]
        if (
            len(nsn_parts) > 1
            and nsn_parts[0][0] == "0"
            and nsn_parts[0][2].strip() == "("
            and nsn_parts[1][2].startswith(")")
        ):
            nsn_parts = nsn_parts[1:]  # the "(0)" of +44 (0)20: not dialled from abroad
        elif nsn_parts and "(" in nsn_parts[0][2]:
            return 0
        return _longest(nsn_parts, lambda digits: _uk_national_ok(digits[1:] if digits.startswith("0") else digits),
                        first_min=1)
    if not first.startswith("0") or first.startswith("00") or len(first) < 3:
        return 0  # UK numbers are written with the trunk 0 and a 3-6 digit area code or mobile prefix
    if lead == "(":
        if len(parts) < 2 or parts[1][2].strip() != ")":
            return 0
        parts = [parts[0], (parts[1][0], parts[1][1], " ")] + parts[2:]
    return _longest(parts, lambda digits: _uk_national_ok(digits[1:]), first_min=3)


def _longest(parts, valid, first_min: int) -> int:
    """End of the longest run of groups that ``valid`` accepts; groups after the first need 2+ digits."""
    digits, best = "", 0
    for index, (group, end, separator) in enumerate(parts):
        if index == 0 and len(group) < first_min:
            return 0
        if index > 0 and (len(group) < 2 or "(" in separator or ")" in separator):
            break
        digits += group
        if valid(digits):
            best = end
    return best


def _other_international_length(lead: str, parts) -> int:
    if lead != "+":
        return 0
    # +33 1 23 45 67 89: the country code may be followed by a one-digit area code.
    if len(parts) > 1 and len(parts[1][0]) == 1 and not parts[1][2].strip(" \t\u00a0"):
        parts = [(parts[0][0] + parts[1][0], parts[1][1], "")] + parts[2:]
    return _longest(parts, lambda digits: 9 <= len(digits) <= 15, first_min=1)


def phone_digits(number: str) -> str:
    """The national form of a phone number's digits: ``+44 (0)1632 960000`` -> ``01632960000``."""
    digits = re.sub(r"[^0-9]", "", number)
    stripped = number.strip()
    if stripped.startswith("+") or digits.startswith("00"):
        digits = digits.lstrip("0") if digits.startswith("00") else digits
        if digits.startswith("44"):
            rest = digits[2:]
            return "0" + (rest[1:] if rest.startswith("0") else rest)
        return "+" + digits
    return digits


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
        self._phones = frozenset(phone_digits(p) for p in rules.allow_phones)
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
                message=f"{what} ({found}) is personal data: {advice}.",
                file=draft.display,
                line=line,
                column=column,
                redactions=((found, replacement),),
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
        position = 0
        while (m := _PHONE.search(text, position)) is not None:
            length = _phone_length(m.group())
            end = m.start() + length
            glued = length == len(m.group()) and end < len(text) and (text[end].isalnum() or text[end] == "@")
            if not length or glued:  # not a phone number, or part of a word or an email address
                position = m.start() + 1
                continue
            position = end
            before = text[max(0, m.start() - 40) : m.start()].rsplit("\n", 1)[-1]
            if _REFERENCE_LABEL.search(before) or phone_digits(text[m.start() : end]) in self._phones:
                continue
            yield m.start(), end, "phone"
