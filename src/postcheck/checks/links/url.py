"""Reading a link's host as a browser reads it: scheme, host, IDN, IP numbers; and the one allowlist normaliser.

Everything here is about hosts, never about the text a link was found in (``extract``) or what is wrong with
it (``judge``). The public suffix list is the snapshot bundled with tldextract, loaded on first use.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import unicodedata
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import unquote

import idna

if TYPE_CHECKING:
    from postcheck.checks.links.extract import Link

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
C0_AND_SPACE = "".join(chr(c) for c in range(0x21))
_TABS_AND_NEWLINES = re.compile(r"[\t\n\r]")
SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
KNOWN_SCHEMES = frozenset(
    "ftp ftps sftp ws wss file ssh smb telnet gopher ldap webcal view-source javascript vbscript mailto magnet "
    "blob intent data tel sms".split()
)
"""Schemes postcheck knows are not web pages (``links.unsafe-scheme``). Any other scheme followed by ``//``
(``hppt://``, ``hxxps://``, an app's ``zoommtg://``) is an unknown or misspelt one, judged by the host it names."""


@functools.cache
def public_suffixes():
    """The public suffix list bundled with tldextract: never fetched, never cached on disk."""
    import tldextract  # imported here: it pulls in requests, which the other checks never need

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)



def plausible_host(host: str, *, has_path: bool, prefixed: bool) -> bool:
    """Whether scheme-less ``host`` reads as a web address rather than a word, number or file."""
    labels = host.split(".")
    if any(not label or label.startswith("-") or label.endswith("-") for label in labels):
        return False
    www = labels[0].lower() == "www"
    deliberate = has_path or www or prefixed
    if dotted_quad(host):
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


def dotted_quad(host: str) -> bool:
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
        return unicode_host(self.host) if self.host else ""


def destination_of(link: Link) -> list[Destination]:
    """Where ``link`` leads; several destinations for a ``mailto:`` with several addresses."""
    target = link.target.strip(C0_AND_SPACE)
    whitespace_inside = bool(_TABS_AND_NEWLINES.search(target))
    cleaned = _TABS_AND_NEWLINES.sub("", target)
    scheme_match = SCHEME.match(cleaned)
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
            if not head or not plausible_host(head, has_path=has_path, prefixed=False):
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
    ascii_host, _ = normalise_host(host)
    return Destination(
        scheme, ascii_host or None, userinfo=userinfo, obfuscated=obfuscated,
        protocol_relative=protocol_relative, ip=ipv4_of(ascii_host),
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
        ascii_host, _ = normalise_host(domain)
        destinations.append(Destination("mailto", ascii_host or domain.lower(), ip=ipv4_of(ascii_host), email=True))
    return destinations


def normalise_host(host: str) -> tuple[str, bool]:
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


def unicode_host(host: str) -> str:
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


def ipv4_of(host: str | None) -> str | None:
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



@dataclass(frozen=True)
class Allowlist:
    """Normalised allowlist entries: each allows itself and its subdomains."""

    domains: tuple[str, ...]

    @classmethod
    def of(cls, entries: tuple[str, ...] | list[str]) -> Allowlist:
        domains = []
        for entry in entries:
            try:
                domains.append(allowlist_domain(str(entry)))
            except NotAllowable:
                raise ValueError(f'invalid config: links allow entry "{entry}" is not a domain') from None
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


class NotAllowable(ValueError):
    """An entry that cannot be on the allowlist; its text is the end of a one-line error."""


def allowlist_domain(entry: str) -> str:
    """The domain an allowlist entry allows: the one normaliser, for rules.yaml and the check alike.

    ``https://WWW.Gov.UK/``, ``www.gov.uk.``, ``*.gov.uk`` and ``gov.uk:443`` all give ``gov.uk``;
    international names give their ASCII form. Raises NotAllowable saying why when the entry is not a
    domain, or is a public suffix that anyone can register under (only VETTED_SUFFIXES may be allowed whole).
    """
    domain = _entry_host(entry)
    if domain:
        parts = public_suffixes()(domain, include_psl_private_domains=True)
        if parts.suffix and not parts.domain and not any(
            domain == vetted or domain.endswith("." + vetted) for vetted in VETTED_SUFFIXES
        ):
            vetted = ", ".join(sorted(VETTED_SUFFIXES))
            raise NotAllowable(
                "is a public suffix: anyone can register a site under it, so it would allow them all; list the "
                f"sites themselves, e.g. myschool.sch.uk (only {vetted}, where only public bodies can register, may "
                "be allowed whole)"
            )
    labels = domain.split(".")
    if (len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels) or ipv4_of(domain) is not None
            or not public_suffixes()(domain).suffix):
        raise NotAllowable("is not a domain: write it like gov.uk or myschool.sch.uk")
    return domain


def _entry_host(entry: str) -> str:
    """The host an entry names, as a browser would read it, without a leading ``www.``; "" when it names none."""
    entry = entry.strip()
    if "://" in entry:
        entry = entry.split("://", 1)[1]
    entry = re.split(r"[/?#]", entry, maxsplit=1)[0].rpartition("@")[2]
    entry = re.sub(r":\d*$", "", entry).lstrip("*").lstrip(".")
    domain, valid = normalise_host(entry)
    if not valid or "." not in domain and not domain.isalpha():
        return ""
    return domain[4:] if domain.startswith("www.") and domain.count(".") >= 2 else domain


def registered_domain(host: str) -> str:
    parts = public_suffixes()(host)
    return parts.top_domain_under_public_suffix or host

