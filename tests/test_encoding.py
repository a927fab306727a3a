"""Reading drafts and register.csv in the encodings staff's editors save (postcheck.encoding)."""

from __future__ import annotations

import codecs

import pytest

from postcheck.drafts import DraftError, decode_text
from postcheck.encoding import NotText, decode
from postcheck.errors import RegisterError
from postcheck.register import parse_register_csv

NAMES = "Congratulations to Zoë, Siân and Chloé in Year 5!\n"
CURLY = "We\u2019re so proud of our \u201cstars\u201d \u2013 well done, Zoë!\n"
REGISTER = "pupil_id,first_name,last_name,photo_consent\nP1,Zoë,Hughes,yes\nP2,Siân,O\u2019Brien,no\nP3,Chloé,Müller,website\n"

READABLE = [
    # (what, bytes, the text they hold)
    ("utf-8", NAMES.encode("utf-8"), NAMES),
    ("utf-8 with BOM", codecs.BOM_UTF8 + NAMES.encode("utf-8"), NAMES),
    ("utf-16 with BOM (Excel's Unicode Text)", NAMES.encode("utf-16"), NAMES),
    ("utf-16-be with BOM", codecs.BOM_UTF16_BE + NAMES.encode("utf-16-be"), NAMES),
    ("utf-16-le without BOM", REGISTER.encode("utf-16-le"), REGISTER),
    ("utf-16-be without BOM", REGISTER.encode("utf-16-be"), REGISTER),
    ("latin-1 accents", NAMES.encode("latin-1"), NAMES),
    ("windows-1252 curly quotes and dash", CURLY.encode("cp1252"), CURLY),
    ("windows-1252 register", REGISTER.encode("cp1252"), REGISTER),
    ("windows-1252 euro and pound", "Tickets \u20ac5 or £4.50\n".encode("cp1252"), "Tickets \u20ac5 or £4.50\n"),
    ("windows-1252 one apostrophe", "Sian\u2019s team\n".encode("cp1252"), "Sian\u2019s team\n"),
    ("mac roman, letters windows-1252 leaves undefined", "Chloè, Zoë et François à la crèche\n".encode("mac_roman"),
     "Chloè, Zoë et François à la crèche\n"),
]


@pytest.mark.parametrize(("raw", "text"), [case[1:] for case in READABLE], ids=[case[0] for case in READABLE])
def test_readable_files_are_read_exactly(raw, text):
    assert decode(raw) == text
    assert decode_text(raw) == text


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (bytes(range(256)) * 20, "binary"),
        (b"PK\x03\x04\x00\x00xlsx", "binary"),
        (bytes(range(128)), "binary"),  # valid UTF-8, but control characters throughout
        (codecs.BOM_UTF16_LE + b"A\x00\x00\xd8", "broken-utf16"),
        (bytes(range(128, 256)) * 20, "unreadable"),
    ],
    ids=["all bytes", "xlsx", "controls", "broken utf-16", "high bytes"],
)
def test_what_is_not_text_says_why(raw, why):
    with pytest.raises(NotText) as caught:
        decode(raw)
    assert caught.value.why == why


def test_a_stray_byte_in_a_long_draft_is_replaced_not_refused():
    raw = ("Year 5 had a wonderful trip. " * 20).encode("cp1252") + b"\x81" + CURLY.encode("cp1252")
    text = decode_text(raw)
    assert text.count("\ufffd") == 1 and text.endswith(CURLY)
    with pytest.raises(NotText):
        decode(raw)  # the register allows no replacement: a name would silently change


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (bytes(range(256)) * 20, "is not a text file (it looks like binary data): save the draft as .txt, .md or .docx"),
        (codecs.BOM_UTF16_LE + b"A\x00\x00\xd8", "is not readable text (broken UTF-16)"),
        (bytes(range(128, 256)) * 20, "is not readable text: save it as UTF-8 text, or as .docx"),
    ],
)
def test_draft_errors_are_one_line(raw, message):
    with pytest.raises(DraftError, match=f"^{message.replace('(', '[(]').replace(')', '[)]')}$"):
        decode_text(raw)


@pytest.mark.parametrize(
    "raw", [REGISTER.encode("cp1252"), REGISTER.encode("utf-16"), REGISTER.encode("utf-16-le"), REGISTER.encode("latin-1", "replace")]
)
def test_register_in_any_staff_encoding(raw):
    people = parse_register_csv(raw, "register.csv")
    assert [p.first_name for p in people][:1] == ["Zoë"]
    if "\u2019".encode("cp1252") in raw or b"\x00" in raw:
        assert [(p.first_name, p.last_name) for p in people] == [("Zoë", "Hughes"), ("Siân", "O\u2019Brien"), ("Chloé", "Müller")]


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"PK\x03\x04\x00\x00xlsx", "register.csv is not a CSV text file: save it from Excel as 'CSV UTF-8 (Comma delimited)'"),
        (codecs.BOM_UTF16_LE + b"p\x00\x00\xd8", "register.csv is not UTF-8 text: save it from Excel as 'CSV UTF-8 (Comma delimited)'"),
        (b"pupil_id,first_name\nP1," + bytes(range(128, 256)) * 4, "register.csv is not UTF-8 text: save it from Excel as 'CSV UTF-8 (Comma delimited)'"),
    ],
    ids=["xlsx", "broken utf-16", "high bytes"],
)
def test_register_that_is_not_text_is_one_line(raw, error):
    with pytest.raises(RegisterError) as caught:
        parse_register_csv(raw, "register.csv")
    assert str(caught.value) == error
