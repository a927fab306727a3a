"""The command-line contract: exit codes, the JSON shape, one-line errors, untouched inputs."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from clirun import run_cli
from conftest import EXAMPLES, REGISTER, ROOT, RULES, SHARED_FACES, draft, needs_faces

def digest_tree(*paths: Path) -> dict[str, str]:
    out = {}
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


# --- exit 0 and 1 ---------------------------------------------------------------------------------


def test_a_clean_post_passes_with_exit_0(school, capsys):
    path = draft(school, "Well done Oliver on a great race! Details at https://www.gov.uk/school-holidays\n")
    result = run_cli(capsys, path)
    assert result.code == 0, result.out + result.err
    assert "PASS" in result.out and "Traceback" not in result.err


def test_a_full_name_fails_with_exit_1_and_says_where(school, capsys):
    path = draft(school, "Sports day!\nWell done to Oliver Bennett for winning.\n")
    result = run_cli(capsys, path)
    assert result.code == 1
    assert "FAIL" in result.out
    assert "names.full-name" in result.out and "draft.txt:2:14" in result.out


def test_json_shape_is_the_contract(school, capsys):
    path = draft(school, "Well done to Oliver Bennett.\nSee evil.example.com/win and www.gov.uk\n")
    result = run_cli(capsys, path, "--format", "json")
    assert result.code == 1
    data = json.loads(result.out)
    assert set(data) == {"verdict", "posts"} and data["verdict"] == "fail"
    (post,) = data["posts"]
    assert post["post"] == str(path) and post["verdict"] == "fail"
    rules = {f["rule"] for f in post["findings"]}
    assert {"names.full-name", "links.not-allowed"} <= rules
    for finding in post["findings"]:
        assert {"rule", "severity", "message", "file", "line", "column", "pupil_id"} <= set(finding)
        assert finding["severity"] in ("error", "warning", "info")
    full = next(f for f in post["findings"] if f["rule"] == "names.full-name")
    assert (full["line"], full["column"], full["pupil_id"], full["file"]) == (1, 14, "P001", str(path))


def test_output_is_plain_when_piped(school, capsys):
    path = draft(school, "Well done to Oliver Bennett.\n")
    result = run_cli(capsys, path)
    assert "\x1b[" not in result.out


def test_redact_hides_every_name(school, capsys):
    path = draft(school, "Well done to Oliver Bennett and oliver bennett's team.\n")
    result = run_cli(capsys, path, "--redact", "--format", "json")
    assert result.code == 1
    assert "Oliver" not in result.out and "Bennett" not in result.out and "oliver" not in result.out
    assert "P001" in result.out


def test_redact_is_the_default_in_ci(school, capsys, monkeypatch):
    monkeypatch.setenv("CI", "true")
    path = draft(school, "Well done to Oliver Bennett.\n")
    result = run_cli(capsys, path)
    assert result.code == 1 and "Bennett" not in result.out
    assert "Bennett" in run_cli(capsys, path, "--no-redact").out


@pytest.mark.parametrize("variable, value", [
    ("CI", "1"), ("CI", "on"), ("GITHUB_ACTIONS", "true"), ("GITLAB_CI", "true"), ("JENKINS_URL", "https://ci.example/"),
    ("TF_BUILD", "True"), ("BUILDKITE", "true"), ("TEAMCITY_VERSION", "2024.1"), ("CIRCLECI", "true"), ("TRAVIS", "true"),
])
def test_redact_is_the_default_under_every_common_ci(school, capsys, monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    path = draft(school, "Well done to Oliver Bennett.\n")
    result = run_cli(capsys, path)
    assert result.code == 1 and "Bennett" not in result.out and "O.B." in result.out
    assert "Bennett" in run_cli(capsys, path, "--no-redact").out


@pytest.mark.parametrize("fmt", ["sarif", "junit", "github"])
def test_redact_is_the_default_for_stored_formats(school, capsys, fmt):
    """SARIF, JUnit and workflow annotations are kept as artefacts: they never carry a pupil's name by default."""
    path = draft(school, "Well done to Oliver Bennett.\n")
    result = run_cli(capsys, path, "--format", fmt)
    assert result.code == 1 and "P001" in result.out
    assert "Bennett" not in result.out and "Oliver" not in result.out
    assert "Bennett" in run_cli(capsys, path, "--format", fmt, "--no-redact").out


