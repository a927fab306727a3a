"""``postcheck register validate|enroll|status`` and consent per channel, through the CLI with real photos.

Registers are built in temporary folders from copies of ../shared/faces (never written to).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from clirun import run_cli
from conftest import SHARED_FACES, needs_faces
from postcheck import enroll as enroll_module
from postcheck.enroll import CACHE_NAME, cache_dir_for, digest_file, enroll
from postcheck.register import load_register

HEADER = "pupil_id,first_name,last_name,photo_consent,name_consent,consent_expires\n"
RULES = "faces:\n  unknown: fail\n  tolerance: 0.5\n"


def build(folder: Path, rows: str, photos: dict[str, str | bytes]) -> Path:
    """A register in ``folder``: register.csv from ``rows``; photos/<name> copied from ../shared/faces, or bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "register.csv").write_text(HEADER + rows, encoding="utf-8")
    (folder / "photos").mkdir(exist_ok=True)
    for name, source in photos.items():
        target = folder / "photos" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(source, bytes):
            target.write_bytes(source)
        else:
            shutil.copyfile(SHARED_FACES / source, target)
    return folder


def plain_png() -> bytes:
    """A real, readable image with no face in it."""
    from io import BytesIO

    out = BytesIO()
    Image.new("RGB", (320, 240), (205, 180, 150)).save(out, "PNG")
    return out.getvalue()


def truncated(source: str, keep: int = 3000) -> bytes:
    return (SHARED_FACES / source).read_bytes()[:keep]


def problem_lines(out: str, *, one_photo: bool = False) -> list[str]:
    """The problem lines; the one-photo warning (most of these registers give a pupil one photo) only
    where a test asks for it: it has tests of its own."""
    return [line for line in out.splitlines()
            if line.startswith("  ") and (one_photo or not line.startswith("  ! register.one-photo "))]


def digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and ".postcheck-cache" not in p.parts}


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    """Run from an empty folder, so no rules.yaml or consent_data/ of the project is picked up."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return tmp_path


@pytest.fixture
def own_cache(tmp_path, monkeypatch) -> Path:
    """A cache folder for this test only (the session-wide one would hide what enroll does)."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("POSTCHECK_CACHE_DIR", str(cache))
    return cache


def validate(capsys, register: Path, *args: str):
    return run_cli(capsys, "register", "validate", "--register", register, "--date", "2026-06-01", *args)


# --- validate: one problem at a time, exact lines ----------------------------------------------------


@needs_faces
def test_a_good_register_passes(here, capsys):
    reg = build(here / "reg", "P1,Al,One,yes,yes,\nP2,Bo,Two,no,no,\n",
                {"P1/a.jpg": "people/obama.jpg", "P1/b.jpg": "people/obama2.jpg", "P2.jpg": "people/biden.jpg"})
    result = validate(capsys, reg)
    assert (result.code, result.err) == (0, "")
    assert result.out == f"{reg / 'register.csv'}: 2 people, 3 reference photos: OK\n"


@needs_faces
def test_one_reference_photo_for_someone_with_photo_consent_is_a_warning(here, capsys):
    reg = build(here / "reg", "P1,Al,One,yes,yes,\nP2,Bo,Two,no,no,\n",
                {"P1.jpg": "people/obama.jpg", "P2.jpg": "people/biden.jpg"})
    result = validate(capsys, reg)
    assert result.code == 0
    assert problem_lines(result.out, one_photo=True) == [
        "  ! register.one-photo  P1 has photo consent and only one reference photo: add a second, different photo "
        "(photos/P1/ can hold several) so a lookalike is not taken for them."
    ]


@needs_faces
def test_a_photo_with_no_face(here, capsys):
    reg = build(here / "reg", "P1,Al,One,yes,yes,\n", {"P1.png": plain_png()})
    result = validate(capsys, reg)
    assert result.code == 1
    assert problem_lines(result.out) == [
        f"  ✗ register.no-face  {reg / 'photos' / 'P1.png'} (P1) shows no face postcheck can find: "
        "use a clear, front-facing photo."
    ]
    assert result.out.endswith(": problems to fix (1 error)\n")


