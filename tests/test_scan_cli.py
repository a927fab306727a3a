"""``postcheck scan DIR`` through the CLI, on a real drafts folder: every format, grouping, ignored files,
redaction, progress, exit codes, models loaded once, and watch mode driven by real file events."""

from __future__ import annotations

import contextlib
import io
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from clirun import run_cli
from conftest import SHARED_FACES, make_school, needs_faces
from postcheck.cli import main
from test_formats import validate_sarif

pytestmark = needs_faces

# Every way a pupil of the test register (conftest.REGISTER) is named; none may appear in redacted output.
PUPIL_NAMES = ("oliver", "ollie", "bennett", "zoë", "zoe", "hughes", "barack", "obama", "joe", "biden")

# post name -> expected verdict, for the folder built by make_drafts()
EXPECTED = {
    "drafts/assembly": "pass",  # .md draft, first name only, allowed link, consented face
    "drafts/fair.txt": "fail",  # loose draft (full name) with fair-1.jpg (a pupil without photo consent)
    "drafts/oliver-bennett.jpg": "fail",  # a loose photo of a consented pupil, but a full name as its file name
    "drafts/sports-day": "fail",  # .docx draft naming a pupil in full, with a consented photo
    "drafts/stranger.png": "fail",  # a loose photo of someone not in the register
    "drafts/notes.pdf": "fail",  # a loose file nothing can check: fails, as postcheck check fails it
    "drafts/trip": "fail",  # .txt draft and an .mp4 showing a pupil without photo consent
}
IGNORED = {
    "drafts/.DS_Store": "hidden file",
    "drafts/empty": "empty folder",
    "drafts/sports-day/~$post.docx": "Word lock file (left while the document is open in Word)",
}


def shrink(source: Path, target: Path, width: int) -> Path:
    """A smaller copy of a shared photo (faces stay well above the detector's minimum), to keep tests quick."""
    with Image.open(source) as image:
        image = image.convert("RGB")
        image.resize((width, round(image.height * width / image.width)), Image.Resampling.LANCZOS).save(target)
    return target


def write_docx(path: Path, *paragraphs: str) -> Path:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(path)
    return path


