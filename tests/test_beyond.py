"""Issue 9 through the CLI with real photos and real videos: safe copies, names with photos, video, waivers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from clirun import run_cli
from conftest import SHARED_FACES, needs_faces
from conftest import RULES, draft
from test_cli import digest_tree

OBAMA_REFERENCE = SHARED_FACES / "people" / "obama.jpg"
BIDEN_REFERENCE = SHARED_FACES / "people" / "biden.jpg"


def findings_of(result) -> list[dict]:
    (post,) = json.loads(result.out)["posts"]
    return post["findings"]


def rules_with(school: Path, extra: str) -> None:
    (school / "rules.yaml").write_text(RULES + extra)


def reference_encoding(path: Path) -> np.ndarray:
    from postcheck import vision

    (encoding,) = vision.encode_reference(np.asarray(Image.open(path).convert("RGB")))
    return encoding


def centre_inside(face, box: dict, margin: float = 0.5) -> bool:
    """Is the detected face's centre inside ``box`` (JSON form) grown by ``margin`` of its size?"""
    grow_x = (box["right"] - box["left"]) * margin
    grow_y = (box["bottom"] - box["top"]) * margin
    cy, cx = face.center
    return box["left"] - grow_x <= cx <= box["right"] + grow_x and box["top"] - grow_y <= cy <= box["bottom"] + grow_y


# --- postcheck fix -----------------------------------------------------------------------------------


@needs_faces
def test_fix_hides_the_refused_face_keeps_the_consented_one_and_cuts_names(school, capsys):
    from postcheck import vision

    photo = school / "two_people.jpg"
    shutil.copy(SHARED_FACES / "groups" / "two_people.jpg", photo)
    text = draft(school, "Well done to Oliver Bennett and Zoë Hughes at sports day!\n")
    inputs = (photo, text, school / "consent_data", school / "rules.yaml")
    before = digest_tree(*inputs)

    original = findings_of(run_cli(capsys, text, photo, "--format", "json"))
    (biden,) = [f for f in original if f["rule"] == "faces.no-consent"]
    (obama,) = [f for f in original if f["rule"] == "faces.consented"]
    assert (biden["pupil_id"], obama["pupil_id"]) == ("P011", "P010")

    result = run_cli(capsys, "fix", text, photo, "--out", school / "safe", "--format", "json")
    assert result.code == 0, result.out + result.err
    assert sorted(p.name for p in (school / "safe").iterdir()) == ["draft.txt", "two_people.jpg"]
    fixed_text = (school / "safe" / "draft.txt").read_text(encoding="utf-8")
    assert fixed_text == "Well done to Oliver and a pupil at sports day!\n"
    assert digest_tree(*inputs) == before

    # measured on the copy with the real detector: nothing left where biden was, obama still there and matched
    fixed = np.asarray(Image.open(school / "safe" / "two_people.jpg").convert("RGB"))
    faces = vision.detect_faces(fixed)
    near_biden = [f for f in faces if centre_inside(f, biden["box"])]
    if near_biden:  # whatever is found there must not be biden
        encodings = vision.encode_faces(fixed, near_biden)
        distances = [float(vision.face_distances([reference_encoding(BIDEN_REFERENCE)], e)[0]) for e in encodings]
        assert min(distances) > 0.6, distances
    assert any(centre_inside(f, obama["box"], margin=0.1) for f in faces)
    copy = findings_of(result)
    assert [(f["rule"], f["pupil_id"]) for f in copy if f["rule"].startswith("faces.")] == [("faces.consented", "P010")]

    # and checking the safe copy as a post of its own passes
    again = run_cli(capsys, school / "safe" / "draft.txt", school / "safe" / "two_people.jpg")
    assert again.code == 0, again.out


def test_fix_keeps_known_as_and_initials_by_consent(school, capsys):
    text = draft(school, "Ollie Bennett and O. Bennett and zoë hughes; Zoë came too. Bennett's bag.\n")
    result = run_cli(capsys, "fix", text, "--out", school / "safe")
    fixed = (school / "safe" / "draft.txt").read_text(encoding="utf-8")
    # the surname alone may be an adult's, so it is left for a person to decide
    # without name consent neither the first name nor initials (issue 13): "a pupil", capitalised at a sentence's start
    assert fixed == "Ollie and Oliver and a pupil; a pupil came too. Bennett's bag.\n"
    # but beside the same pupil's first name in one paragraph the two halves are his full name (issue 14:
    # "Jacob opened the scoring ... Hollins made it two"), so the copy still needs a person: exit 1
    assert result.code == 1, result.out
    assert 'names.full-name' in result.out and 'with the family name "Bennett"' in result.out


