"""links: every link in a draft must lead to a site on the school's allowlist.

A reader can follow more than ``https://`` addresses, so the check finds every form a
phone, a browser or a social-media app turns into a link:

* web addresses with a scheme (``https://www.gov.uk/guidance``), trailing punctuation
  left out (``(see https://www.gov.uk/x).`` ends at ``x``);
* bare hosts and domains (``www.example.org``, ``example.org/page``, ``gov.uk/guidance``),
  recognised with the bundled public suffix list. Abbreviations, times, numbers and file
  names (``e.g.``, ``3.30pm``, ``v2.0``, ``report.pdf``, ``notes.zip``) are not links;
* Markdown ``[text](url)``, ``<url>`` autolinks and ``[ref]: url`` definitions; HTML
  ``href``, ``src`` and other URL attributes;
* ``mailto:`` links and plain email addresses, quoted ones too (``"john"@gmail.com``), judged by the
  domain after the ``@`` up to where a domain cannot go on (``office@myschool.sch.uk/``);
* hosts with emoji (``➡.ws/x``): registries sell them and browsers open them;
* a link ends at a space, ``<``, ``>``, ``"`` and their fullwidth forms, and at the fullwidth bar ``｜``
  (``https://myschool.sch.uk｜term dates``), as linkify-it ends it;
* other schemes: ``javascript:``, ``data:``, ``file:``, ``ftp:`` ...

Each link is read the way a browser reads it (spaces and control characters around it
ignored, tabs and newlines inside it removed, ``\\`` taken as ``/``, the part before ``@``
dropped, percent-escapes and international names decoded, IP numbers in any notation
recognised) and the host it really leads to is compared with the allowlist. An allowlist
entry allows itself and its subdomains: ``bbc.co.uk`` allows ``news.bbc.co.uk`` but never
``notbbc.co.uk`` or ``bbc.co.uk.evil.com``. Entries may be written as domains or as whole
addresses (``https://www.gov.uk/``); a leading ``www.`` is dropped.

Rules (one finding per link, the first that applies; ``text-mismatch`` comes on top):

* ``links.unsafe-scheme`` (error): ``javascript:``, ``data:``, ``file:``, ``ftp:`` and any
  other scheme that is not a web page or email address.
* ``links.userinfo`` (error): an address such as ``https://www.gov.uk@evil.example/``
  that names one site but goes to another.
* ``links.obfuscated`` (error): backslashes, tabs, newlines, invisible characters or
  percent-escapes in the host part: a link written to fool the reader.
* ``links.protocol-relative`` (error): ``//host/...`` without ``https:``.
* ``links.unknown-scheme`` (error): ``hppt://``, ``hxxps://`` or an app's own scheme followed by ``//`` to an
  allowed site: where it leads depends on the reader's apps. To a site not allowed it is ``links.not-allowed``,
  saying the scheme is unknown or misspelt.
* ``links.ip-address`` (error): a raw IPv4 or IPv6 host, in any notation.
* ``links.shortener`` (error): bit.ly, tinyurl.com, t.co ...: the destination cannot be
  checked offline, even when the shortener is on the allowlist.
* ``links.homograph`` (error): an international name imitating a real one with
  look-alike letters (``bbс.co.uk`` with a Cyrillic ``с``), unless that exact name is
  allowlisted.
* ``links.not-allowed`` (error): any other host or email domain not on the allowlist.
* ``links.insecure`` (warning): ``http://`` to an allowed site.
* ``links.text-mismatch`` (error): Markdown or HTML link text that shows another domain
  than the one the link goes to.

Options (``rules.yaml``): ``allow``, the list of allowed domains.

The check never uses the network: the public suffix list is the snapshot bundled with
tldextract, and nothing is written to disk.
"""

from __future__ import annotations

import functools
import html
import ipaddress
import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Callable, ClassVar, Iterator
from urllib.parse import unquote

import idna

from postcheck.findings import Finding, Severity
from postcheck.post import LoadedPost

