"""False alarms of text.profanity on real school news: ``uv run python bench/profanity.py``.

Runs the check, with the corpus's register, over every draft in bench/names_corpus/*.yaml and
bench/names_heldout.yaml (school news modelled on real UK school pages) and the drafts of the tests'
data files (names, links, personal data cases), and prints each warning. None of these drafts swears,
so every warning is a false alarm to justify or fix. Prints the word list's size and the time per draft.
"""

from __future__ import annotations

import time
from pathlib import Path

import yaml

from postcheck.checks.profanity import ProfanityCheck, word_list
from postcheck.post import Draft, LoadedPost
from postcheck.register import Register, parse_register_csv

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [*sorted((ROOT / "bench" / "names_corpus").glob("*.yaml")), ROOT / "bench" / "names_heldout.yaml",
           *(ROOT / "tests" / "data" / f"{name}_cases.yaml" for name in ("names", "links", "personal_data"))]


def drafts() -> list[tuple[str, str]]:
    out = []
    for source in SOURCES:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        items = data
        if isinstance(data, dict):
            items = next(data[key] for key in ("posts", "cases") if key in data)
        if isinstance(items, dict):  # links cases are keyed by name
            items = [{"id": key, **value} for key, value in items.items()]
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("text"), str):
                out.append((f"{source.name}:{item.get('id', '?')}", item["text"]))
    return out


def main() -> None:
    corpus = ROOT / "bench" / "names_corpus"
    people = parse_register_csv((corpus / "register.csv").read_bytes(), "register.csv")
    check = ProfanityCheck(Register(corpus, people))
    texts = drafts()
    start = time.perf_counter()
    warnings = []
    for name, text in texts:
        post = LoadedPost(name, Draft.of(Path(name), name, text), ())
        warnings += [(name, f.message) for f in check.run(post)]
    seconds = time.perf_counter() - start
    print(f"word list: {len(word_list())} entries; {len(texts)} drafts; {len(warnings)} warnings; "
          f"{seconds / max(len(texts), 1) * 1000:.2f} ms per draft (list loaded once)")
    for name, message in warnings:
        print(f"  {name}: {message}")


if __name__ == "__main__":
    main()
