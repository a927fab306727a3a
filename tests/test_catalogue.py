"""The rule catalogue: every rule declared once, checks that register themselves, and what reads them."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from postcheck import catalogue
from postcheck.findings import Severity
from postcheck.formats.rules import with_table
from postcheck.pipeline import Pipeline
from postcheck.register import Register
from postcheck.rules import Rules

from clirun import run_cli
from conftest import ROOT

REGENERATE = "uv run python -m postcheck.catalogue --readme README.md"


def test_the_readme_rule_table_is_current():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## What fails a post\n" in readme  # SARIF's helpUri points at #what-fails-a-post
    assert with_table(readme) == readme, f"README.md's rule table is out of date: run `{REGENERATE}`"


def test_every_rule_is_declared_once_under_its_checks_section():
    specs = catalogue.checks()
    assert [s.name for s in specs] == ["links", "faces", "names", "personal-data", "profanity", "image"]
    ids = [rule.id for spec in specs for rule in spec.rules]
    assert len(ids) == len(set(ids))
    for spec in specs:
        assert spec.rules and all(rule.id.startswith(spec.section + ".") and rule.check == spec.name for rule in spec.rules)
    known = catalogue.rules()
    for loose in ("text.unreadable", "image.not-copied", "<check>.check-failed"):
        assert loose in known
    assert known["text.unreadable"].check == "pipeline" and known["image.not-copied"].check == "fix"


def test_options_come_from_the_checks_that_own_them():
    sections = catalogue.options()
    assert list(sections) == ["links", "faces", "names", "text"]
    assert [o.key for o in sections["text"]] == ["allow_emails", "allow_phones", "allow_addresses", "profanity"]
    assert catalogue.option("faces.tolerance").default == 0.45
    assert catalogue.option("text.profanity").choices == ("warn", "fail", "off")


def test_which_faces_fix_hides_and_annotate_draws_come_from_the_faces_rules():
    marks = catalogue.face_marks()
    assert set(marks) == {"faces.no-consent", "faces.unknown", "faces.unverifiable", "faces.consented"}
    assert [r for r in marks if catalogue.hides_face(r)] == ["faces.no-consent", "faces.unknown", "faces.unverifiable"]
    assert (marks["faces.no-consent"].label, marks["faces.no-consent"].colour) == ("NO CONSENT", "red")


def test_describe_makes_check_failures_concrete():
    failed = catalogue.describe("profanity.check-failed")
    assert failed.title == "The profanity check could not finish" and failed.severity is Severity.ERROR


def test_the_pipeline_asks_the_registry_which_checks_read_text_and_pictures():
    pipeline = Pipeline(Rules(), Register(Path("."), ()), date(2026, 1, 5), "social", references=dict)
    assert [c.id for c in pipeline.text_checks] == ["links", "names", "text", "text"]
    assert [type(c).__name__ for c in pipeline.text_checks][2:] == ["PersonalDataCheck", "ProfanityCheck"]
    assert pipeline.names_check is pipeline.text_checks[1]


NEW_CHECK = '''
from typing import ClassVar
from postcheck.catalogue import TEXT, Rule, register_check
from postcheck.findings import Finding, Severity

@register_check(reads=[TEXT], rules=[Rule("hashtags.too-many", Severity.WARNING, "Too many hashtags",
                                          "More than three hashtags.", "Keep three at most.")])
class HashtagCheck:
    id: ClassVar[str] = "hashtags"

    def run(self, post):
        if post.draft.text.count("#") > 3:
            yield Finding("hashtags.too-many", Severity.WARNING, "Too many hashtags.", post.draft.display)
'''


def test_a_new_check_module_is_all_it_takes(tmp_path):
    """A check registered from a module of its own is run by the pipeline and listed with its rule."""
    (tmp_path / "hashtag_check.py").write_text(NEW_CHECK)
    code = f"""