SHORTENERS = frozenset(
    """
    bit.ly bitly.com bitly.is tinyurl.com t.co goo.gl ow.ly is.gd v.gd buff.ly rebrand.ly
    cutt.ly shorturl.at tiny.cc lnkd.in t.ly rb.gy bl.ink s.id tr.im su.pr x.co cli.gs
    po.st dlvr.it ift.tt trib.al fb.me amzn.to adf.ly shorte.st soo.gd qr.net 1url.com
    tiny.one short.io snip.ly kutt.it
    """.split()
)
"""Hosts whose only job is to redirect somewhere else."""

FILE_EXTENSIONS = frozenset(
    """
    jpg jpeg png gif bmp tif tiff webp heic heif svg ico raw pdf doc docx odt rtf txt csv
    xls xlsx ods ppt pptx odp key pages numbers mp3 wav m4a aac ogg flac mp4 m4v mov avi
    mkv wmv webm zip rar 7z gz tar py md rs sh pl js ts css htm html json xml yaml yml exe
    msi dmg apk ics vcf eml psd ai indd pub swf
    """.split()
)
"""File extensions: a bare ``name.ext`` with one of these reads as a file, not a host."""

WEB_SCHEMES = frozenset({"http", "https"})
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))
_TABS_AND_NEWLINES = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_TRAILING_PUNCTUATION = ".,;:!?'\"*_~\u2019\u201d\u2026\u00bb\u203a"
_CLOSING = {")": "(", "]": "[", "}": "{"}

TEXT_SEPARATORS = "\uff5c\uff1c\uff1e"
"""Characters that end a link although they are not spaces: linkify-it's text separators (``|`` in its fullwidth
form U+FF5C) and the fullwidth ``<`` ``>``, which fold to the ASCII ones (``https://school.sch.uk｜term dates``)."""
KNOWN_SCHEMES = frozenset(
    "ftp ftps sftp ws wss file ssh smb telnet gopher ldap webcal view-source javascript vbscript mailto magnet "
    "blob intent data tel sms".split()
)
"""Schemes postcheck knows are not web pages (``links.unsafe-scheme``). Any other scheme followed by ``//``
(``hppt://``, ``hxxps://``, an app's ``zoommtg://``) is an unknown or misspelt one, judged by the host it names."""

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


@functools.cache
def public_suffixes():
    """The public suffix list bundled with tldextract: never fetched, never cached on disk."""
    import tldextract  # imported here: it pulls in requests, which the other checks never need

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


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
        if not _plausible_host(match.group("email_host"), has_path=False, prefixed=True):
            return [], end
        raw = text[start:end]
        return [Link(raw, start, end, "email", "mailto:" + raw)], end
    host = match.group("bare_host")
    rest = _trim_trailing((match.group("bare_port") or "") + (match.group("bare_rest") or ""))
    slashes = match.group("bare_slashes") or ""
    if not _plausible_host(host, has_path=bool(rest) or bool(slashes), prefixed=bool(slashes)):
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


def _plausible_host(host: str, *, has_path: bool, prefixed: bool) -> bool:
    """Whether scheme-less ``host`` reads as a web address rather than a word, number or file."""
    labels = host.split(".")
    if any(not label or label.startswith("-") or label.endswith("-") for label in labels):
        return False
    www = labels[0].lower() == "www"
    deliberate = has_path or www or prefixed
    if _dotted_quad(host):
        return True
    if "_" in host and not www:
        return False
    tld = labels[-1]
    if tld[:1].isupper() and not tld.isupper() and not deliberate:
        return False  # "Year 5.They", "school.Today": a missing space, not a host
    if tld.lower() in FILE_EXTENSIONS and not deliberate:
        return False  # "notes.zip", "clip.mov": files, though .zip and .mov are real TLDs
    parts = public_suffixes()(host.lower())
    if not parts.suffix:
        return False
    if parts.domain.isdigit() and not parts.subdomain and not deliberate:
        return False  # "Year 6.in", "Room 2.me"
    return True


