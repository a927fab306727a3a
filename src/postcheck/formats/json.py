"""JSON: the contract shape, one entry per post (``postcheck --format json``)."""

from __future__ import annotations

import json

from postcheck.findings import Report


def report_data(report: Report) -> dict:
    data = {
        "verdict": report.verdict,
        "posts": [
            {"post": result.post, "verdict": result.verdict, "findings": [f.to_json() for f in result.findings]}
            for result in report.results
        ],
    }
    if report.ignored:
        data["ignored"] = [{"file": file, "reason": reason} for file, reason in report.ignored]
    return data


def render_json(report: Report) -> str:
    return json.dumps(report_data(report), indent=2, ensure_ascii=False) + "\n"
