"""Fail closed on bad input, lose nothing, leak nothing: the CLI end to end on hostile inputs."""

from __future__ import annotations

import hashlib
import json
import socket
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from clirun import run_cli
from conftest import SHARED_FACES, draft, needs_faces


def snapshot(root: Path) -> dict[str, str]:
    """Every file below root with its content hash (the encodings cache lives elsewhere in tests)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def findings_of(result) -> list[dict]:
    return json.loads(result.out)["posts"][0]["findings"]


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@needs_faces
def test_a_full_check_uses_no_network_and_writes_nothing_but_the_cache(school, capsys, no_network):
    photo = school / "group.jpg"
    photo.write_bytes((SHARED_FACES / "groups" / "two_people.jpg").read_bytes())
    text = draft(
        school,
        "Well done Oliver Bennett! See https://www.gov.uk/x, bit.ly/abc and www.evil-site.co.uk.\n"
        "Call 07700 900123. #OliverBennett\n",
    )
    before = snapshot(school)
    result = run_cli(capsys, text, photo, "--format", "json")
    assert result.code == 1
    rules = {f["rule"] for f in findings_of(result)}
    assert {"names.full-name", "links.shortener", "links.not-allowed", "text.personal-data", "faces.no-consent"} <= rules
    after = snapshot(school)
    assert after == before  # inputs unchanged, and nothing new next to them (the cache is in POSTCHECK_CACHE_DIR)


@needs_faces
def test_every_frame_of_an_animated_gif_is_checked(school, capsys):
    blank = Image.new("RGB", (640, 480), (90, 140, 200))
    refused = Image.open(SHARED_FACES / "people" / "biden.jpg").convert("RGB").resize((430, 980)).crop((0, 100, 430, 740))
    frame = blank.copy()
    frame.paste(refused.resize((320, 476)), (160, 2))
    path = school / "anim.gif"
    blank.save(path, save_all=True, append_images=[blank, frame, blank], duration=200, loop=0)
    result = run_cli(capsys, path, "--format", "json")
    assert result.code == 1
    assert [(f["rule"], f["pupil_id"]) for f in findings_of(result)] == [("faces.no-consent", "P011")]


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("empty.jpg", b"", "is an empty file"),
        ("text.jpg", b"Dear parents, the trip is on Monday.", "is not an image postcheck can read"),
        ("garbage.png", bytes(range(256)) * 64, "is not an image postcheck can read"),
    ],
)
def test_bad_images_fail_the_post_with_a_clear_reason(school, capsys, name, content, reason):
    path = school / name
    path.write_bytes(content)
    result = run_cli(capsys, path, "--format", "json")
    assert result.code == 1 and "Traceback" not in result.err
    (finding,) = findings_of(result)
    assert finding["rule"] == "image.unreadable" and reason in finding["message"]


@needs_faces
def test_truncated_photo_and_bomb_fail_closed(school, capsys):
    data = (SHARED_FACES / "people" / "obama.jpg").read_bytes()
    cut = school / "cut.jpg"
    cut.write_bytes(data[: len(data) // 3])
    bomb = school / "bomb.png"
    Image.new("1", (12_000, 12_000)).save(bomb)
    result = run_cli(capsys, cut, bomb, "--format", "json")
    assert result.code == 1
    assert sorted(f["rule"] for f in findings_of(result)) == ["image.unreadable", "image.unreadable"]


def test_a_dangling_symlink_is_a_missing_file(school, capsys):
    link = school / "draft.txt"
    link.symlink_to(school / "gone.txt")
    result = run_cli(capsys, link)
    assert result.code == 2 and result.err == f"postcheck: error: {link} does not exist\n"


def test_a_one_megabyte_draft_is_checked(school, capsys):
    paragraph = (
        "This week Year 4 visited the museum and learned about the Romans. Oliver helped with the map, "
        "and our summer fair raised £420 for the library. See https://www.gov.uk/school-term-dates for dates.\n"
    )
    path = draft(school, paragraph * (1_000_000 // len(paragraph)) + "Congratulations to Oliver Bennett.\n")
    assert path.stat().st_size >= 990_000
    result = run_cli(capsys, path, "--format", "json")
    assert result.code == 1
    (finding,) = [f for f in findings_of(result) if f["rule"] == "names.full-name"]
    assert finding["pupil_id"] == "P001" and finding["line"] == path.read_text().count("\n")


def test_a_crashing_check_fails_the_post_and_prints_no_data(school, capsys, monkeypatch):
    from postcheck.checks import links

    def explode(self, post):
        secret = "Oliver Bennett lives at 12 Acacia Avenue"  # a local a pretty traceback would print
        raise RuntimeError(secret)

    monkeypatch.setattr(links.LinksCheck, "run", explode)
    result = run_cli(capsys, draft(school, "Hello from Year 4"), "--format", "json")
    assert result.code == 1
    (finding,) = findings_of(result)
    assert finding["rule"] == "links.check-failed" and finding["severity"] == "error"
    assert "Acacia" not in result.out + result.err and "Traceback" not in result.err


@needs_faces
def test_a_register_photo_removed_during_the_check_fails_closed(school, capsys, monkeypatch, tmp_path):
    """The register is read, then a reference photo disappears before it is encoded: no crash, no pass."""
    from postcheck import enroll as enroll_module

    monkeypatch.setenv("POSTCHECK_CACHE_DIR", str(tmp_path / "fresh-cache"))
    real_digest = enroll_module.digest_file

    def vanish_then_digest(path: Path) -> str:
        if path.name == "P010.jpg" and path.exists():
            path.unlink()
        return real_digest(path)

    monkeypatch.setattr(enroll_module, "digest_file", vanish_then_digest)
    result = run_cli(capsys, SHARED_FACES / "people" / "obama-720p.jpg", "--format", "json")
    assert result.code == 1
    assert [f["rule"] for f in findings_of(result)] == ["faces.unknown"]


@needs_faces
def test_a_corrupted_cache_is_rebuilt_not_trusted(school, capsys, monkeypatch, tmp_path):
    cache = tmp_path / "cache"
    monkeypatch.setenv("POSTCHECK_CACHE_DIR", str(cache))
    photo = SHARED_FACES / "people" / "obama-720p.jpg"
    assert run_cli(capsys, photo).code == 0
    cache_file = cache / "encodings.json"
    data = json.loads(cache_file.read_text())
    # Poison every encoding: a trusted poisoned cache would clear or refuse the wrong people.
    for entry in data["photos"].values():
        entry["encodings"] = [[0.0] * 127]
    cache_file.write_text(json.dumps(data))
    assert run_cli(capsys, photo).code == 0
    cache_file.write_bytes(cache_file.read_bytes()[:50])
    assert run_cli(capsys, photo).code == 0
    assert json.loads(cache_file.read_text())["version"] == 1
    assert oct(cache_file.stat().st_mode & 0o777) == "0o600"


def test_strip_metadata_writes_clean_copies_and_keeps_the_original(school, capsys):
    from postcheck.images import load_picture

    source = Path(__file__).resolve().parent.parent / "examples" / "photo.jpg"
    photo = school / "photo.jpg"
    photo.write_bytes(source.read_bytes())
    before = hashlib.sha256(photo.read_bytes()).hexdigest()
    result = run_cli(capsys, photo, "--strip-metadata", school / "clean", "--format", "json")
    assert any(f["rule"] == "image.location" for f in findings_of(result))
    (copy,) = (school / "clean").iterdir()
    assert not load_picture(copy).has_location
    assert hashlib.sha256(photo.read_bytes()).hexdigest() == before
    assert np.asarray(Image.open(copy)).shape == np.asarray(Image.open(photo)).shape


@needs_faces
def test_scan_writes_annotated_copies_per_post_without_overwriting(school, capsys):
    for name, photo in (("trip", "people/obama-240p.jpg"), ("fair", "people/biden.jpg")):
        (school / "drafts" / name).mkdir(parents=True)
        (school / "drafts" / name / "photo.jpg").write_bytes((SHARED_FACES / photo).read_bytes())
    before = snapshot(school / "drafts")
    result = run_cli(capsys, "scan", "drafts", "--annotate", school / "boxed", "--format", "json")
    assert result.code == 1  # the fair photo shows a pupil without consent
    copies = sorted(str(p.relative_to(school / "boxed")) for p in (school / "boxed").rglob("*") if p.is_file())
    assert len(copies) == 2 and copies[0].startswith("fair/") and copies[1].startswith("trip/")
    assert snapshot(school / "drafts") == before


def test_a_file_of_another_kind_fails_with_a_clear_reason(school, capsys):
    path = school / "newsletter.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << >> endobj\n")
    result = run_cli(capsys, path, "--format", "json")
    assert result.code == 1
    (finding,) = findings_of(result)
    assert finding["rule"] == "image.unreadable"
    assert finding["message"].startswith(f"{path} is neither a draft (.txt, .md, .docx) nor a photo postcheck can read")
