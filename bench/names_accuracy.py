"""Accuracy of the names check: ``uv run python bench/names_accuracy.py [-v] [FILE.yaml ...]``.

Without arguments it reports the development corpus (``bench/names_corpus/dev.yaml``), its held-out
slices (``heldout.yaml``, written with it; ``heldout2.yaml``, written after the check was tuned;
``heldout3.yaml``, written in names2 before it was first run; ``heldout4.yaml`` to ``heldout7.yaml``, each written blind by a
helper who never saw the check or its results; none used to tune the check before its first run) and the
older held-out cases
(``bench/names_heldout.yaml``). ``-v`` lists every wrong finding and every miss.

Corpus posts (register ``bench/names_corpus/register.csv``) are scored per finding:

- an error is *right* when its pupil is one of the post's ``errors``, otherwise *wrong* (a false alarm);
- *must-flag recall*: the post's ``errors`` pupils that got an error;
- a warning is *meaningful* when it is a surname-only warning about a pupil in ``warn`` or an
  unknown-person warning whose text contains one of the post's ``people``; otherwise it is *noise*.

Held-out cases (``cases:`` files) count as right when the findings' (rule, pupil_id) pairs equal
``expect`` exactly; defaults come from tests/data/names_cases.yaml.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from postcheck.checks.names import NamesCheck
from postcheck.findings import Severity
from postcheck.post import Draft, LoadedPost
from postcheck.register import Register, parse_register_csv

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "bench" / "names_corpus"
ON = date(2026, 1, 15)
CHANNEL = "website"


def findings_of(check: NamesCheck, text: str) -> list:
    return list(check.run(LoadedPost("post", Draft.of(Path("post.md"), "post.md", text), ())))


@dataclass
class Score:
    errors_right: int = 0
    errors_wrong: int = 0
    must: int = 0
    must_flagged: int = 0
    warnings_meaningful: int = 0
    warnings_noise: int = 0
    posts: int = 0
    posts_with_false_error: int = 0
    notes: list[str] = field(default_factory=list)

    def line(self, name: str) -> str:
        warnings = self.warnings_meaningful + self.warnings_noise
        share = f"{self.warnings_meaningful / warnings:.0%}" if warnings else "-"
        return (f"{name}: {self.posts} posts; errors right {self.errors_right}, wrong {self.errors_wrong} "
                f"(false errors in {self.posts_with_false_error} posts); must-flag recall "
                f"{self.must_flagged}/{self.must}; warnings meaningful {self.warnings_meaningful}, noise "
                f"{self.warnings_noise} ({share} meaningful)")


def score_corpus(path: Path, check: NamesCheck) -> Score:
    score = Score()
    for post in yaml.safe_load(path.read_text(encoding="utf-8"))["posts"]:
        score.posts += 1
        must = set(post.get("errors") or [])
        warn = set(post.get("warn") or [])
        people = [p.casefold() for p in post.get("people") or []]
        flagged: set[str] = set()
        false_error = False
        for f in findings_of(check, post["text"]):
            shown = re.search(r'"([^"]*)"', f.message)
            said = f"{f.rule} {f.pupil_id or ''} {shown.group(1) if shown else ''}".strip()
            if f.severity is Severity.ERROR:
                if f.pupil_id in must:
                    score.errors_right += 1
                    flagged.add(f.pupil_id)
                else:
                    score.errors_wrong += 1
                    false_error = True
                    score.notes.append(f"{post['id']}: WRONG ERROR {said}")
            elif (f.rule == "names.surname-only" and f.pupil_id in warn) or (
                    f.rule == "names.unknown-person" and shown and any(p in shown.group(1).casefold() for p in people)):
                score.warnings_meaningful += 1
            else:
                score.warnings_noise += 1
                score.notes.append(f"{post['id']}: noise warning {said}")
        score.must += len(must)
        score.must_flagged += len(must & flagged)
        score.notes.extend(f"{post['id']}: MISSED {pupil}" for pupil in sorted(must - flagged))
        score.posts_with_false_error += false_error
    return score


def score_cases(path: Path) -> tuple[int, int, list[str]]:
    defaults = yaml.safe_load((ROOT / "tests" / "data" / "names_cases.yaml").read_text(encoding="utf-8"))["defaults"]
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    right, notes = 0, []
    for case in cases:
        register = Register(Path("."), parse_register_csv(case.get("register", defaults["register"]).encode(), "register.csv"))
        on = case.get("on", defaults["on"])
        check = NamesCheck(register, on=on if isinstance(on, date) else date.fromisoformat(on),
                           channel=case.get("channel", defaults["channel"]))
        got = Counter((f.rule, f.pupil_id) for f in findings_of(check, case["text"]))
        expected = Counter((e["rule"], e["pupil_id"]) for e in case["expect"])
        if got == expected:
            right += 1
        else:
            notes.append(f"MISS {case['id']}: expected {sorted(expected.elements())}, got {sorted(got.elements())}")
    return right, len(cases), notes


def main(argv: list[str]) -> None:
    verbose = "-v" in argv
    files = [Path(a) for a in argv if a != "-v"] or [CORPUS / "dev.yaml", CORPUS / "heldout.yaml",
                                                      CORPUS / "heldout2.yaml", CORPUS / "heldout3.yaml", CORPUS / "heldout4.yaml",
                                                      CORPUS / "heldout5.yaml", CORPUS / "heldout6.yaml", CORPUS / "heldout7.yaml",
                                                      ROOT / "bench" / "names_heldout.yaml"]
    register = Register(Path("."), parse_register_csv((CORPUS / "register.csv").read_bytes(), "register.csv"))
    check = NamesCheck(register, on=ON, channel=CHANNEL)
    for path in files:
        if "posts" in yaml.safe_load(path.read_text(encoding="utf-8")):
            score = score_corpus(path, check)
            print(score.line(path.name))
            notes = score.notes
        else:
            right, total, notes = score_cases(path)
            print(f"{path.name}: {right}/{total} held-out cases exactly right ({right / total:.0%})")
        if verbose:
            print("".join(f"  {n}\n" for n in notes), end="")


if __name__ == "__main__":
    main(sys.argv[1:])