def _dotted_quad(host: str) -> bool:
    labels = host.split(".")
    return len(labels) == 4 and all(label.isdigit() and int(label) < 256 for label in labels)


@dataclass(frozen=True)
class Destination:
    """Where a link really leads, read as a browser reads it."""

    scheme: str | None
    """Lower-case scheme; None for bare and protocol-relative links."""
    host: str | None = None
    """ASCII (punycode) lower-case host without trailing dot; None when there is none."""
    userinfo: bool = False
    obfuscated: bool = False
    protocol_relative: bool = False
    ip: str | None = None
    """The address, in normal notation, when the host is an IP address."""
    email: bool = False
    unknown_scheme: bool = False
    """Written with a scheme postcheck does not know (``hppt://``): judged by its host all the same."""
    relative: bool = False
    """A path on the same site (``/about``, ``#top``): nowhere a reader can be sent."""

    @property
    def shown_host(self) -> str:
        """The host as a reader would see it (international names decoded)."""
        return _unicode_host(self.host) if self.host else ""


def destination_of(link: Link) -> list[Destination]:
    """Where ``link`` leads; several destinations for a ``mailto:`` with several addresses."""
    target = link.target.strip(_C0_AND_SPACE)
    whitespace_inside = bool(_TABS_AND_NEWLINES.search(target))
    cleaned = _TABS_AND_NEWLINES.sub("", target)
    scheme_match = _SCHEME.match(cleaned)
    if link.kind == "bare":
        scheme_match = None
    elif scheme_match and "." in scheme_match.group(1) and cleaned[scheme_match.end():][:1].isdigit():
        scheme_match = None  # "example.org:8080/x" is a host and port, not a scheme
    if scheme_match is None:
        if re.match(r"[/\\]{2}", cleaned):
            after_scheme_raw = target[re.match(r"\s*", target).end():]
            return [_web_destination(None, after_scheme_raw, cleaned, protocol_relative=True)]
        if link.kind in ("markdown", "html", "autolink"):
            head = re.split(r"[/?#\\:]", cleaned, maxsplit=1)[0]
            has_path = len(head) < len(cleaned)
            if not head or not _plausible_host(head, has_path=has_path, prefixed=False):
                return [Destination(None, relative=True)]
        return [_web_destination(None, target, cleaned)]
    scheme = scheme_match.group(1).lower()
    rest_cleaned = cleaned[scheme_match.end():]
    if scheme == "mailto":
        return _mail_destinations(rest_cleaned)
    raw_rest = target[target.index(":") + 1:] if whitespace_inside else rest_cleaned
    if scheme not in WEB_SCHEMES:
        if scheme not in KNOWN_SCHEMES and re.match(r"[/\\]{2}", rest_cleaned):
            # "hppt://", "hxxps://", an app's own scheme: not protocol-relative, and it still names a host.
            return [replace(_web_destination(scheme, raw_rest, rest_cleaned), unknown_scheme=True)]
        return [Destination(scheme)]
    return [_web_destination(scheme, raw_rest, rest_cleaned)]


def _web_destination(
    scheme: str | None, raw_rest: str, rest: str, *, protocol_relative: bool = False
) -> Destination:
    """Host of a special-scheme URL; ``rest`` follows ``scheme:``, ``raw_rest`` before tabs were removed."""
    slashes = re.match(r"[/\\]*", rest).group()
    authority = re.split(r"[/\\?#]", rest[len(slashes):], maxsplit=1)[0]
    naive_authority = re.split(r"[/?#]", rest[len(slashes):], maxsplit=1)[0]
    raw_head = re.split(r"[/?#]", re.sub(r"^[/\\\s]*", "", raw_rest), maxsplit=1)[0]
    obfuscated = "\\" in slashes or "\\" in naive_authority or bool(_TABS_AND_NEWLINES.search(raw_head))
    userinfo = "@" in authority
    hostport = authority.rpartition("@")[2]
    if hostport.startswith("["):
        literal, _, _ = hostport[1:].partition("]")
        try:
            address = str(ipaddress.IPv6Address(literal))
        except ValueError:
            address, obfuscated = hostport, True
        return Destination(
            scheme, hostport, userinfo=userinfo, obfuscated=obfuscated,
            protocol_relative=protocol_relative, ip=address,
        )
    host = hostport.rpartition(":")[0] if ":" in hostport else hostport
    if "%" in host:
        obfuscated = True
        host = unquote(host)
    if any(unicodedata.category(ch) in ("Cf", "Zs", "Cc") for ch in host):
        obfuscated = True
    ascii_host, _ = _normalise_host(host)
    return Destination(
        scheme, ascii_host or None, userinfo=userinfo, obfuscated=obfuscated,
        protocol_relative=protocol_relative, ip=_ipv4(ascii_host),
        relative=not ascii_host and not userinfo,  # "https://" alone leads nowhere
    )