def test_ci_false_is_not_ci(school, capsys, monkeypatch):
    monkeypatch.setenv("CI", "false")
    assert "Bennett" in run_cli(capsys, draft(school, "Well done to Oliver Bennett.\n")).out


# --- exit 2: postcheck could not do its job --------------------------------------------------------


def test_missing_file_is_exit_2_with_one_line(school, capsys):
    result = run_cli(capsys, "nope.txt")
    assert result.code == 2
    assert result.err == "postcheck: error: nope.txt does not exist\n"
    assert result.out == ""


def test_folder_where_a_file_was_expected(school, capsys):
    result = run_cli(capsys, school / "consent_data")
    assert result.code == 2
    assert result.err.startswith("postcheck: error: ") and "is a folder" in result.err
    assert result.err.count("\n") == 1


def test_bad_rules_is_exit_2_before_any_model(school, capsys):
    (school / "rules.yaml").write_text("links:\n  alow: [gov.uk]\n")
    result = run_cli(capsys, draft(school, "hello"))
    assert result.code == 2
    assert result.err == "postcheck: error: rules.yaml: unknown key 'links.alow': did you mean 'links.allow'?\n"


def test_a_bad_allowlist_entry_is_exit_2_when_rules_load_not_a_traceback_later(school, capsys):
    (school / "rules.yaml").write_text("links:\n  allow: [exampleprimary.sch.uk, my_school.org]\n")
    result = run_cli(capsys, draft(school, "See https://my_school.org/news\n"))
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "postcheck: error: rules.yaml: links.allow[1] 'my_school.org' is not a domain: write it like gov.uk or "
        "myschool.sch.uk\n"
    )


def test_bad_register_is_exit_2_with_the_row(school, capsys):
    csv = school / "consent_data" / "register.csv"
    csv.write_text(REGISTER + "P020,Ann,Lee,,pupil,yes,yes,07/31/2030\n")
    result = run_cli(capsys, draft(school, "hello"))
    assert result.code == 2
    assert result.err == (
        "postcheck: error: consent_data/register.csv row 7: consent_expires '07/31/2030' is not a date as "
        "day/month/year: if you meant 31 July 2030, write 2030-07-31\n"
    )


def test_register_and_rules_from_options_and_environment(school, capsys, monkeypatch, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    shutil.copytree(school / "consent_data", elsewhere / "reg")
    shutil.copy(school / "rules.yaml", elsewhere / "policy.yaml")
    (school / "rules.yaml").unlink()
    shutil.rmtree(school / "consent_data")
    path = draft(school, "Well done Oliver!")
    assert run_cli(capsys, path).code == 2
    assert run_cli(capsys, path, "--register", elsewhere / "reg", "--rules", elsewhere / "policy.yaml").code == 0
    monkeypatch.setenv("POSTCHECK_REGISTER", str(elsewhere / "reg"))
    monkeypatch.setenv("POSTCHECK_RULES", str(elsewhere / "policy.yaml"))
    assert run_cli(capsys, path).code == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--date", "12/31/2026"],
         "--date '12/31/2026' is not a date as day/month/year: if you meant 31 December 2026, write 2026-12-31"),
        (["--channel", "tv"], "--channel 'tv' is not one of website, social, newsletter, press, prospectus, display"),
    ],
)
def test_bad_options_are_exit_2(school, capsys, args, message):
    result = run_cli(capsys, draft(school, "hello"), *args)
    assert result.code == 2
    assert result.err == f"postcheck: error: {message}\n"


def test_bad_usage_is_exit_2(school, capsys):
    assert run_cli(capsys, draft(school, "a"), "--format", "pdf").code == 2
    assert run_cli(capsys).code == 2
    two = run_cli(capsys, draft(school, "a", "a.txt"), draft(school, "b", "b.txt"))
    assert two.code == 2 and "one post has one draft" in two.err


# --- fail closed ----------------------------------------------------------------------------------


@needs_faces
def test_an_unreadable_image_fails_the_post(school, capsys):
    bad = school / "photo.jpg"
    bad.write_bytes(b"not really a jpeg")
    result = run_cli(capsys, draft(school, "Fun day!"), bad, "--format", "json")
    assert result.code == 1
    (post,) = json.loads(result.out)["posts"]
    assert [f["rule"] for f in post["findings"]] == ["image.unreadable"]


