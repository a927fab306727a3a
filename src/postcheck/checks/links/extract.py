"""Finding links in text: every form a phone, a browser or a social-media app turns into a link.

What counts is listed in the package's docstring (``postcheck.checks.links``); whether a scheme-less
``name.tld`` is a host is ``url.plausible_host``'s to say.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from postcheck.checks.links.url import plausible_host

_TRAILING_PUNCTUATION = ".,;:!?'\"*_~\u2019\u201d\u2026\u00bb\u203a"
_CLOSING = {")": "(", "]": "[", "}": "{"}

TEXT_SEPARATORS = "\uff5c\uff1c\uff1e"
"""Characters that end a link although they are not spaces: linkify-it's text separators (``|`` in its fullwidth
form U+FF5C) and the fullwidth ``<`` ``>``, which fold to the ASCII ones (``https://school.sch.uk｜term dates``)."""
_URL_BODY = r"[^\s<>\"" + TEXT_SEPARATORS + r"]*"
_HOST_LABEL = r"[\w\u2190-\u2bff\U0001f000-\U0001faff\ufe0f-]+"
"""A label of a host written without a scheme: letters, digits, hyphens, and emoji (``➡.ws``: registries sell them
and browsers open them)."""
_PLAIN_SCHEME = (
    r"(?i:(?:https?|ftps?|sftp|wss?|file|ssh|smb|telnet|gopher|ldap|webcal|view-source)(?=:[/\\])"
    r"|(?:javascript|vbscript|mailto|magnet|blob|intent)(?=:\S)"
    r"|data(?=:[\w.+-]+/[\w.+-]+[;,]|:,))"
)
_MD_DESTINATION = r"<[^<>\n]*>|[^\s()<>]*(?:\([^\s()<>]*\)[^\s()<>]*)*"
_LINK_PATTERN = re.compile(
    r"(?P<md>!?\[(?P<md_label>[^\[\]\n]{0,1000})\]\(\s*(?P<md_dest>" + _MD_DESTINATION + r")"
    r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\)))?\s*\))"
    r"|(?m:^(?P<mdref>[ ]{0,3}\[[^\[\]\n]{1,1000}\]:[ \t]*(?P<mdref_dest><[^<>\n]*>|\S+)))"
    r"|(?P<autolink><(?P<auto_dest>[a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^<>\s]*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)>)"
    r"|(?P<tag><(?P<tag_name>[a-zA-Z][a-zA-Z0-9-]*)(?P<tag_attrs>\s[^<>]*)?>)"
    r"|(?P<url>(?<![\w+.-])" + _PLAIN_SCHEME + r":" + _URL_BODY + r")"
    r"|(?P<email>(?<![\w.+-])(?P<mailbox>[\w+-]+(?:\.[\w+-]+)*|\"[^\"\\\n]{1,64}\")@(?P<email_host>[\w-]+(?:\.[\w-]+)+))"
    r"|(?P<odd>(?<![\w+.-])[a-zA-Z][a-zA-Z0-9+.-]{0,31}://" + _URL_BODY + r")"
    r"|(?P<bare>(?<![\w.@/\\-])(?P<bare_slashes>//)?(?P<bare_host>" + _HOST_LABEL + r"(?:\." + _HOST_LABEL + r")+)"
    r"(?P<bare_port>:\d{1,5})?(?P<bare_rest>[/?#]" + _URL_BODY + r")?)"
)
_ATTRIBUTE = re.compile(
    r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?"""
)
_URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "poster", "cite", "background", "data",
     "longdesc", "xlink:href", "ping", "manifest", "codebase", "srcset"}
)
_TAGS = re.compile(r"<[^<>]*>")
_ANCHOR_END = re.compile(r"</a\s*>", re.IGNORECASE)
_ANCHOR_SEARCH_LIMIT = 5000


@dataclass(frozen=True)
class Link:
    """One link a reader could follow, exactly where it was written."""

    raw: str
    """The text as written: ``text[start:end]``."""
    start: int
    end: int
    kind: str
    """How it was written: url, mailto, bare, email, markdown, autolink or html."""
    target: str
    """Where it leads, as the browser is handed it (Markdown/HTML destination, entities decoded)."""
    label: str | None = None
    """The link text shown to the reader (Markdown and HTML anchors)."""


def extract_links(text: str) -> list[Link]:
    """Every link in ``text``, in order; Markdown/HTML link text is not scanned again."""
    links: list[Link] = []
    position = 0
    while (match := _LINK_PATTERN.search(text, position)) is not None:
        found, position = _links_from(match, text)
        links.extend(found)
        position = max(position, match.start() + 1)
    return links


def _links_from(match: re.Match, text: str) -> tuple[list[Link], int]:
    """The links one match of ``_LINK_PATTERN`` stands for, and where to search on from."""
    start, end = match.start(), match.end()
    if match.group("md") is not None:
        destination = html.unescape(_unbracket(match.group("md_dest")))
        label = None if match.group("md").startswith("!") else match.group("md_label")
        return [Link(text[start:end], start, end, "markdown", destination, label)], end
    if match.group("mdref") is not None:
        start = match.start("mdref") + len(match.group("mdref")) - len(match.group("mdref").lstrip(" "))
        destination = _unbracket(match.group("mdref_dest"))
        return [Link(text[start:end], start, end, "markdown", destination)], end
    if match.group("autolink") is not None:
        destination = match.group("auto_dest")
        if ":" not in destination.split("@")[0]:
            destination = "mailto:" + destination
        return [Link(text[start:end], start, end, "autolink", destination)], end
    if match.group("tag") is not None:
        return _links_in_tag(match, text)
    if match.group("url") is not None or match.group("odd") is not None:
        end = start + len(_trim_trailing(match.group("url") or match.group("odd")))
        raw = text[start:end]
        if not _has_content_after_scheme(raw):
            return [], end
        kind = "mailto" if raw.lower().startswith("mailto:") else "url"
        return [Link(raw, start, end, kind, raw)], end
    if match.group("email") is not None:
        if not plausible_host(match.group("email_host"), has_path=False, prefixed=True):
            return [], end
        raw = text[start:end]
        return [Link(raw, start, end, "email", "mailto:" + raw)], end
    host = match.group("bare_host")
    rest = _trim_trailing((match.group("bare_port") or "") + (match.group("bare_rest") or ""))
    slashes = match.group("bare_slashes") or ""
    if not plausible_host(host, has_path=bool(rest) or bool(slashes), prefixed=bool(slashes)):
        return [], end
    end = start + len(slashes) + len(host) + len(rest)
    raw = text[start:end]
    return [Link(raw, start, end, "bare", raw)], end


def _links_in_tag(match: re.Match, text: str) -> tuple[list[Link], int]:
    start, end = match.start(), match.end()
    name = match.group("tag_name").lower()
    targets = []
    for attribute in _ATTRIBUTE.finditer(match.group("tag_attrs") or ""):
        key = attribute.group(1).lower()
        value = next((v for v in attribute.group(2, 3, 4) if v is not None), None)
        if key not in _URL_ATTRIBUTES or value is None:
            continue
        value = html.unescape(value)
        if key == "srcset":
            targets.extend(part.split()[0] for part in value.split(",") if part.split())
        else:
            targets.append(value)
    if not targets:
        return [], end
    label = None
    if name == "a":
        closing = _ANCHOR_END.search(text, end, end + _ANCHOR_SEARCH_LIMIT)
        if closing is not None:
            label = html.unescape(_TAGS.sub(" ", text[end:closing.start()])).strip()
            end = closing.end()
    return [Link(text[start:end], start, end, "html", target, label) for target in targets], end


def _unbracket(destination: str) -> str:
    if destination.startswith("<") and destination.endswith(">"):
        return destination[1:-1]
    return destination


def _has_content_after_scheme(raw: str) -> bool:
    # Trimming may have taken the colon itself ("mailto:)" -> "mailto"): then it is not a link.
    _, colon, rest = raw.partition(":")
    return bool(colon) and bool(rest.strip("/\\"))


def _trim_trailing(url: str) -> str:
    """Drop punctuation that ends the sentence rather than the address (GFM autolink rules)."""
    unmatched = {closing: url.count(closing) - url.count(opening) for closing, opening in _CLOSING.items()}
    end = len(url)
    while end:
        last = url[end - 1]
        if last in _TRAILING_PUNCTUATION:
            end -= 1
        elif last in _CLOSING and unmatched[last] > 0:
            unmatched[last] -= 1
            end -= 1
        else:
            break
    return url[:end]

