"""The links check: data-driven cases, link positions, realistic drafts, no network."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
import yaml

from postcheck.checks import links as links_module
from postcheck.checks.links import Link, LinksCheck, extract_links
from postcheck.findings import Finding, Severity
from postcheck.post import Draft, LoadedPost

CASES_FILE = Path(__file__).parent / "data" / "links_cases.yaml"
CASES = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
DEFAULT_ALLOW = tuple(CASES["default_allow"])


def findings_for(text: str, allow: tuple[str, ...] = DEFAULT_ALLOW) -> list[Finding]:
    draft = Draft.of(Path("post.md"), "post.md", text)
    return list(LinksCheck(allow).run(LoadedPost("post", draft, ())))


@pytest.mark.parametrize("name", sorted(CASES["cases"]))
def test_case(name: str) -> None:
    case = CASES["cases"][name]
    allow = tuple(case.get("allow", DEFAULT_ALLOW))
    found = findings_for(case["text"], allow)
    expected = case["expect"]
    got = [(f.rule, f.column) for f in found]
    assert [rule for rule, _ in got] == [e["rule"] for e in expected], got
    for (rule, column), wanted in zip(got, expected, strict=True):
        if "column" in wanted:
            assert column == wanted["column"], (rule, column, wanted)
    for finding, wanted in zip(found, expected):
        assert wanted.get("message", "") in finding.message, (finding.message, wanted)
    for finding in found:
        assert finding.file == "post.md"
        assert finding.line is not None
        assert finding.severity is (Severity.WARNING if finding.rule == "links.insecure" else Severity.ERROR)


def test_case_table_is_large_and_covers_every_rule() -> None:
    cases = CASES["cases"].values()
    rules = {e["rule"] for case in cases for e in case["expect"]}
    assert len(CASES["cases"]) >= 100
    assert rules == {
        "links.not-allowed", "links.userinfo", "links.obfuscated", "links.protocol-relative",
        "links.homograph", "links.shortener", "links.ip-address", "links.unsafe-scheme",
        "links.insecure", "links.text-mismatch", "links.unknown-scheme",
    }
    assert sum(1 for case in cases if not case["expect"]) >= 40


# --- extract_links -----------------------------------------------------------------


def test_offsets_point_at_what_was_written_across_lines() -> None:
    text = "Dear parents,\r\nthe trip form is at\n  https://www.gov.uk/form).\nOr email office@myschool.sch.uk."
    text = Draft.of(Path("p.txt"), "p.txt", text).text
    found = extract_links(text)
    assert [(link.kind, link.raw) for link in found] == [
        ("url", "https://www.gov.uk/form"),
        ("email", "office@myschool.sch.uk"),
    ]
    for link in found:
        assert text[link.start:link.end] == link.raw
    draft = Draft.of(Path("p.txt"), "p.txt", text)
    assert draft.position(found[0].start) == (3, 3)
    assert draft.position(found[1].start) == (4, 10)


def test_markdown_link_keeps_label_and_target() -> None:
    text = "Our [trip photos](https://www.bbc.co.uk/news \"BBC\") and ![pic](https://x.example/a.png)"
    first, second = extract_links(text)
    assert first == Link(
        '[trip photos](https://www.bbc.co.uk/news "BBC")', 4, 51, "markdown",
        "https://www.bbc.co.uk/news", "trip photos",
    )
    assert second.kind == "markdown" and second.label is None
    assert second.target == "https://x.example/a.png"
    assert text[second.start:second.end] == second.raw


def test_html_anchor_label_and_other_url_attributes() -> None:
    text = '<p>Read <a class="x" href="https://www.gov.uk/a?x=1&amp;y=2"><b>GOV.UK</b> guidance</a>.</p>\n<img src=\'https://cdn.example/p.jpg\'>'
    anchor, image = extract_links(text)
    assert anchor.kind == "html"
    assert anchor.target == "https://www.gov.uk/a?x=1&y=2"
    assert anchor.label == "GOV.UK  guidance"
    assert anchor.raw.startswith("<a ") and anchor.raw.endswith("</a>")
    assert image.target == "https://cdn.example/p.jpg"
    assert text[image.start:image.end] == image.raw


def test_link_text_is_not_extracted_twice() -> None:
    found = extract_links("[www.gov.uk](https://www.gov.uk/) <a href='https://bbc.co.uk'>bbc.co.uk</a>")
    assert [link.kind for link in found] == ["markdown", "html"]


def test_trailing_punctuation_and_balanced_parentheses() -> None:
    raws = [link.raw for link in extract_links(
        "(see https://www.gov.uk/x). Also https://en.wikipedia.org/wiki/Frozen_(film), and "
        "‘https://www.bbc.co.uk/news’… or https://www.gov.uk/a?b=c!"
    )]
    assert raws == [
        "https://www.gov.uk/x",
        "https://en.wikipedia.org/wiki/Frozen_(film)",
        "https://www.bbc.co.uk/news",
        "https://www.gov.uk/a?b=c",
    ]


def test_non_links_produce_no_link_at_all() -> None:
    text = (
        "e.g. i.e. Year 5.They sports_day.jpg report.pdf v2.0 Mr.Smith 3.30pm St.Mary's 1.5 etc. "
        "notes.zip clip.mov main.py README.md photo.PNG school.Today a.m. U.K. £3.50"
    )
    assert extract_links(text) == []


def test_real_tlds_that_are_words_are_found_when_plausibly_hosts() -> None:
    found = extract_links("myschool.uk, example.io/page, greenfield.school, notes.zip/x, example.me")
    assert [link.raw for link in found] == [
        "myschool.uk", "example.io/page", "greenfield.school", "notes.zip/x", "example.me",
    ]
    assert {link.kind for link in found} == {"bare"}


# --- realistic drafts ------------------------------------------------------------------

NEWSLETTER = """\
# Friday newsletter

