"""Install postcheck as a school's IT person would, with plain pip and no C compiler, and check the result.

    uv run python bench/install.py

In a fresh virtual environment, with CC and CXX set to /bin/false (so any package that would build from
source fails instead), it times `pip install <this checkout>`, runs `pip check`, lists any Python module
that two installed distributions both own (dlib/dlib-bin, face_recognition_models/-ng,
opencv-python/-headless were the pairs to avoid), and checks that `postcheck examples/draft.txt
examples/photo.jpg` gives the same findings there as in this project's own environment. Needs the
package registry; everything it makes goes into a temporary folder. Not a test: it downloads, and its
time depends on the network and the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 120
"""The install issue's target: `pip install` in under 2 minutes."""

OWNERS = """
import collections, importlib.metadata as md, json
owners = collections.defaultdict(set)
for dist in md.distributions():
    for f in dist.files or ():
        top = f.parts[0]
        if top.endswith((".dist-info", ".data")) or top in ("..", "__pycache__") or top.startswith("_"):
            continue
        owners[top.removesuffix(".py")].add(dist.metadata["Name"])
print(json.dumps({m: sorted(d) for m, d in owners.items() if len(d) > 1}))
"""


def findings(postcheck: list[str]) -> list[tuple[str, str | None]]:
    out = subprocess.run([*postcheck, "examples/draft.txt", "examples/photo.jpg", "--format", "json"],
                         cwd=ROOT, capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.exit(f"bench/install.py: {postcheck[0]} failed: {out.stderr.strip()}")
    return sorted((f["rule"], f["pupil_id"]) for f in json.loads(out.stdout)["posts"][0]["findings"])


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip"]
        env = {**os.environ, "CC": "/bin/false", "CXX": "/bin/false", "PIP_NO_CACHE_DIR": "1"}
        start = time.perf_counter()
        installed = subprocess.run([*pip, "install", "--quiet", str(ROOT)], env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if installed.returncode != 0:
            sys.exit(f"pip install failed after {seconds:.0f} s:\n{installed.stderr[-2000:]}")
        check = subprocess.run([*pip, "check"], capture_output=True, text=True)
        owned_twice = json.loads(subprocess.run([str(venv / "bin" / "python"), "-c", OWNERS],
                                                capture_output=True, text=True, check=True).stdout)
        theirs = findings([str(venv / "bin" / "postcheck")])
        ours = findings([str(Path(sys.executable).parent / "postcheck")])
    print(f"pip install with no C compiler, no pip cache: {seconds:.0f} s (target < {TARGET_SECONDS} s)")
    print(f"pip check: {check.stdout.strip() or check.stderr.strip()}")
    print(f"modules owned by two distributions: {owned_twice or 'none'}")
    print(f"example post, pip install vs uv run: {'same findings' if theirs == ours else 'DIFFERENT'} ({len(ours)} findings)")


if __name__ == "__main__":
    main()
