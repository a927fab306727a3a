"""The rule catalogue for people: ``postcheck rules`` (text, json) and the README's table (markdown).

Every line comes from ``postcheck.catalogue``: a rule's id, check, default severity, title, meaning,
fix advice and the rules.yaml key that changes it, and every rules.yaml option with its type and default.
"""

from __future__ import annotations

import json

from postcheck import catalogue
from postcheck.catalogue import Option, Rule

FORMATS = ("text", "json", "markdown")
TABLE_START = "<!-- The table below is made by `uv run python -m postcheck.catalogue --markdown`: edit the rules, not it. -->"
TABLE_END = "<!-- end of the generated table -->"


def render_rules(fmt: str) -> str:
    rules = list(catalogue.rules().values())
    options = [(section, option) for section, declared in catalogue.options().items() for option in declared]
    if fmt == "json":
        return json.dumps({"rules": [_rule_json(r) for r in rules],
                           "options": [_option_json(s, o) for s, o in options]}, indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return _markdown(rules)
    return _text(rules, options)


def _severity(rule: Rule) -> str:
    return rule.severity.value


def _setting_words(rule: Rule) -> str:
    """``faces.unknown: fail or warn`` for a rule whose severity rules.yaml can change."""
    option = catalogue.option(rule.setting)
    choices = list(option.choices)
    return f"{rule.setting}: {', '.join(choices[:-1])} or {choices[-1]}"


def _text(rules: list[Rule], options: list[tuple[str, Option]]) -> str:
    lines = []
    for rule in rules:
        changed = f"; rules.yaml {_setting_words(rule)}" if rule.setting else ""
        lines.append(f"{rule.id} ({_severity(rule)}; check: {rule.check}{changed}): {rule.title}")
        lines.append(f"    what to do: {rule.fix}")
    lines.append("")
    lines.append("rules.yaml options:")
    for section, option in options:
        lines.append(f"{section}.{option.key} ({option.type_text()}; default {_default(option)}): {option.help}")
    return "\n".join(lines) + "\n"


def _default(option: Option) -> str:
    if isinstance(option.default, tuple):
        return "none" if not option.default else ", ".join(map(str, option.default))
    return str(option.default)


def _rule_json(rule: Rule) -> dict:
    out = {"id": rule.id, "check": rule.check, "severity": _severity(rule), "title": rule.title,
           "means": rule.means, "fix": rule.fix}
    if rule.setting:
        out["setting"] = rule.setting
    return out


def _option_json(section: str, option: Option) -> dict:
    out = {"key": f"{section}.{option.key}", "type": option.kind, "default": option.default, "help": option.help}
    if option.choices:
        out["choices"] = list(option.choices)
    if option.low is not None:
        out["min"], out["max"] = option.low, option.high
    return out


def _markdown(rules: list[Rule]) -> str:
    rows = [TABLE_START, "", "| rule | severity | what it means | what to do |", "| --- | --- | --- | --- |"]
    for rule in rules:
        severity = _severity(rule)
        if rule.setting:
            severity += f" (`{_setting_words(rule)}`)"
        rows.append(f"| `{rule.id}` | {severity} | {_cell(rule.means)} | {_cell(rule.fix)} |")
    rows += ["", TABLE_END]
    return "\n".join(rows) + "\n"


def _cell(text: str) -> str:
    """Table-safe: a bar would end the cell and ``<check>`` would be read as an HTML tag."""
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def with_table(readme: str) -> str:
    """``readme`` with the text between TABLE_START and TABLE_END replaced by the current table."""
    start, end = readme.find(TABLE_START), readme.find(TABLE_END)
    if start < 0 or end < start:
        raise ValueError("the README has no generated rule table (its start and end comments are missing)")
    return readme[:start] + render_rules("markdown") + readme[end + len(TABLE_END) + 1:]
