"""postcheck serve through Starlette's TestClient: the Host check, caps, bad files, reloads and the JSON contract.

The real-browser test is tests/test_serve_browser.py.
"""

from __future__ import annotations

import io
import json
import logging
import shutil
import zipfile

import pytest
from starlette.testclient import TestClient

from clirun import run_cli
from conftest import REGISTER, RULES, SHARED_FACES, draft, needs_faces
from postcheck.serve.app import Limits, allowed_hosts, create_app

BASE = "http://127.0.0.1:8150"
JSON = {"accept": "application/json"}


def client_for(school, limits: Limits = Limits()) -> TestClient:
    app = create_app(school / "consent_data", school / "rules.yaml", host="127.0.0.1", port=8150, limits=limits)
    return TestClient(app, base_url=BASE)


@pytest.fixture
def client(school) -> TestClient:
    return client_for(school)


def check(client: TestClient, text: str = "", files=(), channel: str = "social", headers=None):
    parts = [("files", (name, data, "application/octet-stream")) for name, data in files]
    return client.post("/check", data={"draft": text, "channel": channel}, files=parts or [("files", ("", b""))],
                       headers=headers or {})


# --- the page ----------------------------------------------------------------------------------------------


def test_page_has_the_form_and_no_cors_or_script(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert 'name="draft"' in html and 'name="files"' in html and "multiple" in html and 'name="channel"' in html
    assert 'enctype="multipart/form-data"' in html and 'action="/check"' in html
    assert "<script" not in html  # works without JavaScript, and the CSP allows none
    assert not any(h.startswith("access-control-") for h in page.headers)
    assert "script-src" not in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"


def test_a_failing_post_shows_every_reason(client):
    page = check(client, "Well done to Oliver Bennett and to Zoë!\nSee www.photos4schools.co.uk/day")
    assert page.status_code == 200
    html = page.text
    assert "FAIL: do not publish this post yet (3 things to fix)" in html
    for rule in ("names.full-name", "names.no-name-consent", "links.not-allowed"):
        assert rule in html
    assert "Full name of a pupil: &#34;Oliver Bennett&#34; (P001)" in html


def test_a_clean_post_passes(client):
    html = check(client, "A lovely day at the library with Year 3.").text
    assert "PASS: nothing found that stops this post" in html


# --- JSON: the CLI's contract ------------------------------------------------------------------------------


def test_json_is_what_the_cli_writes(school, client, capsys):
    text = "Well done Oliver Bennett!\nRing 07700 900123 or see https://www.gov.uk/ and www.example.com/x"
    draft(school, text)
    answer = check(client, text, headers=JSON)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    cli = run_cli(capsys, "draft.txt", "--format", "json")
    assert cli.code == 1
    assert answer.text == cli.out
    assert json.loads(answer.text)["posts"][0]["post"] == "draft.txt"


@needs_faces
def test_json_with_a_photo_is_what_the_cli_writes(school, client, capsys):
    shutil.copy(SHARED_FACES / "groups" / "two_people.jpg", school / "two_people.jpg")
    draft(school, "Our visitors today.")
    answer = check(client, "Our visitors today.", [("two_people.jpg", (school / "two_people.jpg").read_bytes())],
                   headers=JSON)
    cli = run_cli(capsys, "draft.txt", "two_people.jpg", "--format", "json")
    assert answer.text == cli.out
    by_rule = {(f["rule"], f["pupil_id"]) for f in json.loads(answer.text)["posts"][0]["findings"]}
    assert {("faces.no-consent", "P011"), ("faces.consented", "P010")} <= by_rule


# --- Host, Origin ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["evil.example:8150", "evil.example", "127.0.0.1:8151", "127.0.0.1", ""])
def test_a_request_for_another_host_is_refused(client, host):
    answer = client.get("/", headers={"host": host})
    assert answer.status_code == 403
    assert answer.text == "postcheck serve answers only at its own address."
    assert check(client, "Oliver Bennett", headers={"host": host}).status_code == 403


@pytest.mark.parametrize("host", ["127.0.0.1:8150", "localhost:8150", "LOCALHOST:8150", "[::1]:8150"])
def test_this_servers_own_names_are_answered(client, host):
    assert client.get("/", headers={"host": host}).status_code == 200


def test_a_form_posted_from_another_site_is_refused(client):
    answer = check(client, "Oliver Bennett", headers={"origin": "https://evil.example"})
    assert answer.status_code == 403
    assert check(client, "Hello", headers={"origin": "http://127.0.0.1:8150"}).status_code == 200
    assert check(client, "Hello", headers={"origin": "null"}).status_code == 403


def test_hosts_allowed_for_each_address():
    assert allowed_hosts("127.0.0.1", 8150) == {"127.0.0.1:8150", "localhost:8150", "[::1]:8150"}
    assert allowed_hosts("staffpc.school.lan", 80) == {"staffpc.school.lan:80", "staffpc.school.lan"}
    everywhere = allowed_hosts("0.0.0.0", 9000)
    assert "127.0.0.1:9000" in everywhere and "evil.example:9000" not in everywhere


# --- caps --------------------------------------------------------------------------------------------------


def test_too_many_files_is_413_with_a_clear_message(school):
    client = client_for(school, Limits(files=3))
    answer = check(client, "Hello", [(f"p{i}.jpg", b"x") for i in range(4)])
    assert answer.status_code == 413
    assert "at most 3 files and 100 MB in one post" in answer.text
    answer = check(client, "Hello", [(f"p{i}.jpg", b"x") for i in range(9)], headers=JSON)
    assert answer.status_code == 413
    assert answer.json() == {"error": Limits(files=3).message()}
    assert check(client, "Hello", [(f"p{i}.jpg", b"x") for i in range(3)]).status_code == 200


def test_too_many_bytes_is_413(school):
    client = client_for(school, Limits(bytes=50_000))
    answer = check(client, "Hello", [("big.jpg", b"x" * 60_000)])
    assert answer.status_code == 413
    assert "at most 20 files and 0.0476837 MB in one post" in answer.text


def test_an_upload_without_a_length_is_counted_as_it_arrives(school):
    client = client_for(school, Limits(bytes=50_000))

    def body():
        yield b"--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.jpg\"\r\n\r\n"
        for _ in range(10):
            yield b"x" * 10_000
        yield b"\r\n--b--\r\n"

    answer = client.post("/check", content=body(), headers={"content-type": "multipart/form-data; boundary=b", **JSON})
    assert answer.status_code == 413
    assert "MB in one post" in answer.json()["error"]


def test_a_draft_too_long_is_413(school):
    client = client_for(school, Limits(draft_chars=1000))
    assert check(client, "word " * 300).status_code == 413


# --- bad input -----------------------------------------------------------------------------------------------


def test_an_unreadable_photo_is_a_finding_not_a_500(client):
    answer = check(client, "Hello", [("photo.jpg", b"this is not a JPEG"), ("empty.png", b"")], headers=JSON)
    assert answer.status_code == 200
    (post,) = answer.json()["posts"]
    assert post["verdict"] == "fail"
    assert {(f["rule"], f["file"]) for f in post["findings"]} >= {("image.unreadable", "photo.jpg"),
                                                                   ("image.unreadable", "empty.png")}
    page = check(client, "Hello", [("photo.jpg", b"this is not a JPEG")])
    assert page.status_code == 200 and "image.unreadable" in page.text and "FAIL" in page.text


def test_nothing_to_check_is_400(client):
    answer = check(client, "   ")
    assert answer.status_code == 400
    assert "Paste the text of the post or add its photos" in answer.text


def test_two_drafts_are_named_as_uploaded(client):
    answer = check(client, "Hello", [("notes.txt", b"More")], headers=JSON)
    assert answer.status_code == 400
    assert answer.json()["error"] == (
        "one post has one draft, got draft.txt and notes.txt: check them one at a time, or use postcheck scan DIR")


def test_a_draft_sent_as_a_file_is_checked_as_the_draft(client):
    answer = client.post("/check", files=[("draft", ("trip.txt", "Well done Oliver Bennett!".encode()))], headers=JSON)
    (post,) = answer.json()["posts"]
    assert post["post"] == "trip.txt"
    assert [f["rule"] for f in post["findings"]] == ["names.full-name"]


def test_an_unknown_channel_is_400(client):
    answer = check(client, "Hello", channel="tiktok", headers=JSON)
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("--channel 'tiktok' is not one of website, social")


def test_upload_names_are_plain_file_names(client):
    answer = check(client, "", [("../../etc/passwd.txt", b"Hello"), ("C:\\Users\\me\\x.jpg", b"nope")], headers=JSON)
    files = {f["file"] for f in answer.json()["posts"][0]["findings"]}
    assert files == {"x.jpg"}  # passwd.txt is a clean draft; x.jpg does not decode
    assert answer.json()["posts"][0]["post"] == "passwd.txt"


def test_a_file_name_that_names_a_pupil_is_checked(client):
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 140, 200)).save(png, format="PNG")
    answer = check(client, "", [("oliver_bennett.png", png.getvalue())], headers=JSON)
    assert "names.full-name" in {f["rule"] for f in answer.json()["posts"][0]["findings"]}


