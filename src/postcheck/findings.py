"""Findings: what a check reports about one post, frozen and sorted for output."""

from __future__ import annotations

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

    @property
    def fails(self) -> bool:
        return self.severity is Severity.ERROR and self.waived_by is None

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

    def redacted(self) -> Finding:
        """The same finding with every pupil's name replaced (longest first)."""
        message = self.message
        for sensitive, replacement in sorted(self.redactions, key=lambda r: -len(r[0])):
            if sensitive:
                message = _replace_case_insensitive(message, sensitive, replacement)
        return replace(self, message=message, redactions=())

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
            data["box"] = {"top": self.box[0], "right": self.box[1], "bottom": self.box[2], "left": self.box[3]}
        if self.time is not None:
            data["time"] = round(self.time, 2)
        if self.waived_by is not None:
            data["waived_by"] = self.waived_by
        return data


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

    @classmethod
    def of(cls, post: str, findings) -> PostResult:
        unique = {f: None for f in findings}  # drop exact duplicates, keep order
        return cls(post, tuple(sorted(unique, key=Finding.sort_key)))

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

    def redacted(self) -> Report:
        return Report(tuple(PostResult(r.post, tuple(f.redacted() for f in r.findings)) for r in self.results), self.ignored)
