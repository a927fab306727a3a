"""postcheck scan DIR: grouping files into posts and listing everything left out (on real folder trees)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from postcheck.errors import InputError
from postcheck.post import Post
from postcheck.scan import Discovery, discover, matching_stem


def make(root: Path, *files: str) -> None:
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")


@pytest.fixture
def in_tmp(tmp_path, monkeypatch) -> Path:
    """Run from tmp_path so DIR can be given as the user would type it (a relative path)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def by_name(discovery: Discovery) -> dict[str, Post]:
    return {post.name: post for post in discovery.posts}


def paths(*names: str) -> tuple[Path, ...]:
    return tuple(Path(n) for n in names)


def test_subfolder_is_one_post_with_its_draft_photos_and_videos(in_tmp):
    make(
        in_tmp,
        "drafts/sports-day/post.docx",
        "drafts/sports-day/a.jpg",
        "drafts/sports-day/B.PNG",
        "drafts/sports-day/race.mp4",
        "drafts/sports-day/finish.MOV",
    )
    found = discover(Path("drafts"))
    assert found.posts == (
        Post(
            name="drafts/sports-day",
            draft=Path("drafts/sports-day/post.docx"),
            images=paths("drafts/sports-day/B.PNG", "drafts/sports-day/a.jpg"),
            videos=paths("drafts/sports-day/finish.MOV", "drafts/sports-day/race.mp4"),
        ),
    )
    assert found.ignored == ()


def test_names_follow_dir_as_typed(in_tmp):
    make(in_tmp, "school/drafts/fair/fair.md")
    assert [p.name for p in discover(Path("school/drafts/")).posts] == ["school/drafts/fair"]
    assert [p.name for p in discover(Path("./school/drafts")).posts] == ["school/drafts/fair"]
    os.chdir(in_tmp / "school" / "drafts")
    assert [p.name for p in discover(Path(".")).posts] == ["fair"]
    absolute = discover(in_tmp / "school")
    assert [p.name for p in absolute.posts] == [str(in_tmp / "school/drafts/fair")]


def test_nested_subfolders_are_posts_of_their_own(in_tmp):
    make(
        in_tmp,
        "d/trip/trip.txt",
        "d/trip/coach.jpg",
        "d/trip/museum/museum.txt",
        "d/trip/museum/hall.jpg",
        "d/photos-only/one.jpg",
        "d/photos-only/two.webp",
    )
    posts = by_name(discover(Path("d")))
    assert sorted(posts) == ["d/photos-only", "d/trip", "d/trip/museum"]
    assert posts["d/trip"] == Post("d/trip", Path("d/trip/trip.txt"), paths("d/trip/coach.jpg"))
    assert posts["d/trip/museum"] == Post(
        "d/trip/museum", Path("d/trip/museum/museum.txt"), paths("d/trip/museum/hall.jpg")
    )
    assert posts["d/photos-only"] == Post(
        "d/photos-only", None, paths("d/photos-only/one.jpg", "d/photos-only/two.webp")
    )


def test_loose_drafts_take_photos_named_after_their_stem(in_tmp):
    make(
        in_tmp,
        "d/sports-day.txt",
        "d/sports-day.jpg",
        "d/sports-day-2.png",
        "d/sports-day_team.heic",
        "d/Sports-Day 3.JPG",
        "d/sports-day(4).gif",
        "d/sports-day5.bmp",
        "d/sports-day.mp4",
        "d/sports-dayout.jpg",
        "d/other.jpg",
    )
    found = discover(Path("d"))
    posts = by_name(found)
    assert posts["d/sports-day.txt"] == Post(
        "d/sports-day.txt",
        Path("d/sports-day.txt"),
        paths(
            "d/Sports-Day 3.JPG",
            "d/sports-day(4).gif",
            "d/sports-day-2.png",
            "d/sports-day.jpg",
            "d/sports-day5.bmp",
            "d/sports-day_team.heic",
        ),
        paths("d/sports-day.mp4"),
    )
    # Photos that match no draft are posts of their own.
    assert posts["d/sports-dayout.jpg"] == Post("d/sports-dayout.jpg", None, paths("d/sports-dayout.jpg"))
    assert posts["d/other.jpg"] == Post("d/other.jpg", None, paths("d/other.jpg"))
    assert len(found.posts) == 3


def test_longest_stem_wins(in_tmp):
    make(
        in_tmp,
        "d/fair.txt",
        "d/fair-night.txt",
        "d/fair-1.jpg",
        "d/fair-night.jpg",
        "d/fair-night-2.jpg",
        "d/fair-nights.jpg",
    )
    posts = by_name(discover(Path("d")))
    assert posts["d/fair-night.txt"].images == paths("d/fair-night-2.jpg", "d/fair-night.jpg")
    # "fair-nights" is not "fair-night" + separator, but it is "fair" + "-".
    assert posts["d/fair.txt"].images == paths("d/fair-1.jpg", "d/fair-nights.jpg")
    assert len(posts) == 2