def test_an_empty_draft_passes(school, capsys):
    assert run_cli(capsys, draft(school, "")).code == 0


def test_a_binary_draft_fails_closed(school, capsys):
    path = school / "draft.txt"
    path.write_bytes(bytes(range(256)) * 20)
    result = run_cli(capsys, path, "--format", "json")
    assert result.code == 1
    assert json.loads(result.out)["posts"][0]["findings"][0]["rule"] == "text.unreadable"


def test_a_windows_1252_draft_is_read(school, capsys):
    path = school / "draft.txt"
    path.write_bytes("Well done to Zo\xeb Hughes \x96 star of the week!\n".encode("latin-1"))
    result = run_cli(capsys, path, "--format", "json")
    assert result.code == 1
    rules = {(f["rule"], f["pupil_id"]) for f in json.loads(result.out)["posts"][0]["findings"]}
    assert ("names.full-name", "P002") in rules


# --- the faces path through the CLI ----------------------------------------------------------------


@needs_faces
def test_two_people_with_different_consents(school, capsys):
    photo = SHARED_FACES / "groups" / "two_people.jpg"
    result = run_cli(capsys, photo, "--format", "json")
    assert result.code == 1
    (post,) = json.loads(result.out)["posts"]
    by_rule = {(f["rule"], f["pupil_id"]) for f in post["findings"]}
    assert ("faces.no-consent", "P011") in by_rule
    assert ("faces.consented", "P010") in by_rule
    assert not any(f["rule"] == "faces.unknown" for f in post["findings"])


@needs_faces
def test_consented_face_alone_passes_and_expiry_is_honoured(school, capsys):
    photo = SHARED_FACES / "people" / "obama-720p.jpg"
    assert run_cli(capsys, photo).code == 0
    result = run_cli(capsys, photo, "--date", "2030-08-01", "--format", "json")
    assert result.code == 1
    assert {f["rule"] for f in json.loads(result.out)["posts"][0]["findings"]} == {"faces.no-consent"}


@needs_faces
def test_a_stranger_fails_unless_the_rules_say_warn(school, capsys):
    photo = SHARED_FACES / "people" / "lin-manuel-miranda.png"
    assert run_cli(capsys, photo).code == 1
    (school / "rules.yaml").write_text(RULES.replace("unknown: fail", "unknown: warn"))
    result = run_cli(capsys, photo, "--format", "json")
    assert result.code == 0
    assert [f["severity"] for f in json.loads(result.out)["posts"][0]["findings"]] == ["warning"]


@needs_faces
def test_annotate_writes_copies_and_never_touches_inputs(school, capsys):
    photo = school / "two.jpg"
    shutil.copy(SHARED_FACES / "groups" / "two_people.jpg", photo)
    text = draft(school, "Oliver Bennett at www.evil-site.co.uk")
    before = digest_tree(photo, text, school / "consent_data" / "register.csv", school / "rules.yaml")
    result = run_cli(capsys, text, photo, "--annotate", school / "annotated")
    assert result.code == 1
    assert digest_tree(photo, text, school / "consent_data" / "register.csv", school / "rules.yaml") == before
    (copy,) = (school / "annotated").iterdir()
    assert copy.suffix in (".jpg", ".png") and copy.stat().st_size > 0


# --- the example and the real console script -------------------------------------------------------


