"""Rendering SARIF, JUnit and GitHub annotations from hand-made reports (unit tests of the formats)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from postcheck.findings import Finding, PostResult, Report, Severity
from postcheck.wording import Either, Quoted, Sensitive, Wording
from postcheck.formats import Format, render
from postcheck.formats.github import MAX_ANNOTATIONS, escape_data, escape_property, render_github
from postcheck.formats.junit import render_junit
from postcheck.catalogue import describe, rules as catalogue_rules
from postcheck.formats.sarif import render_sarif

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))

NAMES = (("Amelia Hart", "pupil P017"), ("Hart", "pupil P017"), ("Noah O'Brien", "pupil P042"))
AMELIA, NOAH = Sensitive(*NAMES[0]), Sensitive(*NAMES[2])


def full_name(file="drafts/sports-day.txt", line=3, column=5, message=None, **kw):
    message = message or Wording.of("{name} is named in full.", name=AMELIA)
    return Finding("names.full-name", Severity.ERROR, message, file, line, column, pupil_id="P017", **kw)


def sample_report() -> Report:
    day = [
        full_name(),
        Finding(
            "names.with-photo",
            Severity.WARNING,
            Wording.of("{name} is named and in sports-day.jpg.", name=NOAH),
            "drafts/sports-day.txt",
            7,
            1,
            pupil_id="P042",
        ),
        Finding(
            "faces.no-consent",
            Severity.ERROR,
            Wording.of("{name} has no photo consent for social media.", name=AMELIA),
            "drafts/sports-day.jpg",
            box=(10, 60, 70, 5),
            pupil_id="P017",
        ),
        Finding(
            "faces.consented",
            Severity.INFO,
            Wording.of("{name} has photo consent.", name=NOAH),
            "drafts/sports-day.jpg",
            box=(10, 160, 70, 105),
            pupil_id="P042",
        ),
        Finding(
            "image.location",
            Severity.WARNING,
            "drafts/sports-day.jpg carries GPS location data.",
            "drafts/sports-day.jpg",
        ),
        Finding(
            "links.not-allowed",
            Severity.ERROR,
            "example.com is not on the allowlist.",
            "drafts/sports-day.txt",
            9,
            12,
            waived_by="Mrs Head",
        ),
    ]
    fair = [
        Finding("links.check-failed", Severity.ERROR, "The links check could not finish on this post.", "drafts/fair"),
        Finding(
            "faces.unknown",
            Severity.ERROR,
            "A face matches nobody.",
            "drafts/fair/clip.mp4",
            time=12.5,
            box=(1, 2, 3, 0),
        ),
    ]
    return Report(
        (
            PostResult.of("drafts/fair", fair),
            PostResult.of("drafts/quiet", []),
            PostResult.of("drafts/sports-day", day),
        )
    )


# --- SARIF -----------------------------------------------------------------------------------


def validate_sarif(text: str) -> dict:
    log = json.loads(text)
    validator_class = jsonschema.validators.validator_for(SCHEMA)
    assert validator_class is jsonschema.Draft4Validator  # the OASIS errata01 schema is draft-04
    validator = validator_class(SCHEMA, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(log), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    return log


@pytest.mark.parametrize(
    "report", [sample_report(), sample_report().redacted(), Report(())], ids=["full", "redacted", "empty"]
)
def test_sarif_validates_against_the_oasis_schema(report):
    log = validate_sarif(render_sarif(report))
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-schema-2.1.0.json")
    assert len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "postcheck"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", driver["semanticVersion"])


def test_sarif_schema_rejects_a_broken_log():
    # Guard against a vacuous schema: a result without a message must fail validation.
    log = json.loads(render_sarif(sample_report()))
    del log["runs"][0]["results"][0]["message"]
    assert list(jsonschema.Draft4Validator(SCHEMA).iter_errors(log))


def test_sarif_rule_index_points_at_its_rule_and_every_rule_is_used():
    run = json.loads(render_sarif(sample_report()))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids))
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    assert set(ids) == {result["ruleId"] for result in run["results"]}
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert re.fullmatch(r"[A-Z][A-Za-z]+", rule["name"])
    by_id = {rule["id"]: rule for rule in rules}
    assert by_id["links.check-failed"]["shortDescription"]["text"] == "The links check could not finish"
    assert by_id["image.location"]["defaultConfiguration"]["level"] == "warning"


def test_sarif_levels_locations_and_suppressions():
    results = json.loads(render_sarif(sample_report()))["runs"][0]["results"]
    assert len(results) == 8
    by_rule = {r["ruleId"]: r for r in results}
    assert {rule: r["level"] for rule, r in by_rule.items()} == {
        "links.check-failed": "error",
        "faces.unknown": "error",
        "names.full-name": "error",
        "names.with-photo": "warning",
        "faces.no-consent": "error",
        "faces.consented": "note",
        "image.location": "warning",
        "links.not-allowed": "error",
    }
    text = by_rule["names.full-name"]["locations"][0]["physicalLocation"]
    assert text == {
        "artifactLocation": {"uri": "drafts/sports-day.txt", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3, "startColumn": 5},
    }
    photo = by_rule["faces.no-consent"]["locations"][0]["physicalLocation"]
    assert photo == {"artifactLocation": {"uri": "drafts/sports-day.jpg", "uriBaseId": "%SRCROOT%"}}  # no region
    assert by_rule["faces.no-consent"]["properties"] == {"box": {"top": 10, "right": 60, "bottom": 70, "left": 5}}
    for rule in ("faces.unknown", "image.location", "links.check-failed", "faces.consented"):
        assert "region" not in by_rule[rule]["locations"][0]["physicalLocation"], rule
    assert by_rule["faces.unknown"]["message"]["text"] == "A face matches nobody. (at 12.5s)"
    assert by_rule["faces.unknown"]["properties"] == {
        "time": 12.5,
        "box": {"top": 1, "right": 2, "bottom": 3, "left": 0},
    }
    assert by_rule["links.not-allowed"]["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "Waived in rules.yaml, approved by Mrs Head."}
    ]
    assert all("suppressions" not in r for rule, r in by_rule.items() if rule != "links.not-allowed")


def test_sarif_text_findings_end_where_the_match_ends_and_word_files_get_no_region(tmp_path):
    ends = replace(full_name(), end_line=4, end_column=7)
    docx = full_name(file="drafts/post.docx", line=2, column=14)
    log = validate_sarif(render_sarif(Report((PostResult.of("p", [ends, docx]),)), srcroot=tmp_path))
    by_uri = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in log["runs"][0]["results"]}
    text = by_uri["drafts/sports-day.txt"]
    assert text["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3, "startColumn": 5, "endLine": 4, "endColumn": 7
    }
    word = by_uri["drafts/post.docx"]
    assert "region" not in word["locations"][0]["physicalLocation"]
    assert word["properties"] == {"textLine": 2, "textColumn": 14}


def test_sarif_run_says_where_srcroot_is_and_which_category(tmp_path):
    run = validate_sarif(render_sarif(sample_report(), srcroot=tmp_path))["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tmp_path.resolve().as_uri() + "/"}}
    assert run["automationDetails"] == {"id": "postcheck/"}
    driver = run["tool"]["driver"]
    assert driver["fullName"] == f"postcheck {driver['version']}"


def test_sarif_rule_help_comes_from_the_rules_own_description(monkeypatch):
    import postcheck.formats.sarif as sarif

    monkeypatch.setattr(sarif, "_information_uri", lambda: "https://example.org/postcheck")
    run = validate_sarif(render_sarif(sample_report()))["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["informationUri"] == "https://example.org/postcheck"
    rule = next(r for r in driver["rules"] if r["id"] == "faces.no-consent")
    info = catalogue_rules()["faces.no-consent"]
    assert rule["help"] == {
        "text": f"{info.means} What to do: {info.fix}",
        "markdown": f"{info.means}\n\n**What to do:** {info.fix}",
    }
    assert all(r["helpUri"] == "https://example.org/postcheck#what-fails-a-post" for r in driver["rules"])
    monkeypatch.setattr(sarif, "_information_uri", lambda: None)
    driver = validate_sarif(render_sarif(sample_report()))["runs"][0]["tool"]["driver"]
    assert "informationUri" not in driver and all("helpUri" not in r for r in driver["rules"])


def test_end_of_a_match_from_its_span():
    from postcheck.pipeline import with_end
    from postcheck.post import Draft

    draft = Draft.of(Path("d.txt"), "d.txt", "Hello\nwell done Oliver\nBennett!\n")
    start = draft.text.index("Oliver")
    line, column = draft.position(start)
    finding = Finding("names.full-name", Severity.ERROR, "m", "d.txt", line, column, span=(start, start + 14))
    assert (line, column) == (2, 11)
    assert (with_end(finding, draft).end_line, with_end(finding, draft).end_column) == (3, 8)
    one_line = replace(finding, span=(start, start + 6))
    assert (with_end(one_line, draft).end_line, with_end(one_line, draft).end_column) == (2, 17)
    elsewhere = replace(finding, file="photo.jpg")
    assert with_end(elsewhere, draft).end_line is None


def test_sarif_uris_are_relative_with_forward_slashes_and_encoded(tmp_path):
    inside = tmp_path / "drafts" / "trip day" / "photo 1.jpg"
    report = Report(
        (
            PostResult.of(
                "drafts/trip day",
                [
                    Finding("image.location", Severity.WARNING, "gps", str(inside)),
                    Finding("image.location", Severity.WARNING, "gps", "./drafts/trip day/photo 2.jpg"),
                ],
            ),
        )
    )
    log = validate_sarif(render_sarif(report, srcroot=tmp_path))
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"]]
    assert uris == [
        {"uri": "drafts/trip%20day/photo%202.jpg", "uriBaseId": "%SRCROOT%"},  # findings sort by file
        {"uri": "drafts/trip%20day/photo%201.jpg", "uriBaseId": "%SRCROOT%"},
    ]


def test_sarif_file_outside_srcroot_gets_an_absolute_file_uri(tmp_path):
    outside = tmp_path / "elsewhere" / "a.txt"
    report = Report((PostResult.of("a", [full_name(file=str(outside))]),))
    log = validate_sarif(render_sarif(report, srcroot=tmp_path / "repo"))
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": outside.resolve().as_uri()}


def fingerprints(*findings: Finding) -> list[str]:
    results = json.loads(render_sarif(Report((PostResult("p", findings),))))["runs"][0]["results"]
    return [r["partialFingerprints"]["primaryLocationLineHash"] for r in results]


def test_sarif_fingerprint_survives_the_line_moving_but_not_a_different_finding():
    [before] = fingerprints(full_name(line=3, column=5))
    [after] = fingerprints(full_name(line=40, column=1))
    assert before == after
    [other_pupil] = fingerprints(replace(full_name(), pupil_id="P018"))
    [other_file] = fingerprints(full_name(file="drafts/fair.txt"))
    [other_message] = fingerprints(full_name(message="Noah O'Brien is named in full."))
    [other_rule] = fingerprints(replace(full_name(), rule="names.surname-only"))
    assert len({before, other_pupil, other_file, other_message, other_rule}) == 5


def test_sarif_same_finding_twice_in_a_file_gets_two_fingerprints():
    first, second = fingerprints(full_name(line=3), full_name(line=9))
    assert first != second
    assert first.rsplit(":", 1)[0] == second.rsplit(":", 1)[0]


def test_catalogue_covers_every_rule_the_checks_report():
    required = """names.full-name names.initial-surname names.no-name-consent names.unknown-person names.surname-only
        names.with-photo faces.no-consent faces.unknown faces.unverifiable faces.consented
        links.not-allowed
        links.insecure links.userinfo links.homograph links.shortener links.ip-address links.unsafe-scheme
        links.text-mismatch image.unreadable image.location text.personal-data text.unreadable""".split()
    known = catalogue_rules()
    assert set(required) <= set(known)
    for rule_id, info in known.items():
        assert info.id == rule_id
        assert info.title and info.means.endswith(".") and info.fix.endswith(".")


def test_catalogue_describes_check_failures_and_unknown_rules():
    failed = describe("faces.check-failed")
    assert failed.severity is Severity.ERROR
    assert "faces check could not finish" in failed.title
    unknown = describe("badges.shiny")
    assert unknown.id == "badges.shiny" and "badges.shiny" in unknown.means


# --- JUnit -----------------------------------------------------------------------------------


def test_junit_one_testcase_per_post_and_correct_counts():
    root = ET.fromstring(render_junit(sample_report()))
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    assert suite.get("name") == "postcheck"
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("postcheck", "drafts/fair"),
        ("postcheck", "drafts/quiet"),
        ("postcheck", "drafts/sports-day"),
    ]
    for element in (root, suite):
        assert {k: element.get(k) for k in ("tests", "failures", "errors", "skipped", "time")} == {
            "tests": "3",
            "failures": "2",
            "errors": "0",
            "skipped": "0",
            "time": "0.000",
        }
    assert [c.get("time") for c in cases] == ["0.000"] * 3  # hand-made results were not timed
    fair, quiet, day = cases
    assert list(quiet) == []
    [failure] = day.findall("failure")
    assert failure.get("message") == "2 problems" and failure.get("type") == "postcheck"
    assert failure.text.splitlines() == [
        "error faces.no-consent drafts/sports-day.jpg: Amelia Hart has no photo consent for social media.",
        "error names.full-name drafts/sports-day.txt:3:5: Amelia Hart is named in full.",
    ]
    out = day.find("system-out").text.splitlines()
    assert "warning names.with-photo drafts/sports-day.txt:7:1: Noah O'Brien is named and in sports-day.jpg." in out
    assert (
        "error links.not-allowed drafts/sports-day.txt:9:12: example.com is not on the allowlist. (waived by Mrs Head)"
        in out
    )
    assert any(line.startswith("info faces.consented") for line in out)
    assert len(out) == 4
    assert fair.find("failure").text.splitlines()[1] == (
        "error faces.unknown drafts/fair/clip.mp4 at 12.5s: A face matches nobody."
    )


def test_junit_single_problem_is_singular_and_passing_posts_have_no_failure():
    report = Report(
        (
            PostResult.of("a.txt", [full_name(file="a.txt")]),
            PostResult.of("b.txt", [Finding("image.location", Severity.WARNING, "gps", "b.jpg")]),
        )
    )
    root = ET.fromstring(render_junit(report))
    a, b = root.iter("testcase")
    assert a.find("failure").get("message") == "1 problem"
    assert b.find("failure") is None and b.find("system-out").text == "warning image.location b.jpg: gps"
    assert root.get("failures") == "1"


def test_junit_time_per_post_and_their_sum_for_the_suite():
    report = Report((PostResult.of("a.txt", [], seconds=1.25), PostResult.of("b.txt", [full_name()], seconds=0.5)))
    root = ET.fromstring(render_junit(report))
    assert [c.get("time") for c in root.iter("testcase")] == ["1.250", "0.500"]
    assert root.get("time") == root.find("testsuite").get("time") == "1.750"
    assert [r.seconds for r in report.redacted().results] == [1.25, 0.5]


def test_junit_escapes_special_characters():
    nasty_post = 'drafts/"quotes" & <tags>\nnewline'
    message = 'Bad link <a href="x">&amp;</a>\x00\x1b\r\nsecond line ]]> end'
    report = Report((PostResult.of(nasty_post, [full_name(file="drafts/a&b.txt", message=message)]),))
    text = render_junit(report)
    root = ET.fromstring(text)  # parses: nothing unescaped, no character XML forbids
    case = root.find("testsuite/testcase")
    assert case.get("name") == 'drafts/"quotes" & <tags>\nnewline'
    [line] = case.find("failure").text.splitlines()
    assert line == (
        'error names.full-name drafts/a&b.txt:3:5: Bad link <a href="x">&amp;</a>\\x00\\x1b second line ]]> end'
    )


# --- GitHub Actions --------------------------------------------------------------------------


def test_github_escaping_rules():
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_annotations_for_a_small_report():
    lines = render_github(sample_report()).splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert (
        "::error file=drafts/sports-day.txt,line=3,col=5,title=names.full-name::Amelia Hart is named in full."
        in commands
    )
    assert "::error file=drafts/fair/clip.mp4,title=faces.unknown::A face matches nobody. (at 12.5s)" in commands
    assert (
        "::notice file=drafts/sports-day.txt,line=9,col=12,title=links.not-allowed::"
        "example.com is not on the allowlist. (waived by Mrs Head)"
    ) in commands
    assert sum(c.startswith("::error ") for c in commands) == 4
    assert sum(c.startswith("::warning ") for c in commands) == 2
    assert sum(c.startswith("::notice ") for c in commands) == 2
    assert lines[-1] == "postcheck: FAIL: 3 posts checked, 2 failed: 4 problems to fix before posting."
    assert "PASS drafts/quiet" in lines and "FAIL drafts/sports-day" in lines


def test_github_escapes_file_and_message():
    finding = Finding(
        "links.not-allowed", Severity.ERROR, "50% off at evil.example\n::error::fake", "drafts/a,b:c.txt", 2, 3
    )
    lines = render_github(Report((PostResult.of("drafts/a,b:c.txt", [finding]),))).splitlines()
    assert (
        lines[0]
        == "::error file=drafts/a%2Cb%3Ac.txt,line=2,col=3,title=links.not-allowed::50%25 off at evil.example%0A:%253Aerror:%253Afake"
    )
    # No message can start a line of its own, so no second command is smuggled in.
    assert [line for line in lines if line.startswith("::")] == [lines[0]]


HOSTILE = [
    "::error title=x::all good.txt",
    "  ::warning::indented.txt",
    "\u3000::add-mask::wide space.txt",
    "\t::stop-commands::tok.txt",
    "a ##[warning]b.txt",
    "##[stop-commands]x.jpg",
    "###[error]y.txt",
    "::::four.txt",
    ":::three.txt",
    "line\n::error::two.txt",
    "cr\r::error::two.txt",
    "nel\x85::error::x.txt",
    "ls\u2028::error::x.txt",
    "100%3A%3Aerror.txt",
    "drafts/ok.txt",
]

COMMAND = re.compile(
    r"::(error|warning|notice)"  # one of ours: a kind we write,
    r"( [a-z]+=[^,:]*(,[a-z]+=[^,:]*)*)?"  # properties with ',' and ':' escaped,
    r"::(?:(?!::).)*"  # and data holding no further '::'
)


def assert_only_our_commands(output: str) -> list[str]:
    """Every line as the runner splits it: one of our annotations, or no command at all. Returns ours."""
    ours = []
    for line in re.split(r"\r\n|\r|\n", output):
        assert "##[" not in line, line
        stripped = line.lstrip()  # the runner trims leading whitespace before looking for '::'
        if stripped.startswith("::"):
            assert line == stripped and COMMAND.fullmatch(line), line
            ours.append(line)
    return ours


@pytest.mark.parametrize("name", HOSTILE)
def test_github_hostile_file_names_and_texts_start_no_command(name):
    findings = [
        Finding("links.not-allowed", Severity.ERROR, f"Link in {name}: {name}", name, 2, 3),
        Finding("image.location", Severity.WARNING, name, name),
        Finding("faces.consented", Severity.INFO, f"ok {name}", name, waived_by=name),
    ]
    report = Report((PostResult.of(name, findings), PostResult.of(f"{name}/more", [full_name(file=name)])))
    output = render_github(report)
    ours = assert_only_our_commands(output)
    assert len(ours) == 4  # one annotation per finding, nothing more
    assert output.splitlines()[-1].startswith("postcheck: FAIL: 2 posts checked")


def test_github_hostile_names_past_the_cap_start_no_command():
    findings = [full_name(file=name, message=name, line=n) for n in (1, 2) for name in HOSTILE]
    ours = assert_only_our_commands(render_github(Report((PostResult.of("##[error]::post", findings),))))
    assert len(ours) == MAX_ANNOTATIONS
    assert ours[-1].startswith(f"::error title=postcheck%3A {2 * len(HOSTILE) - 9} more problems::... and ")
    assert ours[-1].endswith(f"in 1 post: #%2523[error]:%253Apost ({2 * len(HOSTILE) - 9})")


def test_github_hostile_name_reads_plainly():
    finding = Finding("links.not-allowed", Severity.ERROR, "Bad link ##[warning]x.", "::error title=x::all good.txt", 1, 2)
    lines = render_github(Report((PostResult.of("::error title=x::all good.txt", [finding]),))).splitlines()
    assert lines == [
        "::error file=%3A%3Aerror title=x%3A%3Aall good.txt,line=1,col=2,title=links.not-allowed::Bad link #%2523[warning]x.",
        "FAIL :%3Aerror title=x:%3Aall good.txt",
        "  :%3Aerror title=x:%3Aall good.txt:1:2: error links.not-allowed: Bad link #%23[warning]x.",
        "postcheck: FAIL: 1 post checked, 1 failed: 1 problem to fix before posting.",
    ]


def test_github_file_named_with_old_command_form_is_named_in_the_message():
    finding = Finding("image.location", Severity.WARNING, "GPS data.", "drafts/##[stop-commands]x.jpg")
    [annotation] = assert_only_our_commands(render_github(Report((PostResult.of("p", [finding]),))))
    assert annotation == "::warning title=image.location::drafts/#%2523[stop-commands]x.jpg: GPS data."


def many_problems() -> Report:
    """24 errors over 7 posts (1, 2, 3, 4, 5, 6 and 3), and 12 warnings in the last post."""
    results = []
    for p, errors in enumerate((1, 2, 3, 4, 5, 6, 3)):
        post = f"drafts/post-{p}"
        findings = [full_name(file=f"{post}.txt", line=n + 1) for n in range(errors)]
        if p == 6:
            findings += [
                Finding("image.location", Severity.WARNING, f"gps {n}", f"{post}-{n:02}.jpg") for n in range(12)
            ]
        results.append(PostResult.of(post, findings))
    return Report(tuple(results))


def test_github_caps_annotations_and_summarises_the_rest_by_post():
    report = many_problems()
    failing = [(r.post, f) for r in report.results for f in r.findings if f.fails]
    assert len(failing) == 1 + 2 + 3 + 4 + 5 + 6 + 3 == 24
    lines = render_github(report).splitlines()
    errors = [line for line in lines if line.startswith("::error")]
    warnings = [line for line in lines if line.startswith("::warning")]
    assert len(errors) == MAX_ANNOTATIONS and len(warnings) == MAX_ANNOTATIONS
    # The first 9 failing findings are annotated; the 10th annotation accounts for the other 15.
    hidden_posts = {post for post, _ in failing[MAX_ANNOTATIONS - 1 :]}
    assert hidden_posts == {f"drafts/post-{p}" for p in (3, 4, 5, 6)}
    assert errors[-1] == (
        "::error title=postcheck%3A 15 more problems::... and 15 more problems in 4 posts: "
        "drafts/post-3 (1), drafts/post-4 (5), drafts/post-5 (6), drafts/post-6 (3)"
    )
    assert warnings[-1].endswith("::... and 3 more warnings in 1 post: drafts/post-6 (3)")
    # Every finding is still listed in the plain lines.
    plain = [line for line in lines if line.startswith("  ")]
    assert len(plain) == sum(len(r.findings) for r in report.results)
    assert lines[-1] == "postcheck: FAIL: 7 posts checked, 7 failed: 24 problems to fix before posting."


def test_github_exactly_ten_errors_need_no_summary():
    report = Report((PostResult.of("p", [full_name(line=n + 1) for n in range(MAX_ANNOTATIONS)]),))
    errors = [line for line in render_github(report).splitlines() if line.startswith("::error")]
    assert len(errors) == MAX_ANNOTATIONS and all("title=names.full-name" in e for e in errors)


def test_github_passing_report():
    report = Report((PostResult.of("drafts/a.txt", []),))
    assert (
        render_github(report)
        == "PASS drafts/a.txt\npostcheck: PASS: 1 post checked, nothing found that breaks the policy.\n"
    )


# --- Redaction across formats ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", [Format.sarif, Format.junit, Format.github, Format.json, Format.text])
def test_redacted_reports_contain_no_pupil_name(fmt):
    plain = render(sample_report(), fmt)
    assert "Amelia Hart" in plain and "O'Brien" in plain  # the names really are in the input
    redacted = render(sample_report().redacted(), fmt)
    for name, _ in NAMES:
        # JUnit writes "'" as-is and JSON may escape nothing here: search the raw output.
        assert name.casefold() not in redacted.casefold()
    assert "pupil P017" in redacted and "pupil P042" in redacted


def named_file_report() -> Report:
    wording = Wording.of("{name} is named in {file}.", name=Sensitive("Oliver Bennett", "O.B."),
                         file=Quoted("oliver_bennett-award.txt"))
    finding = Finding("names.full-name", Severity.ERROR, wording, "drafts/oliver_bennett-award.txt", 1, 1,
                      pupil_id="P001")
    return Report((PostResult.of("drafts/oliver_bennett-award.txt", [finding]),)).redacted([("Oliver Bennett", "O.B.")])


def test_redaction_keeps_real_paths_in_sarif_locations_and_hides_names_in_messages(tmp_path):
    [result] = validate_sarif(render_sarif(named_file_report(), srcroot=tmp_path))["runs"][0]["results"]
    artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "drafts/oliver_bennett-award.txt", "uriBaseId": "%SRCROOT%"}  # a file that exists
    assert result["message"]["text"] == "O.B. is named in O.B.-award.txt."
    del result["locations"]
    assert "bennett" not in json.dumps(result).casefold()


def test_redaction_keeps_real_paths_in_github_file_and_hides_names_elsewhere():
    lines = render_github(named_file_report()).splitlines()
    assert lines[:3] == [
        "::error file=drafts/oliver_bennett-award.txt,line=1,col=1,title=names.full-name::"
        "O.B. is named in O.B.-award.txt.",
        "FAIL drafts/O.B.-award.txt",
        "  drafts/O.B.-award.txt:1:1: error names.full-name: O.B. is named in O.B.-award.txt.",
    ]


def test_redaction_does_not_change_a_findings_sarif_identity():
    plain = Report((PostResult.of("p", [full_name(message="Hello.")]),))
    assert fingerprints(*plain.results[0].findings) == fingerprints(*plain.redacted().results[0].findings)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("drafts/oliver_bennett-2.jpg", "drafts/O.B.-2.jpg"),
        ("drafts/OliverBennett.docx", "drafts/O.B..docx"),
        ("zoe-hughes and ZOË", "Z.H. and Z.H."),
        ("Canada trip with Ada", "Canada trip with A.F."),
        ("olivers-party", "olivers-party"),
    ],
)
def test_redact_words_hides_names_in_paths_as_whole_words(text, expected):
    from postcheck.findings import redact_words

    names = [("Oliver Bennett", "O.B."), ("Oliver", "O.B."), ("Zoë Hughes", "Z.H."), ("Zoë", "Z.H."), ("Ada", "A.F.")]
    assert redact_words(text, names) == expected


def test_redaction_says_a_suggestion_once():
    from postcheck.findings import Finding, Severity

    wording = Wording.of('Full name of a pupil: "{shown}" (P001). Write {instead} instead.',
                         shown=Sensitive("Oliver Bennett", "O.B."), instead=Either((Sensitive("Oliver", "O.B."), "O.B.")))
    finding = Finding("names.full-name", Severity.ERROR, wording, "post.txt", pupil_id="P001")
    assert finding.message == 'Full name of a pupil: "Oliver Bennett" (P001). Write "Oliver" or "O.B." instead.'
    assert finding.redacted().message == 'Full name of a pupil: "O.B." (P001). Write "O.B." instead.'
