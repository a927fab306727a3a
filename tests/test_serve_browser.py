"""postcheck serve in a real browser: Debian's Chromium driven by Playwright, against the real server.

A member of staff's path: open the page, add a draft and a photo, press Check, read FAIL and the reasons,
see the photo with its faces boxed, download the safe copy. Without Chromium the test is skipped on a
developer's machine and fails in CI (.ci/run installs it), so CI can never pass without running it.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import EXAMPLES, SHARED_FACES, needs_faces
from postcheck.cli import in_ci
from postcheck.serve import ServerThread

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
IN_CI = in_ci()  # read at import: the tests' own clean environment removes CI variables


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@pytest.fixture(scope="module")
def chromium():
    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "the playwright package is not installed (uv sync installs it with the dev dependencies)"
    if missing is None and not CHROMIUM.is_file():
        missing = f"{CHROMIUM} not found: apt-get install chromium (as root); .ci/run installs it in CI"
    if missing is not None:
        if IN_CI:
            pytest.fail(f"the browser test cannot run in CI: {missing}")
        pytest.skip(missing)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@needs_faces
def test_a_draft_and_photo_through_the_page(chromium, school, tmp_path):
    post = tmp_path / "post"
    post.mkdir()
    draft = post / "draft.txt"
    shutil.copy(EXAMPLES / "draft.txt", draft)
    photo = post / "two_people.jpg"
    shutil.copy(SHARED_FACES / "groups" / "two_people.jpg", photo)
    before = {p.name: p.read_bytes() for p in post.iterdir()}

    with ServerThread(school / "consent_data", school / "rules.yaml") as server:
        page = chromium.new_page(accept_downloads=True)
        page.goto(server.url)
        assert page.title() == "Check a post before publishing"
        page.set_input_files("input[name=files]", [str(draft), str(photo)])
        page.select_option("select[name=channel]", "website")
        page.click("button[type=submit]")
        page.wait_for_selector("#result")

        verdict = page.inner_text(".verdict")
        assert verdict.startswith("FAIL: do not publish this post yet")
        reasons = page.inner_text("ol.reasons")
        for rule in ("names.full-name", "names.no-name-consent", "links.not-allowed", "text.personal-data",
                     "faces.no-consent", "faces.consented"):
            assert rule in reasons
        assert page.title().startswith("Do not publish yet")

        boxed = page.locator("#photos figure img")
        assert boxed.count() == 1
        assert page.inner_text("#photos figcaption") == "two_people.jpg"
        width = boxed.evaluate("img => img.complete ? img.naturalWidth : 0")
        assert width > 0  # the boxed photo decoded in the browser

        with page.expect_download() as download_info:
            page.click("#safe-copy")
        download = download_info.value
        assert download.suggested_filename == "safe-copy.zip"
        saved = tmp_path / "safe-copy.zip"
        download.save_as(saved)
        with zipfile.ZipFile(saved) as archive:
            assert sorted(archive.namelist()) == ["draft.txt", "two_people.jpg"]
            fixed = archive.read("draft.txt").decode()
            assert "Oliver Bennett" not in fixed and "Well done to Oliver for winning" in fixed
            from PIL import Image

            assert Image.open(io.BytesIO(archive.read("two_people.jpg"))).size == Image.open(photo).size
        page.close()

    assert {p.name: p.read_bytes() for p in post.iterdir()} == before  # the originals are never changed
