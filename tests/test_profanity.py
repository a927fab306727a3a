"""text.profanity: whole words from the package's word list; school senses, names and the register excused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from postcheck.checks.profanity import NAME_WORDS, SCHOOL_SENSES, ProfanityCheck, word_list
from postcheck.findings import Severity
from postcheck.post import Draft, LoadedPost
from postcheck.register import Person, Register

from clirun import run_cli
from conftest import RULES, draft

CASES = yaml.safe_load((Path(__file__).parent / "data" / "profanity_cases.yaml").read_text())
NOBODY = Register(Path("."), ())


def post_of(text: str) -> LoadedPost:
    return LoadedPost("draft.txt", Draft.of(Path("draft.txt"), "draft.txt", text), ())


def found(text: str, register: Register = NOBODY, setting: str = "warn") -> list[str]:
    post = post_of(text)
    return [post.draft.text[f.span[0]:f.span[1]] for f in ProfanityCheck(register, setting).run(post)]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_profanity_cases(case):
    assert found(case["text"]) == case["found"]


def test_the_word_list_is_the_packages_and_every_excused_entry_is_on_it():
    words = word_list()
    assert len(words) > 400 and "shit" in words and "scunthorpe" not in words
    assert set(SCHOOL_SENSES) <= set(words) and set(NAME_WORDS) <= set(words)


def test_a_pupils_name_is_never_profanity():
    pupil = Person("P900", "Dick", "Hooker", known_as=("Twat",))  # a register name, however it reads
    register = Register(Path("."), (pupil,))
    assert found("Well done dick hooker and twat for the relay!", register) == []
    assert found("Well done dick hooker and twat for the relay!") == ["dick", "twat"]


def test_the_finding_is_a_warning_with_its_place_and_fail_makes_it_an_error():
    post = post_of("Great match.\nWhat a shit pitch though.")
    [finding] = ProfanityCheck(NOBODY).run(post)
    assert (finding.rule, finding.severity, finding.line, finding.column) == ("text.profanity", Severity.WARNING, 2, 8)
    assert finding.message == '"shit" may read as swearing or an offensive term: posts should be solely professional, so reword it.'
    [failing] = ProfanityCheck(NOBODY, "fail").run(post)
    assert failing.severity is Severity.ERROR
    assert list(ProfanityCheck(NOBODY, "off").run(post)) == []


def test_the_word_list_loads_only_when_a_draft_is_checked():
    code = ("import sys, postcheck.checks, postcheck.checks.profanity as p; before = p.word_list.cache_info().currsize;"
            "print(before, 'glin_profanity' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0 False"


# --- through the CLI: a warning by default; rules.yaml can make it fail or turn it off ----------------


def test_profanity_warns_by_default_and_passes_the_post(school, capsys):
    path = draft(school, "What a shit pitch, but the team played brilliantly.\n")
    result = run_cli(capsys, path)
    assert result.code == 0
    assert (f'  ! text.profanity {path}:1:8  "shit" may read as swearing or an offensive term: posts should be '
            "solely professional, so reword it.") in result.out


@pytest.mark.parametrize("setting, code, shown", [("fail", 1, True), ("off", 0, False)])
def test_rules_yaml_sets_profanity(school, capsys, setting, code, shown):
    (school / "rules.yaml").write_text(RULES + f"  profanity: {setting}\n")
    result = run_cli(capsys, draft(school, "What a shit pitch.\n"))
    assert result.code == code and ("text.profanity" in result.out) is shown
