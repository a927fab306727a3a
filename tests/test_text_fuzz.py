"""Property tests over the whole text pipeline: names, links and personal data never crash on any
text, and every position they report points into the original text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postcheck.checks.links import LinksCheck, extract_links
from postcheck.checks.names import NamesCheck
from postcheck.checks.text import PersonalDataCheck
from postcheck.post import Draft, LoadedPost
from postcheck.register import Register, parse_register_csv
from postcheck.rules import Rules

PEOPLE = parse_register_csv(
    (
        "pupil_id,first_name,last_name,known_as,role,photo_consent,name_consent\n"
        "P001,Oliver,Bennett,Ollie,pupil,yes,yes\n"
        "P002,Zoë,Hughes,,pupil,yes,no\n"
        "P003,Amelia-Rose,O'Connor,,pupil,no,yes\n"
        "P004,Mohammed Ali,Khan,,pupil,yes,yes\n"
        "P005,Grace,Smith-Jones,,pupil,yes,no\n"
        "S001,Helen,Clarke,,staff,yes,yes\n"
    ).encode(),
    "register.csv",
)
REGISTER = Register(Path("consent_data"), PEOPLE)

# Text built from the pieces that trip checkers: names in every form, URL-ish and number-ish bits,
# accents, apostrophes, line breaks, markdown, and arbitrary unicode.
PIECES = st.sampled_from(
    [
        "Oliver", "Bennett", "oliver", "BENNETT", "Bennett's", "O.", "Zoë", "Zoe", "Hughes", "Amelia", "Rose",
        "Amelia-Rose", "O'Connor", "O’Connor", "Mohammed", "Ali", "Khan", "Grace", "Smith-Jones", "Ollie", "Mrs",
        "Clarke", "#OliverBennett", "@oliver_bennett", "/gallery/oliver-bennett", "https://", "http://", "www.",
        "gov.uk", "bit.ly", "evil.com", "@", "[", "](", ")", "<a href='", "'>", "</a>", "mailto:", ".", ",", "'",
        "’", "-", "_", "/", ":", "?", "#", "07700 900123", "SW1A 1AA", "DOB", "12/03/2015", "born", "\n", "\r\n",
        "\t", "  ", " ", "\u200b", "é", "ß", "İ", "ﬁ", "Ω", "😀", "\x00", "\\", "%2e", "xn--", "bbс.co.uk",
    ]
)
TEXT = st.one_of(
    st.lists(PIECES, max_size=40).map("".join),
    st.lists(st.one_of(PIECES, st.text(max_size=6)), max_size=30).map(" ".join),
)

_CHECKS = None


def checks():
    global _CHECKS
    if _CHECKS is None:
        _CHECKS = (
            NamesCheck(REGISTER, on=date(2026, 11, 25), channel="social"),
            LinksCheck(("gov.uk", "exampleprimary.sch.uk")),
            PersonalDataCheck(Rules()),
        )
    return _CHECKS


def lines_of(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_no_text_crashes_a_check_and_positions_point_into_the_text(text):
    draft = Draft.of(Path("post.txt"), "post.txt", text)
    post = LoadedPost("post.txt", draft, ())
    lines = lines_of(text)
    for check in checks():
        for finding in check.run(post):
            assert finding.file == "post.txt"
            assert finding.rule.startswith(check.id + ".")
            assert finding.line is not None and finding.column is not None
            assert 1 <= finding.line <= len(lines)
            assert 1 <= finding.column <= len(lines[finding.line - 1]) + 1
            if finding.span is not None:
                start, end = finding.span
                assert 0 <= start <= end <= len(draft.text)
                assert draft.position(start) == (finding.line, finding.column)


@settings(max_examples=250, deadline=None)
@given(TEXT)
def test_extracted_links_are_exactly_what_was_written(text):
    for link in extract_links(text):
        assert text[link.start:link.end] == link.raw
