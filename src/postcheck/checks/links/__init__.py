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

from postcheck.checks.links.extract import Link, extract_links
from postcheck.checks.links.judge import SHORTENERS, LinksCheck, Verdict, judge, waiver_covers
from postcheck.checks.links.url import (
    VETTED_SUFFIXES,
    Allowlist,
    Destination,
    NotAllowable,
    allowlist_domain,
    destination_of,
    public_suffixes,
)

__all__ = [
    "SHORTENERS", "VETTED_SUFFIXES", "Allowlist", "Destination", "Link", "LinksCheck", "NotAllowable", "Verdict", "allowlist_domain",
    "destination_of", "extract_links", "judge", "public_suffixes", "waiver_covers",
]