import sys
sys.path.insert(0, {str(tmp_path)!r})
from datetime import date
from pathlib import Path
import hashtag_check
from postcheck import catalogue
from postcheck.pipeline import Pipeline
from postcheck.post import Draft, LoadedPost
from postcheck.register import Register
from postcheck.rules import Rules
pipeline = Pipeline(Rules(), Register(Path("."), ()), date(2026, 1, 5), "social", references=dict)
post = LoadedPost("p", Draft.of(Path("p.txt"), "p.txt", "#a #b #c #d"), ())
print([f.rule for f in pipeline.run(post, []).findings], "hashtags.too-many" in catalogue.rules())
print('dlib' in sys.modules, 'onnxruntime' in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert out.stdout.splitlines() == ["['hashtags.too-many'] True", "False False"]


def test_loading_rules_and_the_catalogue_loads_no_model():
    code = ("import sys; from pathlib import Path; from postcheck.rules import load_rules; from postcheck import catalogue;"
            f"load_rules(Path({str(ROOT / 'rules.yaml')!r})); catalogue.rules();"
            "print([m for m in ('spacy', 'dlib', 'onnxruntime', 'glin_profanity') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- postcheck rules ------------------------------------------------------------------------------


def test_postcheck_rules_lists_every_rule_with_its_check_severity_title_and_fix(capsys):
    result = run_cli(capsys, "rules")
    assert result.code == 0 and result.err == ""
    lines = result.out.splitlines()
    assert "names.full-name (error; check: names): A pupil's full name is in the text" in lines
    assert "    what to do: Use the first name only, or no name at all." in lines
    assert ("faces.unknown (error; check: faces; rules.yaml faces.unknown: fail or warn): "
            "A face that matches nobody in the register") in lines
    assert ("text.profanity (warning; check: profanity; rules.yaml text.profanity: warn, fail or off): "
            "Swearing or an offensive word in the text") in lines
    assert "faces.tolerance (number 0.3 to 0.6; default 0.45): how close a face must be to count as a person" in lines
    listed = {line.split(" ", 1)[0] for line in lines if line and not line.startswith(" ") and "(" in line}
    assert set(catalogue.rules()) <= listed


def test_postcheck_rules_as_json(capsys):
    result = run_cli(capsys, "rules", "--format", "json")
    assert result.code == 0
    data = json.loads(result.out)
    by_id = {rule["id"]: rule for rule in data["rules"]}
    assert set(by_id) == set(catalogue.rules())
    assert by_id["text.profanity"] == {
        "id": "text.profanity", "check": "profanity", "severity": "warning",
        "title": "Swearing or an offensive word in the text", "means": catalogue.rules()["text.profanity"].means,
        "fix": "Reword it, or check the sentence reads as intended before posting.", "setting": "text.profanity",
    }
    options = {o["key"]: o for o in data["options"]}
    assert options["faces.tolerance"] == {"key": "faces.tolerance", "type": "number", "default": 0.45,
                                          "help": "how close a face must be to count as a person", "min": 0.3, "max": 0.6}


def test_postcheck_rules_refuses_another_format(capsys):
    result = run_cli(capsys, "rules", "--format", "sarif")
    assert result.code == 2 and result.err == "postcheck: error: --format 'sarif' is not one of text, json\n"


def test_the_text_output_names_the_broken_rules_by_their_catalogue_titles():
    from postcheck.findings import Finding, PostResult, Report
    from postcheck.formats.text import render_text

    def finding(rule: str, severity: Severity = Severity.ERROR, line: int = 1) -> Finding:
        return Finding(rule=rule, severity=severity, wording="A message.", file="post.txt", line=line, column=1)

    report = Report((PostResult.of("post.txt", [finding("links.not-allowed"), finding("names.full-name"),
                                                 finding("names.full-name", line=2),
                                                 finding("links.insecure", Severity.WARNING)]),))
    last = render_text(report).splitlines()[-1]
    titles = catalogue.rules()
    assert last == (f"Rules broken: {titles['names.full-name'].title} (x2); {titles['links.not-allowed'].title}. "
                    "`postcheck rules` explains each.")
    passing = Report((PostResult.of("post.txt", [finding("links.insecure", Severity.WARNING)]),))
    assert "Rules broken" not in render_text(passing)