@needs_faces
def test_a_group_photo_as_reference_has_several_faces(here, capsys):
    reg = build(here / "reg", "P1,Al,One,yes,yes,\n", {"P1/group.jpg": "groups/two_people.jpg"})
    result = validate(capsys, reg)
    assert result.code == 1
    assert problem_lines(result.out) == [
        f"  ✗ register.several-faces  {reg / 'photos' / 'P1' / 'group.jpg'} (P1) shows 2 faces: a reference photo "
        "must show only this pupil; crop it."
    ]


@needs_faces
def test_unreadable_photos(here, capsys):
    reg = build(here / "reg", "P1,Al,One,yes,yes,\nP2,Bo,Two,yes,yes,\nP3,Cy,Three,yes,yes,\n", {
        "P1.jpg": truncated("people/biden.jpg"),
        "P2.jpg": b"",
        "P3.png": b"this is not a picture at all",
    })
    photos = reg / "photos"
    result = validate(capsys, reg)
    assert result.code == 1
    assert problem_lines(result.out) == [
        f"  ✗ register.unreadable  {photos / 'P1.jpg'} (P1) is truncated or damaged: save or export it again: "
        "replace it with a clear JPEG or PNG photo.",
        f"  ✗ register.unreadable  {photos / 'P2.jpg'} (P2) is an empty file: "
        "replace it with a clear JPEG or PNG photo.",
        f"  ✗ register.unreadable  {photos / 'P3.png'} (P3) is not an image postcheck can read "
        "(or the file is damaged): replace it with a clear JPEG or PNG photo.",
    ]


@needs_faces
def test_photos_for_pupils_not_in_the_register_and_files_that_are_not_photos(here, capsys):
    reg = build(here / "reg", "P1,Al,One,yes,yes,\n", {
        "P1.jpg": "people/obama.jpg",
        "P9.jpg": "people/biden.jpg",                    # P9 is not in register.csv
        "P8/school-trip.jpg": "people/lin-manuel-miranda.png",  # nor is P8
        "P7 [old].jpg": "people/biden.jpg",              # brackets must be printed as they are
        "notes.txt": b"office notes\n",
        "P1/scan.gif": b"GIF89a",                        # P1 is known, but .gif is no reference photo format
    })
    photos = reg / "photos"
    result = validate(capsys, reg)
    assert result.code == 1
    formats = "(use .jpg, .jpeg, .png, .heic or .webp named by pupil_id)."
    assert problem_lines(result.out) == [
        f"  ✗ register.not-a-photo  {photos / 'P1' / 'scan.gif'} (P1) is not a photo postcheck reads {formats}",
        f"  ✗ register.unknown-pupil  {photos / 'P7 [old].jpg'} is a photo for pupil_id 'P7 [old]', who is not in "
        "register.csv: rename it to <pupil_id>.jpg or remove it.",
        f"  ✗ register.unknown-pupil  {photos / 'P8' / 'school-trip.jpg'} is a photo for pupil_id 'P8', "
        "who is not in register.csv: rename it to <pupil_id>.jpg or remove it.",
        f"  ✗ register.unknown-pupil  {photos / 'P9.jpg'} is a photo for pupil_id 'P9', who is not in "
        "register.csv: rename it to <pupil_id>.jpg or remove it.",
        f"  ✗ register.not-a-photo  {photos / 'notes.txt'} is not a photo postcheck reads {formats}",
    ]


