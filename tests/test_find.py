"""``postcheck find``: a takedown list from a real archive tree (photos, a video, Word files, saved web pages)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from clirun import run_cli
from conftest import SHARED_FACES, make_school, needs_faces

PEOPLE = SHARED_FACES / "people"

PAGE = """<!doctype html>
<html><head><title>Sports day</title>
<script>var runner = "Oliver Bennett";</script></head>
<body>
<h1>Sports day</h1>
<p>Well done to Oliver Bennett for
the sack race.</p>
<img src="../photos/finish.jpg" alt="Zo&euml; crossing the line">
</body></html>
"""

OLIVER = PAGE.splitlines()[5].index("Oliver") + 1
ZOE = PAGE.splitlines()[7].index("Zo&euml;") + 1


def make_archive(root: Path) -> Path:
    """A school's published material: photos, a video, a Word newsletter, a web page, a post, and odd files."""
    from test_beyond import make_video

    archive = root / "archive"
    photos = archive / "2025" / "photos"
    photos.mkdir(parents=True)
    shutil.copy(PEOPLE / "obama2.jpg", photos / "assembly.jpg")
    shutil.copy(SHARED_FACES / "groups" / "two_people.jpg", photos / "visit.jpg")
    shutil.copy(SHARED_FACES / "wild" / "no_faces" / "gorilla.jpg", photos / "zoo.jpg")
    (photos / "broken.jpg").write_bytes(b"")
    make_video(archive / "2025" / "clip.mp4", PEOPLE / "biden.jpg")
    news = archive / "website" / "news"
    news.mkdir(parents=True)
    (news / "sports-day.html").write_text(PAGE, encoding="utf-8")
    (news / "style.css").write_text("body { color: black }\n")
    posts = archive / "social"
    posts.mkdir()
    (posts / "choir.txt").write_text("Our choir sang today.\nBarack sang the solo.\n", encoding="utf-8")
    import docx

    document = docx.Document()
    document.add_paragraph("Autumn newsletter")
    document.add_paragraph("Congratulations to Zoë Hughes on her swimming badge.")
    from PIL import Image

    pasted = root / "pasted.jpg"  # re-saved as python-docx reads it; the shared photo is never copied in
    Image.open(PEOPLE / "obama-480p.jpg").convert("RGB").save(pasted, quality=92)
    document.add_picture(str(pasted))
    pasted.unlink()
    document.save(archive / "newsletter.docx")
    (archive / ".DS_Store").write_bytes(b"\0")
    return archive


@pytest.fixture(scope="module")
def town(tmp_path_factory) -> Path:
    """One school with its archive for the module: the index is built once and reused, as in real use."""
    if not (SHARED_FACES / "labels.json").is_file():
        pytest.skip(f"real test photos not found at {SHARED_FACES}")
    root = tmp_path_factory.mktemp("school")
    make_school(root)
    make_archive(root)
    return root


def find(capsys, town: Path, *args, archive: Path | None = None):
    return run_cli(capsys, "find", archive or town / "archive", "--register", town / "consent_data", *args)


def matches_of(result) -> list[dict]:
    return json.loads(result.out)["matches"]


@needs_faces
def test_a_refused_pupil_is_found_in_a_photo_and_a_video_at_its_time(town, capsys):
    result = find(capsys, town, "--pupil", "P011", "--format", "json")
    assert result.code == 1, result.err
    data = json.loads(result.out)
    faces = [m for m in data["matches"] if m["kind"] == "face"]
    files = {Path(m["file"]).name for m in faces}
    assert files == {"visit.jpg", "clip.mp4"}, faces
    assert all(m["pupil_id"] == "P011" and m["distance"] <= 0.6 and set(m["box"]) == {"top", "right", "bottom", "left"}
               for m in faces)
    assert all(1.5 <= m["time"] < 2.5 for m in faces if m["file"].endswith("clip.mp4"))
    assert "time" not in next(m for m in faces if m["file"].endswith("visit.jpg"))
    assert data["unreadable"] == [str(town / "archive" / "2025" / "photos" / "broken.jpg")]
    # photos 4 (one empty), the video, a .docx, a .txt and a page: 8 searched, 7 read
    assert data["files_checked"] == 7
    assert data["not_searched"] == [str(town / "archive" / "website" / "news" / "style.css")]