def _mail_destinations(rest: str) -> list[Destination]:
    addresses = re.sub(r'"[^"]*"', '""', unquote(rest.split("?", 1)[0]))  # a quoted local part may hold a comma
    destinations = []
    for address in addresses.split(","):
        # The domain ends where a domain cannot go on: "office@school.sch.uk/" is mail to school.sch.uk.
        domain = re.split(r"[/\\#]", address.strip().rpartition("@")[2], maxsplit=1)[0]
        if not domain:
            continue
        ascii_host, _ = _normalise_host(domain)
        destinations.append(Destination("mailto", ascii_host or domain.lower(), ip=_ipv4(ascii_host), email=True))
    return destinations


def _normalise_host(host: str) -> tuple[str, bool]:
    """Lower-case ASCII form of ``host`` (UTS 46, trailing dot dropped) and whether it is valid."""
    host = host.strip().rstrip(".")
    if not host:
        return "", True
    try:
        return idna.encode(host, uts46=True).decode("ascii").lower(), True
    except idna.IDNAError:
        pass
    try:  # IDNA 2008 refuses what browsers accept (underscores, emoji): encode label by label
        host = idna.uts46_remap(host, std3_rules=False)
    except idna.IDNAError:
        pass
    labels = []
    for label in host.split("."):
        try:
            labels.append(label.encode("idna").decode("ascii").lower() if label else label)
        except UnicodeError:
            labels.append(label.lower())
    return ".".join(labels), False


def _unicode_host(host: str) -> str:
    labels = []
    for label in host.split("."):
        if label.startswith("xn--"):
            try:
                label = idna.decode(label)
            except idna.IDNAError:
                try:
                    label = label[4:].encode("ascii").decode("punycode")
                except UnicodeError:
                    pass
        labels.append(label)
    return ".".join(labels)


def _ipv4(host: str | None) -> str | None:
    """The IPv4 address a browser reads in ``host`` (``3232235777``, ``0x7f.1``), else None."""
    if not host:
        return None
    parts = host.split(".")
    if parts and parts[-1] == "" and len(parts) > 1:
        parts = parts[:-1]
    numbers = [_ipv4_number(part) for part in parts]
    if not re.fullmatch(r"[0-9]+", parts[-1]) and numbers[-1] is None:
        return None  # does not end in a number: an ordinary host name
    if len(parts) > 4 or any(n is None for n in numbers):
        return host  # a browser refuses it; still a raw address, not a name
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        return host
    value = last
    for index, number in enumerate(head):
        value += number * 256 ** (3 - index)
    return str(ipaddress.IPv4Address(value))


def _ipv4_number(part: str) -> int | None:
    if not part:
        return None
    if part[:2].lower() == "0x":
        digits, base = part[2:], 16
    elif len(part) > 1 and part.startswith("0"):
        digits, base = part[1:], 8
    else:
        digits, base = part, 10
    if not digits:
        return 0
    try:
        return int(digits, base) if re.fullmatch(r"[0-9a-fA-F]+", digits) else None
    except ValueError:
        return None


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


