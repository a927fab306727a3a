"""A finding's wording is data: redaction replaces the values a check marked, never postcheck's own words."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np

from postcheck.checks.names import NamesCheck
from postcheck.findings import Finding, PostResult, Report, Severity
from postcheck.post import Draft, LoadedPost, Picture
from postcheck.register import Register, parse_register_csv
from postcheck.wording import Either, Quoted, Sensitive, Wording

MAY = Sensitive("May", "M.C.")
REGISTER_NAMES = (("May Chen", "M.C."), ("Chen", "M.C."), ("May", "M.C."), ("Ada", "A.F."))


def test_rendering_puts_the_values_into_the_template():
    wording = Wording.of('"{name}" in {file}: write {instead}.', name=MAY, file=Quoted("may-day.jpg"),
                         instead=Either((Sensitive("May", "M.C."), "M.C.")))
    assert wording.text == str(wording) == '"May" in may-day.jpg: write "May" or "M.C.".'


def test_redaction_hides_marked_values_and_names_in_quoted_text_but_not_the_template():
    wording = Wording.of("{name}'s photo {file} may be published once {name} has consent.",
                         name=MAY, file=Quoted("drafts/may_chen-poem.jpg"))
    assert wording.redacted(REGISTER_NAMES).text == "M.C.'s photo drafts/M.C.-poem.jpg may be published once M.C. has consent."


def test_quoted_text_hides_names_as_words_only():
    wording = Wording.of("{file}", file=Quoted("Canada trip with Ada"))
    assert wording.redacted(REGISTER_NAMES).text == "Canada trip with A.F."


def test_alternatives_that_read_the_same_once_hidden_are_said_once():
    wording = Wording.of("Write {instead} instead.", instead=Either((Sensitive("Oliver", "O.B."), "O.B.")))
    assert wording.text == 'Write "Oliver" or "O.B." instead.'
    assert wording.redacted().text == 'Write "O.B." instead.'


def test_names_are_found_in_nested_wordings_and_alternatives_in_order():
    inner = Wording.of("{who} ({pupil})", who=Sensitive("Oliver Bennett", "O.B."), pupil="P001")
    wording = Wording.of("{face} is {inner}; write {instead}.", face="the only face", inner=inner,
                         instead=Either((Sensitive("Oliver", "O.B."), "O.B.")))
    assert wording.names() == (("Oliver Bennett", "O.B."), ("Oliver", "O.B."))
    assert "Oliver" not in wording.redacted().text


def test_wordings_compare_and_hash_by_the_text_they_render():
    a = Wording.of("{name} is named.", name=Sensitive("Oliver", "O.B."))
    b = Wording.of("Oliver is {what}.", what="named")
    assert a == b and hash(a) == hash(b) and a != Wording("Zoë is named.")
    one = Finding("names.full-name", Severity.ERROR, a, "post.txt", 1, 1)
    two = Finding("names.full-name", Severity.ERROR, b, "post.txt", 1, 1)
    assert PostResult.of("post", [one, two]).findings == (one,)  # deduplicated as their messages were


def test_a_plain_string_is_a_message_with_nothing_to_hide():
    finding = Finding("image.location", Severity.WARNING, "GPS data in {photo}.", "photo.jpg")
    assert finding.message == "GPS data in {photo}."
    assert finding.redacted(REGISTER_NAMES).message == "GPS data in {photo}."


def test_changing_quoted_text_leaves_the_rest():
    wording = Wording.of("{file} in {folder}", file=Quoted("/tmp/x/photo.jpg"), folder="/tmp/x/")
    assert wording.map_quoted(lambda t: t.replace("/tmp/x/", "")).text == "photo.jpg in /tmp/x/"


def test_a_report_redacts_message_file_and_post_from_the_same_fields():
    wording = Wording.of("{name} is named in {file}.", name=MAY, file=Quoted("may-chen.txt"))
    finding = Finding("names.full-name", Severity.ERROR, wording, "drafts/may-chen.txt", 1, 1, pupil_id="P703")
    (result,) = Report((PostResult.of("drafts/may-chen.txt", [finding]),)).redacted(REGISTER_NAMES).results
    assert result.post == "drafts/M.C..txt"
    assert result.findings[0].message == "M.C. is named in M.C..txt."
    assert (result.findings[0].file, result.findings[0].artifact) == ("drafts/M.C..txt", "drafts/may-chen.txt")


def test_a_pupil_whose_name_is_a_word_leaves_the_advice_alone():
    register = Register(Path("consent_data"), parse_register_csv(b"pupil_id,first_name,last_name,name_consent\n"
                                                                 b"P703,May,Chen,no\n", "register.csv"))
    draft = Draft.of(Path("post.md"), "post.md", "The winning poem was by May, Year 4.")
    (finding,) = NamesCheck(register, on=date(2026, 1, 15), channel="social").run(LoadedPost("post", draft, ()))
    names = tuple(pair for person in register.people for pair in person.redactions)
    assert finding.redacted(names).message == (
        'Pupil named with no name consent for social: "M.C." (P703). Remove the name (e.g. "a Year 2 pupil"): '
        "without name consent neither the first name nor initials may be published.")


def test_a_name_in_a_file_name_is_hidden_where_the_check_found_it():
    register = Register(Path("consent_data"), parse_register_csv(b"pupil_id,first_name,last_name,name_consent\n"
                                                                 b"P006,Isla,Thompson,no\n", "register.csv"))
    check = NamesCheck(register, on=date(2026, 1, 15), channel="social")
    picture = Picture(Path("#GoIsla.jpg"), "drafts/#GoIsla.jpg", (np.zeros((2, 2, 3), np.uint8),))
    (finding,) = check.file_name_findings(picture)
    assert finding.message.startswith('In the file name #GoIsla.jpg: Pupil named with no name consent for social: '
                                      '"Isla" (P006).')
    # no word boundary would find "Isla" in "#GoIsla": the check's own match is what is hidden
    assert finding.redacted().message.startswith('In the file name #GoI.T..jpg: Pupil named with no name consent')
