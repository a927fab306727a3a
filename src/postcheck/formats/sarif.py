"""SARIF 2.1.0 (``postcheck --format sarif``), for GitHub code scanning and other SARIF viewers.

One run; ``tool.driver.rules`` describes every rule id that occurs (from ``rules_catalogue``)
and each result points at its rule by ``ruleIndex``. Levels: error -> ``error``, warning ->
``warning``, info -> ``note``. Locations are relative to ``%SRCROOT%`` with forward slashes.
Every result has a region, because code scanning needs ``startLine``: images and whole-file
findings use line 1. A waived finding carries an external, accepted suppression naming who
approved the waiver, so code scanning shows it as dismissed instead of open.

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

from postcheck.findings import Finding, Report, Severity
from postcheck.formats.rules_catalogue import RuleInfo, describe

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "postcheckFinding/v1"

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
                "columnKind": "unicodeCodePoints",  # Draft.position counts characters, not UTF-16 units
                "results": results,
            }
        ],
    }


def _driver(rules: list[RuleInfo]) -> dict:
    version = _version()
    driver: dict = {"name": "postcheck", "version": version, "semanticVersion": version}
    uri = _information_uri()
    if uri:
        driver["informationUri"] = uri
    driver["rules"] = [_rule(info) for info in rules]
    return driver


def _rule(info: RuleInfo) -> dict:
    return {
        "id": info.id,
        "name": "".join(part.capitalize() for part in info.id.replace(".", "-").split("-") if part),
        "shortDescription": {"text": info.short},
        "fullDescription": {"text": info.full},
        "help": {"text": info.help},
        "defaultConfiguration": {"level": LEVELS[info.default]},
        "properties": {"tags": ["safeguarding", info.id.split(".", 1)[0]]},
    }


def _result(finding: Finding, rule_index: int, root: Path, line_hash: str) -> dict:
    region: dict = {"startLine": finding.line or 1}
    if finding.line is not None and finding.column is not None:
        region["startColumn"] = finding.column
    result: dict = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message if finding.time is None else f"{finding.message} (at {finding.time:.1f}s)"},
        "locations": [
            {"physicalLocation": {"artifactLocation": artifact_location(finding.file, root), "region": region}}
        ],
        # primaryLocationLineHash is the key code scanning matches on; setting it stops
        # upload-sarif from hashing line 1 of a photo's bytes in its place.
        "partialFingerprints": {FINGERPRINT_KEY: line_hash, "primaryLocationLineHash": line_hash},
    }
    properties: dict = {}
    if finding.time is not None:
        properties["time"] = round(finding.time, 2)
    if finding.box is not None:
        top, right, bottom, left = finding.box
        properties["box"] = {"top": top, "right": right, "bottom": bottom, "left": left}
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


def fingerprint(finding: Finding) -> str:
    """Identity of a finding that survives lines moving: rule, file, pupil and message."""
    parts = (finding.rule, _posix(finding.file), finding.pupil_id or "", finding.message)
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