@needs_faces
def test_photo_consent_without_a_reference_photo(here, capsys):
    rows = (
        "P1,Al,One,yes,yes,\n"
        "P2,Bo,Two,website;newsletter,no,\n"  # consent for some channels still needs a face to recognise
        "P3,Cy,Three,no,yes,\n"               # no consent: nothing to recognise them for
        "P4,Di,Four,yes,yes,2026-01-31\n"     # expired: counts as no, so only the expiry warning
        "P5,Ed,Five,yes,yes,\n"
    )
    reg = build(here / "reg", rows, {"P5.jpg": "people/biden.jpg"})
    csv = reg / "register.csv"
    result = validate(capsys, reg)
    assert result.code == 1
    assert problem_lines(result.out) == [
        "  ✗ register.no-photo  P1 has photo consent but no reference photo in photos/: their face can never be "
        "recognised and will show as unknown. Add photos/P1.jpg.",
        "  ✗ register.no-photo  P2 has photo consent but no reference photo in photos/: their face can never be "
        "recognised and will show as unknown. Add photos/P2.jpg.",
        "  ! register.expired  P4: consent expired on 2026-01-31; it now counts as no until a new form is recorded.",
    ]
    assert result.out.splitlines()[-1] == f"{csv}: 5 people, 1 reference photos: problems to fix (2 errors)"


@needs_faces
def test_a_refused_pupil_without_a_photo_is_flagged_when_unknown_faces_only_warn(here, capsys):
    reg = build(here / "reg", "P1,Al,One,yes,yes,\nP3,Cy,Three,no,yes,\n", {"P1.jpg": "people/obama.jpg"})
    assert problem_lines(validate(capsys, reg).out) == []  # unknown faces fail by default: nothing to add
    (here / "warn.yaml").write_text("faces:\n  unknown: warn\n")
    result = validate(capsys, reg, "--rules", str(here / "warn.yaml"))
    assert result.code == 0
    assert problem_lines(result.out) == [
        "  ! register.refused-no-photo  P3 has no photo consent and no reference photo: with faces: {unknown: warn} "
        "in rules.yaml their face would only be a warning. Add photos/P3.jpg so they are recognised and fail the post."
    ]


@needs_faces
def test_the_same_person_filed_under_two_pupils(here, capsys):
    reg = build(here / "reg", "P1,Al,One,yes,yes,\nP2,Bo,Two,no,no,\nP3,Cy,Three,yes,yes,\n", {
        "P1.jpg": "people/obama.jpg", "P2.jpg": "people/obama2.jpg", "P3.jpg": "people/biden.jpg",
    })
    photos = reg / "photos"
    result = validate(capsys, reg)
    assert result.code == 1
    (line,) = problem_lines(result.out)
    assert re.fullmatch(
        re.escape(f"  ✗ register.lookalike  P1 ({photos / 'P1.jpg'}) and P2 ({photos / 'P2.jpg'}) have "
                  "near-identical reference faces (distance ") + r"0\.[0-4]\d" + re.escape(
            "): twins, or a photo filed under the wrong pupil? postcheck cannot tell them apart, so the stricter "
            "consent applies to both."),
        line,
    ), line


@needs_faces
def test_consent_warnings_expired_and_expiring_within_30_days(here, capsys):
    rows = (
        "P1,Al,One,no,no,2026-05-31\n"   # expired yesterday
        "P2,Bo,Two,no,no,2026-06-01\n"   # runs out today (the last day still counts)
        "P3,Cy,Three,no,no,2026-07-01\n"  # in 30 days
        "P4,Di,Four,no,no,2026-07-02\n"  # in 31 days: not yet
        "P5,Ed,Five,yes,yes,2026-06-02\n"
    )
    reg = build(here / "reg", rows, {"P5.jpg": "people/biden.jpg"})
    result = validate(capsys, reg)
    assert result.code == 0
    assert problem_lines(result.out) == [
        "  ! register.expired  P1: consent expired on 2026-05-31; it now counts as no until a new form is recorded.",
        "  ! register.expiring  P2: consent expires on 2026-06-01 (today): ask the family to renew it.",
        "  ! register.expiring  P3: consent expires on 2026-07-01 (in 30 days): ask the family to renew it.",
        "  ! register.expiring  P5: consent expires on 2026-06-02 (in 1 day): ask the family to renew it.",
    ]
    assert result.out.endswith(": OK\n")


