"""Text for a member of staff: a PASS/FAIL banner per post, then one line per reason."""

from __future__ import annotations

import io
from collections import Counter

from rich.console import Console
from rich.markup import escape

from postcheck.findings import Finding, Report, Severity

_MARK = {Severity.ERROR: ("✗", "bold red"), Severity.WARNING: ("!", "yellow"), Severity.INFO: ("i", "cyan")}


def where(finding: Finding) -> str:
    place = finding.file
    if finding.line is not None:
        place += f":{finding.line}"
        if finding.column is not None:
            place += f":{finding.column}"
    if finding.time is not None:
        place += f" at {finding.time:.1f}s"
    return place


def _broken_rules(report: Report) -> str:
    """One line naming the rules the failing findings break, by their catalogue titles, most often first:
    what kinds of problem these are, with ``postcheck rules`` for more on each."""
    from postcheck.catalogue import describe

    counts = Counter(f.rule for r in report.results for f in r.findings if f.fails)
    titles = [f"{describe(rule).title}{f' (x{n})' if n > 1 else ''}" for rule, n in
              sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    return "Rules broken: " + "; ".join(titles) + ". `postcheck rules` explains each."


def render_text(report: Report, *, color: bool = False, width: int | None = None) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width or 100,
                      highlight=False, soft_wrap=not color)
    for result in report.results:
        banner = "[bold white on red] FAIL [/]" if result.failed else "[bold white on green] PASS [/]"
        console.print(f"{banner} {escape(result.post)}")
        for finding in result.findings:
            mark, style = _MARK[finding.severity]
            waived = f" [dim](waived by {escape(finding.waived_by)})[/]" if finding.waived_by else ""
            if finding.waived_by:
                style = "dim"
            console.print(
                f"  [{style}]{mark} {finding.rule}[/] [dim]{escape(where(finding))}[/]  {escape(finding.message)}{waived}"
            )
    for file, reason in report.ignored:
        console.print(f"[dim]  not checked: {escape(file)} ({escape(reason)})[/]")
    failed = sum(r.failed for r in report.results)
    errors = sum(f.fails for r in report.results for f in r.findings)
    if len(report.results) > 1:
        console.print(f"{len(report.results)} posts checked: {failed} failed, {len(report.results) - failed} passed.")
    if report.failed:
        console.print(f"[bold red]FAIL[/]: {errors} problem{'s' if errors != 1 else ''} to fix before posting.")
        console.print(f"[dim]{escape(_broken_rules(report))}[/]")
    else:
        console.print("[bold green]PASS[/]: nothing found that breaks the policy.")
    return buffer.getvalue()
