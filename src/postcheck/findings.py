"""Findings: what a check reports about one post, frozen and sorted for output."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from postcheck.wording import Wording, redact_words


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
    wording: Wording
    """One sentence: what is wrong, where, and what to do instead, as a template and its values (see
    ``postcheck.wording``); a plain string is taken as postcheck's own words, with nothing in it to hide."""
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

    def __post_init__(self) -> None:
        if isinstance(self.wording, str):
            object.__setattr__(self, "wording", Wording(self.wording))

    @property
    def message(self) -> str:
        """The wording rendered: what every format shows (the hidden forms once ``redacted``)."""
        return self.wording.text

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
        """The same finding with every pupil's name hidden, in the message and the file name.

        The message's sensitive values become their hidden forms; ``names`` (e.g. every pupil in the
        register) and those values are hidden as words in what the check only quotes and in ``file``.
        """
        pairs = (*self.wording.names(), *names)
        return replace(self, wording=self.wording.redacted(names), file=redact_words(self.file, pairs),
                       real_file=self.artifact)

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
