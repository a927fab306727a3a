"""What each rule id means, for formats that describe rules as well as findings (SARIF).

The checks own their findings; this catalogue only explains rule ids to a reader who meets
one in GitHub code scanning or a CI log. ``describe`` answers for any id: ``<check>.check-failed``
gets its own entry for every check, and an id not listed here a generic one, so a new rule
never breaks an output format.
"""

from __future__ import annotations

from dataclasses import dataclass

from postcheck.findings import Severity


@dataclass(frozen=True)
class RuleInfo:
    id: str
    short: str
    """One line, shown as the alert title."""
    full: str
    """What the rule looks for and why it matters."""
    help: str
    """What a member of staff should do about it."""
    default: Severity
    """Severity with the shipped rules.yaml; a finding's own severity always wins."""


def _rule(id: str, default: Severity, short: str, full: str, help: str) -> tuple[str, RuleInfo]:
    return id, RuleInfo(id, short, full, help, default)


E, W, N = Severity.ERROR, Severity.WARNING, Severity.INFO  # keeps the table below readable

RULES: dict[str, RuleInfo] = dict(
    [
        _rule("names.full-name", E, "A pupil's full name is in the text",
              "The draft names a pupil by first name and surname, which lets a stranger identify and find the child.",
              "Use the first name only, or no name at all."),
        _rule("names.initial-surname", E, "A pupil is named by initial and surname",
              "The draft names a pupil as an initial and surname (\"J. Smith\"), which identifies the child as surely "
              "as a full name.",
              "Use the first name only, or no name at all."),
        _rule("names.no-name-consent", E, "A pupil is named without consent to be named",
              "The draft names a pupil whose parents have not given consent for the child's name to be published "
              "on this channel.",
              "Remove the name, or check the consent register with the office."),
        _rule("names.unknown-person", W, "A name that is not in the consent register",
              "The draft contains a person's name that matches nobody in the consent register; it may be a pupil "
              "who is missing from the register.",
              "Check who it is; if it is a pupil, remove the name or add them to the register."),
        _rule("names.surname-only", W, "A pupil's surname is in the text",
              "The draft contains a pupil's surname, which can identify the child and their family.",
              "Remove the surname."),
        _rule("names.with-photo", W, "A named pupil is also in a photo",
              "The draft names a pupil who also appears in a photo of the same post, which links the child's name "
              "to their face.",
              "Remove the name from the text or the pupil from the photos."),
        _rule("faces.no-consent", E, "A pupil without photo consent is in a photo",
              "A face in a photo matches a pupil whose parents have not given consent for photos on this channel.",
              "Remove the photo, crop the pupil out, or blur their face."),
        _rule("faces.unknown", E, "A face that matches nobody in the register",
              "A face in a photo matches no one in the consent register; it may be a child whose parents said no.",
              "Check who it is; remove, crop or blur the face if you cannot confirm consent."),
        _rule("faces.unverifiable", E, "A face too small or unclear to check",
              "A face was found but is too small, cut off, turned to the side or blurred to compare with the "
              "register, so consent cannot be confirmed.",
              "Use a photo where the face is clear, or crop or blur it."),
        _rule("faces.consented", N, "A pupil with photo consent is in a photo",
              "A face matches a pupil whose parents have given photo consent for this channel.",
              "Nothing to do."),
        _rule("links.not-allowed", E, "A link to a site that is not on the allowlist",
              "The draft links to a site or email domain that is not on the school's allowlist in rules.yaml.",
              "Remove the link, or ask for the site to be added to the allowlist."),
        _rule("links.insecure", W, "An http:// link",
              "The draft links to an allowed site over http://, which can be tampered with on the way.",
              "Use the https:// address."),
        _rule("links.userinfo", E, "A link that names one site but goes to another",
              "The link has a user name part (\"https://www.gov.uk@evil.example/\") that hides where it really goes.",
              "Remove the link and use the site's real address."),
        _rule("links.homograph", E, "A link with look-alike letters",
              "The link's site name uses letters from another alphabet that look like the real site's.",
              "Remove the link and type the real address."),
        _rule("links.shortener", E, "A shortened link",
              "The link goes through a link shortener, so where it leads cannot be checked.",
              "Use the full address of the page."),
        _rule("links.ip-address", E, "A link to a bare IP address",
              "The link goes to a numeric IP address instead of a named site.",
              "Remove the link, or use the site's name."),
        _rule("links.unsafe-scheme", E, "A link that is not a web page or email address",
              "The link uses a scheme such as javascript:, data: or file: that can run code or open local files.",
              "Remove the link."),
        _rule("links.obfuscated", E, "A link written to fool the reader",
              "The link's site name contains backslashes, invisible characters or escapes.",
              "Remove the link and type the real address."),
        _rule("links.protocol-relative", E, "A link without https:",
              "The link starts with // and no scheme, so where it leads depends on the page it is shown on.",
              "Write the full https:// address."),
        _rule("links.unknown-scheme", E, "A link with an unknown or misspelt scheme",
              "The link starts with a scheme such as hppt:// that is not a web address, so where it leads depends "
              "on the reader's apps.",
              "Write the full https:// address, or remove the link."),
        _rule("links.text-mismatch", E, "Link text that shows another site",
              "The visible text of a link names a different site from the one the link goes to.",
              "Make the link text match the address, or use the plain address."),
        _rule("image.unreadable", E, "A file that cannot be checked",
              "The file is not an image or video postcheck can open, so nothing in it could be checked.",
              "Export the photo again as JPEG or PNG, or remove it."),
        _rule("image.not-copied", E, "A file left out of the safe copy",
              "postcheck fix could not write a safe copy of this file (a video, an animation or a file it could "
              "not read), so the copy of the post is incomplete.",
              "Edit the file by hand, or leave it out of the post."),
        _rule("image.location", W, "A photo with location data",
              "The photo carries GPS or other location data that can show where it was taken, such as a child's home.",
              "Post a copy without location data (postcheck --strip-metadata DIR writes one)."),
        _rule("text.personal-data", E, "Personal contact details in the text",
              "The draft contains an email address, phone number or street address that is not on the school's "
              "allowed list.",
              "Remove the details, or use the school office's contact details."),
        _rule("text.unreadable", E, "A draft that cannot be read",
              "The draft could not be decoded, so nothing in it could be checked.",
              "Save it again as plain text (.txt), Markdown (.md) or Word (.docx)."),
    ]
)

CHECK_FAILED = ".check-failed"


def describe(rule_id: str) -> RuleInfo:
    """The catalogue entry for ``rule_id``, or one made up from the id so every rule can be described."""
    if rule_id in RULES:
        return RULES[rule_id]
    if rule_id.endswith(CHECK_FAILED):
        check = rule_id[: -len(CHECK_FAILED)]
        return RuleInfo(
            rule_id,
            f"The {check} check could not finish",
            f"The {check} check stopped with an error on this post, so the post cannot be called safe.",
            "Check the post by hand, and report the problem (run with POSTCHECK_DEBUG=1 to see the cause).",
            Severity.ERROR,
        )
    return RuleInfo(
        rule_id,
        f"postcheck rule {rule_id}",
        f"A finding of the postcheck rule {rule_id}.",
        "Read the finding's message for what to change.",
        Severity.WARNING,
    )
