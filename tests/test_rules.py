"""rules.yaml: valid files load, and every broken one gives its exact one-line error."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from postcheck.errors import RulesError
from postcheck.rules import DEFAULT_TOLERANCE, load_rules

ROOT = Path(__file__).resolve().parent.parent
CASES = yaml.safe_load((Path(__file__).parent / "data" / "rules_errors.yaml").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_broken_rules_give_one_exact_line(case, tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(case["text"])
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    assert str(caught.value) == f"{path}{case['error']}"


def test_the_repository_default_policy_loads():
    rules = load_rules(ROOT / "rules.yaml")
    assert "gov.uk" in rules.allow
    assert rules.unknown_faces == "fail"
    assert rules.tolerance == DEFAULT_TOLERANCE


def test_an_empty_file_means_the_strict_defaults(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("")
    rules = load_rules(path)
    assert rules.allow == () and rules.unknown_faces == "fail" and rules.with_photo == "warn"


def test_allowlist_entries_are_normalised(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("links:\n  allow: ['https://WWW.Gov.UK/', 'myschool.sch.uk.', '*.bbc.co.uk']\nnames:\n  with_photo: off\n")
    rules = load_rules(path)
    # One normaliser for rules.yaml and the links check: the leading www. goes here too (it used to stay).
    assert rules.allow == ("gov.uk", "myschool.sch.uk", "bbc.co.uk")
    assert rules.with_photo == "off"


@pytest.mark.parametrize(
    ("entry", "domain"),
    [
        ("https://WWW.Gov.UK/", "gov.uk"),
        ("www.myschool.sch.uk", "myschool.sch.uk"),
        ("user@bbc.co.uk:443/path?q#x", "bbc.co.uk"),
        ("*.bbc.co.uk", "bbc.co.uk"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("BÜCHER.DE.", "xn--bcher-kva.de"),
        ("gov.uk?page", "gov.uk"),
    ],
)
def test_rules_and_links_check_normalise_allowlist_entries_alike(tmp_path, entry, domain):
    from postcheck.checks.links import Allowlist

    path = tmp_path / "rules.yaml"
    path.write_text(f"links:\n  allow: ['{entry}']\n", encoding="utf-8")
    rules = load_rules(path)
    assert rules.allow == (domain,)
    assert Allowlist.of(rules.allow).domains == rules.allow == Allowlist.of((entry,)).domains


def test_missing_and_folder(tmp_path):
    with pytest.raises(RulesError, match="not found: pass --rules FILE or set POSTCHECK_RULES"):
        load_rules(tmp_path / "nope.yaml")
    with pytest.raises(RulesError, match="is a folder"):
        load_rules(tmp_path)


def test_waivers_load(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(
        "waivers:\n  - rule: faces.unknown\n    approved_by: Mrs Clarke (DSL)\n    reason: visiting author, consent on file\n"
        "    expires: 2027-01-31\n    post: drafts/author-visit\n"
    )
    (waiver,) = load_rules(path).waivers
    assert waiver.approved_by == "Mrs Clarke (DSL)" and str(waiver.expires) == "2027-01-31"
    assert waiver.post == "drafts/author-visit" and waiver.pupil_id is None
