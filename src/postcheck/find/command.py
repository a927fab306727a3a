"""``postcheck find``: usage checked and the register loaded before any model loads, then the search."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from postcheck.errors import InputError
from postcheck.find.report import FindFormat, redacted, render
from postcheck.find.search import Outcome


@dataclass(frozen=True)
class Found:
    text: str
    outcome: Outcome | None
    """None when nobody was searched for (``--refused`` on a day when everyone has consent)."""


def run_find(archive: Path, *, pupils: list[str], refused: bool, register_dir: Path, on: date, channel: str,
             fmt: str, annotate: Path | None, redact: bool, progress: bool) -> Found:
    from postcheck.find.archive import walk_archive
    from postcheck.find.search import refused_pupils, search
    from postcheck.register import load_register

    try:
        chosen = FindFormat(fmt.casefold())
    except ValueError:
        raise InputError(f"--format '{fmt}' is not one of text, json, csv") from None
    if not pupils and not refused:
        raise InputError("say whom to look for: --pupil ID (repeatable) or --refused")
    register = load_register(register_dir)
    unknown = [pid for pid in pupils if pid not in register]
    if unknown:
        raise InputError(f"--pupil {unknown[0]} is not in {register.csv_path}")
    wanted = list(dict.fromkeys([*pupils, *(refused_pupils(register, on, channel) if refused else [])]))
    tree = walk_archive(archive)
    if tree.searched == 0:
        raise InputError(f"{archive} holds no photo, video, draft or web page to search")
    if not wanted:
        sys.stderr.write(f"Nobody's photo or name consent is refused or expired on {on.isoformat()} for {channel}: "
                         "nobody to look for.\n")
        return Found(render(Outcome([], 0, [], [], []), chosen) if chosen is not FindFormat.text
                     else "Nobody to look for.\n", None)
    from postcheck.enroll import enroll

    references = enroll(register).references()
    if progress:
        outcome = _with_progress(lambda report: search(tree, register, wanted, references, on=on, channel=channel,
                                                       progress=report))
    else:
        outcome = search(tree, register, wanted, references, on=on, channel=channel)
    if outcome.no_photo:
        sys.stderr.write(f"postcheck: warning: no reference photo for {', '.join(outcome.no_photo)} in "
                         f"{register.root}: only names were searched for, not faces\n")
    if outcome.index_note:
        sys.stderr.write(f"postcheck: warning: {outcome.index_note}\n")
    if annotate is not None:
        from postcheck.find.boxes import annotate_matches

        annotate_matches(outcome.matches, archive, annotate)
    shown = outcome
    if redact:
        shown = redacted(outcome, register.pupil_names)
    return Found(render(shown, chosen), outcome)


def _with_progress(run):
    """A progress bar with the time left while the index is built (only for files not indexed yet)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("Reading photos and videos for faces", total=None)
        return run(lambda done, total: bar.update(task, completed=done, total=total))