def test_a_schema_problem_is_exit_2_before_any_photo_is_read(here, capsys, monkeypatch):
    reg = build(here / "reg", "P1,Al,One,maybe,yes,\n", {"P1.jpg": b"not read"})
    monkeypatch.setattr(enroll_module, "enroll", lambda *a, **k: pytest.fail("photos were read"))
    result = validate(capsys, reg)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"postcheck: error: {reg / 'register.csv'} row 2: photo_consent 'maybe' is not yes or no or a list of channels "
        "(website, social, newsletter, press, prospectus, display), e.g. website;newsletter\n"
    )


@needs_faces
def test_a_register_with_every_problem_at_once(here, capsys):
    """What the office's first attempt looks like: every problem reported, no crash, exit 1."""
    rows = "".join(f"P{i},First{i},Last{i},yes,yes,{'2026-06-10' if i == 2 else ''}\n" for i in range(1, 8))
    reg = build(here / "reg", rows, {
        "P1.jpg": "people/obama.jpg", "P2.jpg": "people/obama3.jpg", "P3.jpg": "groups/two_people.jpg",
        "P4.png": plain_png(), "P5.jpg": truncated("people/obama-480p.jpg"), "P6/a.png": "people/32bit.png",
        "P6/b.jpg": "people/biden.jpg", "X1.jpg": "people/biden.jpg", "readme.docx": b"PK\x03\x04",
    })
    before = digests(reg)
    result = validate(capsys, reg)
    assert result.code == 1 and "Traceback" not in result.err
    rules = [line.split()[1] for line in problem_lines(result.out)]
    assert sorted(rules) == sorted([
        "register.lookalike", "register.lookalike", "register.lookalike",  # P1, P2 and P6/a.png are all obama
        "register.expiring", "register.several-faces", "register.no-face", "register.unreadable",
        "register.no-photo", "register.unknown-pupil", "register.not-a-photo",
    ])
    assert "P7 has photo consent but no reference photo" in result.out
    assert digests(reg) == before


# --- enroll: the cache -------------------------------------------------------------------------------

ROWS3 = "P1,Al,One,yes,yes,\nP2,Bo,Two,no,no,\nP3,Cy,Three,yes,yes,\n"
PHOTOS3 = {"P1.jpg": "people/obama_small.jpg", "P2.jpg": "people/biden.jpg",
           "P3/a.png": "people/lin-manuel-miranda.png"}


def enroll_cli(capsys, register: Path):
    return run_cli(capsys, "register", "enroll", "--register", register)


def cache_entries(cache: Path) -> dict:
    data = json.loads((cache / CACHE_NAME).read_text())
    assert data["version"] == enroll_module.CACHE_VERSION and data["model"] == enroll_module.MODEL_ID
    return data["photos"]


@needs_faces
def test_second_enroll_encodes_nothing(here, own_cache, capsys, monkeypatch):
    reg = build(here / "reg", ROWS3, PHOTOS3)
    result = enroll_cli(capsys, reg)
    assert result.code == 0
    cache = own_cache / CACHE_NAME
    assert result.out == f"Enrolled 3 people: 3 photo(s) encoded, 0 unchanged, 0 dropped; cache {cache}\n"
    result = enroll_cli(capsys, reg)
    assert result.out == f"Enrolled 3 people: 0 photo(s) encoded, 3 unchanged, 0 dropped; cache {cache}\n"

    # The counter is the code's own; count the calls into the encoder as well.
    from postcheck import vision

    calls = []
    real = vision.encode_reference
    monkeypatch.setattr(vision, "encode_reference", lambda rgb: calls.append(1) or real(rgb))
    again = enroll(load_register(reg))
    assert (again.encoded, again.reused, again.dropped, calls) == (0, 3, 0, [])
    assert sorted(again.references()) == ["P1", "P2", "P3"]


