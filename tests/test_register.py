"""The consent register: real exports parse, every broken one gives its exact one-line error."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from postcheck.errors import RegisterError
from postcheck.register import NO, YES, load_register, parse_consent, parse_register_csv

ROOT = Path(__file__).resolve().parent.parent
CASES = yaml.safe_load((Path(__file__).parent / "data" / "register_errors.yaml").read_text())


def write_register(folder: Path, text: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "register.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_broken_register_gives_one_exact_line(case, tmp_path):
    path = write_register(tmp_path / "consent_data", case["csv"])
    with pytest.raises(RegisterError) as caught:
        load_register(path.parent)
    assert str(caught.value) == f"{path}{case['error']}"


def test_sample_register_loads():
    register = load_register(ROOT / "consent_data")
    zoe = register.person("P002")
    assert zoe.first_name == "Zoë" and zoe.photo_consent is YES and zoe.name_consent is NO
    assert register.person("S001").is_staff
    assert register.photos["S001"] == (ROOT / "consent_data" / "photos" / "S001.jpg",)


def test_excel_export_with_bom_aliases_and_excel_booleans(tmp_path):
    text = (
        "\ufeffUPN,Legal Forename,Preferred Forename,Surname,Year,Photo Consent,Name Consent,Consent Expiry\r\n"
        "A123,Alexander,Alfie,Wright,5,TRUE,Y,2027-07-31\r\n"
        "A124,Zoë,,Hughes,4,No,FALSE,\r\n"
    )
    path = write_register(tmp_path, text)
    alfie, zoe = load_register(path.parent).people
    assert (alfie.pupil_id, alfie.first_name, alfie.known_as, alfie.last_name) == ("A123", "Alexander", ("Alfie",), "Wright")
    assert alfie.photo_consent is YES and alfie.name_consent is YES
    assert alfie.consent_expires == date(2027, 7, 31)
    assert zoe.photo_consent is NO and zoe.name_consent is NO
    assert alfie.row == 2 and zoe.row == 3


def test_windows_1252_and_semicolon_csv(tmp_path):
    path = write_register(tmp_path, "pupil_id;first_name;last_name;photo_consent\nP1;Zo\xeb;Hughes;yes\n".encode("cp1252"))
    (zoe,) = load_register(path.parent).people
    assert zoe.first_name == "Zoë"


def test_consent_per_channel():
    consent = parse_consent("Website; Newsletter", "x")
    assert consent.allows("website") and consent.allows("newsletter") and not consent.allows("social")
    assert parse_consent("social media", "x").allows("social")
    assert parse_consent("", "x") is NO  # nothing recorded is not consent
    assert parse_consent("yes", "x").allows("press")


def test_expiry_means_both_consents_count_as_no():
    (person,) = parse_register_csv(
        b"pupil_id,first_name,last_name,photo_consent,name_consent,consent_expires\nP1,A,B,yes,yes,2026-07-31\n", "r"
    )
    assert person.photo_consent_on(date(2026, 7, 31), "social")  # the last day still counts
    assert not person.photo_consent_on(date(2026, 8, 1), "social")
    assert not person.name_consent_on(date(2026, 8, 1), "social")


def test_photos_are_found_by_id_file_or_folder_and_strays_listed(tmp_path):
    write_register(tmp_path, "pupil_id,first_name,last_name\nP1,A,B\nP2,C,D\n")
    photos = tmp_path / "photos"
    (photos / "P2").mkdir(parents=True)
    (photos / "p1.JPG").write_bytes(b"x")
    (photos / "P2" / "a.png").write_bytes(b"x")
    (photos / "P2" / "notes.txt").write_bytes(b"x")
    (photos / "P9.jpg").write_bytes(b"x")
    register = load_register(tmp_path)
    assert register.photos == {"P1": (photos / "p1.JPG",), "P2": (photos / "P2" / "a.png",)}
    assert set(register.stray_photos) == {photos / "P9.jpg", photos / "P2" / "notes.txt"}


def test_missing_folder_and_file(tmp_path):
    with pytest.raises(RegisterError, match="does not exist: pass --register DIR or set POSTCHECK_REGISTER"):
        load_register(tmp_path / "nope")
    with pytest.raises(RegisterError, match="register.csv not found"):
        load_register(tmp_path)


def test_register_csv_that_is_a_folder(tmp_path):
    (tmp_path / "register.csv").mkdir()
    with pytest.raises(RegisterError) as caught:
        load_register(tmp_path)
    assert str(caught.value) == f"{tmp_path / 'register.csv'} is a folder: it must be the register file, saved from Excel as CSV"
