"""Accuracy of the names check on held-out cases: ``uv run python bench/names_accuracy.py [FILE]``.

A case counts as right when the findings' (rule, pupil_id) pairs equal its ``expect`` exactly.
Defaults (register, date, channel) come from tests/data/names_cases.yaml.
"""

from __future__ import annotations

import sys
from collections import Counter
from datetime import date
from pathlib import Path

import yaml

from postcheck.checks.names import NamesCheck
from postcheck.post import Draft, LoadedPost
from postcheck.register import Register, parse_register_csv

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    cases_file = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench" / "names_heldout.yaml"
    defaults = yaml.safe_load((ROOT / "tests" / "data" / "names_cases.yaml").read_text(encoding="utf-8"))["defaults"]
    cases = yaml.safe_load(cases_file.read_text(encoding="utf-8"))["cases"]
    right = 0
    for case in cases:
        register = Register(Path("."), parse_register_csv(case.get("register", defaults["register"]).encode(), "register.csv"))
        on = case.get("on", defaults["on"])
        check = NamesCheck(register, on=on if isinstance(on, date) else date.fromisoformat(on),
                           channel=case.get("channel", defaults["channel"]))
        findings = list(check.run(LoadedPost("case", Draft.of(Path("case.md"), "case.md", case["text"]), ())))
        got = Counter((f.rule, f.pupil_id) for f in findings)
        expected = Counter((e["rule"], e["pupil_id"]) for e in case["expect"])
        if got == expected:
            right += 1
        else:
            print(f"MISS {case['id']}: expected {sorted(expected.elements())}, got {sorted(got.elements())}")
    print(f"{right}/{len(cases)} held-out cases exactly right ({right / len(cases):.0%})")


if __name__ == "__main__":
    main()