@needs_faces
def test_a_pupil_is_found_by_face_in_a_photo_pasted_into_a_word_file_and_by_first_name(town, capsys):
    result = find(capsys, town, "--pupil", "P010", "--format", "json")
    assert result.code == 1
    found = {(Path(m["file"]).name, m["kind"]) for m in matches_of(result)}
    assert {("assembly.jpg", "face"), ("visit.jpg", "face"), ("choir.txt", "name")} <= found
    assert any(name.startswith("newsletter.docx:") and kind == "face" for name, kind in found), found
    barack = next(m for m in matches_of(result) if m["file"].endswith("choir.txt"))
    assert (barack["line"], barack["column"]) == (2, 1)


@needs_faces
def test_names_in_a_web_page_and_its_alt_text_are_found_at_their_place_in_the_html(town, capsys):
    result = find(capsys, town, "--pupil", "P001", "--pupil", "P002", "--format", "json")
    assert result.code == 1
    page = [m for m in matches_of(result) if m["file"].endswith("sports-day.html")]
    assert {(m["pupil_id"], m["line"], m["column"]) for m in page} == {("P001", 6, OLIVER), ("P002", 8, ZOE)}
    assert not any(m["line"] == 3 for m in page)  # script text is not published text
    assert result.err == (f"postcheck: warning: no reference photo for P001, P002 in {town / 'consent_data'}: "
                          "only names were searched for, not faces\n")
    assert json.loads(result.out)["no_reference_photo"] == ["P001", "P002"]
    word = [m for m in matches_of(result) if m["file"].endswith("newsletter.docx")]
    assert {m["pupil_id"] for m in word} == {"P002"}


@needs_faces
def test_refused_takes_everyone_without_consent_on_the_date(town, capsys):
    today = find(capsys, town, "--refused", "--date", "2026-09-01", "--format", "json")
    assert today.code == 1
    # P002 has no name consent, P011 no photo consent; P001 and P010 have both until 2030-07-31.
    assert {m["pupil_id"] for m in matches_of(today)} == {"P002", "P011"}
    later = find(capsys, town, "--refused", "--date", "01/08/2030", "--format", "json")
    assert {m["pupil_id"] for m in matches_of(later)} == {"P001", "P002", "P010", "P011"}


@needs_faces
def test_text_output_groups_matches_by_file(town, capsys):
    result = find(capsys, town, "--pupil", "P011")
    assert result.code == 1
    lines = result.out.splitlines()
    video = lines.index(str(town / "archive" / "2025" / "clip.mp4"))
    assert lines[video + 1].startswith("  P011  face at 0:0")
    assert "distance 0." in lines[video + 1]
    assert f"  {town / 'archive' / '2025' / 'photos' / 'broken.jpg'}: is an empty file" in lines
    assert any(line.startswith("2 matches for 1 pupil in 2 files") or "matches for 1 pupil in 2 files" in line
               for line in lines), lines


@needs_faces
def test_csv_has_one_row_per_match(town, capsys, tmp_path):
    out = tmp_path / "takedown.csv"
    result = find(capsys, town, "--pupil", "P010", "--format", "csv", "--output", out)
    assert result.code == 1 and result.out == ""
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    as_json = matches_of(find(capsys, town, "--pupil", "P010", "--format", "json"))
    assert len(rows) == len(as_json)
    assert list(rows[0]) == ["file", "pupil_id", "kind", "time", "line", "column", "box_top", "box_right",
                             "box_bottom", "box_left", "distance"]
    face = next(r for r in rows if r["file"].endswith("assembly.jpg"))
    assert face["kind"] == "face" and face["box_top"] and float(face["distance"]) <= 0.6 and face["line"] == ""


def test_a_csv_cell_that_would_run_as_a_formula_is_written_as_text():
    from postcheck.find.report import render_csv
    from postcheck.find.search import Match

    text = render_csv([Match("=HYPERLINK(evil).jpg", "P001", "name", how="in the file name")])
    assert text.splitlines()[1].startswith("'=HYPERLINK(evil).jpg,P001,name")


@needs_faces
def test_nothing_found_exits_0(town, capsys, tmp_path):
    archive = tmp_path / "quiet"
    archive.mkdir()
    shutil.copy(SHARED_FACES / "wild" / "no_faces" / "gorilla.jpg", archive / "zoo.jpg")
    (archive / "post.txt").write_text("A lovely day at the zoo.\n")
    result = find(capsys, town, "--pupil", "P011", archive=archive)
    assert result.code == 0, result.out + result.err
    assert "Nothing found (2 files searched)." in result.out


