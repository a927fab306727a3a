"""Time the names check on a varied 1 MB draft: ``uv run python bench/names.py [MB]``.

Prints the model load time and the check's time per MB. The text mixes register pupils, unknown
people, staff with titles and common words, with numbers that make almost every sentence unique (so
the per-draft sentence cache does not flatter the result). Target: under 30 s per MB on one core.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date
from pathlib import Path

from postcheck.checks.names import NamesCheck, load_nlp
from postcheck.post import Draft, LoadedPost
from postcheck.register import Register, parse_register_csv

REGISTER = """pupil_id,first_name,last_name,known_as,role,name_consent
P001,Oliver,Bennett,,pupil,yes
P002,Zoë,Hughes,,pupil,yes
P003,Amelia-Rose,O'Connor,,pupil,yes
P004,Grace,Clarke,,pupil,no
P005,Hope,Fletcher,,pupil,no
S001,Sarah,Clarke,,staff,yes
"""
FIRST = ["Oliver", "Zoë", "Grace", "Hope", "Harriet", "Tom", "Priya", "Amelia-Rose", "Noah", "Ivy"]
LAST = ["Bennett", "Mayfield", "Hughes", "Okafor", "Brown", "O'Connor", "Lindqvist", "Clarke"]
TEMPLATES = [
    "Congratulations to {f} {l} in Year {n} for {n2} house points.",
    "Mrs Clarke thanks the {n} families who baked for the summer fair.",
    "Well done to {f} for reading {n} books this term.",
    "Our Year {n} trip raised £{n2}{n} for the library, and we hope to beat it next year.",
    "{f} and {f2} led assembly on day {n2} of the {n}-week project.",
    "The under-{n} football team won {n2}-{n} against St Mary's.",
    "Please return form {n}{n2} to the office by Friday.",
]


def draft_text(megabytes: float, seed: int = 0) -> str:
    rng = random.Random(seed)
    out, size = [], 0
    while size < megabytes * 1_000_000:
        sentence = rng.choice(TEMPLATES).format(
            f=rng.choice(FIRST), f2=rng.choice(FIRST), l=rng.choice(LAST), n=rng.randint(1, 99), n2=rng.randint(1, 999))
        out.append(sentence + ("\n" if rng.random() < 0.3 else " "))
        size += len(out[-1])
    return "".join(out)


def main() -> None:
    megabytes = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    register = Register(Path("."), parse_register_csv(REGISTER.encode(), "register.csv"))
    check = NamesCheck(register, on=date(2026, 1, 15), channel="social")
    started = time.perf_counter()
    load_nlp()
    loaded = time.perf_counter()
    text = draft_text(megabytes)
    post = LoadedPost("bench", Draft.of(Path("bench.md"), "bench.md", text), ())
    began = time.perf_counter()
    findings = list(check.run(post))
    took = time.perf_counter() - began
    print(f"model load: {loaded - started:.2f} s")
    print(f"draft: {len(text) / 1e6:.2f} MB, {len(findings)} findings")
    print(f"names check: {took:.2f} s ({took / (len(text) / 1e6):.2f} s per MB)")


if __name__ == "__main__":
    main()