def write_mp4(path: Path, photo: Path, seconds: int = 2, fps: int = 4) -> Path:
    """A short video of a still photo, encoded with the ffmpeg that imageio-ffmpeg ships."""
    import imageio_ffmpeg

    with Image.open(photo) as image:
        rgb = image.convert("RGB")
        rgb = rgb.resize((rgb.width // 2 * 2, rgb.height // 2 * 2))
    writer = imageio_ffmpeg.write_frames(str(path), rgb.size, fps=fps, macro_block_size=2, pix_fmt_out="yuv420p")
    writer.send(None)
    for _ in range(seconds * fps):
        writer.send(rgb.tobytes())
    writer.close()
    return path


def make_drafts(root: Path) -> Path:
    """The drafts folder of EXPECTED and IGNORED, with real photos from ../shared/faces."""
    drafts = root / "drafts"
    people, groups = SHARED_FACES / "people", SHARED_FACES / "groups"
    (drafts / "sports-day").mkdir(parents=True)
    write_docx(drafts / "sports-day" / "post.docx", "Sports day!", "Well done to Oliver Bennett for winning the race.")
    shutil.copy(people / "obama-240p.jpg", drafts / "sports-day" / "winner.jpg")
    (drafts / "sports-day" / "~$post.docx").write_bytes(b"\x00lock")
    (drafts / "assembly").mkdir()
    (drafts / "assembly" / "post.md").write_text("# Assembly\n\nWell done Oliver! See https://www.gov.uk/school-holidays\n")
    shutil.copy(people / "obama_small.jpg", drafts / "assembly" / "stage.jpg")
    (drafts / "trip").mkdir()
    (drafts / "trip" / "post.txt").write_text("Our trip to the museum.\n")
    write_mp4(drafts / "trip" / "clip.mp4", shrink(people / "biden.jpg", root / "biden-small.jpg", 400))
    (drafts / "fair.txt").write_text("Zoë Hughes won the cake contest at the summer fair.\n", encoding="utf-8")
    shrink(groups / "two_people.jpg", drafts / "fair-1.jpg", 560)
    shutil.copy(people / "obama-240p.jpg", drafts / "oliver-bennett.jpg")
    shrink(people / "lin-manuel-miranda.png", drafts / "stranger.png", 400)
    (drafts / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (drafts / "notes.pdf").write_bytes(b"%PDF-1.4\n")
    (drafts / "empty").mkdir()
    return drafts


class Scans:
    """Runs ``postcheck scan drafts ...`` in-process from the school folder, once per set of arguments."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._runs: dict[tuple, tuple[int, str, str]] = {}

    def __call__(self, *args: str, ci: bool = False) -> tuple[int, str, str]:
        key = (args, ci)
        if key not in self._runs:
            out, err = io.StringIO(), io.StringIO()
            with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                mp.chdir(self.root)
                mp.delenv("CI", raising=False)
                if ci:
                    mp.setenv("CI", "true")
                mp.setenv("POSTCHECK_CACHE_DIR", str(self.root / "cache"))
                try:
                    main(["scan", "drafts", *args])
                except SystemExit as exit_:
                    code = exit_.code
            self._runs[key] = (code, out.getvalue(), err.getvalue())
        return self._runs[key]


@pytest.fixture(scope="module")
def scans(tmp_path_factory) -> Scans:
    root = make_school(tmp_path_factory.mktemp("school"))
    make_drafts(root)
    return Scans(root)


# --- grouping, verdicts and the JSON contract ------------------------------------------------------


def test_json_has_one_entry_per_post_with_the_right_verdicts(scans):
    code, out, _ = scans("--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["verdict"] == "fail"
    assert {post["post"]: post["verdict"] for post in data["posts"]} == EXPECTED
    assert [post["post"] for post in data["posts"]] == sorted(EXPECTED)
    for post in data["posts"]:
        assert set(post) == {"post", "verdict", "findings"}
        for finding in post["findings"]:
            assert {"rule", "severity", "message", "file", "line", "column", "pupil_id"} <= set(finding)
        assert (post["verdict"] == "fail") == any(f["severity"] == "error" for f in post["findings"])


def test_each_file_is_checked_in_its_own_post(scans):
    posts = {post["post"]: post for post in json.loads(scans("--format", "json")[1])["posts"]}
    rules = {name: {(f["rule"], f["file"], f["pupil_id"]) for f in post["findings"]} for name, post in posts.items()}
    assert ("names.full-name", "drafts/sports-day/post.docx", "P001") in rules["drafts/sports-day"]
    assert ("faces.consented", "drafts/sports-day/winner.jpg", "P010") in rules["drafts/sports-day"]
    assert ("names.full-name", "drafts/fair.txt", "P002") in rules["drafts/fair.txt"]
    assert ("faces.no-consent", "drafts/fair-1.jpg", "P011") in rules["drafts/fair.txt"]
    assert ("faces.consented", "drafts/fair-1.jpg", "P010") in rules["drafts/fair.txt"]
    assert ("faces.unknown", "drafts/stranger.png", None) in rules["drafts/stranger.png"]
    assert rules["drafts/oliver-bennett.jpg"] == {("faces.consented", "drafts/oliver-bennett.jpg", "P010"),
                                                  ("names.full-name", "drafts/oliver-bennett.jpg", "P001")}
    video = [f for f in posts["drafts/trip"]["findings"] if f["file"] == "drafts/trip/clip.mp4"]
    assert video and {f["rule"] for f in video} == {"faces.no-consent"}
    assert all(f["pupil_id"] == "P011" and "time" in f for f in video)
    assert not any(f["severity"] == "error" for f in posts["drafts/assembly"]["findings"])


def test_ignored_files_are_listed_with_reasons_in_json_and_text(scans):
    data = json.loads(scans("--format", "json")[1])
    assert {item["file"]: item["reason"] for item in data["ignored"]} == IGNORED
    code, text, _ = scans()
    assert code == 1
    for file, reason in IGNORED.items():
        assert f"not checked: {file} ({reason})" in text


def test_text_names_every_post_and_the_totals(scans):
    _, text, _ = scans()
    for post, verdict in EXPECTED.items():
        assert f"{verdict.upper()}  {post}" in text or f"{verdict.upper()} {post}" in text
    assert "7 posts checked: 6 failed, 1 passed." in text
    assert "\x1b[" not in text


def test_progress_is_plain_lines_on_stderr_when_not_a_terminal(scans):
    _, out, err = scans("--format", "json")
    lines = err.splitlines()
    assert lines == [f"[{i}/{len(EXPECTED)}] {EXPECTED[post].upper()} {post}" for i, post in enumerate(sorted(EXPECTED), 1)]
    assert f"[1/{len(EXPECTED)}]" not in out


# --- SARIF, JUnit, GitHub ----------------------------------------------------------------------


def test_sarif_is_valid_with_rules_metadata_and_locations(scans):
    code, out, _ = scans("--format", "sarif")
    assert code == 1
    log = validate_sarif(out)
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == sorted({r["ruleId"] for r in run["results"]})
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
    data = json.loads(scans("--format", "json")[1])
    assert len(run["results"]) == sum(len(post["findings"]) for post in data["posts"])
    uris = set()
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        uri = physical["artifactLocation"]["uri"]
        # a region only in text drafts: never on a photo, a video, a Word file or a whole post
        assert ("region" in physical) == uri.endswith((".txt", ".md")), uri
        uris.add(uri)
    assert {"drafts/sports-day/post.docx", "drafts/fair-1.jpg", "drafts/trip/clip.mp4", "drafts/stranger.png"} <= uris
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == scans.root.resolve().as_uri() + "/"
    full_name = next(r for r in run["results"] if r["ruleId"] == "names.full-name" and "post.docx" in str(r))
    assert "region" not in full_name["locations"][0]["physicalLocation"]
    assert full_name["properties"] == {"textLine": 2, "textColumn": 14}
    in_text = next(r for r in run["results"] if r["ruleId"] == "names.full-name" and "fair.txt" in str(r))
    assert in_text["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 11  # "Zoë Hughes"
    }


def test_junit_has_one_testcase_per_post_and_a_failure_per_failing_post(scans):
    code, out, _ = scans("--format", "junit", "--no-redact")  # names are hidden by default in JUnit
    assert code == 1
    suites = ET.fromstring(out)
    (suite,) = suites.findall("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == len(EXPECTED) == int(suite.get("tests"))
    failing = sorted(post for post, verdict in EXPECTED.items() if verdict == "fail")
    assert int(suite.get("failures")) == len(failing)
    assert sorted(case.get("name") for case in cases if case.find("failure") is not None) == failing
    # every post is timed, to the millisecond: a short text post can take under half of one (seen in CI: "0.000")
    assert all(float(case.get("time")) >= 0 for case in cases) and float(suite.get("time")) > 0
    assert float(suite.get("time")) == pytest.approx(sum(float(case.get("time")) for case in cases), abs=0.01)
    docx = next(case for case in cases if case.get("name") == "drafts/sports-day").find("failure")
    assert "names.full-name drafts/sports-day/post.docx:2:14" in docx.text
    assert docx.get("message") == f"{len(docx.text.splitlines())} problem" + ("s" if len(docx.text.splitlines()) > 1 else "")


def test_output_file_gets_the_format_and_stdout_the_text_summary(scans):
    code, out, _ = scans("--format", "junit", "--output", "reports/postcheck.xml")
    assert code == 1
    written = (scans.root / "reports" / "postcheck.xml").read_text(encoding="utf-8")
    assert len(ET.fromstring(written).find("testsuite").findall("testcase")) == len(EXPECTED)
    assert "7 posts checked: 6 failed, 1 passed." in out and "<testsuite" not in out


def test_github_annotations_point_at_files(scans):
    code, out, _ = scans("--format", "github")
    assert code == 1
    errors = [line for line in out.splitlines() if line.startswith("::error ")]
    assert any("file=drafts/sports-day/post.docx,line=2,col=14,title=names.full-name::" in line for line in errors)
    assert out.splitlines()[-1].startswith("postcheck: FAIL: 7 posts checked, 6 failed: ")


def test_github_summarises_past_the_annotation_cap(tmp_path, capsys, monkeypatch):
    make_school(tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "many").mkdir()
    for index in range(12):
        (tmp_path / "many" / f"news-{index:02d}.txt").write_text(f"Week {index}: well done to Oliver Bennett.\n")
    result = run_cli(capsys, "scan", "many", "--format", "github")
    assert result.code == 1
    errors = [line for line in result.out.splitlines() if line.startswith("::error")]
    assert len(errors) == 10
    assert errors[-1].endswith("::... and 3 more problems in 3 posts: many/news-09.txt (1), many/news-10.txt (1), many/news-11.txt (1)")
    shown = {line.split("file=")[1].split(",")[0] for line in errors[:9]}
    assert shown == {f"many/news-{i:02d}.txt" for i in range(9)}
    assert result.out.splitlines()[-1] == "postcheck: FAIL: 12 posts checked, 12 failed: 12 problems to fix before posting."


# --- redaction ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github"])
@pytest.mark.parametrize("how", ["--redact", "CI=true"])
def test_no_pupil_name_in_any_redacted_output(scans, fmt, how):
    code, out, err = scans("--format", fmt, "--redact") if how == "--redact" else scans("--format", fmt, ci=True)
    assert code == 1
    if fmt == "sarif":
        validate_sarif(out)
    out = without_locations(fmt, out)
    for name in PUPIL_NAMES:
        assert name not in out.casefold(), f"{name!r} in {fmt} output"
        assert name not in err.casefold(), f"{name!r} in progress output"
    assert "P001" in out and "P002" in out  # pupils are named by id and initials instead
    if fmt == "json":
        posts = {post["post"] for post in json.loads(out)["posts"]}
        assert "drafts/O.B..jpg" in posts and len(posts) == len(EXPECTED)


def without_locations(fmt: str, out: str) -> str:
    """The output without the file locations tools open, which keep real paths under --redact (the
    repository's file names are visible to whoever sees its alerts): names must be hidden everywhere else."""
    if fmt == "sarif":
        log = json.loads(out)
        uris = [r["locations"][0]["physicalLocation"]["artifactLocation"].pop("uri") for r in log["runs"][0]["results"]]
        assert "drafts/oliver-bennett.jpg" in uris  # the real file, so code scanning can show it
        return json.dumps(log, ensure_ascii=False)
    if fmt == "github":
        assert "::error file=drafts/oliver-bennett.jpg," in out
        return re.sub(r"^(::\w+ )file=[^,]*,", r"\1", out, flags=re.MULTILINE)
    return out


def test_redacted_output_file_has_no_pupil_name(scans):
    code, out, _ = scans("--format", "sarif", "--output", "redacted.sarif", "--redact")
    assert code == 1
    written = (scans.root / "redacted.sarif").read_text(encoding="utf-8")
    validate_sarif(written)
    written = without_locations("sarif", written)
    for name in PUPIL_NAMES:
        assert name not in written.casefold() and name not in out.casefold()


def test_names_show_without_redaction(scans):
    _, out, _ = scans("--format", "json")
    assert "Oliver Bennett" in out and "Zoë Hughes" in out and "drafts/oliver-bennett.jpg" in out


# --- exit codes ----------------------------------------------------------------------------------


def test_a_folder_that_passes_exits_0(school, capsys):
    (school / "good" / "assembly").mkdir(parents=True)
    (school / "good" / "assembly" / "post.md").write_text("Well done Oliver! See https://www.gov.uk\n")
    shutil.copy(SHARED_FACES / "people" / "obama_small.jpg", school / "good" / "assembly" / "stage.jpg")
    (school / "good" / "notice.txt").write_text("School closes at 2pm on Friday.\n")
    result = run_cli(capsys, "scan", "good", "--format", "json")
    assert result.code == 0, result.out + result.err
    data = json.loads(result.out)
    assert data["verdict"] == "pass" and [p["verdict"] for p in data["posts"]] == ["pass", "pass"]


@pytest.mark.parametrize(
    "target, message",
    [
        ("missing", "missing does not exist"),
        ("rules.yaml", "rules.yaml is not a folder: to check one file, use postcheck check rules.yaml"),
    ],
)
def test_a_missing_folder_or_a_file_exits_2(school, capsys, target, message):
    result = run_cli(capsys, "scan", target, "--format", "json")
    assert result.code == 2
    assert result.err == f"postcheck: error: {message}\n" and result.out == ""


def test_bad_rules_exits_2_with_one_line(school, capsys):
    (school / "drafts").mkdir()
    (school / "drafts" / "post.txt").write_text("Hello\n")
    (school / "rules.yaml").write_text("links:\n  alow: [gov.uk]\n")
    result = run_cli(capsys, "scan", "drafts", "--format", "sarif")
    assert result.code == 2
    assert result.err == "postcheck: error: rules.yaml: unknown key 'links.alow': did you mean 'links.allow'?\n"
    assert result.out == ""


# --- models, register and encodings load once per scan --------------------------------------------


def test_models_register_and_encodings_load_once_per_scan(school, capsys, monkeypatch):
    import postcheck.enroll
    import postcheck.session
    from postcheck.checks import names

    calls = {"enroll": 0, "register": 0}
    real_enroll, real_register = postcheck.enroll.enroll, postcheck.session.load_register

    def counting_enroll(*args, **kwargs):
        calls["enroll"] += 1
        return real_enroll(*args, **kwargs)

    def counting_register(*args, **kwargs):
        calls["register"] += 1
        return real_register(*args, **kwargs)

    monkeypatch.setattr(postcheck.enroll, "enroll", counting_enroll)
    monkeypatch.setattr(postcheck.session, "load_register", counting_register)
    drafts = school / "drafts"
    for index in range(4):
        (drafts / f"post-{index}").mkdir(parents=True)
        (drafts / f"post-{index}" / "post.txt").write_text(f"Week {index}: thanks to our visitor Priya Sharma.\n")
        shutil.copy(SHARED_FACES / "people" / "obama-240p.jpg", drafts / f"post-{index}" / "photo.jpg")
    names.load_nlp.cache_clear()
    result = run_cli(capsys, "scan", "drafts", "--format", "json")
    assert result.code == 0, result.out + result.err
    assert len(json.loads(result.out)["posts"]) == 4
    assert calls == {"enroll": 1, "register": 1}
    info = names.load_nlp.cache_info()  # every draft names a visitor, which needs the language model
    assert info.misses == 1 and info.hits == 3  # loaded by the first post, reused by the other three


# --- watch mode, with real file events -------------------------------------------------------------


def _read_lines(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))


def _as_from_a_terminal() -> None:
    """Ctrl-C reaches the child as it would from a shell: a library loaded earlier in the test run may have
    left SIGINT ignored or blocked in this process, and both are inherited (seen: the child never saw it)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for(lines: queue.Queue, seen: list[str], predicate, deadline: float) -> str:
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.05, min(1.0, deadline - time.monotonic())))
        except queue.Empty:
            continue
        seen.append(line)
        if predicate(line):
            return line
    raise AssertionError(f"timed out; output so far: {seen}")


def test_watch_rechecks_a_post_when_its_draft_changes(school):
    drafts = school / "drafts"
    (drafts / "assembly").mkdir(parents=True)
    (drafts / "assembly" / "post.md").write_text("Well done Oliver!\n")
    (drafts / "notice.txt").write_text("School closes at 2pm on Friday.\n")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    process = subprocess.Popen(
        [sys.executable, "-m", "postcheck", "scan", "drafts", "--watch", "--watch-for", "120", "--no-redact"],
        cwd=school, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=_as_from_a_terminal,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 90
        first = {_wait_for(lines, seen, lambda l: l.startswith("PASS "), deadline) for _ in range(2)}
        assert first == {"PASS drafts/assembly", "PASS drafts/notice.txt"}
        (drafts / "assembly" / "post.md").write_text("Well done Oliver Bennett!\n")
        changed = _wait_for(lines, seen, lambda l: True, time.monotonic() + 30)
        assert seen[2:] == [changed]  # only the changed post is checked again
        assert changed.startswith("FAIL drafts/assembly (1) names.full-name: ")
        assert "Oliver Bennett" in changed
        process.send_signal(signal.SIGINT)  # Ctrl-C
        assert process.wait(timeout=15) == 130
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "Traceback" not in process.stderr.read()


def test_watch_for_bounds_the_run_and_redacts_in_ci(school, capsys, monkeypatch):
    monkeypatch.setenv("CI", "true")
    (school / "drafts").mkdir()
    (school / "drafts" / "oliver-bennett.txt").write_text("Well done to Oliver Bennett.\n")
    start = time.monotonic()
    result = run_cli(capsys, "scan", "drafts", "--watch", "--watch-for", "1")
    assert time.monotonic() - start < 60
    assert result.code == 1  # a post still failing when watching ends is not a pass
    (line,) = result.out.splitlines()
    assert line.startswith("FAIL drafts/O.B..txt (1) names.full-name: ")
    assert all(name not in result.out.casefold() for name in PUPIL_NAMES)