@needs_faces
@pytest.mark.parametrize("args, message", [
    ((), "postcheck: error: say whom to look for: --pupil ID (repeatable) or --refused\n"),
    (("--pupil", "P999"), "postcheck: error: --pupil P999 is not in {register}\n"),
    (("--pupil", "P001", "--format", "sarif"), "postcheck: error: --format 'sarif' is not one of text, json, csv\n"),
])
def test_usage_errors_exit_2_in_one_line(town, capsys, args, message):
    result = find(capsys, town, *args)
    assert result.code == 2
    assert result.err == message.format(register=town / "consent_data" / "register.csv")


@needs_faces
def test_an_archive_where_nothing_can_be_read_exits_2(town, capsys, tmp_path):
    archive = tmp_path / "broken"
    archive.mkdir()
    (archive / "a.jpg").write_bytes(b"not a photo")
    (archive / "b.png").write_bytes(b"")
    result = find(capsys, town, "--pupil", "P011", "--format", "json", archive=archive)
    assert result.code == 2
    assert json.loads(result.out)["unreadable"] == [str(archive / "a.jpg"), str(archive / "b.png")]
    assert result.err == f"postcheck: error: nothing in {archive} could be read (2 unreadable files)\n"
    missing = find(capsys, town, "--pupil", "P011", archive=tmp_path / "nowhere")
    assert missing.code == 2 and missing.err == f"postcheck: error: {tmp_path / 'nowhere'} does not exist\n"


@needs_faces
def test_redact_hides_names_in_file_names(town, capsys, tmp_path):
    archive = tmp_path / "named"
    archive.mkdir()
    shutil.copy(PEOPLE / "biden.jpg", archive / "joe-biden-sports-day.jpg")
    plain = find(capsys, town, "--pupil", "P011", "--format", "json", "--no-redact", archive=archive)
    assert {(Path(m["file"]).name, m["kind"]) for m in matches_of(plain)} == {
        ("joe-biden-sports-day.jpg", "face"), ("joe-biden-sports-day.jpg", "name")}
    hidden = find(capsys, town, "--pupil", "P011", "--format", "json", "--redact", archive=archive)
    assert "biden" not in hidden.out.casefold() and "J.B." in hidden.out
    assert hidden.code == 1