# --- no trace left ----------------------------------------------------------------------------------------------


def test_uploads_are_gone_after_the_answer_and_the_log_holds_no_names(school, tmp_path_factory, monkeypatch, caplog):
    import tempfile

    scratch = tmp_path_factory.mktemp("scratch")
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    client = client_for(school)
    with caplog.at_level(logging.INFO, logger="postcheck.serve"):
        check(client, "Well done Oliver Bennett!", [("zoe_hughes.jpg", b"nope")])
        client.get("/nothing-here-oliver")
    assert list(scratch.iterdir()) == []
    lines = [r.getMessage() for r in caplog.records if r.name == "postcheck.serve"]
    assert len(lines) == 2
    assert lines[0].startswith("POST /check 200 ") and lines[0].endswith(" ms")
    assert lines[1].startswith("GET (other) 404 ")
    logged = caplog.text.casefold()
    assert "oliver" not in logged and "zoe" not in logged and "bennett" not in logged


# --- reloads --------------------------------------------------------------------------------------------------


def test_a_register_changed_on_disk_is_used_by_the_next_check(school, client):
    csv = school / "consent_data" / "register.csv"
    assert check(client, "Well done Zoë!", headers=JSON).json()["verdict"] == "fail"
    csv.write_text(REGISTER.replace("P002,Zoë,Hughes,,pupil,yes,no,", "P002,Zoë,Hughes,,pupil,yes,yes,"),
                   encoding="utf-8")
    assert check(client, "Well done Zoë!", headers=JSON).json()["verdict"] == "pass"


