"""SARIF 2.1.0 (``postcheck --format sarif``), for GitHub code scanning and other SARIF viewers.

One run; ``tool.driver.rules`` describes every rule id that occurs (from ``postcheck.catalogue``: its
title, what it looks for, and what to do as ``help``) and each result points at its rule by
``ruleIndex``. Levels: error -> ``error``, warning -> ``warning``, info -> ``note``. Locations are
relative to ``%SRCROOT%`` with forward slashes, and ``originalUriBaseIds`` says where that is.
``automationDetails.id`` is ``postcheck/``, the category code scanning files the alerts under.

A region is given only where it means something: a line (and column, and end where the check knows
the match's span) in a text draft. A photo, a video, a Word file (its lines are those of the text
postcheck extracted, not of the file) or a whole post gets the artifact location alone; a face's box
and a video's time go in ``properties``, as does a Word draft's line and column.
A waived finding carries an external, accepted suppression naming who
approved the waiver, so code scanning shows it as dismissed instead of open.

With ``--redact``, messages hide pupils' names but locations keep the real path
(``Finding.artifact``): code scanning must point at a file that exists, and a repository's file
names are already visible to whoever can see its alerts.

``partialFingerprints`` hash rule, file, pupil id and message, not the line, so an alert keeps its
identity when the draft is edited above it (the same finding twice in one file is told apart by
its occurrence count, as CodeQL does).
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata
from pathlib import Path, PurePosixPath, PureWindowsPath
from urllib.parse import quote

from postcheck.findings import Finding, Report, Severity, box_json
from postcheck.catalogue import Rule, describe

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "postcheckFinding/v1"
AUTOMATION_ID = "postcheck/"
"""A category ending in '/': code scanning keeps postcheck's alerts apart from other tools' uploads."""
RULES_ANCHOR = "#what-fails-a-post"
"""The README section that lists every rule: each rule's helpUri, under the project's home page."""
EXTRACTED_TEXT = (".docx",)
"""Drafts whose line and column count the text postcheck extracted, not the file's own lines."""

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render_sarif(report: Report, *, srcroot: Path | None = None) -> str:
    """``srcroot`` is the folder relative paths start from (the current folder by default)."""
    return json.dumps(sarif_log(report, srcroot=srcroot), indent=2, ensure_ascii=False) + "\n"


def sarif_log(report: Report, *, srcroot: Path | None = None) -> dict:
    findings = [f for result in report.results for f in result.findings]
    rule_ids = sorted({f.rule for f in findings})
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    root = Path(srcroot) if srcroot is not None else Path.cwd()
    seen: dict[str, int] = {}
    results = []
    for finding in findings:
        digest = fingerprint(finding)
        seen[digest] = seen.get(digest, 0) + 1
        results.append(_result(finding, index[finding.rule], root, f"{digest}:{seen[digest]}"))
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": _driver([describe(rule_id) for rule_id in rule_ids])},
                "automationDetails": {"id": AUTOMATION_ID},
                "originalUriBaseIds": {SRCROOT: {"uri": _folder_uri(root)}},
                "columnKind": "unicodeCodePoints",  # Draft.position counts characters, not UTF-16 units
                "results": results,
            }
        ],
    }


def _driver(rules: list[Rule]) -> dict:
    version = _version()
    driver: dict = {"name": "postcheck", "fullName": f"postcheck {version}", "version": version,
                    "semanticVersion": version}
    uri = _information_uri()
    if uri:
        driver["informationUri"] = uri
    driver["rules"] = [_rule(info, uri) for info in rules]
    return driver


def _rule(info: Rule, information_uri: str | None) -> dict:
    rule = {
        "id": info.id,
        "name": "".join(part.capitalize() for part in info.id.replace(".", "-").split("-") if part),
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": info.means},
        "help": {"text": f"{info.means} What to do: {info.fix}",
                 "markdown": f"{info.means}\n\n**What to do:** {info.fix}"},
        "defaultConfiguration": {"level": LEVELS[info.severity]},
        "properties": {"tags": ["safeguarding", info.id.split(".", 1)[0]]},
    }
    if information_uri:
        rule["helpUri"] = information_uri.split("#", 1)[0] + RULES_ANCHOR
    return rule


def _result(finding: Finding, rule_index: int, root: Path, line_hash: str) -> dict:
    physical: dict = {"artifactLocation": artifact_location(finding.artifact, root)}
    region = _region(finding)
    if region:
        physical["region"] = region
    result: dict = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message if finding.time is None else f"{finding.message} (at {finding.time:.1f}s)"},
        "locations": [{"physicalLocation": physical}],  # the real path, even when --redact hid names in messages
        # primaryLocationLineHash is the key code scanning matches on; setting it stops
        # upload-sarif from hashing a line of a photo's bytes in its place.
        "partialFingerprints": {FINGERPRINT_KEY: line_hash, "primaryLocationLineHash": line_hash},
    }
    properties: dict = {}
    if finding.line is not None and not region:
        properties["textLine"] = finding.line
        if finding.column is not None:
            properties["textColumn"] = finding.column
    if finding.time is not None:
        properties["time"] = round(finding.time, 2)
    if finding.box is not None:
        properties["box"] = box_json(finding.box)
    if properties:
        result["properties"] = properties
    if finding.waived_by is not None:
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"Waived in rules.yaml, approved by {finding.waived_by}.",
            }
        ]
    return result


def _region(finding: Finding) -> dict:
    """Lines and columns in a text file; nothing for a photo, video, Word file or whole post."""
    if finding.line is None or PurePosixPath(_posix(finding.artifact)).suffix.casefold() in EXTRACTED_TEXT:
        return {}
    region = {"startLine": finding.line}
    if finding.column is not None:
        region["startColumn"] = finding.column
        if finding.end_line is not None and finding.end_column is not None:
            region["endLine"] = finding.end_line
            region["endColumn"] = finding.end_column
    return region


def fingerprint(finding: Finding) -> str:
    """Identity of a finding that survives lines moving: rule, file, pupil and message."""
    parts = (finding.rule, _posix(finding.artifact), finding.pupil_id or "", finding.message)
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:32]


def artifact_location(file: str, root: Path) -> dict:
    """A relative, percent-encoded URI under %SRCROOT%; a file outside it gets an absolute file: URI."""
    path = _posix(file)
    if PurePosixPath(path).is_absolute() or PureWindowsPath(file).is_absolute():
        try:
            path = Path(file).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return {"uri": Path(file).resolve().as_uri()}
    while path.startswith("./"):
        path = path[2:]
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def _folder_uri(root: Path) -> str:
    """``file:///.../`` for the folder relative paths start from; SARIF wants the trailing slash."""
    uri = root.resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _posix(file: str) -> str:
    return file.replace(os.sep, "/") if os.sep != "/" else file


def _version() -> str:
    try:
        return metadata.version("postcheck")
    except metadata.PackageNotFoundError:
        return "0.1.0"


def _information_uri() -> str | None:
    """The project's home page from its package metadata; None when it declares none."""
    try:
        meta = metadata.metadata("postcheck")
    except metadata.PackageNotFoundError:
        return None
    for entry in meta.get_all("Project-URL") or []:
        _, _, url = entry.partition(",")
        if url.strip().startswith("https://"):
            return url.strip()
    home = meta.get("Home-page")
    return home if home and home.startswith("https://") else None