@needs_faces
def test_annotate_writes_boxed_copies_and_leaves_every_input_untouched(town, capsys, tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(town / "archive", archive, ignore=shutil.ignore_patterns(".postcheck-index"))
    before = _snapshot(archive)
    review = tmp_path / "review"
    result = find(capsys, town, "--pupil", "P011", "--annotate", review, archive=archive)
    assert result.code == 1
    written = sorted(p.name for p in review.iterdir())
    assert "2025__photos__visit.found.png" in written and any(n.startswith("2025__clip.") for n in written)
    assert _snapshot(archive) == before


def _snapshot(archive: Path) -> dict:
    return {str(p.relative_to(archive)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in archive.rglob("*") if p.is_file() and ".postcheck-index" not in p.parts}


# --- the face index ---------------------------------------------------------------------------------

@needs_faces
def test_the_index_is_private_ignored_by_git_and_a_second_search_decodes_nothing(town, capsys, monkeypatch):
    find(capsys, town, "--pupil", "P010", "--format", "json")
    index = town / "archive" / ".postcheck-index"
    assert stat.S_IMODE(index.stat().st_mode) == 0o700
    assert stat.S_IMODE((index / "faces.json").stat().st_mode) == 0o600
    assert (index / ".gitignore").read_text().splitlines()[-1] == "*"

    def no_decoding(path):
        raise AssertionError(f"{path} was decoded again")

    monkeypatch.setattr("postcheck.find.search.read_faces", no_decoding)
    result = find(capsys, town, "--pupil", "P011", "--format", "json")
    assert result.code == 1 and {Path(m["file"]).name for m in matches_of(result) if m["kind"] == "face"} == {
        "visit.jpg", "clip.mp4"}


@needs_faces
@pytest.mark.parametrize("damage", [
    lambda text: text[: len(text) // 2],
    lambda text: text.replace('"version": 1', '"version": 99'),
    lambda text: text.replace('"encoding": "', '"encoding": "AAAA', 1),
    lambda text: "[]",
])
def test_a_corrupt_index_is_never_trusted_but_rebuilt(town, capsys, tmp_path, damage):
    archive = tmp_path / "archive"
    shutil.copytree(town / "archive", archive)
    index = archive / ".postcheck-index" / "faces.json"
    good = find(capsys, town, "--pupil", "P011", "--format", "json", archive=archive)
    index.write_text(damage(index.read_text()))
    rebuilt = find(capsys, town, "--pupil", "P011", "--format", "json", archive=archive)
    assert rebuilt.code == 1 and rebuilt.out == good.out
    from postcheck.find.index import _read

    assert _read(index) is not None


@needs_faces
def test_a_changed_photo_is_read_again_and_a_removed_one_dropped(town, capsys, tmp_path):
    from postcheck.find.index import _read

    archive = tmp_path / "archive"
    shutil.copytree(town / "archive", archive)
    photo = archive / "2025" / "photos" / "assembly.jpg"
    shutil.copy(PEOPLE / "biden.jpg", photo)
    (archive / "2025" / "photos" / "visit.jpg").unlink()
    result = find(capsys, town, "--pupil", "P011", "--format", "json", archive=archive)
    assert {Path(m["file"]).name for m in matches_of(result) if m["kind"] == "face"} == {"assembly.jpg", "clip.mp4"}
    files, paths = _read(archive / ".postcheck-index" / "faces.json")
    assert "2025/photos/visit.jpg" not in paths
    assert hashlib.sha256((SHARED_FACES / "groups" / "two_people.jpg").read_bytes()).hexdigest() not in files


def test_a_read_only_archive_keeps_its_index_in_the_user_cache(tmp_path, monkeypatch):
    from postcheck.find.index import index_dir_for

    archive = tmp_path / "published"
    archive.mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert index_dir_for(archive) == archive / ".postcheck-index"
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: False if Path(path) == archive else real_access(path, mode))
    assert index_dir_for(archive).parent == tmp_path / "cache" / "postcheck"


# --- saved web pages ---------------------------------------------------------------------------------

def test_a_page_is_read_as_its_text_and_alt_text_with_positions_in_the_file(tmp_path):
    from postcheck.find.pages import read_page

    page = tmp_path / "p.html"
    page.write_text(PAGE, encoding="utf-8")
    draft, position = read_page(page, str(page))
    assert "runner" not in draft.text
    assert "Well done to Oliver Bennett for\nthe sack race." in draft.text
    assert "\nZoë crossing the line\n" in draft.text
    assert position(draft.text.index("Oliver")) == (6, OLIVER)
    assert position(draft.text.index("Zoë")) == (8, ZOE)
    assert position(draft.text.index("sack")) == (7, 5)


@needs_faces
def test_a_trust_search_reads_each_schools_own_index(town, capsys, tmp_path, monkeypatch):
    trust = tmp_path / "trust"
    for school in ("north", "south"):
        shutil.copytree(town / "archive", trust / school, ignore=shutil.ignore_patterns(".postcheck-index"))
        assert find(capsys, town, "--pupil", "P010", archive=trust / school).code == 1  # the school's own job
    assert (trust / "north" / ".postcheck-index" / "faces.json").is_file()

    def no_decoding(path):
        raise AssertionError(f"{path} was decoded again")

    monkeypatch.setattr("postcheck.find.search.read_faces", no_decoding)
    result = find(capsys, town, "--pupil", "P011", "--format", "json", archive=trust)
    assert {str(Path(m["file"]).relative_to(trust)) for m in matches_of(result) if m["kind"] == "face"} == {
        f"{school}/{name}" for school in ("north", "south") for name in ("2025/photos/visit.jpg", "2025/clip.mp4")}
    assert not (trust / ".postcheck-index" / "faces.json").exists() or json.loads(
        (trust / ".postcheck-index" / "faces.json").read_text())["files"] == {}


def test_an_interrupted_first_run_keeps_what_it_read(tmp_path):
    from postcheck.find.index import IndexedFile, _read, update_index

    archive = tmp_path / "archive"
    archive.mkdir()
    files = []
    for n in range(12):
        files.append(archive / f"{n:02d}.jpg")
        files[-1].write_bytes(b"photo %d" % n)
    read = []

    def slow_read(path):
        if path.name == "08.jpg":
            raise KeyboardInterrupt
        read.append(path)
        return IndexedFile()

    with pytest.raises(KeyboardInterrupt):
        update_index(archive, files, slow_read)
    kept, _ = _read(archive / ".postcheck-index" / "faces.json")
    assert 1 <= len(kept) <= len(read) < 12
    again = []
    update_index(archive, files, lambda path: again.append(path) or IndexedFile())
    assert len(again) == 12 - len(kept)
