"""Findings: what a check reports about one post, frozen and sorted for output."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import Enum


class Severity(str, Enum):
    """ERROR fails the post; WARNING and INFO are shown but do not."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True)
class Finding:
    """One reason a post passes or fails, in words a member of staff understands."""

    rule: str
    """Dotted rule id starting with the check: ``names.full-name``, ``faces.unknown``."""
    severity: Severity
    message: str
    """One sentence: what is wrong, where, and what to do instead."""
    file: str
    line: int | None = None
    """1-based line in the original file (text findings)."""
    column: int | None = None
    """1-based column in the original file (text findings)."""
    pupil_id: str | None = None
    box: tuple[int, int, int, int] | None = None
    """Face box in image pixels as (top, right, bottom, left), for face findings."""
    time: float | None = None
    """Seconds into a video, for findings from a video frame."""
    redactions: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    """(sensitive text, replacement) pairs: --redact rewrites the message with these."""
    waived_by: str | None = None
    """Who approved the waiver that accepts this finding; a waived finding never fails a post."""
    span: tuple[int, int] | None = field(default=None, compare=False)
    """Start and end character offsets of the match in the decoded draft text (text findings)."""
    suggestion: str | None = field(default=None, compare=False)
    """What to write instead of ``span`` (used by ``postcheck fix``), where the check knows it."""
    distance: float | None = field(default=None, compare=False)
    """Face findings: the face's distance to ``pupil_id``'s reference photos (see checks/faces.py)."""
    margin: float | None = field(default=None, compare=False)
    """Face findings: how much further the next nearest person in the register is."""
    end_line: int | None = field(default=None, compare=False)
    """1-based line where the match ends (text findings with a span; set by the pipeline from ``span``)."""
    end_column: int | None = field(default=None, compare=False)
    """1-based column just after the match's last character, on ``end_line``."""
    real_file: str | None = field(default=None, compare=False)
    """The file's path as it is on disk once ``redacted`` has hidden names in ``file`` (see ``artifact``)."""

    @property
    def fails(self) -> bool:
        return self.severity is Severity.ERROR and self.waived_by is None

    @property
    def artifact(self) -> str:
        """The file as it is on disk, for locations a tool opens (SARIF artifact URIs, GitHub ``file=``).

        Redaction hides names in what people read (``file`` and the message), not in these: a
        location must name a file that exists, and a repository's file names are already visible to
        everyone who can see its code scanning alerts or workflow annotations.
        """
        return self.real_file if self.real_file is not None else self.file

    def sort_key(self) -> tuple:
        return (
            self.file,
            self.time if self.time is not None else -1.0,
            self.line if self.line is not None else 0,
            self.column if self.column is not None else 0,
            self.box or (0, 0, 0, 0),
            self.severity.rank,
            self.rule,
            self.pupil_id or "",
            self.message,
        )

    def redacted(self, names: Sequence[tuple[str, str]] = ()) -> Finding:
        """The same finding with every pupil's name replaced (longest first), in the message and the file name.

        ``names`` are further (name, replacement) pairs, e.g. every pupil in the register, replaced as words.
        """
        message = self.message
        for sensitive, replacement in sorted(self.redactions, key=lambda r: -len(r[0])):
            if sensitive:
                message = _replace_case_insensitive(message, sensitive, replacement)
        file = redact_words(self.file, (*self.redactions, *names))
        message = redact_words(message, names)
        # 'Write "Oliver" or "O.B."' becomes 'Write "O.B." or "O.B."': say it once.
        message = re.sub(r'"([^"]+)" or "\1"', r'"\1"', message)
        return replace(self, message=message, file=file, real_file=self.artifact, redactions=())

    def to_json(self) -> dict:
        data: dict = {
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "pupil_id": self.pupil_id,
        }
        if self.box is not None:
            data["box"] = box_json(self.box)
        if self.time is not None:
            data["time"] = round(self.time, 2)
        if self.waived_by is not None:
            data["waived_by"] = self.waived_by
        if self.distance is not None:
            data["distance"] = self.distance
        if self.margin is not None:
            data["margin"] = self.margin
        return data