def test_fix_exits_1_when_the_copy_still_needs_a_person(school, capsys):
    text = draft(school, "Details at https://evil.example.com/win\n")
    result = run_cli(capsys, "fix", text, "--out", school / "safe")
    assert result.code == 1
    assert "links.not-allowed" in result.out
    assert (school / "safe" / "draft.txt").read_text() == "Details at https://evil.example.com/win\n"


def test_fix_names_every_file_it_could_not_copy_and_exits_1(school, capsys):
    """An animation or an unreadable photo has no safe copy: the copy of the post is incomplete, so say so."""
    text = draft(school, "Sports day!\n")
    frames = [Image.new("RGB", (64, 48), colour) for colour in ((200, 30, 30), (30, 200, 30), (30, 30, 200))]
    frames[0].save(school / "wave.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    (school / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    result = run_cli(capsys, "fix", text, school / "wave.gif", school / "broken.jpg", "--out", school / "safe",
                     "--format", "json")
    assert result.code == 1, result.out + result.err
    left_out = {f["file"]: f["message"] for f in findings_of(result) if f["rule"] == "image.not-copied"}
    safe = school / "safe"
    assert left_out == {
        str(school / "wave.gif"): f"{school / 'wave.gif'} is not in the safe copy in {safe}: it is an animation "
                                  "(3 frames). Edit it by hand, or leave it out of the post.",
        str(school / "broken.jpg"): f"{school / 'broken.jpg'} is not in the safe copy in {safe}: it could not be "
                                    "read. Edit it by hand, or leave it out of the post.",
    }
    assert sorted(p.name for p in safe.iterdir()) == ["draft.txt"]
    alone = run_cli(capsys, "fix", school / "broken.jpg", "--out", school / "safe2")
    assert alone.code == 1 and "broken.jpg is not in the safe copy" in alone.out, alone.out + alone.err


@needs_faces
def test_check_and_scan_write_safe_copies_with_fix_dir(school, capsys):
    text = draft(school, "Oliver Bennett won.\n")
    photo = school / "two.jpg"
    shutil.copy(SHARED_FACES / "groups" / "two_people.jpg", photo)
    result = run_cli(capsys, text, photo, "--fix-dir", school / "safe")
    assert result.code == 1  # the post as written still fails; the copies are beside it
    assert sorted(p.name for p in (school / "safe").iterdir()) == ["draft.txt", "two.jpg"]
    assert run_cli(capsys, school / "safe" / "draft.txt", school / "safe" / "two.jpg").code == 0

    drafts = school / "drafts"
    (drafts / "sports-day").mkdir(parents=True)
    shutil.copy(photo, drafts / "sports-day" / "team.jpg")
    draft(drafts / "sports-day", "Well done Oliver Bennett!\n")
    draft(drafts, "Zoë Hughes read a poem.\n", "poetry.txt")
    before = digest_tree(drafts)
    result = run_cli(capsys, "scan", drafts, "--fix-dir", school / "scan-safe")
    assert result.code == 1
    written = sorted(str(p.relative_to(school / "scan-safe")) for p in (school / "scan-safe").rglob("*") if p.is_file())
    assert written == ["poetry.txt/poetry.txt", "sports-day/draft.txt", "sports-day/team.jpg"]
    assert (school / "scan-safe" / "poetry.txt" / "poetry.txt").read_text(encoding="utf-8") == "A pupil read a poem.\n"
    assert digest_tree(drafts) == before
    assert run_cli(capsys, "scan", school / "scan-safe").code == 0


# --- names.with_photo ------------------------------------------------------------------------------


@needs_faces
@pytest.mark.parametrize("setting, code, severity", [("fail", 1, "error"), ("warn", 0, "warning"), ("off", 0, None)])
def test_a_pupil_named_and_pictured(school, capsys, setting, code, severity):
    rules_with(school, f"names:\n  with_photo: {setting}\n")
    text = draft(school, "What a concert!\nBarack sang beautifully, and Barack played the drums.\n")
    photo = SHARED_FACES / "people" / "obama-720p.jpg"
    result = run_cli(capsys, text, photo, "--format", "json")
    assert result.code == code, result.out
    found = [f for f in findings_of(result) if f["rule"] == "names.with-photo"]
    if severity is None:
        assert found == []
        return
    (finding,) = found  # one per pupil, at the first mention
    assert (finding["severity"], finding["pupil_id"], finding["line"], finding["column"]) == (severity, "P010", 2, 1)
    assert finding["message"] == (
        f'"Barack" (P010) is named in the text and their face is in {photo}: the policy does not name a pupil '
        "whose photo is used, so remove the name or the photo."
    )


