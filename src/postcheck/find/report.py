"""``postcheck find`` output: text grouped by file, JSON in the issue's shape, CSV for the office's spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from enum import Enum
from itertools import groupby
from typing import Sequence

from postcheck.find.search import Match, Outcome
from postcheck.post import clock


class FindFormat(str, Enum):
    text = "text"
    json = "json"
    csv = "csv"


CSV_COLUMNS = ("file", "pupil_id", "kind", "time", "line", "column", "box_top", "box_right", "box_bottom",
               "box_left", "distance")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell a spreadsheet would run as a formula (a file called ``=HYPERLINK(...).jpg``): written with a ``'`` first."""


def redacted(outcome: Outcome, names: Sequence[tuple[str, str]]) -> Outcome:
    """The outcome with pupils' names hidden in every file name (``--redact``); pupil ids stay."""
    from postcheck.findings import redact_words

    def hide(text: str) -> str:
        return redact_words(text, names)

    return replace(
        outcome,
        matches=[replace(m, file=hide(m.file)) for m in outcome.matches],
        unreadable=[(hide(f), hide(why)) for f, why in outcome.unreadable],
        not_searched=[hide(f) for f in outcome.not_searched],
    )


def render(outcome: Outcome, fmt: FindFormat) -> str:
    if fmt is FindFormat.json:
        data = {"matches": [m.to_json() for m in outcome.matches], "files_checked": outcome.files_checked,
                "unreadable": [f for f, _ in outcome.unreadable]}
        if outcome.not_searched:
            data["not_searched"] = outcome.not_searched
        if outcome.no_photo:
            data["no_reference_photo"] = outcome.no_photo
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt is FindFormat.csv:
        return render_csv(outcome.matches)
    return render_text(outcome)


def render_csv(matches: Sequence[Match]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for m in matches:
        box = m.box or (None, None, None, None)
        row = [m.file, m.pupil_id, m.kind, m.time, m.line, m.column, *box, m.distance]
        writer.writerow(["" if v is None else _cell(v) for v in row])
    return out.getvalue()


def _cell(value) -> str:
    text = str(value)
    return "'" + text if isinstance(value, str) and text.startswith(FORMULA_STARTS) else text


def render_text(outcome: Outcome) -> str:
    lines = []
    for file, group in groupby(outcome.matches, key=lambda m: m.file):
        lines.append(file)
        lines.extend(f"  {m.pupil_id}  {describe(m)}" for m in group)
    files = len({m.file for m in outcome.matches})
    pupils = len({m.pupil_id for m in outcome.matches})
    count = len(outcome.matches)
    if count:
        lines.append(f"{count} match{'es' if count != 1 else ''} for {pupils} pupil{'s' if pupils != 1 else ''} in "
                     f"{files} file{'s' if files != 1 else ''} ({outcome.files_checked} files searched).")
    else:
        lines.append(f"Nothing found ({outcome.files_checked} files searched).")
    if outcome.no_photo:
        lines.append(f"No reference photo, so only names were searched for: {', '.join(outcome.no_photo)}.")
    if outcome.unreadable:
        lines.append(f"Could not be read ({len(outcome.unreadable)}): check these by hand:")
        lines.extend(f"  {file}: {why}" for file, why in outcome.unreadable)
    if outcome.not_searched:
        lines.append(f"Not searched ({len(outcome.not_searched)}): neither a photo, video, draft nor web page:")
        lines.extend(f"  {file}" for file in outcome.not_searched)
    return "\n".join(lines) + "\n"


def describe(match: Match) -> str:
    if match.kind == "face":
        top, right, bottom, left = match.box
        when = f" at {clock(match.time)}" if match.time is not None else ""
        return f"face{when} (box at {left},{top}, {right - left}x{bottom - top} pixels), distance {match.distance:.2f}"
    where = f", line {match.line}, column {match.column}" if match.line is not None else ""
    return f"name: {match.how}{where}"

