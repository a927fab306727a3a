"""The names check, through the real spaCy model: data-driven cases plus positions, size and loading."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import yaml

from postcheck.checks import names
from postcheck.checks.names import NamesCheck
from postcheck.findings import Severity
from postcheck.post import Draft, LoadedPost
from postcheck.register import Register, parse_register_csv

CASES_FILE = Path(__file__).parent / "data" / "names_cases.yaml"
SUITE = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
DEFAULTS = SUITE["defaults"]


def register_of(csv_text: str) -> Register:
    return Register(Path("consent_data"), parse_register_csv(csv_text.encode("utf-8"), "register.csv"))


def post_of(text: str, display: str = "post.md") -> LoadedPost:
    return LoadedPost("post", Draft.of(Path(display), display, text), ())


def check_of(case: dict | None = None) -> NamesCheck:
    case = case or {}
    on = case.get("on", DEFAULTS["on"])
    return NamesCheck(
        register_of(case.get("register", DEFAULTS["register"])),
        on=on if isinstance(on, date) else date.fromisoformat(on),
        channel=case.get("channel", DEFAULTS["channel"]),
    )


@pytest.fixture(scope="session", autouse=True)
def spacy_loaded_once():
    """Load the real model once for the whole session; every test then shares it."""
    names.load_nlp()
    yield
    assert names.load_nlp.cache_info().currsize == 1


@pytest.mark.parametrize("case", SUITE["cases"], ids=[c["id"] for c in SUITE["cases"]])
def test_case(case):
    findings = list(check_of(case).run(post_of(case["text"])))
    got = Counter((f.rule, f.pupil_id) for f in findings)
    expected = Counter((e["rule"], e["pupil_id"]) for e in case["expect"])
    assert got == expected, "\n".join(f.message for f in findings)
    for f in findings:
        assert f.severity is (Severity.WARNING if f.rule in ("names.surname-only", "names.unknown-person") else Severity.ERROR)
        assert f.file == "post.md" and f.line is not None and f.column is not None
        assert f.message.endswith(".") and "\n" not in f.message


def test_suite_is_large_and_covers_every_rule():
    cases = SUITE["cases"]
    assert len(cases) >= 100
    rules = {e["rule"] for c in cases for e in c["expect"]}
    assert rules == {"names.full-name", "names.initial-surname", "names.no-name-consent",
                     "names.surname-only", "names.unknown-person"}
    assert sum(1 for c in cases if not c["expect"]) >= 40
    assert len({c["id"] for c in cases}) == len(cases)


def at(text: str, finding) -> str:
    """The original text from the finding's line and column onwards."""
    line = text.split("\n")[finding.line - 1]
    return line[finding.column - 1:]


def test_line_and_column_point_into_the_original_text():
    text = "# News\n\nWell done to Zoë and\nthanks to Isla Thompson’s mum, and to Oliver\nBennett!\n"
    findings = list(check_of().run(post_of(text)))
    by_rule = {f.rule: f for f in findings}
    assert [(f.rule, f.pupil_id, f.line, f.column) for f in findings] == [
        ("names.full-name", "P006", 4, 11),
        ("names.full-name", "P001", 4, 39),
    ]
    assert at(text, by_rule["names.full-name"]).startswith("Oliver")
    assert at(text, findings[0]).startswith("Isla Thompson’s")


def test_offsets_survive_accents_and_expanding_characters():
    # "ß" folds to two letters and "é" loses its accent: later positions must not drift
    text = "Straße café ﬁne — Zoë Hughes"
    (finding,) = check_of().run(post_of(text))
    assert (finding.line, finding.column) == (1, text.index("Zoë") + 1)


def test_message_says_what_to_write_and_redacts_the_name():
    (finding,) = check_of().run(post_of("Well done OLIVER   BENNETT!"))
    assert finding.message == 'Full name of a pupil: "OLIVER BENNETT" (P001). Write "Oliver" or "O.B." instead.'
    redacted = finding.redacted().message
    assert "oliver" not in redacted.casefold() and "bennett" not in redacted.casefold()
    assert "O.B." in redacted


def test_family_name_message_names_both_and_leaves_the_fix_to_a_person():
    # the first name and "the Bennett twins" are apart: writing the surname in place of the first name
    # (what the fix did before) would still name the pupil in full
    (finding,) = check_of().run(post_of("Oliver and Sam (the Bennett twins) won the pairs race."))
    assert finding.message == ('Full name of a pupil: "Oliver" with the family name "Bennett" (P001). '
                               'Write "Oliver" or "O.B." and leave the family name out.')
    assert finding.suggestion is None