@needs_faces
def test_a_changed_photo_is_encoded_once_and_an_unchanged_one_never(here, own_cache, capsys):
    reg = build(here / "reg", ROWS3, PHOTOS3)
    first = enroll(load_register(reg))
    assert first.encoded == 3
    old = digest_file(reg / "photos" / "P1.jpg")
    os.utime(reg / "photos" / "P2.jpg", (1, 1))  # a touched file is not a changed photo: the key is the content
    shutil.copyfile(SHARED_FACES / "people" / "obama-240p.jpg", reg / "photos" / "P1.jpg")
    second = enroll(load_register(reg))
    assert (second.encoded, second.reused, second.dropped) == (1, 2, 1)
    entries = cache_entries(own_cache)
    assert old not in entries and digest_file(reg / "photos" / "P1.jpg") in entries and len(entries) == 3
    assert enroll_cli(capsys, reg).out.startswith("Enrolled 3 people: 0 photo(s) encoded, 3 unchanged, 0 dropped;")


@needs_faces
def test_a_removed_photo_drops_out(here, own_cache, capsys):
    reg = build(here / "reg", ROWS3, PHOTOS3)
    enroll(load_register(reg))
    gone = digest_file(reg / "photos" / "P2.jpg")
    (reg / "photos" / "P2.jpg").unlink()
    result = enroll_cli(capsys, reg)
    assert result.out.startswith("Enrolled 3 people: 0 photo(s) encoded, 2 unchanged, 1 dropped;")
    entries = cache_entries(own_cache)
    assert gone not in entries and len(entries) == 2


@needs_faces
def test_the_same_photo_under_two_pupils_is_encoded_once(here, own_cache, capsys):
    reg = build(here / "reg", "P1,Al,One,yes,yes,\nP2,Bo,Two,no,no,\n",
                {"P1.jpg": "people/biden.jpg", "P2.jpg": "people/biden.jpg"})
    result = enroll(load_register(reg))
    assert (result.encoded, result.reused, result.dropped) == (1, 0, 0)
    assert sorted(result.references()) == ["P1", "P2"]
    assert "distance 0.00" in validate(capsys, reg).out


def _valid_cache_text(reg: Path, cache: Path) -> str:
    enroll(load_register(reg))
    return (cache / CACHE_NAME).read_text()


def _edit(valid: str, change) -> str:
    data = json.loads(valid)
    data["photos"] = change(data["photos"])
    return json.dumps(data)


