"""Every finding about a draft's text carries its span, and the span holds what the finding is about.

The data-driven cases (tests/data/*_cases.yaml) go through the pipeline's text checks together, as a
post's draft does; so does a Word draft with text in its parts, and a pupil named and pictured. Names and personal data are checked
against the value the message quotes; a link's span must be that link as written.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from postcheck.checks.links import extract_links
from postcheck.drafts import load_draft
from postcheck.findings import Finding, Severity
from postcheck.pipeline import NameWithPhoto, Pipeline
from postcheck.post import Draft, LoadedPost
from postcheck.register import Register, parse_register_csv
from postcheck.rules import Rules
from test_docx_parts import CASES as DOCX_CASES, para, text_box, write_docx

DATA = Path(__file__).parent / "data"
NAMES = yaml.safe_load((DATA / "names_cases.yaml").read_text(encoding="utf-8"))
LINKS = yaml.safe_load((DATA / "links_cases.yaml").read_text(encoding="utf-8"))
PERSONAL = yaml.safe_load((DATA / "personal_data_cases.yaml").read_text(encoding="utf-8"))


def pipeline(register_csv: str = NAMES["defaults"]["register"], on=NAMES["defaults"]["on"], **rules) -> Pipeline:
    register = Register(Path("consent_data"), parse_register_csv(register_csv.encode("utf-8"), "register.csv"))
    on = on if isinstance(on, date) else date.fromisoformat(on)
    rules = Rules(**{key: tuple(value) for key, value in rules.items()})
    return Pipeline(rules, register, on, NAMES["defaults"]["channel"], references=dict)


def cases():
    for case in NAMES["cases"]:
        yield pytest.param(case["text"], lambda c=case: pipeline(c.get("register", NAMES["defaults"]["register"]),
                                                                 c.get("on", NAMES["defaults"]["on"])),
                           id=f"names-{case['id']}")
    for name, case in sorted(LINKS["cases"].items()):
        yield pytest.param(case["text"], lambda c=case: pipeline(allow=c.get("allow", LINKS["default_allow"])),
                           id=f"links-{name}")
    for case in PERSONAL:
        yield pytest.param(case["text"], lambda c=case: pipeline(**c.get("rules", {})), id=f"personal-{case['id']}")


def folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def assert_spans_hold_their_subject(draft: Draft, result) -> int:
    """Every finding on the draft has a span into its text that holds what the finding is about; returns how many."""
    text = draft.text
    about_text = [f for f in result.findings if f.file == draft.display]
    for finding in about_text:
        assert finding.span is not None, finding
        start, end = finding.span
        assert 0 <= start < end <= len(text), finding
        assert draft.position(start) == (finding.line, finding.column), finding
        held = text[start:end]
        if finding.rule.startswith("links."):
            # the span is one whole link as the draft writes it
            assert any(link.raw == held for link in extract_links(held)), (finding, held)
        else:
            quoted = finding.wording.names()
            assert quoted, finding  # a finding about text quotes it, marked sensitive
            assert folded(quoted[0][0]) in folded(held), (finding, held)
    return len(about_text)


@pytest.mark.parametrize("text, make", list(cases()))
def test_every_text_finding_has_a_span_holding_its_subject(text, make):
    draft = Draft.of(Path("post.md"), "post.md", text)
    assert_spans_hold_their_subject(draft, make().run(LoadedPost("post", draft, ()), []))


def test_the_cases_cover_every_text_check():
    checked = []
    for param in cases():
        text, make = param.values
        draft = Draft.of(Path("post.md"), "post.md", text)
        checked += [f.rule for f in make().run(LoadedPost("post", draft, ()), []).findings]
    assert {rule.split(".")[0] for rule in checked} == {"names", "links", "text"}
    assert "names.unknown-person" in checked and "text.personal-data" in checked


WORD_CASES = {
    **DOCX_CASES,
    "link-in-a-footer-and-a-phone-in-a-text-box": dict(
        body=para("Sports day.") + text_box("Ring 07700 900123 to help."), parts={"footer1": para("Contact us")},
        links={"footer1": "https://evil.example/footer"}),
}


@pytest.mark.parametrize("case", sorted(WORD_CASES))
def test_spans_in_a_word_drafts_parts(tmp_path, case):
    path = write_docx(tmp_path / "draft.docx", **WORD_CASES[case])
    draft = load_draft(path, "draft.docx")
    result = pipeline().run(LoadedPost("draft", draft, ()), [])
    assert assert_spans_hold_their_subject(draft, result) >= 1


def test_a_pupil_named_and_pictured_is_spanned_at_the_first_mention():
    checks = pipeline()
    draft = Draft.of(Path("post.md"), "post.md", "Sports day!\nWell done Oliver. Oliver won the sack race.")
    face = Finding("faces.consented", Severity.INFO, "A face.", "photo.jpg", box=(1, 2, 3, 0), pupil_id="P001")
    (finding,) = NameWithPhoto(checks.names_check, [face], checks.register, "warn").run(LoadedPost("post", draft, ()))
    assert finding.rule == "names.with-photo"
    assert finding.span == (draft.text.index("Oliver"), draft.text.index("Oliver") + len("Oliver"))
    assert draft.position(finding.span[0]) == (finding.line, finding.column) == (2, 11)