def test_no_consent_message_says_remove_the_name_not_initials():
    # policy: first names or initials only where permission is in place; without it, neither (issue 13.8)
    remove = ('Remove the name (e.g. "a Year 2 pupil"): without name consent neither the first name nor '
              'initials may be published.')
    (finding,) = check_of().run(post_of("Isla Thompson sang."))
    assert finding.message == f'Full name of a pupil with no name consent for social: "Isla Thompson" (P006). {remove}'
    (alone,) = check_of().run(post_of("Isla sang."))
    assert alone.message == f'Pupil named with no name consent for social: "Isla" (P006). {remove}'
    (initial,) = check_of().run(post_of("Well done I. Thompson."))
    assert initial.message == (f'Initial and surname of a pupil with no name consent for social: "I. Thompson" (P006). '
                               f'{remove}')
    (expired,) = check_of().run(post_of("Freddie sang."))
    assert "expired on 2025-07-31" in expired.message and remove in expired.message
    for f in (finding, alone, initial, expired):
        assert "Use initials" not in f.message and "instead" not in f.message


def test_shared_first_name_message_explains_failing_closed():
    (finding,) = check_of().run(post_of("Well done Ella!"))
    assert finding.pupil_id == "P009"
    assert "first name of 2 pupils" in finding.message and "cannot tell them apart" in finding.message
    assert "Remove the name" in finding.message and '"E.D."' not in finding.message


def test_no_draft_no_findings():
    assert list(check_of().run(LoadedPost("photos only", None, ()))) == []


def test_one_megabyte_draft_completes_with_every_finding():
    paragraph = (
        "Congratulations to everyone in Year 4 who took part in the summer fair. Mrs Clarke thanks "
        "the families who baked, and we hope to see you all at the carol service. Oliver and Zoë "
        "read poems while the choir sang.\n"
    )
    repeats = 1_000_000 // len(paragraph) + 1
    text = paragraph * repeats + "Finally, well done to Oliver Bennett!\n"
    findings = list(check_of().run(post_of(text)))
    assert len(text) >= 1_000_000
    assert [(f.rule, f.pupil_id, f.line) for f in findings] == [("names.full-name", "P001", repeats + 1)]


def test_spacy_loads_once_per_process(monkeypatch):
    names.load_nlp()  # the session fixture already loaded it
    before = names.load_nlp.cache_info()
    calls = []
    import spacy

    monkeypatch.setattr(spacy, "load", lambda *a, **k: calls.append(a) or pytest.fail("spaCy loaded twice"))
    for _ in range(3):
        list(check_of().run(post_of("Thank you to Hope for leading the assembly.")))
    after = names.load_nlp.cache_info()
    assert calls == [] and after.misses == before.misses and after.hits > before.hits


def test_importing_the_check_does_not_load_spacy():
    import subprocess
    import sys

    code = "import sys, postcheck.checks.names; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_matchers_are_built_once_per_check():
    check = check_of()
    parts = check.index.parts
    list(check.run(post_of("Oliver Bennett")))
    list(check.run(post_of("Zoë Hughes")))
    assert check.index.parts is parts and "oliverbennett" in parts


HARRYS = """pupil_id,first_name,last_name,name_consent,Year,Year Group,Form
P1,Harry,Smith,no,3,Year 3,3B
P2,Harry,Jones,yes,5,Year 5,5A
P3,Harry,Brown,yes,5,Year 5,5C
"""


def test_post_folder_narrows_a_shared_first_name():
    # both "Year" and "Year Group" headings: the first is used and the register stays valid
    check = NamesCheck(register_of(HARRYS), on=date(2026, 1, 15), channel="social")
    assert list(check.run(post_of("Harry scored twice.", display="drafts/year-5-football/post.md"))) == []
    assert list(check.run(post_of("Harry scored twice.", display="drafts/5a-football.md"))) == []
    (finding,) = check.run(post_of("Harry scored twice.", display="drafts/year-3-football/post.md"))
    assert finding.pupil_id == "P1"


def test_still_ambiguous_names_every_candidate_in_one_finding():
    check = NamesCheck(register_of(HARRYS), on=date(2026, 1, 15), channel="social")
    (finding,) = check.run(post_of("Harry scored twice."))
    assert finding.rule == "names.no-name-consent" and finding.pupil_id == "P1"
    assert '"Harry" is the first name of 3 pupils this post may mean (P1, P2, P3)' in finding.message
    assert "P1 has no name consent for social" in finding.message and '"pupils:" line' in finding.message


def test_register_reads_year_group_and_form_columns():
    people = register_of(HARRYS).people
    assert [(p.year_group, p.form) for p in people] == [("3", "3B"), ("5", "5A"), ("5", "5C")]
