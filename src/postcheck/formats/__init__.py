"""Output formats: each module renders a Report to text; ``render`` picks one by name."""

from __future__ import annotations

from enum import Enum

from postcheck.findings import Report


class Format(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    github = "github"


def render(report: Report, fmt: Format, *, color: bool = False, width: int | None = None) -> str:
    if fmt is Format.text:
        from postcheck.formats.text import render_text

        return render_text(report, color=color, width=width)
    if fmt is Format.json:
        from postcheck.formats.json import render_json

        return render_json(report)
    if fmt is Format.sarif:
        from postcheck.formats.sarif import render_sarif

        return render_sarif(report)
    if fmt is Format.junit:
        from postcheck.formats.junit import render_junit

        return render_junit(report)
    from postcheck.formats.github import render_github

    return render_github(report)