def box_json(box: tuple[int, int, int, int]) -> dict:
    """A face box (top, right, bottom, left) as the JSON and SARIF outputs write it."""
    top, right, bottom, left = box
    return {"top": top, "right": right, "bottom": bottom, "left": left}


def redact_words(text: str, names: Sequence[tuple[str, str]]) -> str:
    """``text`` with each name replaced wherever it stands as a word, in any case, with or without accents,
    and with any separators between its words (``Oliver Bennett`` also hides ``oliver_bennett.jpg``)."""
    pattern, replacements = _names_pattern(tuple(names))
    if pattern is None:
        return text
    return pattern.sub(lambda m: replacements[m.lastgroup], text)


@functools.lru_cache(maxsize=8)  # one register per run: compile its pattern once
def _names_pattern(names: tuple[tuple[str, str], ...]) -> tuple[re.Pattern | None, dict[str, str]]:
    alternatives, replacements = [], {}
    for sensitive, replacement in sorted(set(names), key=lambda r: -len(r[0])):
        for form in dict.fromkeys((sensitive, _without_accents(sensitive))):
            words = [w for w in re.split(r"[\W_]+", form) if w]
            if words:
                group = f"n{len(alternatives)}"
                replacements[group] = replacement
                alternatives.append(f"(?P<{group}>" + r"[\W_]*".join(map(re.escape, words)) + ")")
    if not alternatives:
        return None, {}
    # A name is a whole word: "Ada" hides "ada.jpg" but not "Canada".
    return re.compile(r"(?<![^\W\d_])(?:" + "|".join(alternatives) + r")(?![^\W\d_])", re.IGNORECASE), replacements


def _without_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _replace_case_insensitive(text: str, old: str, new: str) -> str:
    lowered, needle = text.casefold(), old.casefold()
    if len(lowered) != len(text):  # casefold changed lengths (e.g. "ß"): fall back to exact match
        return text.replace(old, new)
    out, start = [], 0
    while (index := lowered.find(needle, start)) != -1:
        out.append(text[start:index])
        out.append(new)
        start = index + len(old)
    out.append(text[start:])
    return "".join(out)


@dataclass(frozen=True)
class PostResult:
    """Every finding for one post, sorted; the post fails iff one finding fails."""

    post: str
    findings: tuple[Finding, ...]
    seconds: float | None = field(default=None, compare=False)
    """How long checking the post took (JUnit ``time``); None when not measured."""

    @classmethod
    def of(cls, post: str, findings, seconds: float | None = None) -> PostResult:
        unique = {f: None for f in findings}  # drop exact duplicates, keep order
        return cls(post, tuple(sorted(unique, key=Finding.sort_key)), seconds)

    @property
    def failed(self) -> bool:
        return any(f.fails for f in self.findings)

    @property
    def verdict(self) -> str:
        return "fail" if self.failed else "pass"


@dataclass(frozen=True)
class Report:
    results: tuple[PostResult, ...]
    ignored: tuple[tuple[str, str], ...] = ()
    """Files a scan did not check, each with the reason: nothing is skipped silently."""

    @property
    def failed(self) -> bool:
        return any(r.failed for r in self.results)

    @property
    def verdict(self) -> str:
        return "fail" if self.failed else "pass"

    def redacted(self, names: Sequence[tuple[str, str]] = ()) -> Report:
        """Every finding redacted; post and ignored file names too, with ``names`` (every pupil in the register)."""
        results = tuple(
            PostResult(redact_words(r.post, names), tuple(f.redacted(names) for f in r.findings), r.seconds)
            for r in self.results
        )
        return Report(results, tuple((redact_words(file, names), reason) for file, reason in self.ignored))