def test_two_loose_drafts_with_one_stem_share_its_photos(in_tmp):
    make(in_tmp, "d/fair.txt", "d/fair.docx", "d/fair.jpg")
    posts = by_name(discover(Path("d")))
    assert posts == {
        "d/fair.docx": Post("d/fair.docx", Path("d/fair.docx"), paths("d/fair.jpg")),
        "d/fair.txt": Post("d/fair.txt", Path("d/fair.txt"), paths("d/fair.jpg")),
    }


def test_draft_without_photos_is_a_text_only_post(in_tmp):
    make(in_tmp, "d/notice.markdown")
    assert discover(Path("d")).posts == (Post("d/notice.markdown", Path("d/notice.markdown")),)


def test_subfolder_with_several_drafts_is_one_post_per_draft_sharing_unmatched_photos(in_tmp):
    make(
        in_tmp,
        "d/trip/day-1.txt",
        "d/trip/day-2.md",
        "d/trip/day-1-beach.jpg",
        "d/trip/day-2.png",
        "d/trip/group.jpg",
        "d/trip/coach.mp4",
    )
    posts = by_name(discover(Path("d")))
    assert posts == {
        "d/trip/day-1.txt": Post(
            "d/trip/day-1.txt",
            Path("d/trip/day-1.txt"),
            paths("d/trip/day-1-beach.jpg", "d/trip/group.jpg"),
            paths("d/trip/coach.mp4"),
        ),
        "d/trip/day-2.md": Post(
            "d/trip/day-2.md",
            Path("d/trip/day-2.md"),
            paths("d/trip/day-2.png", "d/trip/group.jpg"),
            paths("d/trip/coach.mp4"),
        ),
    }


def test_posts_are_sorted_by_name(in_tmp):
    make(in_tmp, "d/zoo/zoo.txt", "d/art.txt", "d/music/music.md", "d/b.jpg")
    assert [p.name for p in discover(Path("d")).posts] == ["d/art.txt", "d/b.jpg", "d/music", "d/zoo"]


def test_every_file_not_checked_is_listed_with_its_reason(in_tmp):
    make(
        in_tmp,
        "d/.DS_Store",
        "d/Thumbs.db",
        "d/post/~$temp.docx",
        "d/post/post.docx",
        "d/post/desktop.ini",
        "d/newsletter.pdf",
        "d/README",
        "d/.git/config",
        "d/__MACOSX/._a.jpg",
        "d/post/notes.txt~",
    )
    (in_tmp / "d" / "empty").mkdir()
    (in_tmp / "d" / "nested-empty" / "inner").mkdir(parents=True)
    make(in_tmp, "d/only-junk/.DS_Store")
    found = discover(Path("d"))
    # Files that may be published with a post (a .pdf, a file without extension) are never skipped: they are
    # part of a post and fail it, as `postcheck check` fails them.
    assert found.posts == (
        Post("d/README", None, paths("d/README")),
        Post("d/newsletter.pdf", None, paths("d/newsletter.pdf")),
        Post("d/post", Path("d/post/post.docx"), paths("d/post/notes.txt~")),
    )
    assert found.ignored == (
        (Path("d/.DS_Store"), "hidden file"),
        (Path("d/.git"), "hidden folder"),
        (Path("d/Thumbs.db"), "Windows thumbnail cache"),
        (Path("d/__MACOSX"), "macOS archive metadata folder"),
        (Path("d/empty"), "empty folder"),
        (Path("d/nested-empty/inner"), "empty folder"),
        (Path("d/only-junk"), "no draft, photo or video in this folder"),
        (Path("d/only-junk/.DS_Store"), "hidden file"),
        (Path("d/post/desktop.ini"), "Windows folder settings file"),
        (Path("d/post/~$temp.docx"), "Word lock file (left while the document is open in Word)"),
    )


def test_symlinks(in_tmp):
    make(in_tmp, "outside/secret.jpg", "d/post/post.txt", "d/real/real.txt", "d/shared.jpg")
    (in_tmp / "d/post/escape.jpg").symlink_to(in_tmp / "outside/secret.jpg")
    (in_tmp / "d/post/outside-folder").symlink_to(in_tmp / "outside", target_is_directory=True)
    (in_tmp / "d/post/gone.jpg").symlink_to(in_tmp / "nowhere.jpg")
    (in_tmp / "d/post/shared-link.jpg").symlink_to(in_tmp / "d/shared.jpg")
    (in_tmp / "d/alias").symlink_to(in_tmp / "d/real", target_is_directory=True)
    (in_tmp / "d/post/loop.jpg").symlink_to("loop.jpg")
    found = discover(Path("d"))
    posts = by_name(found)
    # A link to a file inside DIR is checked under the name it was found by.
    assert posts["d/post"] == Post("d/post", Path("d/post/post.txt"), paths("d/post/shared-link.jpg"))
    assert sorted(posts) == ["d/post", "d/real", "d/shared.jpg"]
    assert found.ignored == (
        (Path("d/alias"), "symlink to a folder inside the scanned folder, which is scanned where it really is"),
        (Path("d/post/escape.jpg"), "symlink pointing outside the scanned folder"),
        (Path("d/post/gone.jpg"), "broken symlink"),
        (Path("d/post/loop.jpg"), "broken symlink"),
        (Path("d/post/outside-folder"), "symlink pointing outside the scanned folder"),
    )