@dataclass(frozen=True)
class Allowlist:
    """Normalised allowlist entries: each allows itself and its subdomains."""

    domains: tuple[str, ...]

    @classmethod
    def of(cls, entries: tuple[str, ...] | list[str]) -> Allowlist:
        domains = []
        for entry in entries:
            domain = _allowlist_domain(str(entry))
            if not domain or allowlist_problem(str(entry)) is not None:
                raise ValueError(f'invalid config: links allow entry "{entry}" is not a domain')
            domains.append(domain)
        return cls(tuple(dict.fromkeys(domains)))

    def allows(self, host: str) -> bool:
        return any(host == domain or host.endswith("." + domain) for domain in self.domains)


VETTED_SUFFIXES = frozenset({"gov.uk", "nhs.uk", "police.uk", "sch.uk"})
"""Public suffixes an allowlist may open whole, because only vetted public bodies can register under them.

Source: Nominet's .uk second-level domains that it does not run itself and that are not open to the public:
gov.uk (Cabinet Office / GDS naming approval: central and local government), nhs.uk (NHS England: NHS
organisations), police.uk (Home Office: police forces) and sch.uk (Jisc, for local authorities: schools).
Left out on purpose: ac.uk (universities give students and staff their own web space), and every suffix
open to anyone (co.uk, org.uk, com, github.io ... on the public suffix list bundled with tldextract)."""

_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def allowlist_problem(entry: str) -> str | None:
    """Why ``entry`` cannot be on the allowlist (the end of a one-line error), or None when it can."""
    domain = _allowlist_domain(entry)
    if domain:
        parts = public_suffixes()(domain, include_psl_private_domains=True)
        if parts.suffix and not parts.domain and not any(
            domain == vetted or domain.endswith("." + vetted) for vetted in VETTED_SUFFIXES
        ):
            vetted = ", ".join(sorted(VETTED_SUFFIXES))
            return (
                "is a public suffix: anyone can register a site under it, so it would allow them all; list the "
                f"sites themselves, e.g. myschool.sch.uk (only {vetted}, where only public bodies can register, may "
                "be allowed whole)"
            )
    labels = domain.split(".")
    if (len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels) or _ipv4(domain) is not None
            or not public_suffixes()(domain).suffix):
        return "is not a domain: write it like gov.uk or myschool.sch.uk"
    return None


def _allowlist_domain(entry: str) -> str:
    entry = entry.strip()
    if "://" in entry:
        entry = entry.split("://", 1)[1]
    entry = re.split(r"[/?#]", entry, maxsplit=1)[0].rpartition("@")[2]
    entry = re.sub(r":\d*$", "", entry).lstrip("*").lstrip(".")
    domain, valid = _normalise_host(entry)
    if not valid or "." not in domain and not domain.isalpha():
        return ""
    return domain[4:] if domain.startswith("www.") and domain.count(".") >= 2 else domain


def _registered(host: str) -> str:
    parts = public_suffixes()(host)
    return parts.top_domain_under_public_suffix or host


def _is_homograph(host: str, allow: Allowlist) -> bool:
    shown = _unicode_host(host)
    if shown == host and "xn--" not in host:
        return False
    if any(_mixed_script(label) for label in shown.split(".")):
        return True
    if any(label.startswith("xn--") and _unicode_host(label) == label for label in host.split(".")):
        return True  # punycode that does not decode: disguised on purpose
    skeleton = shown.translate(_CONFUSABLES)
    return skeleton != shown and skeleton.isascii() and allow.allows(skeleton)