@needs_faces
def test_with_photo_needs_the_same_pupil_in_text_and_photo(school, capsys):
    rules_with(school, "names:\n  with_photo: fail\n")
    photo = SHARED_FACES / "people" / "obama-720p.jpg"
    assert run_cli(capsys, draft(school, "Oliver sang beautifully.\n"), photo).code == 0
    full = run_cli(capsys, draft(school, "Barack Obama sang.\n"), photo, "--format", "json")
    assert {(f["rule"], f["pupil_id"]) for f in findings_of(full)} >= {("names.full-name", "P010"),
                                                                        ("names.with-photo", "P010")}


# --- video -----------------------------------------------------------------------------------------

WIDTH, HEIGHT, FPS = 640, 360, 10


def make_video(
    path: Path, face: Path, *, seconds: float = 4.0, face_from: float = 1.5, codec: str | None = None
) -> Path:
    """A real video: a plain grey background, ``face`` visible for exactly one second from ``face_from``."""
    import imageio_ffmpeg

    background = np.full((HEIGHT, WIDTH, 3), 90, dtype=np.uint8)
    picture = Image.open(face).convert("RGB")
    picture.thumbnail((WIDTH, HEIGHT - 20))
    with_face = background.copy()
    top, left = (HEIGHT - picture.height) // 2, (WIDTH - picture.width) // 2
    with_face[top:top + picture.height, left:left + picture.width] = np.asarray(picture)
    kwargs = {"codec": codec} if codec else {}
    writer = imageio_ffmpeg.write_frames(str(path), (WIDTH, HEIGHT), fps=FPS, macro_block_size=1, **kwargs)
    writer.send(None)
    for index in range(round(seconds * FPS)):
        shown = face_from <= index / FPS < face_from + 1.0
        writer.send((with_face if shown else background).tobytes())
    writer.close()
    return path


@needs_faces
@pytest.mark.parametrize("face_from", [1.5, 1.3, 2.0])
def test_a_face_on_screen_for_one_second_is_found_at_its_time(school, capsys, tmp_path, face_from):
    video = make_video(tmp_path / "clip.mp4", OBAMA_REFERENCE, face_from=face_from)
    result = run_cli(capsys, video, "--format", "json")
    assert result.code == 0, result.out
    faces = [f for f in findings_of(result) if f["rule"].startswith("faces.")]
    assert faces and all(f["rule"] == "faces.consented" and f["pupil_id"] == "P010" for f in faces)
    assert all(face_from <= f["time"] < face_from + 1.0 for f in faces), [f["time"] for f in faces]


@needs_faces
@pytest.mark.parametrize("suffix, codec", [(".mp4", None), (".mov", None), (".webm", "libvpx")])
def test_a_refused_pupil_in_a_video_fails_with_the_time(school, capsys, tmp_path, suffix, codec):
    video = make_video(tmp_path / f"clip{suffix}", BIDEN_REFERENCE, codec=codec)
    result = run_cli(capsys, video, "--format", "json")
    assert result.code == 1
    refused = [f for f in findings_of(result) if f["rule"] == "faces.no-consent"]
    assert refused and all(f["pupil_id"] == "P011" and 1.5 <= f["time"] < 2.5 for f in refused)
    text = run_cli(capsys, video)
    assert f"clip{suffix} at 0:01" in text.out or f"clip{suffix} at 0:02" in text.out


@needs_faces
def test_a_damaged_video_fails_closed(school, capsys, tmp_path):
    whole = make_video(tmp_path / "whole.mp4", OBAMA_REFERENCE)
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    garbage = tmp_path / "garbage.webm"
    garbage.write_bytes(b"\x1aE\xdf\xa3 not a real webm" * 50)
    for bad in (truncated, garbage):
        result = run_cli(capsys, bad, "--format", "json")
        assert result.code == 1, result.out
        assert [f["rule"] for f in findings_of(result)] == ["image.unreadable"]


# --- waivers ---------------------------------------------------------------------------------------


def waiver(rule: str, *, approved_by: str = "Mrs Patel (DSL)", reason: str = "Parents asked for the full name",
           expires: str = "2026-12-31", **match: str) -> str:
    lines = [f"  - rule: {rule}", f"    approved_by: {approved_by}", f"    reason: {reason}", f"    expires: {expires}"]
    lines += [f"    {key}: {value}" for key, value in match.items()]
    return "\n".join(lines) + "\n"