def test_empty_dir_has_no_posts_and_says_so(in_tmp):
    (in_tmp / "d").mkdir()
    assert discover(Path("d")) == Discovery(posts=(), ignored=((Path("d"), "empty folder"),))


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root can read any folder")
def test_unreadable_folder_is_listed(in_tmp):
    make(in_tmp, "d/locked/a.jpg")
    (in_tmp / "d/locked").chmod(0)
    try:
        found = discover(Path("d"))
    finally:
        (in_tmp / "d/locked").chmod(0o755)
    assert found.ignored == ((Path("d/locked"), "folder cannot be read (Permission denied)"),)


def test_folder_that_fails_to_list_is_listed(in_tmp, monkeypatch):
    # Root reads any folder, so the permission test above is skipped in CI; this covers the same path.
    make(in_tmp, "d/locked/a.jpg", "d/open/b.jpg")
    real_iterdir = Path.iterdir

    def iterdir(self):
        if self.name == "locked":
            raise PermissionError(13, "Permission denied", str(self))
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    found = discover(Path("d"))
    assert [p.name for p in found.posts] == ["d/open"]
    assert found.ignored == ((Path("d/locked"), "folder cannot be read (Permission denied)"),)


def test_missing_or_file_root_is_an_input_error(in_tmp):
    with pytest.raises(InputError, match=r"^nope does not exist$"):
        discover(Path("nope"))
    make(in_tmp, "a.txt")
    with pytest.raises(InputError, match=r"^a\.txt is not a folder: to check one file, use postcheck check a\.txt$"):
        discover(Path("a.txt"))


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("sports-day.jpg", "sports-day"),
        ("SPORTS-DAY-2.PNG", "sports-day"),
        ("sports-day_team.heic", "sports-day"),
        ("sports-day 3.jpg", "sports-day"),
        ("sports-day7.jpg", "sports-day"),
        ("sports-dayout.jpg", None),
        ("sports.jpg", None),
        ("fair-night-1.jpg", "fair-night"),
        ("fair-1.jpg", "fair"),
    ],
)
def test_matching_stem(file_name, expected):
    assert matching_stem(file_name, ["sports-day", "fair", "fair-night"]) == expected


@pytest.mark.parametrize("attachment", ["appeal.pdf", "slides.pptx"])
def test_scan_and_check_give_one_verdict_for_a_post_with_an_attachment(school, capsys, attachment):
    """A .pdf or .pptx beside a draft may be published with it: scan must fail the post as check does."""
    import json

    from clirun import run_cli
    from conftest import draft

    folder = school / "drafts" / "appeal"
    folder.mkdir(parents=True)
    text = draft(folder, "Our charity appeal starts on Monday.\n", "post.txt")
    (folder / attachment).write_bytes(b"%PDF-1.4\n" if attachment.endswith(".pdf") else b"PK\x03\x04 slides")
    checked = run_cli(capsys, "check", text, folder / attachment, "--format", "json")
    scanned = run_cli(capsys, "scan", school / "drafts", "--format", "json")
    assert (checked.code, scanned.code) == (1, 1), scanned.out
    (check_post,) = json.loads(checked.out)["posts"]
    (scan_post,) = json.loads(scanned.out)["posts"]
    assert scan_post["findings"] == check_post["findings"]
    assert [f["rule"] for f in scan_post["findings"]] == ["image.unreadable"]
    assert not json.loads(scanned.out).get("ignored")


@pytest.mark.parametrize("option", [["--format", "json"], ["--format", "sarif"], ["--output", "report.txt"]])
def test_watch_refuses_what_it_cannot_honour(school, capsys, option):
    from clirun import run_cli
    from conftest import draft

    (school / "drafts").mkdir()
    draft(school / "drafts", "School closes at 2pm.\n", "notice.txt")
    result = run_cli(capsys, "scan", "drafts", "--watch", "--watch-for", "1", *option)
    given = " ".join(option) if option[0] == "--format" else "--output"
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"postcheck: error: --watch prints one line per post as it changes and cannot write {given}: for a report "
        "(as a CI job needs), run postcheck scan DIR without --watch\n"
    )


def test_watch_exits_1_while_a_post_fails_and_writes_fix_dir_copies(school, capsys):
    from clirun import run_cli
    from conftest import draft

    (school / "drafts" / "race").mkdir(parents=True)
    draft(school / "drafts" / "race", "Well done to Oliver Bennett.\n", "post.txt")
    result = run_cli(capsys, "scan", "drafts", "--watch", "--watch-for", "1", "--fix-dir", "safe", "--no-redact")
    assert result.code == 1, result.out + result.err
    assert result.out.startswith("FAIL drafts/race (1) names.full-name: ")
    assert (school / "safe" / "race" / "post.txt").read_text() == "Well done to Oliver.\n"
    (school / "drafts" / "race" / "post.txt").write_text("Well done to Oliver.\n")
    passing = run_cli(capsys, "scan", "drafts", "--watch", "--watch-for", "1")
    assert (passing.code, passing.out) == (0, "PASS drafts/race\n")
