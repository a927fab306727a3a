"""JUnit XML (``postcheck --format junit``), for CI systems that show test reports.

One ``<testsuite name="postcheck">`` with exactly one ``<testcase>`` per post (classname
``postcheck``, name the post's path). A failing post has one ``<failure>`` whose message counts
its problems and whose text lists every one (rule, where, message), one per line; warnings,
notes and waived findings go to the test case's ``<system-out>``. A post that passes with
nothing to say has neither.

Every test case has a ``time``: the seconds checking the post took (load, decode and every check),
``0`` when it was not measured; the suite's ``time`` is their sum. Posts are checked a few at a time,
so the sum can exceed the run's wall-clock time, as with parallel test runners.

``errors`` and ``skipped`` are always 0: a check that crashes fails its post (``*.check-failed``)
rather than erroring the test, so a CI that only counts failures still stops the post.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from postcheck.findings import Finding, PostResult, Report
from postcheck.formats.text import where

# Characters XML 1.0 cannot carry even escaped (most C0 controls, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` with characters XML cannot hold shown as ``\\xNN`` (ElementTree escapes the rest)."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def render_junit(report: Report) -> str:
    tests = len(report.results)
    failures = sum(r.failed for r in report.results)
    seconds = sum(round(r.seconds or 0.0, 3) for r in report.results)  # the sum of the times as written
    counts = {"tests": str(tests), "failures": str(failures), "errors": "0", "skipped": "0", "time": _seconds(seconds)}
    suites = ET.Element("testsuites", {"name": "postcheck", **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": "postcheck", **counts})
    for result in report.results:
        _testcase(suite, result)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _testcase(suite: ET.Element, result: PostResult) -> None:
    case = ET.SubElement(
        suite, "testcase", {"classname": "postcheck", "name": xml_text(result.post), "time": _seconds(result.seconds)}
    )
    failing = [f for f in result.findings if f.fails]
    if failing:
        failure = ET.SubElement(
            case,
            "failure",
            {"message": f"{len(failing)} problem{'s' if len(failing) != 1 else ''}", "type": "postcheck"},
        )
        failure.text = "\n".join(_line(f) for f in failing)
    others = [f for f in result.findings if not f.fails]
    if others:
        out = ET.SubElement(case, "system-out")
        out.text = "\n".join(_line(f) for f in others)


def _seconds(value: float | None) -> str:
    return f"{value or 0.0:.3f}"


def _line(finding: Finding) -> str:
    waived = f" (waived by {finding.waived_by})" if finding.waived_by else ""
    # One finding per line: a newline inside a message would read as a second finding.
    message = " ".join(finding.message.splitlines())
    return xml_text(f"{finding.severity.value} {finding.rule} {where(finding)}: {message}{waived}")