BAD_CACHES = {
    "truncated": lambda valid: valid[: len(valid) // 2],
    "empty": lambda valid: "",
    "binary": lambda valid: "\x00\xff\xfe garbage",
    "a list": lambda valid: "[1, 2, 3]",
    "another model": lambda valid: valid.replace(enroll_module.MODEL_ID, "someone_elses_model"),
    "another version": lambda valid: valid.replace('"version": 1', '"version": 99'),
    "short encodings": lambda valid: re.sub(r'"encodings": \[\[[^\]]*\]\]', '"encodings": [[0.1, 0.2, 0.3]]', valid),
    "huge number": lambda valid: re.sub(r'"encodings": \[\[[-0-9.e]+', '"encodings": [[1' + "0" * 400, valid),
    "not finite": lambda valid: re.sub(r'"encodings": \[\[[-0-9.e]+', '"encodings": [[NaN', valid),
    "entry not a mapping": lambda valid: _edit(valid, lambda photos: {d: [e] for d, e in photos.items()}),
    "key not a digest": lambda valid: _edit(valid, lambda photos: {d[:12]: e for d, e in photos.items()}),
    "encodings not numbers": lambda valid: _edit(valid, lambda photos: {d: {"encodings": "abc"} for d in photos}),
    "deeply nested": lambda valid: "[" * 200_000,
}


@needs_faces
@pytest.mark.parametrize("kind", BAD_CACHES)
def test_a_bad_cache_is_rebuilt_never_trusted(here, own_cache, capsys, kind):
    reg = build(here / "reg", "P1,Al,One,yes,yes,\n", {"P1.jpg": "people/obama_small.jpg"})
    valid = _valid_cache_text(reg, own_cache)
    bad = BAD_CACHES[kind](valid)
    assert bad != valid
    (own_cache / CACHE_NAME).write_text(bad)
    result = enroll_cli(capsys, reg)
    assert (result.code, result.err) == (0, "")
    assert result.out.startswith("Enrolled 1 people: 1 photo(s) encoded, 0 unchanged")
    assert (own_cache / CACHE_NAME).read_text() == valid
    assert enroll(load_register(reg)).encoded == 0


@needs_faces
def test_a_cache_that_cannot_be_written_is_a_warning_not_a_crash(here, own_cache, capsys):
    reg = build(here / "reg", "P1,Al,One,yes,yes,\n", {"P1.jpg": "people/obama_small.jpg"})
    (own_cache / CACHE_NAME).mkdir(parents=True)  # a folder where the cache file should be
    result = enroll_cli(capsys, reg)
    assert result.code == 0
    cache = own_cache / CACHE_NAME
    assert result.err.startswith(f"postcheck: warning: the encodings cache {cache} could not be written")
    assert result.out.startswith("Enrolled 1 people: 1 photo(s) encoded")
    assert sorted(p.name for p in own_cache.iterdir()) == [".gitignore", ".lock", CACHE_NAME]  # no temporary file left behind


@needs_faces
def test_cache_is_owner_only_beside_the_register_which_is_left_untouched(here, capsys, monkeypatch):
    monkeypatch.delenv("POSTCHECK_CACHE_DIR")
    reg = build(here / "reg", ROWS3, PHOTOS3)
    before = digests(reg)
    assert enroll_cli(capsys, reg).code == 0
    cache = reg / ".postcheck-cache"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert stat.S_IMODE((cache / CACHE_NAME).stat().st_mode) == 0o600
    assert len(cache_entries(cache)) == 3
    assert sorted(p.name for p in cache.iterdir()) == [".gitignore", ".lock", CACHE_NAME]
    assert digests(reg) == before
    assert sorted(p.name for p in reg.iterdir()) == [".postcheck-cache", "photos", "register.csv"]


@pytest.mark.parametrize("exists", [False, True], ids=["new-cache", "old-cache-without-gitignore"])
def test_the_cache_keeps_itself_out_of_git(tmp_path, monkeypatch, exists):
    """Face encodings are biometric data: a register kept in git must not commit them by accident."""
    monkeypatch.delenv("POSTCHECK_CACHE_DIR")
    reg = build(tmp_path / "reg", "P1,A,B,yes,yes,\n", {})
    if exists:
        (reg / ".postcheck-cache").mkdir(mode=0o700)
    subprocess.run(["git", "init", "-q", str(reg)], check=True)
    enroll(load_register(reg))
    assert (reg / ".postcheck-cache" / ".gitignore").read_text().splitlines()[-1] == "*"
    status = subprocess.run(["git", "-C", str(reg), "status", "--porcelain", "--untracked-files=all"],
                            check=True, capture_output=True, text=True).stdout
    assert "register.csv" in status and ".postcheck-cache" not in status


def test_cache_location_read_only_register_falls_back_to_the_user_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("POSTCHECK_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    reg = build(tmp_path / "reg", "P1,Al,One,yes,yes,\n", {})
    register = load_register(reg)
    assert cache_dir_for(register) == reg / ".postcheck-cache"  # writable: beside the register

    real_access = os.access
    read_only = {reg, reg / ".postcheck-cache"}
    # Running as root, chmod does not stop writes: say what a read-only folder would say.
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if Path(path) in read_only and mode & os.W_OK
                        else real_access(path, mode, **kw))
    key = hashlib.sha256(str(reg.resolve()).encode()).hexdigest()[:16]
    assert cache_dir_for(register) == tmp_path / "xdg" / "postcheck" / key
    (reg / ".postcheck-cache").mkdir()  # an existing local cache folder the user cannot write to
    assert cache_dir_for(register) == tmp_path / "xdg" / "postcheck" / key

    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir_for(register) == tmp_path / "home" / ".cache" / "postcheck" / key
    monkeypatch.setenv("POSTCHECK_CACHE_DIR", str(tmp_path / "chosen"))
    assert cache_dir_for(register) == tmp_path / "chosen"


def test_user_cache_folder_is_the_platforms_and_honours_xdg(tmp_path, monkeypatch):
    import platformdirs

    from postcheck.enroll import user_cache_folder

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", "")  # set but empty: the default, as before
    assert user_cache_folder() == platformdirs.user_cache_path("postcheck", appauthor=False)
    if sys.platform.startswith("linux"):
        assert user_cache_folder() == tmp_path / "home" / ".cache" / "postcheck"
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert user_cache_folder() == tmp_path / "xdg" / "postcheck"


@needs_faces
def test_enroll_of_a_read_only_register_writes_the_user_cache(here, capsys, monkeypatch):
    monkeypatch.delenv("POSTCHECK_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(here / "xdg"))
    reg = build(here / "reg", "P1,Al,One,yes,yes,\n", {"P1.jpg": "people/obama_small.jpg"})
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if Path(path) == reg and mode & os.W_OK
                        else real_access(path, mode, **kw))
    before = digests(reg)
    result = enroll_cli(capsys, reg)
    assert result.code == 0
    (cache,) = (here / "xdg" / "postcheck").iterdir()
    assert result.out.endswith(f"; cache {cache / CACHE_NAME}\n")
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert stat.S_IMODE((cache / CACHE_NAME).stat().st_mode) == 0o600
    assert not (reg / ".postcheck-cache").exists() and digests(reg) == before


@needs_faces
def test_two_processes_enrolling_at_once_leave_a_valid_cache(here, own_cache):
    reg = build(here / "reg", ROWS3, PHOTOS3)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    command = [sys.executable, "-m", "postcheck", "register", "enroll", "--register", str(reg)]
    runs = [subprocess.Popen(command, env=env, cwd=here, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert all(err == "" for _, err in outputs), outputs
    encoded = sorted(int(re.search(r"(\d+) photo\(s\) encoded", out)[1]) for out, _ in outputs)
    assert encoded == [0, 3]  # the lock serialises them: the second finds the first one's work
    assert len(cache_entries(own_cache)) == 3
    assert enroll(load_register(reg)).encoded == 0


@needs_faces
def test_a_check_with_a_stale_cache_updates_it(here, own_cache, capsys):
    reg = build(here / "reg", "P1,Al,One,yes,yes,\n", {"P1.jpg": "people/biden.jpg"})
    (here / "rules.yaml").write_text(RULES)
    enroll(load_register(reg))
    shutil.copyfile(SHARED_FACES / "people" / "obama.jpg", reg / "photos" / "P1.jpg")  # the office refiled P1
    result = run_cli(capsys, SHARED_FACES / "people" / "obama-720p.jpg", "--register", reg, "--rules",
                     here / "rules.yaml", "--format", "json")
    assert result.code == 0
    (finding,) = json.loads(result.out)["posts"][0]["findings"]
    assert (finding["rule"], finding["pupil_id"]) == ("faces.consented", "P1")
    assert enroll(load_register(reg)).encoded == 0


# --- status ------------------------------------------------------------------------------------------

STATUS_ROWS = (
    "P1,Al,One,yes,yes,2026-06-20\n"
    "P2,Bo,Two,website;newsletter,no,2026-05-01\n"
    "P3,Cy,Three [twin],no,yes,2027-01-01\n"
)


def table_rows(out: str) -> dict[str, list[str]]:
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if cells and re.fullmatch(r"P\d", cells[0]):
            rows[cells[0]] = cells
    return rows


def test_status_table(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    reg = build(tmp_path / "reg", STATUS_ROWS, {"P1.jpg": b"x", "P1/b.jpg": b"x", "P3.png": b"x"})
    result = run_cli(capsys, "register", "status", "--register", reg, "--date", "2026-06-01")
    assert result.code == 0
    assert f"{reg / 'register.csv'} on 2026-06-01" in result.out
    assert table_rows(result.out) == {
        "P1": ["P1", "Al One", "pupil", "yes", "yes", "2026-06-20", "2"],
        "P2": ["P2", "Bo Two", "pupil", "newsletter;website", "no", "2026-05-01 (expired)", "0"],
        "P3": ["P3", "Cy Three [twin]", "pupil", "no", "yes", "2027-01-01", "1"],
    }


def test_status_expiring(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    reg = build(tmp_path / "reg", STATUS_ROWS, {})
    result = run_cli(capsys, "register", "status", "--register", reg, "--date", "2026-06-01", "--expiring")
    assert result.code == 0
    assert sorted(table_rows(result.out)) == ["P1", "P2"]
    result = run_cli(capsys, "register", "status", "--register", reg, "--date", "2026-01-01", "--expiring")
    assert table_rows(result.out) == {}
    assert result.out.endswith("No consent runs out in the next 30 days.\n")


def test_status_of_a_broken_register_is_exit_2(tmp_path, capsys):
    reg = build(tmp_path / "reg", "P1,Al,One,yes,yes,07/31/2026\n", {})
    result = run_cli(capsys, "register", "status", "--register", reg)
    assert (result.code, result.out) == (2, "")
    assert result.err == (f"postcheck: error: {reg / 'register.csv'} row 2: consent_expires '07/31/2026' is not a date "
                          "as day/month/year: if you meant 31 July 2026, write 2026-07-31\n")


# --- consent per channel, and a stray photo, through the check command ----------------------------------


@pytest.fixture
def channel_school(here):
    (here / "rules.yaml").write_text(RULES)
    rows = "P6,Mo,Khan,website;newsletter,yes,\nP7,Jo,Bloggs,yes,yes,\n"
    # P9.jpg (biden) belongs to nobody in register.csv: it must not crash a check, nor clear anyone.
    return build(here / "reg", rows, {"P6.jpg": "people/obama.jpg", "P7.jpg": "people/lin-manuel-miranda.png",
                                      "P9.jpg": "people/biden.jpg"})


def faces_of(result) -> set[tuple[str, str | None]]:
    return {(f["rule"], f["pupil_id"]) for f in json.loads(result.out)["posts"][0]["findings"]}


@needs_faces
@pytest.mark.parametrize("channel, code, rule", [
    (None, 1, "faces.no-consent"),  # social is the default
    ("social", 1, "faces.no-consent"),
    ("website", 0, "faces.consented"),
    ("newsletter", 0, "faces.consented"),
    ("press", 1, "faces.no-consent"),
])
def test_consent_for_some_channels(channel_school, here, capsys, channel, code, rule):
    args = ["--channel", channel] if channel else []
    result = run_cli(capsys, SHARED_FACES / "people" / "obama-720p.jpg", "--register", channel_school,
                     "--rules", here / "rules.yaml", "--format", "json", *args)
    assert result.code == code
    assert faces_of(result) == {(rule, "P6")}


@needs_faces
def test_yes_means_every_channel_and_a_stray_photo_clears_nobody(channel_school, here, capsys):
    result = run_cli(capsys, SHARED_FACES / "groups" / "two_people.jpg", "--register", channel_school,
                     "--rules", here / "rules.yaml", "--format", "json", "--channel", "website")
    assert result.code == 1  # biden (P9.jpg) is in no row of register.csv: an unknown face
    assert faces_of(result) == {("faces.consented", "P6"), ("faces.unknown", None)}
    result = run_cli(capsys, SHARED_FACES / "people" / "lin-manuel-miranda.png", "--register", channel_school,
                     "--rules", here / "rules.yaml", "--format", "json", "--channel", "press")
    assert (result.code, faces_of(result)) == (0, {("faces.consented", "P7")})
