"""Dates as the office writes them: every accepted form and every refusal, then through each place a user writes one."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import yaml

from postcheck.cli import parse_day
from postcheck.dates import DateError, as_date, parse_date
from postcheck.register import load_register
from postcheck.rules import load_rules

CASES = yaml.safe_load((Path(__file__).parent / "data" / "dates_cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("value, expected", CASES["accepted"].items(), ids=list(CASES["accepted"]))
def test_accepted_dates(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value, reason", CASES["refused"].items(), ids=list(CASES["refused"]))
def test_refused_dates_say_why_in_one_line(value, reason):
    with pytest.raises(DateError) as caught:
        parse_date(value)
    assert str(caught.value) == reason


def test_day_first_whenever_both_readings_are_dates():
    for day in range(1, 13):
        for month in range(1, 13):
            assert parse_date(f"{day:02}/{month:02}/2027") == date(2027, month, day)


def test_yaml_dates_and_datetimes_are_days():
    assert as_date(date(2027, 7, 31)) == date(2027, 7, 31)
    assert as_date(datetime(2027, 7, 31, 23, 59)) == date(2027, 7, 31)
    with pytest.raises(DateError):
        as_date(20270731)


def test_register_reads_dates_as_uk_excel_saves_them(tmp_path):
    (tmp_path / "register.csv").write_text(
        "pupil_id,first_name,last_name,consent_expires\n"
        "P1,A,B,31/07/2027\nP2,C,D,03/04/2027\nP3,E,F,31 July 2027\nP4,G,H,31-07-2027\nP5,I,J,2027-07-31\nP6,K,L,\n",
        encoding="utf-8",
    )
    people = load_register(tmp_path).people
    assert [p.consent_expires for p in people] == [date(2027, 7, 31), date(2027, 4, 3), date(2027, 7, 31),
                                                   date(2027, 7, 31), date(2027, 7, 31), None]


def test_waiver_expiry_as_the_office_writes_it(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(
        "waivers:\n"
        "  - {rule: faces.unknown, approved_by: Mrs Clarke, reason: parent asked, expires: 31/07/2027}\n"
        "  - {rule: faces.unknown, approved_by: Mrs Clarke, reason: parent asked, expires: 2027-07-31}\n"
        "  - {rule: faces.unknown, approved_by: Mrs Clarke, reason: parent asked, expires: '31 July 2027'}\n"
    )
    assert [w.expires for w in load_rules(path).waivers] == [date(2027, 7, 31)] * 3


def test_date_option_reads_day_first():
    assert parse_day("31/12/2026") == date(2026, 12, 31)
    assert parse_day("2026-12-31") == date(2026, 12, 31)
