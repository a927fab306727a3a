"""Time one check of a draft with one photo through a running ``postcheck serve``, against the CLI.

    uv run python bench/serve.py [ROUNDS]

The post is the example one (examples/draft.txt and examples/photo.jpg, a 512x512 portrait; then the
same photo blown up to 4000x3000, a phone camera's size) checked
against the sample register and rules.yaml. The CLI is timed as staff would meet it: a new process per
check (start, load rules, register and models, check). The server is started once as its own process
(``postcheck serve --port 0``, loading everything before it answers) and timed per POST /check as the page
sends it, HTML answer with the boxed photo and the safe copy included; the JSON answer is timed too.
Issue 17's target: under 1 s through the server on 2 cores.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2

ROOT = Path(__file__).resolve().parent.parent
DRAFT = ROOT / "examples" / "draft.txt"
PHOTO = ROOT / "examples" / "photo.jpg"
POSTCHECK = Path(sys.executable).with_name("postcheck")


def time_cli(rounds: int, env: dict) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run([str(POSTCHECK), str(DRAFT), str(PHOTO)], cwd=ROOT, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return times


def start_server(env: dict) -> tuple[subprocess.Popen, str, float]:
    started = time.perf_counter()
    server = subprocess.Popen([str(POSTCHECK), "serve", "--port", "0"], cwd=ROOT, env=env, stderr=subprocess.PIPE,
                              text=True)
    for line in server.stderr:
        if "open http://" in line:
            url = line.split("open ", 1)[1].split(" ", 1)[0]
            return server, url, time.perf_counter() - started
    raise SystemExit("postcheck serve did not start")


def time_server(url: str, rounds: int, accept: str, photo: Path = PHOTO) -> list[float]:
    times = []
    with httpx2.Client(base_url=url, timeout=60) as client:
        for _ in range(rounds):
            files = [("files", ("draft.txt", DRAFT.read_bytes())), ("files", ("photo.jpg", photo.read_bytes()))]
            started = time.perf_counter()
            answer = client.post("/check", data={"channel": "social"}, files=files, headers={"accept": accept})
            times.append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.status_code
    return times


def show(label: str, times: list[float]) -> None:
    print(f"{label:<46} median {statistics.median(times):5.2f} s   first {times[0]:5.2f} s   "
          f"max {max(times):5.2f} s   ({len(times)} runs)")


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "POSTCHECK_CACHE_DIR": cache}  # the sample register's encodings stay out of the repo
        time_cli(1, env)  # the first run encodes the reference photos into the cache: not what staff wait for
        cli = time_cli(rounds, env)
        from PIL import Image

        big = Path(cache) / "photo-12mp.jpg"  # a phone camera's size, as staff will mostly upload
        Image.open(PHOTO).convert("RGB").resize((4000, 3000), Image.Resampling.BICUBIC).save(big, quality=92)
        server, url, startup = start_server(env)
        try:
            html = time_server(url, rounds, "text/html")
            json_ = time_server(url, rounds, "application/json")
            html_big = time_server(url, rounds, "text/html", big)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"{os.cpu_count()} cores; the example post: a draft and one 512x512 photo")
    show("CLI: postcheck draft.txt photo.jpg", cli)
    print(f"{'server: start until ready':<46} {startup:12.2f} s (once)")
    show("server: POST /check, the HTML page", html)
    show("server: POST /check, Accept: application/json", json_)
    show("server: POST /check, HTML, the photo at 12 MP", html_big)


if __name__ == "__main__":
    main()
