"""text.personal-data: the data-driven cases, and properties that hold for any text."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postcheck.checks.text import PersonalDataCheck
from postcheck.findings import Severity
from postcheck.post import Draft, LoadedPost
from postcheck.rules import Rules

CASES = yaml.safe_load((Path(__file__).parent / "data" / "personal_data_cases.yaml").read_text(encoding="utf-8"))


def post_of(text: str) -> LoadedPost:
    return LoadedPost("post.txt", Draft.of(Path("post.txt"), "post.txt", text), ())


def findings(text: str, rules: Rules = Rules()) -> list:
    return list(PersonalDataCheck(rules).run(post_of(text)))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case):
    rules = Rules(**{key: tuple(value) for key, value in case.get("rules", {}).items()})
    got = sorted((f.rule, f.line, f.column) for f in findings(case["text"], rules))
    want = sorted((e["rule"], e.get("line", 1), e["column"]) for e in case["expect"])
    assert got == want


def test_cases_cover_both_directions():
    flagged = [c for c in CASES if c["expect"]]
    assert len(CASES) >= 70 and len(flagged) >= 30 and len(CASES) - len(flagged) >= 30
    assert len({c["id"] for c in CASES}) == len(CASES)


def test_message_says_what_and_what_to_do_and_redacts():
    (finding,) = findings("Call Mrs Patel on 07700 900123 to book.")
    assert finding.severity is Severity.ERROR
    assert finding.file == "post.txt"
    assert finding.message == (
        "A phone number (07700 900123) is personal data: remove it, or use the school office number."
    )
    assert finding.redacted().message == (
        "A phone number ([phone]) is personal data: remove it, or use the school office number."
    )


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("jane.smith@gmail.com", "An email address (jane.smith@gmail.com)"),
        ("SW1A 1AA", "A postcode (SW1A 1AA)"),
        ("12 Acacia Avenue", "A street address (12 Acacia Avenue)"),
        ("DOB 12/03/2015", "A date of birth (DOB 12/03/2015)"),
    ],
)
def test_message_names_the_kind(text, start):
    (finding,) = findings(text)
    assert finding.message.startswith(start + " is personal data: remove it")
    assert "[" in finding.redacted().message and text not in finding.redacted().message


def test_digits_inside_an_email_are_one_finding():
    (finding,) = findings("Write to 07700900123@textmail.example.com")
    assert finding.message.startswith("An email address")


def test_no_draft_no_findings():
    assert list(PersonalDataCheck(Rules()).run(LoadedPost("photo.jpg", None, ()))) == []


_SCHOOLISH = st.sampled_from(
    list("0123456789 +()-./:@,\n\t") + ["07700", "900123", "+44", "(0)", "SW1A", "1AA", "DOB", "born on ",
     "Road", "Street", " Acacia ", "Flat ", "@gmail.com", "jane.smith", "May", "2016", "£", "Year "]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), st.lists(_SCHOOLISH, max_size=60).map("".join)))
def test_any_text_positions_point_into_the_text(text):
    draft = Draft.of(Path("post.txt"), "post.txt", text)
    lines = draft.text.split("\n")
    for finding in PersonalDataCheck(Rules(allow_phones=("01632 960000",))).run(post_of(text)):
        assert 1 <= finding.line <= len(lines)
        assert 1 <= finding.column <= len(lines[finding.line - 1])
        found = finding.wording.names()[0][0]
        # What the message quotes starts where the finding points, and is what its span holds.
        at = lines[finding.line - 1][finding.column - 1 :]
        assert at[: len(found.split()[0])] == found.split()[0]
        assert " ".join(draft.text[slice(*finding.span)].split()) == found


def test_one_megabyte_draft_completes():
    paragraph = (
        "Year 6 visited the museum on 12/03/2025 at 10:30 and raised £12.50; call 07700 900123 or "
        "email jane.smith@gmail.com, 12 Acacia Avenue, SW1A 1AA, DOB 12/03/2015. Score 3-2. "
    )
    text = paragraph * (1_000_000 // len(paragraph))
    assert len(findings(text)) == 5 * (1_000_000 // len(paragraph))


@pytest.mark.parametrize(
    "text",
    ["0" * 1_000_000, "a" * 1_000_000, "1 " * 500_000, "0 " * 500_000, "a." * 500_000, "@a" * 500_000,
     "+0-" * 300_000, "1 Aa " * 200_000, "born " * 200_000, "SW1" * 300_000],
)
def test_adversarial_megabyte_inputs_complete(text):
    assert isinstance(findings(text), list)


@pytest.mark.parametrize(
    ("text", "libphonenumber_finds", "check_finds"),
    [
        # libphonenumber reads a score list as one number; the digit groups say it is not one.
        ("Results: 0-1 0-2 0-0 1-0 2-1", ["0-1 0-2 0-0 1-0 2-1"], []),
        # It gives up on a number followed by more digits; the longest start that is a number is found.
        ("Call 0161 496 0000 12 times if busy", ["0161", "496 0000 12"], ["0161 496 0000"]),
        # Years, times and local-only numbers are possible numbers to it; too short to be someone's.
        ("In 2025 we meet at 10:30 for the 11.45 bus.", ["2025", "11.45"], []),
        # A path or an email address around the digits.
        ("See https://example.org/photos/01632960123 for more.", ["01632960123"], []),
    ],
)
def test_what_the_filters_after_libphonenumber_are_for(text, libphonenumber_finds, check_finds):
    import phonenumbers

    from postcheck.checks.text import PHONE_LENIENCY, PHONE_REGION

    matcher = phonenumbers.PhoneNumberMatcher(text, PHONE_REGION, leniency=PHONE_LENIENCY)
    assert [match.raw_string for match in matcher] == libphonenumber_finds
    assert [text[f.span[0]:f.span[1]] for f in findings(text)] == check_finds


@pytest.mark.parametrize(
    "allowed", ["01632 960000", "01632960000", "+44 1632 960000", "+44 (0)1632 960 000", "0044 1632 960000"]
)
@pytest.mark.parametrize("written", ["(01632) 960 000", "01632-960-000", "+441632960000", "+44 (0) 1632 960000"])
def test_allowed_phone_matches_every_formatting(allowed, written):
    assert findings(f"Call the office on {written} today.", Rules(allow_phones=(allowed,))) == []
    assert len(findings(f"Call the office on {written} today.", Rules(allow_phones=("01632 960001",)))) == 1