def test_a_waived_finding_shows_but_no_longer_fails(school, capsys):
    rules_with(school, "waivers:\n" + waiver("names.full-name", pupil_id="P001"))
    text = draft(school, "Well done to Oliver Bennett.\n")
    result = run_cli(capsys, text, "--date", "2026-06-01", "--format", "json")
    assert result.code == 0, result.out
    (finding,) = findings_of(result)
    assert (finding["rule"], finding["pupil_id"]) == ("names.full-name", "P001")
    assert finding["waived_by"] == "Mrs Patel (DSL)"
    shown = run_cli(capsys, text, "--date", "2026-06-01")
    assert shown.code == 0 and "(waived by Mrs Patel (DSL))" in shown.out and "names.full-name" in shown.out


def test_a_waiver_for_one_pupil_leaves_the_others(school, capsys):
    rules_with(school, "waivers:\n" + waiver("names.full-name", pupil_id="P002"))
    text = draft(school, "Oliver Bennett and Zoë Hughes.\n")
    result = run_cli(capsys, text, "--date", "2026-06-01", "--format", "json")
    assert result.code == 1
    waived = {(f["pupil_id"], f.get("waived_by")) for f in findings_of(result)}
    assert waived == {("P001", None), ("P002", "Mrs Patel (DSL)")}


def test_a_waiver_by_link_matches_that_link_only(school, capsys):
    accepted = waiver("links.not-allowed", link="evil.example.com/win", reason="Partner charity")
    rules_with(school, "waivers:\n" + accepted)
    text = draft(school, "See https://evil.example.com/win?x=1 and [this](https://notevil.example.com/win).\n")
    result = run_cli(capsys, text, "--date", "2026-06-01", "--format", "json")
    assert result.code == 1
    found = [(f["column"], f.get("waived_by")) for f in findings_of(result) if f["rule"] == "links.not-allowed"]
    assert found == [(5, "Mrs Patel (DSL)"), (42, None)]
    for written in ("https://evil.example.com/win", "https://www.evil.example.com/win/", "evil.example.com/win"):
        assert run_cli(capsys, draft(school, f"See {written}\n"), "--date", "2026-06-01").code == 0, written
    assert run_cli(capsys, draft(school, "See https://evil.example.com/winnings\n"), "--date", "2026-06-01").code == 1


def test_a_waiver_by_link_compares_host_and_path_never_a_substring(school, capsys):
    rules_with(school, "waivers:\n" + waiver("links.not-allowed", link="partnercharity.org/appeal", reason="Appeal"))
    for written in ("https://evil.example/partnercharity.org/appeal", "https://evil.example/?r=partnercharity.org/appeal",
                    "https://partnercharity.org.evil.example/appeal", "https://partnercharity.org/appeals",
                    "[partnercharity.org/appeal](https://evil.example/x)"):
        result = run_cli(capsys, draft(school, f"Give at {written}\n"), "--date", "2026-06-01", "--format", "json")
        assert result.code == 1, written
        assert all(f.get("waived_by") is None for f in findings_of(result)), written
    for written in ("https://partnercharity.org/appeal", "https://www.partnercharity.org/appeal/2026?x=1"):
        assert run_cli(capsys, draft(school, f"Give at {written}\n"), "--date", "2026-06-01").code == 0, written


def test_a_waiver_by_post_matches_that_post_only(school, capsys):
    rules_with(school, "waivers:\n" + waiver("links.not-allowed", post="charity.txt", reason="Charity appeal"))
    body = "Donate at https://charity.example.org\n"
    assert run_cli(capsys, draft(school, body, "charity.txt"), "--date", "2026-06-01").code == 0
    assert run_cli(capsys, draft(school, body, "other.txt"), "--date", "2026-06-01").code == 1


def test_an_expired_waiver_is_exit_2_with_one_line(school, capsys):
    rules_with(school, "waivers:\n" + waiver("names.full-name", pupil_id="P001", expires="2026-01-31"))
    result = run_cli(capsys, draft(school, "Oliver Bennett.\n"), "--date", "2026-02-01")
    assert result.code == 2 and result.out == ""
    assert result.err == (
        "postcheck: error: rules.yaml: waivers[0] (names.full-name, approved by Mrs Patel (DSL)) expired on "
        "2026-01-31: renew it with a new approval and date, or remove it\n"
    )
    assert run_cli(capsys, draft(school, "Oliver Bennett.\n"), "--date", "2026-01-31").code == 0


@pytest.mark.parametrize("reason", ['""', "'   '"])
def test_a_waiver_without_a_reason_is_exit_2(school, capsys, reason):
    rules_with(school, "waivers:\n" + waiver("names.full-name", reason=reason))
    result = run_cli(capsys, draft(school, "Oliver Bennett.\n"), "--date", "2026-06-01")
    assert result.code == 2
    assert result.err == (
        "postcheck: error: rules.yaml: waivers[0]: reason is missing or empty: a waiver must say what it accepts, "
        "who approved it and why\n"
    )
