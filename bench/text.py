"""Seconds per MB for text.personal-data on realistic and adversarial drafts.

Run: uv run python bench/text.py
"""

from __future__ import annotations

import time
from pathlib import Path

from postcheck.checks.text import PersonalDataCheck
from postcheck.post import Draft, LoadedPost
from postcheck.rules import Rules

MB = 1_000_000
PARAGRAPH = (
    "Year 6 visited the museum on 12/03/2025 at 10:30 and raised £12.50; call 07700 900123 or "
    "email jane.smith@gmail.com, 12 Acacia Avenue, SW1A 1AA, DOB 12/03/2015. Score 3-2.\n"
)
DRAFTS = {
    "school prose with personal data": PARAGRAPH * (MB // len(PARAGRAPH)),
    "one long digit run": "0" * MB,
    "spaced digits": "0 " * (MB // 2),
    "dotted letters": "a." * (MB // 2),
    "at signs": "@a" * (MB // 2),
    "house numbers": "1 Aa " * (MB // 5),
}


def main() -> None:
    check = PersonalDataCheck(Rules(allow_phones=("01632 960000",), allow_addresses=("1 School Lane, AB1 2CD",)))
    for name, text in DRAFTS.items():
        post = LoadedPost("bench.txt", Draft.of(Path("bench.txt"), "bench.txt", text), ())
        started = time.perf_counter()
        count = sum(1 for _ in check.run(post))
        seconds = time.perf_counter() - started
        print(f"{seconds / (len(text) / MB):6.2f} s/MB  {count:7d} findings  {name}")


if __name__ == "__main__":
    main()
