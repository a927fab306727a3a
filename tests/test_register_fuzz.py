"""Property tests: no register.csv content crashes the parser; it either loads or says one line why."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from postcheck.errors import RegisterError
from postcheck.register import parse_register_csv

HEADER = "pupil_id,first_name,last_name,known_as,role,photo_consent,name_consent,consent_expires\n"
cell = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
row = st.lists(cell, min_size=0, max_size=10).map(lambda cells: ",".join(cells))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_load_or_fail_with_one_line(raw):
    try:
        people = parse_register_csv(raw, "register.csv")
    except RegisterError as exc:
        message = str(exc)
        assert message.startswith("register.csv") and "\n" not in message
    else:
        assert all(p.pupil_id and p.first_name and p.last_name for p in people)


@settings(max_examples=300, deadline=None)
@given(st.lists(row, max_size=6))
def test_any_rows_under_a_valid_header_load_or_fail_with_one_line(rows):
    text = HEADER + "\n".join(rows) + "\n"
    try:
        people = parse_register_csv(text.encode("utf-8"), "register.csv")
    except RegisterError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("register.csv")
    else:
        ids = [p.pupil_id for p in people]
        assert len(ids) == len(set(ids))


def test_a_newline_inside_a_quoted_cell_stays_on_one_line_of_the_error():
    raw = b'pupil_id,first_name,last_name,photo_consent\nP1,A,B,"yes\nplease"\n'
    try:
        parse_register_csv(raw, "register.csv")
    except RegisterError as exc:
        assert str(exc) == (
            "register.csv row 2: photo_consent 'yes\\nplease' is not yes or no or a list of channels "
            "(website, social, newsletter, press, prospectus, display), e.g. website;newsletter"
        )
    else:
        raise AssertionError("a consent of 'yes\\nplease' must be refused")