What a week! Year 4 loved their trip (photos on www.myschool.sch.uk/gallery).
Please read the new guidance at https://www.gov.uk/school-attendance, and watch
the BBC Bitesize video: [Bitesize](https://www.bbc.co.uk/bitesize).

Tickets for the summer fair are on sale at http://www.myschool.sch.uk/fair, or
buy them at bit.ly/fair-tix. The PTA's page is pta-greenfield.org.uk/events.
Questions? Email office@myschool.sch.uk, e.g. about the 3.30pm pick up.
"""


def test_newsletter_paragraph() -> None:
    found = findings_for(NEWSLETTER)
    assert [(f.rule, f.line, f.column) for f in found] == [
        ("links.insecure", 7, 44),
        ("links.shortener", 8, 13),
        ("links.not-allowed", 8, 48),
    ]
    assert found[2].message == (
        "Link to pta-greenfield.org.uk is not on the school's allowlist in rules.yaml:"
        " remove it or ask the DSL to add the domain."
    )
    assert found[0].severity is Severity.WARNING


def test_html_draft() -> None:
    text = (
        "<h1>Sports day</h1>\n"
        "<p>Results on <a href=\"https://www.myschool.sch.uk/sport\">our website</a>.\n"
        "Sponsor: <a href=\"https://www.gov.uk@sponsor.example/\">www.gov.uk</a></p>\n"
        "<img src=\"data:image/png;base64,iVBORw0KGgo=\">"
    )
    found = findings_for(text)
    assert [(f.rule, f.line, f.column) for f in found] == [
        ("links.userinfo", 3, 10),
        ("links.text-mismatch", 3, 10),
        ("links.unsafe-scheme", 4, 1),
    ]
    assert "sponsor.example" in found[0].message


def test_messages_name_the_problem_and_the_fix() -> None:
    text = "https://bit.ly/x https://bb\u0441.co.uk http://www.gov.uk javascript:void(0) http://10.0.0.1"
    messages = {f.rule: f.message for f in findings_for(text)}
    assert messages["links.shortener"].startswith("Link shortened with bit.ly hides where it really goes")
    assert "bbс.co.uk (xn--bb-pmc.co.uk)" in messages["links.homograph"]
    assert "change it to https://" in messages["links.insecure"]
    assert "'javascript:'" in messages["links.unsafe-scheme"]
    assert "10.0.0.1" in messages["links.ip-address"]
    for message in messages.values():
        assert message.endswith(".") and message.count(": ") >= 1


def test_no_draft_no_findings() -> None:
    assert list(LinksCheck(DEFAULT_ALLOW).run(LoadedPost("post", None, ()))) == []


def test_bad_allowlist_entry_is_a_config_error() -> None:
    with pytest.raises(ValueError, match='invalid config: links allow entry "not a domain"'):
        LinksCheck(("not a domain",))


# --- no network, no cache files, linear time ---------------------------------------------

MANY_FORMS = NEWSLETTER + """
https://www.gov.uk@evil.example/ https:\\\\evil.example //evil-site.com http://3232235777/
http://0x7f.1/ https://[::1]/ https://bb\u0441.co.uk https://xn--bb-pmc.co.uk tinyurl.com/x
mailto:x@evil.example data:text/html,hi ftp://ftp.example.org <https://evil.example>
<a href='https://evil.example'>www.gov.uk</a> [x](https://evil.example) a.b@c-mail.com
"""


def test_no_network_and_no_cache_files(monkeypatch, tmp_path) -> None:
    from tldextract.cache import get_cache_dir

    usual_cache = Path(get_cache_dir())  # where tldextract would cache for this user
    usual_before = sorted(usual_cache.rglob("*")) if usual_cache.exists() else []

    def refuse(*args, **kwargs):
        raise AssertionError("the links check tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for variable in ("HOME", "XDG_CACHE_HOME", "TLDEXTRACT_CACHE"):
        monkeypatch.setenv(variable, str(tmp_path / variable))
    links_module.public_suffixes.cache_clear()  # build the extractor under these conditions
    try:
        found = findings_for(MANY_FORMS)
        extractor = links_module.public_suffixes()
    finally:
        links_module.public_suffixes.cache_clear()
    assert len(found) >= 20
    assert {f.rule for f in found} >= {"links.userinfo", "links.homograph", "links.ip-address"}
    assert list(tmp_path.rglob("*")) == []
    assert extractor._cache.enabled is False
    usual_after = sorted(usual_cache.rglob("*")) if usual_cache.exists() else []
    assert usual_after == usual_before


def test_suffix_list_is_built_lazily_and_once() -> None:
    links_module.public_suffixes.cache_clear()
    assert links_module.public_suffixes.cache_info().currsize == 0
    first = links_module.public_suffixes()
    assert links_module.public_suffixes() is first
    assert first.suffix_list_urls == ()


def test_one_megabyte_draft_is_fast() -> None:
    paragraph = (
        "Year 5 loved www.myschool.sch.uk/trip (e.g. photos.jpg) at 3.30pm; see "
        "https://www.gov.uk/x). [BBC](https://www.bbc.co.uk) <a href='https://evil.example'>x</a> "
        "office@myschool.sch.uk v2.0 Mr.Smith " + "a" * 40 + ".\n"
    )
    text = paragraph * (1_000_000 // len(paragraph) + 1)
    started = time.perf_counter()
    found = findings_for(text)
    elapsed = time.perf_counter() - started
    assert len(found) == text.count("evil.example")
    assert elapsed < 3.0, elapsed


@pytest.mark.parametrize(
    "hostile",
    [
        "a" * 200_000,
        "a." * 100_000,
        "[" * 100_000,
        "<a " * 70_000,
        "x@" * 100_000,
        "https://" + "a." * 100_000,
        "(" * 100_000 + "https://www.gov.uk/" + ")" * 100_000,
        "-" * 200_000 + ".com",
    ],
    ids=["letters", "dots", "brackets", "open-tags", "ats", "long-host", "parens", "hyphens"],
)
def test_pathological_input_is_linear(hostile: str) -> None:
    started = time.perf_counter()
    extract_links(hostile)
    assert time.perf_counter() - started < 2.0


def test_importing_the_check_does_not_load_the_suffix_list() -> None:
    import subprocess
    import sys

    code = "import sys, postcheck.checks.links; print('tldextract' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