def test_an_invalid_register_stops_checks_with_its_error_on_the_page(school, client):
    csv = school / "consent_data" / "register.csv"
    csv.write_text(REGISTER.replace("P002,Zoë,Hughes,,pupil,yes,no,", "P002,Zoë,Hughes,,pupil,x,no,"), encoding="utf-8")
    answer = check(client, "Hello", headers=JSON)
    assert answer.status_code == 503
    message = answer.json()["error"]
    assert "register.csv" in message and "'x'" in message
    page = client.get("/")
    assert "postcheck cannot check posts right now" in page.text
    assert check(client, "Hello").status_code == 503
    csv.write_text(REGISTER, encoding="utf-8")
    assert check(client, "Hello", headers=JSON).json()["verdict"] == "pass"
    assert "cannot check posts right now" not in client.get("/").text


def test_rules_changed_on_disk_are_used_by_the_next_check(school, client):
    text = "See www.example.com/trip"
    assert check(client, text, headers=JSON).json()["verdict"] == "fail"
    (school / "rules.yaml").write_text(RULES.replace("gov.uk]", "gov.uk, example.com]"))
    assert check(client, text, headers=JSON).json()["verdict"] == "pass"
    (school / "rules.yaml").write_text(RULES + "colour: blue\n")
    answer = check(client, text, headers=JSON)
    assert answer.status_code == 503 and "colour" in answer.json()["error"]


@needs_faces
def test_a_bad_reference_photo_is_shown_as_register_validate_says_it(school, client, capsys):
    (school / "consent_data" / "photos" / "P001.jpg").write_bytes(b"not a photo")
    page = client.get("/").text
    assert "For the office: the consent register has" in page and "photo problems to fix" in page
    validate = run_cli(capsys, "register", "validate")
    line = next(line for line in validate.out.splitlines() if "P001.jpg" in line)
    message = line.split("register.unreadable", 1)[1].strip()
    assert message in page.replace("&#39;", "'").replace("&#34;", '"')


# --- photos and the safe copy ------------------------------------------------------------------------------------


@needs_faces
def test_the_result_shows_boxed_photos_and_a_safe_copy(school, client):
    photo = (SHARED_FACES / "groups" / "two_people.jpg").read_bytes()
    page = check(client, "Well done Oliver Bennett!", [("two_people.jpg", photo)]).text
    assert page.count('src="data:image/jpeg;base64,') == 1
    assert "faces.no-consent" in page
    token = page.split('href="/safe-copy/', 1)[1].split('"', 1)[0]
    download = client.get(f"/safe-copy/{token}")
    assert download.status_code == 200
    assert download.headers["content-disposition"] == 'attachment; filename="safe-copy.zip"'
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert sorted(archive.namelist()) == ["draft.txt", "two_people.jpg"]
        assert archive.read("draft.txt").decode() == "Well done Oliver!"
    assert client.get("/safe-copy/not-a-token").status_code == 404
