"""Judging links: what is wrong with each one (the ``links.*`` rules), waivers, and the check itself."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, ClassVar, Iterator
from urllib.parse import unquote

from postcheck.checks.links.extract import Link, extract_links
from postcheck.checks.links.url import (
    C0_AND_SPACE,
    SCHEME,
    WEB_SCHEMES,
    Allowlist,
    Destination,
    destination_of,
    normalise_host,
    registered_domain,
    unicode_host,
)
from postcheck.catalogue import TEXT, Option, Rule, register_check
from postcheck.findings import Finding, Severity
from postcheck.post import LoadedPost
from postcheck.wording import Quoted, Wording

SHORTENERS = frozenset(
    """
    bit.ly bitly.com bitly.is tinyurl.com t.co goo.gl ow.ly is.gd v.gd buff.ly rebrand.ly
    cutt.ly shorturl.at tiny.cc lnkd.in t.ly rb.gy bl.ink s.id tr.im su.pr x.co cli.gs
    po.st dlvr.it ift.tt trib.al fb.me amzn.to adf.ly shorte.st soo.gd qr.net 1url.com
    tiny.one short.io snip.ly kutt.it
    """.split()
)
"""Hosts whose only job is to redirect somewhere else."""

_CONFUSABLES = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
        "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i",
        "ј": "j", "ԁ": "d", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ɡ": "g", "ο": "o", "α": "a",
        "ν": "v", "ρ": "p", "τ": "t", "υ": "u", "ι": "i", "κ": "k", "χ": "x", "ε": "e",
        "ı": "i", "ȷ": "j", "ⅼ": "l", "ℓ": "l", "ԑ": "e", "ս": "u", "օ": "o", "ց": "g",
    }
)
_COMPATIBLE_SCRIPTS = (
    {"LATIN", "CJK", "HIRAGANA", "KATAKANA"},
    {"LATIN", "CJK", "BOPOMOFO"},
    {"LATIN", "CJK", "HANGUL"},
)


def _scripts(label: str) -> set[str]:
    scripts = set()
    for ch in label:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "UNKNOWN").split()[0]
        scripts.add("CJK" if name in ("CJK", "IDEOGRAPHIC") else name)
    return scripts


def _mixed_script(label: str) -> bool:
    scripts = _scripts(label)
    return len(scripts) > 1 and not any(scripts <= allowed for allowed in _COMPATIBLE_SCRIPTS)



def _is_homograph(host: str, allow: Allowlist) -> bool:
    shown = unicode_host(host)
    if shown == host and "xn--" not in host:
        return False
    if any(_mixed_script(label) for label in shown.split(".")):
        return True
    if any(label.startswith("xn--") and unicode_host(label) == label for label in host.split(".")):
        return True  # punycode that does not decode: disguised on purpose
    skeleton = shown.translate(_CONFUSABLES)
    return skeleton != shown and skeleton.isascii() and allow.allows(skeleton)


@dataclass(frozen=True)
class Verdict:
    """What is wrong with one link (rule without the ``links.`` prefix)."""

    rule: str
    severity: Severity
    message: Wording
    """Hosts and schemes are quoted as the draft writes them (``Quoted``): --redact hides names in them as words."""


def judge(link: Link, allow: Allowlist) -> list[Verdict]:
    """Every problem with ``link``: at most one about where it leads, plus a text mismatch."""
    verdicts = []
    destinations = destination_of(link)
    for destination in destinations:
        verdict = _judge_destination(link, destination, allow)
        if verdict is not None:
            verdicts.append(verdict)
            break
    mismatch = _text_mismatch(link, destinations)
    if mismatch is not None:
        verdicts.append(mismatch)
    return verdicts


def _judge_destination(link: Link, where: Destination, allow: Allowlist) -> Verdict | None:
    error = Severity.ERROR
    if where.relative:
        return None
    if where.scheme is not None and where.scheme not in WEB_SCHEMES | {"mailto"} and not where.unknown_scheme:
        return Verdict(
            "unsafe-scheme", error,
            Wording.of("Link starting '{scheme}:' is not a web page and cannot be checked safely:"
                       " remove it, or link to the https:// page instead.", scheme=Quoted(where.scheme)),
        )
    host = where.host or ""
    shown = Quoted(where.shown_host) if where.shown_host else "an unknown site"
    if where.userinfo:
        return Verdict(
            "userinfo", error,
            Wording.of("Link hides its real destination {shown} behind a fake site name before an '@':"
                       " remove it.", shown=shown),
        )
    if where.obfuscated:
        return Verdict(
            "obfuscated", error,
            Wording.of("Link to {shown} is disguised with backslashes, hidden spaces or encoded characters:"
                       " remove it, or paste the page's plain https:// address.", shown=shown),
        )
    if where.protocol_relative:
        return Verdict(
            "protocol-relative", error,
            Wording.of("Link to {shown} starts with '//' instead of https://, so readers' apps may send"
                       " them anywhere: write the full https:// address, or remove it.", shown=shown),
        )
    if where.ip is not None:
        return Verdict(
            "ip-address", error,
            Wording.of("Link to the raw internet address {ip} cannot be checked against the"
                       " allowlist: remove it, or use the site's web address.", ip=Quoted(str(where.ip))),
        )
    registered = registered_domain(host)
    if registered in SHORTENERS or host in SHORTENERS:
        return Verdict(
            "shortener", error,
            Wording.of("Link shortened with {shortener} hides where it really goes and cannot be checked"
                       " offline: replace it with the full address of the page.", shortener=Quoted(registered)),
        )
    misspelt = (Wording.of(" (written '{scheme}://', an unknown or misspelt scheme)", scheme=Quoted(where.scheme))
                if where.unknown_scheme else "")
    if allow.allows(host):
        if where.unknown_scheme:
            return Verdict(
                "unknown-scheme", error,
                Wording.of("Link to {shown} starts with '{scheme}://', an unknown or misspelt scheme, so where it"
                           " leads depends on the reader's apps: write https://, or remove it.",
                           shown=shown, scheme=Quoted(where.scheme)),
            )
        if where.scheme == "http":
            return Verdict(
                "insecure", Severity.WARNING,
                Wording.of("Link to {shown} uses http:// rather than https://: change it to https:// before"
                           " posting.", shown=shown),
            )
        return None
    if _is_homograph(host, allow):
        return Verdict(
            "homograph", error,
            Wording.of("Link to {shown} ({host}) uses look-alike letters from another alphabet to imitate"
                       " a real site: remove it.", shown=shown, host=Quoted(host)),
        )
    what = "Email address at" if where.email else "Link to"
    return Verdict(
        "not-allowed", error,
        Wording.of("{what} {shown}{misspelt} is not on the school's allowlist in rules.yaml: remove it or ask the"
                   " DSL to add the domain.", what=what, shown=shown, misspelt=misspelt),
    )


def _text_mismatch(link: Link, destinations: list[Destination]) -> Verdict | None:
    if not link.label:
        return None
    targets = [d.host for d in destinations if d.host]
    if not targets:
        return None
    for shown_link in extract_links(link.label):
        for shown in destination_of(shown_link):
            if shown.host and not any(_same_site(shown.host, target) for target in targets):
                return Verdict(
                    "text-mismatch", Severity.ERROR,
                    Wording.of("Link text shows {shown} but the link goes to {target}: make the text match"
                               " where the link really goes, or remove the link.",
                               shown=Quoted(shown.shown_host), target=Quoted(unicode_host(targets[0]))),
                )
    return None


def _same_site(shown: str, target: str) -> bool:
    if shown == target or shown.endswith("." + target) or target.endswith("." + shown):
        return True
    return registered_domain(shown) == registered_domain(target) and "." in registered_domain(shown)


def waiver_covers(waived: str, written: str) -> bool:
    """Does a waiver's ``link`` cover the link written in a draft (``written``: the finding's text)?

    Both are parsed as a browser reads them and compared by host (a leading ``www.`` aside) and by
    path prefix on whole segments: ``partnercharity.org/appeal`` covers
    ``https://www.partnercharity.org/appeal/2026?x=1`` but never ``partnercharity.org/appeals`` or
    ``https://evil.example/partnercharity.org/appeal``. An email address covers that address only.
    """
    waived = waived.strip()
    if not waived:
        return False
    email = "@" in waived and "/" not in waived
    if not email and not SCHEME.match(waived):
        waived = "https://" + waived
    elif email and not waived.casefold().startswith("mailto:"):
        waived = "mailto:" + waived
    if email:
        address = _address_of(waived)
        return any(link.target.casefold().startswith("mailto:") and address in _mail_addresses(link.target)
                   for link in extract_links(written))
    host, path = _host_and_path(waived)
    for link in extract_links(written):
        written_host, written_path = _host_and_path(link.target)
        if host and written_host == host and written_path[: len(path)] == path:
            return True
    return False


def _host_and_path(target: str) -> tuple[str, tuple[str, ...]]:
    """(host without a leading ``www.``, path segments) of a web link; ("", ()) when it has no host."""
    link = Link(target, 0, len(target), "url" if SCHEME.match(target) else "bare", target)
    destinations = destination_of(link)
    where = destinations[0] if destinations else None
    if where is None or not where.host or where.email or where.userinfo or where.obfuscated:
        return "", ()
    host = where.host[4:] if where.host.startswith("www.") else where.host
    rest = target.strip(C0_AND_SPACE)
    scheme = SCHEME.match(rest)
    if scheme is not None and link.kind == "url":
        rest = rest[scheme.end():]
    rest = re.sub(r"^[/\\]*", "", rest)
    path = re.split(r"[?#]", rest, maxsplit=1)[0].partition("/")[2]
    return host, tuple(unquote(part).casefold() for part in path.split("/") if part)


def _mail_addresses(target: str) -> set[str]:
    return {_address_of("mailto:" + a) for a in unquote(target[7:].split("?", 1)[0]).split(",") if a.strip()}


def _address_of(mailto: str) -> str:
    local, _, domain = unquote(mailto[7:].split("?", 1)[0]).strip().rpartition("@")
    host, _ = normalise_host(domain)
    return f"{local.casefold()}@{host}"


# --- the catalogue: every links rule and option, declared once (moves as one block) ----------------

_E = Severity.ERROR
RULES = (
    Rule("links.not-allowed", _E, "A link to a site that is not on the allowlist",
         "The draft links (with or without https://) to a site or email domain that is not on the school's "
         "allowlist in rules.yaml.",
         "Remove the link, or ask for the site to be added to the allowlist."),
    Rule("links.insecure", Severity.WARNING, "An http:// link",
         "The draft links to an allowed site over http://, which can be tampered with on the way.",
         "Use the https:// address."),
    Rule("links.userinfo", _E, "A link that names one site but goes to another",
         "The link has a user name part (\"https://www.gov.uk@evil.example/\") that hides where it really goes.",
         "Remove the link and use the site's real address."),
    Rule("links.obfuscated", _E, "A link written to fool the reader",
         "The link's site name contains backslashes, invisible characters or escapes.",
         "Remove the link and type the real address."),
    Rule("links.protocol-relative", _E, "A link without https:",
         "The link starts with // and no scheme, so where it leads depends on the page it is shown on.",
         "Write the full https:// address."),
    Rule("links.unknown-scheme", _E, "A link with an unknown or misspelt scheme",
         "The link starts with a scheme such as hppt:// that is not a web address, so where it leads depends "
         "on the reader's apps.",
         "Write the full https:// address, or remove the link."),
    Rule("links.homograph", _E, "A link with look-alike letters",
         "The link's site name uses letters from another alphabet that look like the real site's.",
         "Remove the link and type the real address."),
    Rule("links.shortener", _E, "A shortened link",
         "The link goes through a link shortener, so where it leads cannot be checked.",
         "Use the full address of the page."),
    Rule("links.ip-address", _E, "A link to a bare IP address",
         "The link goes to a numeric IP address instead of a named site.",
         "Remove the link, or use the site's name."),
    Rule("links.unsafe-scheme", _E, "A link that is not a web page or email address",
         "The link uses a scheme such as javascript:, data: or file: that can run code or open local files.",
         "Remove the link."),
    Rule("links.text-mismatch", _E, "Link text that shows another site",
         "The visible text of a link names a different site from the one the link goes to.",
         "Make the link text match the address, or use the plain address."),
)
OPTIONS = (Option("allow", "domains", (), "sites links may go to; a domain allows itself and its subdomains",
                  attr="allow"),)


@register_check(reads=[TEXT], rules=RULES, options=OPTIONS, build=lambda run: LinksCheck(run.rules.allow))
class LinksCheck:
    """Every link in the draft leads to an allowlisted site, plainly written."""

    id: ClassVar[str] = "links"

    def __init__(self, allow: tuple[str, ...]):
        self.allow = Allowlist.of(allow)

    def run(self, post: LoadedPost) -> Iterator[Finding]:
        draft = post.draft
        if draft is None:
            return
        yield from self.findings_in(draft.text, draft.display, draft.position)

    def findings_in(
        self, text: str, display: str, position: Callable[[int], tuple[int, int]]
    ) -> Iterator[Finding]:
        """Findings for ``text``; ``position`` turns an offset into 1-based (line, column)."""
        for link in extract_links(text):
            for verdict in judge(link, self.allow):
                line, column = position(link.start)
                yield Finding(
                    rule=f"{self.id}.{verdict.rule}",
                    severity=verdict.severity,
                    wording=verdict.message,
                    file=display,
                    line=line,
                    column=column,
                    span=(link.start, link.end),
                )