def test_the_readme_example_fails_with_several_reasons(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    before = digest_tree(EXAMPLES, ROOT / "consent_data" / "register.csv")
    result = run_cli(capsys, "examples/draft.txt", "examples/photo.jpg", "--format", "json", "--date", "2026-11-25")
    assert result.code == 1
    rules = {f["rule"] for f in json.loads(result.out)["posts"][0]["findings"]}
    assert {"names.full-name", "names.no-name-consent", "links.not-allowed", "text.personal-data",
            "faces.no-consent", "image.location"} <= rules
    # The round mission patch on her suit is not taken for a face: no unknown face fails the post.
    assert "faces.unknown" not in rules
    assert digest_tree(EXAMPLES, ROOT / "consent_data" / "register.csv") == before


def test_console_script_runs_as_a_process(school):
    path = draft(school, "Well done to Oliver Bennett.")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    done = subprocess.run([sys.executable, "-m", "postcheck", str(path)], capture_output=True, text=True, env=env,
                          cwd=school, timeout=300)
    assert done.returncode == 1
    assert "names.full-name" in done.stdout and "Traceback" not in done.stderr


@needs_faces
@pytest.mark.parametrize(
    "name, expected",
    [
        ("Oliver_Bennett_sports_day.JPG", [("names.full-name", "P001")]),
        ("OliverBennett.jpg", [("names.full-name", "P001")]),
        ("zoe.jpg", [("names.no-name-consent", "P002")]),  # Zoë has no name consent
        ("oliver.jpg", []),  # a consented first name is fine
        ("IMG_2041.jpg", []),
    ],
)
def test_a_pupils_name_in_a_photo_file_name_is_found(school, capsys, name, expected):
    """A photo's file name is published too (the image address on a website)."""
    photo = school / name
    shutil.copy(SHARED_FACES / "people" / "obama-240p.jpg", photo)
    result = run_cli(capsys, photo, "--format", "json")
    (post,) = json.loads(result.out)["posts"]
    found = [(f["rule"], f["pupil_id"]) for f in post["findings"] if f["rule"].startswith("names.")]
    assert found == expected
    assert result.code == (1 if expected else 0)


@needs_faces
def test_fix_renames_a_photo_whose_file_name_names_a_pupil(school, capsys):
    photo = school / "Oliver_Bennett.jpg"
    shutil.copy(SHARED_FACES / "people" / "obama-240p.jpg", photo)
    result = run_cli(capsys, "fix", photo, "--out", school / "safe")
    assert result.code == 0, result.out
    assert [p.name for p in (school / "safe").iterdir()] == ["photo-1.jpg"]
    assert photo.exists()


@needs_faces
def test_photos_pasted_into_a_word_draft_are_checked(school, capsys):
    import docx

    from PIL import Image

    document = docx.Document()
    document.add_paragraph("Sports day was brilliant! Well done Oliver.")
    for name in ("biden.jpg", "obama-240p.jpg"):
        pasted = school / f"pasted-{name}"
        Image.open(SHARED_FACES / "people" / name).convert("RGB").save(pasted, quality=92)
        document.add_picture(str(pasted))
        pasted.unlink()
    path = school / "news.docx"
    document.save(path)
    result = run_cli(capsys, path, "--format", "json")
    assert result.code == 1
    (post,) = json.loads(result.out)["posts"]
    faces = sorted((f["rule"], f["pupil_id"], f["file"]) for f in post["findings"] if f["rule"].startswith("faces."))
    assert faces == [("faces.consented", "P010", f"{path}:image2.jpg"), ("faces.no-consent", "P011", f"{path}:image1.jpg")]


# --- --format github with hostile file names, end to end ------------------------------------------


def test_github_output_of_a_scan_with_hostile_names_starts_no_command(school, capsys):
    from test_formats import assert_only_our_commands

    drafts = school / "drafts"
    drafts.mkdir()
    (drafts / "::error title=x::all good.txt").write_text("Well done Oliver Bennett!\n::warning::fake\n")
    (drafts / "a ##[warning]b.md").write_text("  ##[stop-commands]tok\nSee http://evil.example/::x\n")
    (drafts / "##[stop-commands]x.txt").write_text("\t::add-mask::hidden\n")
    result = run_cli(capsys, "scan", "drafts", "--format", "github")
    assert result.code == 1, result.err
    assert assert_only_our_commands(result.err) == []  # progress lines, which the runner reads too
    ours = assert_only_our_commands(result.out)
    assert any(line.startswith("::error file=drafts/%3A%3Aerror title=x%3A%3Aall good.txt,") for line in ours)
    assert "FAIL drafts/:%3Aerror title=x:%3Aall good.txt" in result.out.splitlines()
    result = run_cli(capsys, "scan", "drafts", "--format", "github", "--output", "annotations.txt")
    assert result.code == 1
    assert assert_only_our_commands(result.out) == [] and assert_only_our_commands(result.err) == []
    assert len(assert_only_our_commands((school / "annotations.txt").read_text(encoding="utf-8"))) == len(ours)
