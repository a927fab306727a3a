"""Dates as a school office writes them: ``2027-07-31``, or day first as Excel in a UK locale saves them.

Accepted (an Excel time of midnight after any of them, ``31/07/2027 00:00``, is ignored):

- year first: ``2027-07-31``, ``2027/07/31``, ``2027.7.31``;
- day first, whatever the separator: ``31/07/2027``, ``31-07-2027``, ``31.07.2027``, ``3/4/2027`` (3 April);
- a month by name, in either order: ``31 July 2027``, ``31 Jul 2027``, ``31-Jul-2027``, ``31st July 2027``,
  ``July 31, 2027``, and Excel's long date ``Saturday, 31 July 2027`` (the weekday must be right).

The rule is **day first, always**: ``03/04/2027`` is 3 April, as in the UK. A date that only works
month first (``07/31/2027``) is an error that says which day it would have meant, so a US-ordered
export is caught rather than silently read with day and month swapped; it cannot be told apart when
both readings are dates, which is why the rule is fixed and documented rather than guessed per file.

Two-digit years (``31/07/27``, Excel's ``31-Jul-27``) are refused with the four-digit form to write:
the year is read nowhere else, a consent expiry misread by a century either grants consent for ever or
withdraws it, and the fix in Excel (format the column as ``dd/mm/yyyy``) takes a minute, once.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

EXAMPLE = date(2027, 7, 31)
"""The date used in advice when the value gives nothing better."""

_MIDNIGHT = r"(?:[ t]00:00(?::00)?)?"  # matched after casefold
_YEAR_FIRST = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _MIDNIGHT)
_DAY_FIRST = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})" + _MIDNIGHT)
_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)?"
_NAMED_DAY_FIRST = re.compile(_ORDINAL + r"[\s\-]+([a-z]+)\.?,?[\s\-]+(\d{4}|\d{2})" + _MIDNIGHT)
_NAMED_MONTH_FIRST = re.compile(r"([a-z]+)\.?[\s\-]+" + _ORDINAL + r",?[\s\-]+(\d{4}|\d{2})" + _MIDNIGHT)
_WEEKDAY = re.compile(r"([a-z]+)\.?,?\s+(.*)")
_EXCEL_SERIAL = re.compile(r"\d{5}(?:\.0+)?")
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1 January 1900 once Excel's phantom 29 February 1900 is allowed for


class DateError(ValueError):
    """Why a value is not a date, worded to follow the quoted value: ``'07/31/2027' is not a date ...``."""


def parse_date(value: str) -> date:
    """The day ``value`` names, read day first; raise DateError saying what to write instead."""
    text = " ".join(value.strip().casefold().split())
    weekday = None
    match = _WEEKDAY.fullmatch(text)
    if match and _weekday(match[1]) is not None and not _is_month(match[1]):
        weekday, text = _weekday(match[1]), match[2]
    day = _read(text, value)
    if weekday is not None and day.weekday() != weekday:
        raise DateError(
            f"is not a date: {spoken(day)} is a {WEEKDAYS[day.weekday()].capitalize()}, "
            f"not a {WEEKDAYS[weekday].capitalize()}"
        )
    return day


def as_date(value: object) -> date:
    """A value from YAML, which already reads ``2027-07-31`` as a date, as a date; text is parsed."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return parse_date(value)
    raise DateError(f"is not a date: write it as YYYY-MM-DD or DD/MM/YYYY, e.g. {EXAMPLE.isoformat()}")


def spoken(day: date) -> str:
    """``31 July 2027``, the same in every locale."""
    return f"{day.day} {MONTHS[day.month - 1].capitalize()} {day.year}"


def _read(text: str, original: str) -> date:
    if match := _YEAR_FIRST.fullmatch(text):
        return _checked(int(match[1]), int(match[3]), int(match[4]))
    if match := _DAY_FIRST.fullmatch(text):
        return _day_first(int(match[1]), int(match[3]), match[4])
    if (match := _NAMED_DAY_FIRST.fullmatch(text)) and _is_month(match[2]):
        return _named(int(match[1]), match[2], match[3])
    if (match := _NAMED_MONTH_FIRST.fullmatch(text)) and _is_month(match[1]):
        return _named(int(match[2]), match[1], match[3])
    if _EXCEL_SERIAL.fullmatch(text):
        meant = _EXCEL_EPOCH + timedelta(days=int(float(text)))
        raise DateError(
            f"is a number, not a date: if it is Excel's number for {spoken(meant)}, format the column as "
            f"a date (dd/mm/yyyy) and save again, or write {meant.isoformat()}"
        )
    raise DateError(f"is not a date: write it as YYYY-MM-DD or DD/MM/YYYY, e.g. {EXAMPLE.isoformat()}")


def _day_first(day: int, month: int, year_text: str) -> date:
    year = _full_year(year_text)
    if not _valid(year, month, day) and _valid(year, day, month):
        meant = date(year, day, month)
        raise DateError(f"is not a date as day/month/year: if you meant {spoken(meant)}, write {meant.isoformat()}")
    return _whole_year(_checked(year, month, day), year_text)


def _named(day: int, month_name: str, year_text: str) -> date:
    return _whole_year(_checked(_full_year(year_text), _month(month_name), day), year_text)


def _full_year(year_text: str) -> int:
    """The year as written, or 20YY for two digits: only ever used to word the advice, see _whole_year."""
    return int(year_text) if len(year_text) == 4 else 2000 + int(year_text)


def _whole_year(found: date, year_text: str) -> date:
    if len(year_text) != 4:
        raise DateError(f"has a two-digit year: if you meant {spoken(found)}, write {found.isoformat()}")
    return found


def _checked(year: int, month: int, day: int) -> date:
    if not 1 <= month <= 12:
        raise DateError(f"is not a date: there is no month {month} (dates are read as day/month/year or YYYY-MM-DD)")
    if not _valid(year, month, day):
        raise DateError(f"is not a date: {MONTHS[month - 1].capitalize()} {year} has no day {day}")
    return date(year, month, day)


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _is_month(word: str) -> bool:
    return _month(word) is not None


def _month(word: str) -> int | None:
    """1-12 for a month's name or its first three letters (``sept`` too); None for anything else."""
    for number, name in enumerate(MONTHS, 1):
        if word in (name, name[:3]) or (number == 9 and word == "sept"):
            return number
    return None


def _weekday(word: str) -> int | None:
    for number, name in enumerate(WEEKDAYS):
        if word == name or word == name[:3]:
            return number
    return None
