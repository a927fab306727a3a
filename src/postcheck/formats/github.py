"""GitHub Actions workflow commands (``postcheck --format github``): annotations on the pull request.

Failing findings become ``::error``, warnings ``::warning``, notes and waived findings
``::notice``. GitHub shows at most 10 annotations of each kind per step, so when there are more
the 10th is a summary that counts the rest and names every post they are in: no failure is ever
hidden. Plain lines after the annotations list every finding, and the last line gives the verdict.

Nothing a file name or a draft's text holds can start a workflow command. The runner trims
leading whitespace and reads ``::command::`` at the start of a line, and the old ``##[command]``
form anywhere in a line. So every ``::`` and ``##[`` in our values, in annotations and plain lines
alike, is shown as ``:%3A`` and ``#%23[`` (see ``neutralise``), on top of the escaping the
workflow-command rules require (``%25 %0D %0A`` in data, also ``%3A %2C`` in properties). The only
``::`` printed at the start of a line are our own annotations'; ``##[`` is never printed. A file whose
name holds ``##[`` cannot be named in ``file=`` (the runner has no escape for ``#`` or ``[``): its
annotation names it in the message instead.

With ``--redact``, ``file=`` keeps the real path (``Finding.artifact``) so the annotation lands on a
file that exists; messages and plain lines show the redacted names.
"""

from __future__ import annotations

import re
from collections import Counter

from postcheck.findings import Finding, Report, Severity
from postcheck.formats.text import where

MAX_ANNOTATIONS = 10
"""GitHub's limit per kind (error, warning, notice) per step."""

_NOUNS = {"error": ("problem", "problems"), "warning": ("warning", "warnings"), "notice": ("note", "notes")}


_MARKERS = re.compile(r"::|##\[")
_NEUTRAL = {"::": ":%3A", "##[": "#%23["}


def neutralise(text: str) -> str:
    """``text`` with no ``::`` and no ``##[`` left in it, the two ways a line can become a workflow command."""
    return _MARKERS.sub(lambda m: _NEUTRAL[m.group()], text)


def _escape(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_data(value: str) -> str:
    return _escape(neutralise(value))


def escape_property(value: str) -> str:
    # ":" and "," are escaped anyway, so no "::" survives; "##[" has no escape and is refused by _annotation.
    return _escape(value).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, **properties: str | int | None) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value is not None)
    if "##[" in props:
        raise ValueError("a workflow-command property cannot hold '##['")
    return f"::{kind}{' ' + props if props else ''}::{escape_data(message)}"


def kind_of(finding: Finding) -> str:
    if finding.fails:
        return "error"
    if finding.severity is Severity.WARNING and finding.waived_by is None:
        return "warning"
    return "notice"


def render_github(report: Report) -> str:
    by_kind: dict[str, list[tuple[str, Finding]]] = {"error": [], "warning": [], "notice": []}
    for result in report.results:
        for finding in result.findings:
            by_kind[kind_of(finding)].append((result.post, finding))
    lines: list[str] = []
    for kind, items in by_kind.items():
        lines.extend(_annotations(kind, items))
    for result in report.results:
        lines.append(_plain(f"{result.verdict.upper()} {result.post}"))
        lines.extend(_plain(f"  {_describe(finding)}") for finding in result.findings)
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def _annotations(kind: str, items: list[tuple[str, Finding]]) -> list[str]:
    if len(items) <= MAX_ANNOTATIONS:
        shown, hidden = items, []
    else:
        shown, hidden = items[: MAX_ANNOTATIONS - 1], items[MAX_ANNOTATIONS - 1 :]
    out = [_annotation(kind, finding) for _, finding in shown]
    if hidden:
        per_post = Counter(post for post, _ in hidden)
        one, many = _NOUNS[kind]
        listing = ", ".join(f"{post} ({count})" for post, count in per_post.items())
        noun = one if len(hidden) == 1 else many
        posts = "post" if len(per_post) == 1 else "posts"
        out.append(
            command(
                kind,
                f"... and {len(hidden)} more {noun} in {len(per_post)} {posts}: {listing}",
                title=f"postcheck: {len(hidden)} more {noun}",
            )
        )
    return out


def _annotation(kind: str, finding: Finding) -> str:
    message = finding.message
    if finding.time is not None:
        message += f" (at {finding.time:.1f}s)"
    if finding.waived_by:
        message += f" (waived by {finding.waived_by})"
    if "##[" in finding.artifact:
        return command(kind, f"{where(finding)}: {message}", title=finding.rule)
    return command(
        kind,
        message,
        file=finding.artifact,  # the real path, even when --redact hid names in messages and plain lines
        line=finding.line,
        col=finding.column if finding.line is not None else None,
        title=finding.rule,
    )


def _describe(finding: Finding) -> str:
    waived = f" (waived by {finding.waived_by})" if finding.waived_by else ""
    return f"{where(finding)}: {finding.severity.value} {finding.rule}: {finding.message}{waived}"


def _plain(text: str) -> str:
    """One line that the runner will not read as a workflow command."""
    return neutralise(" ".join(text.splitlines()))


def _summary(report: Report) -> str:
    posts = len(report.results)
    failed = sum(r.failed for r in report.results)
    problems = sum(f.fails for r in report.results for f in r.findings)
    checked = f"{posts} post{'s' if posts != 1 else ''} checked"
    if report.failed:
        return (
            f"postcheck: FAIL: {checked}, {failed} failed: "
            f"{problems} problem{'s' if problems != 1 else ''} to fix before posting."
        )
    return f"postcheck: PASS: {checked}, nothing found that breaks the policy."
