"""Make docs/serve.png, the README's picture of ``postcheck serve``: the example post checked in Chromium.

    uv run python docs/screenshot.py

Uses the example post (examples/: a public-domain NASA portrait, no real pupil) and the sample register, with
Debian's Chromium (apt-get install chromium) driven by Playwright.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    from playwright.sync_api import sync_playwright

    from postcheck.serve import ServerThread
    from test_serve_browser import launch_chromium

    with tempfile.TemporaryDirectory() as cache:
        os.environ["POSTCHECK_CACHE_DIR"] = cache  # the sample register's encodings stay out of the repository
        with ServerThread(ROOT / "consent_data", ROOT / "rules.yaml") as server, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.goto(server.url)
            page.fill("textarea[name=draft]", (ROOT / "examples" / "draft.txt").read_text(encoding="utf-8"))
            page.set_input_files("input[name=files]", [str(ROOT / "examples" / "photo.jpg")])
            page.click("button[type=submit]")
            page.wait_for_selector("#result")
            out = ROOT / "docs" / "serve.png"
            page.screenshot(path=str(out), full_page=True)
            browser.close()
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
