"""Benchmark ``postcheck scan``: one scan of 20 posts against 20 single ``postcheck DRAFT PHOTO`` runs.

    uv run python bench/scan.py [--posts N]

Each post is a short draft and one photo from ../shared/faces (both identities in the register, so
the faces check matches every face). The encodings cache is warmed first, so both sides measure
checking, not enrolling. Prints both times and their ratio; the target is a ratio of 0.25 or less.
Everything is made in a temporary folder; ../shared/faces is only read. Not a test: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "faces"
TARGET = 0.25
PHOTOS = ("people/obama-720p.jpg", "people/biden.jpg", "groups/two_people.jpg", "people/obama2.jpg")

RULES = "links:\n  allow: [exampleprimary.sch.uk, gov.uk]\nfaces:\n  unknown: fail\n  tolerance: 0.5\n"
REGISTER = """\
pupil_id,first_name,last_name,known_as,role,photo_consent,name_consent,consent_expires
P001,Oliver,Bennett,Ollie,pupil,yes,yes,2030-07-31
P010,Barack,Obama,,pupil,yes,yes,2030-07-31
P011,Joe,Biden,,pupil,no,yes,2030-07-31
"""


def make_school(root: Path, posts: int) -> Path:
    (root / "consent_data" / "photos").mkdir(parents=True)
    (root / "rules.yaml").write_text(RULES)
    (root / "consent_data" / "register.csv").write_text(REGISTER)
    shutil.copy(SHARED / "people" / "obama.jpg", root / "consent_data" / "photos" / "P010.jpg")
    shutil.copy(SHARED / "people" / "biden.jpg", root / "consent_data" / "photos" / "P011.jpg")
    drafts = root / "drafts"
    for index in range(posts):
        post = drafts / f"post-{index:02d}"
        post.mkdir(parents=True)
        (post / "post.txt").write_text(
            f"Week {index + 1}: well done Oliver on a great race! Details at https://www.gov.uk/school-holidays\n"
        )
        shutil.copy(SHARED / PHOTOS[index % len(PHOTOS)], post / f"photo{Path(PHOTOS[index % len(PHOTOS)]).suffix}")
    return drafts


def run(args: list[str], cwd: Path, env: dict) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
    return elapsed, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20)
    options = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"the shared photos are not at {SHARED}")
    postcheck = shutil.which("postcheck") or sys.exit("postcheck is not installed: run uv sync")
    with tempfile.TemporaryDirectory(prefix="postcheck-bench-scan-") as tmp:
        root = Path(tmp)
        drafts = make_school(root, options.posts)
        # As on a user's machine, where Python caches compiled modules (see bench/faces.py).
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(POSTCHECK_CACHE_DIR=str(root / "cache"), CI="true")
        posts = sorted(p for p in drafts.iterdir())
        run([postcheck, str(posts[0] / "post.txt"), *map(str, posts[0].glob("photo.*"))], root, env)  # warm cache

        scan_time, _ = run([postcheck, "scan", str(drafts), "--format", "json"], root, env)
        singles = 0.0
        for post in posts:
            elapsed, _ = run([postcheck, str(post / "post.txt"), *map(str, post.glob("photo.*"))], root, env)
            singles += elapsed
    ratio = scan_time / singles
    print(f"posts: {options.posts}  cores: {os.cpu_count()}")
    print(f"postcheck scan DIR:          {scan_time:7.2f} s")
    print(f"{options.posts} single postcheck runs:   {singles:7.2f} s  ({singles / options.posts:.2f} s each)")
    print(f"ratio scan / singles:        {ratio:7.3f}  (target <= {TARGET}: {'met' if ratio <= TARGET else 'MISSED'})")


if __name__ == "__main__":
    main()