@dataclass(frozen=True)
class Verdict:
    """What is wrong with one link (rule without the ``links.`` prefix)."""

    rule: str
    severity: Severity
    message: str


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
            f"Link starting '{where.scheme}:' is not a web page and cannot be checked safely:"
            " remove it, or link to the https:// page instead.",
        )
    host = where.host or ""
    shown = where.shown_host or "an unknown site"
    if where.userinfo:
        return Verdict(
            "userinfo", error,
            f"Link hides its real destination {shown} behind a fake site name before an '@':"
            " remove it.",
        )
    if where.obfuscated:
        return Verdict(
            "obfuscated", error,
            f"Link to {shown} is disguised with backslashes, hidden spaces or encoded characters:"
            " remove it, or paste the page's plain https:// address.",
        )
    if where.protocol_relative:
        return Verdict(
            "protocol-relative", error,
            f"Link to {shown} starts with '//' instead of https://, so readers' apps may send"
            " them anywhere: write the full https:// address, or remove it.",
        )
    if where.ip is not None:
        return Verdict(
            "ip-address", error,
            f"Link to the raw internet address {where.ip} cannot be checked against the"
            " allowlist: remove it, or use the site's web address.",
        )
    registered = _registered(host)
    if registered in SHORTENERS or host in SHORTENERS:
        return Verdict(
            "shortener", error,
            f"Link shortened with {registered} hides where it really goes and cannot be checked"
            " offline: replace it with the full address of the page.",
        )
    misspelt = f" (written '{where.scheme}://', an unknown or misspelt scheme)" if where.unknown_scheme else ""
    if allow.allows(host):
        if where.unknown_scheme:
            return Verdict(
                "unknown-scheme", error,
                f"Link to {shown} starts with '{where.scheme}://', an unknown or misspelt scheme, so where it"
                " leads depends on the reader's apps: write https://, or remove it.",
            )
        if where.scheme == "http":
            return Verdict(
                "insecure", Severity.WARNING,
                f"Link to {shown} uses http:// rather than https://: change it to https:// before"
                " posting.",
            )
        return None
    if _is_homograph(host, allow):
        return Verdict(
            "homograph", error,
            f"Link to {shown} ({host}) uses look-alike letters from another alphabet to imitate"
            " a real site: remove it.",
        )
    what = "Email address at" if where.email else "Link to"
    return Verdict(
        "not-allowed", error,
        f"{what} {shown}{misspelt} is not on the school's allowlist in rules.yaml: remove it or ask the"
        " DSL to add the domain.",
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
                    f"Link text shows {shown.shown_host} but the link goes to"
                    f" {_unicode_host(targets[0])}: make the text match where the link really"
                    " goes, or remove the link.",
                )
    return None


def _same_site(shown: str, target: str) -> bool:
    if shown == target or shown.endswith("." + target) or target.endswith("." + shown):
        return True
    return _registered(shown) == _registered(target) and "." in _registered(shown)


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
    if not email and not _SCHEME.match(waived):
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
    link = Link(target, 0, len(target), "url" if _SCHEME.match(target) else "bare", target)
    destinations = destination_of(link)
    where = destinations[0] if destinations else None
    if where is None or not where.host or where.email or where.userinfo or where.obfuscated:
        return "", ()
    host = where.host[4:] if where.host.startswith("www.") else where.host
    rest = target.strip(_C0_AND_SPACE)
    scheme = _SCHEME.match(rest)
    if scheme is not None and link.kind == "url":
        rest = rest[scheme.end():]
    rest = re.sub(r"^[/\\]*", "", rest)
    path = re.split(r"[?#]", rest, maxsplit=1)[0].partition("/")[2]
    return host, tuple(unquote(part).casefold() for part in path.split("/") if part)


def _mail_addresses(target: str) -> set[str]:
    return {_address_of("mailto:" + a) for a in unquote(target[7:].split("?", 1)[0]).split(",") if a.strip()}


def _address_of(mailto: str) -> str:
    local, _, domain = unquote(mailto[7:].split("?", 1)[0]).strip().rpartition("@")
    host, _ = _normalise_host(domain)
    return f"{local.casefold()}@{host}"


# --- the catalogue: every links rule and option, declared once (moves as one block) ----------------

from postcheck.catalogue import TEXT, Option, Rule, register_check  # noqa: E402

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
                    message=verdict.message,
                    file=display,
                    line=line,
                    column=column,
                    span=(link.start, link.end),
                )
