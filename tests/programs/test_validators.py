"""Identifier validation (DOMAIN.md section 4): KVNR, LANR, BSNR, IK, PLZ. No database."""

from __future__ import annotations

import string

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from programs.validators import (
    HOSPITAL_BSNR_PREFIXES,
    KV_BEZIRKSSTELLEN,
    KV_REGIONS,
    PSEUDO_LANR,
    bsnr_kv_region,
    ik_is_valid,
    kvnr_is_valid,
    lanr_check_digit_ok,
    lanr_fachgruppe,
    lanr_warnings,
    validate_bsnr,
    validate_ik,
    validate_kvnr,
    validate_lanr_format,
    validate_plz,
)

# The billing IKs of the 11 AOKs (DOMAIN.md section 5).
AOK_IKS = [
    "108018007",  # Baden-Württemberg
    "108310400",  # Bayern
    "103119199",  # Bremen/Bremerhaven
    "105313145",  # Hessen
    "102114819",  # Niedersachsen
    "100696012",  # Nordost
    "103411401",  # NordWest
    "107299005",  # PLUS
    "104212505",  # Rheinland/Hamburg
    "107310373",  # Rheinland-Pfalz/Saarland
    "101097008",  # Sachsen-Anhalt
]


@pytest.fixture(autouse=True)
def _german_messages():
    """Render lazy messages in German, also when run without a settings module."""
    if not settings.configured:
        settings.configure(USE_I18N=False)
    with translation.override("de"):
        yield


def _error(validator, value) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        validator(value)
    return info.value


# --- KVNR -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["A123456780", "B234567895", "Z987654321"])
def test_kvnr_domain_examples_are_valid(value):
    assert kvnr_is_valid(value)
    validate_kvnr(value)  # does not raise


@pytest.mark.parametrize("letter", string.ascii_uppercase)
def test_kvnr_exactly_one_check_digit_fits_for_every_letter(letter):
    fitting = [d for d in string.digits if kvnr_is_valid(f"{letter}12345678{d}")]
    assert len(fitting) == 1


@pytest.mark.parametrize("value", ["A123456781", "A123456789", "B234567890", "Z987654320", "B123456780"])
def test_kvnr_wrong_check_digit_is_rejected(value):
    assert not kvnr_is_valid(value)
    error = _error(validate_kvnr, value)
    assert error.code == "invalid_check_digit"
    assert "Prüfziffer" in error.messages[0]


@pytest.mark.parametrize("value", ["", "A12345678", "A1234567801", "123456780", " A123456780"])
def test_kvnr_wrong_length_is_rejected(value):
    assert not kvnr_is_valid(value)
    error = _error(validate_kvnr, value)
    assert error.code == "invalid_length"
    assert "10 Zeichen" in error.messages[0]


@pytest.mark.parametrize("value", ["a123456780", "1123456780", "Ä123456780", "-123456780"])
def test_kvnr_first_character_not_a_capital_letter_is_rejected(value):
    assert not kvnr_is_valid(value)
    error = _error(validate_kvnr, value)
    assert error.code == "invalid_letter"
    assert "Großbuchstaben" in error.messages[0]


@pytest.mark.parametrize("value", ["A12345678X", "A1234 6780", "AB23456780", "A１２３４５６７８０"])
def test_kvnr_non_digits_after_letter_are_rejected(value):
    assert not kvnr_is_valid(value)
    error = _error(validate_kvnr, value)
    assert error.code == "invalid_digits"
    assert "neun Ziffern" in error.messages[0]


@pytest.mark.parametrize("value", [None, 123456780])
def test_kvnr_non_string_is_invalid(value):
    assert not kvnr_is_valid(value)
    assert _error(validate_kvnr, value).code == "invalid_length"


# --- LANR -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["123456601", "111111101", "000000000", PSEUDO_LANR])
def test_lanr_check_digit_ok_for_correct_numbers(value):
    assert lanr_check_digit_ok(value)


@pytest.mark.parametrize("value", ["123456701", "123456001", "111111201"])
def test_lanr_check_digit_wrong_is_detected(value):
    assert not lanr_check_digit_ok(value)


@pytest.mark.parametrize("value", ["", "12345660", "1234566010", "12345660a", "12345 601", None])
def test_lanr_check_digit_ok_is_false_for_bad_format(value):
    assert not lanr_check_digit_ok(value)


def test_lanr_warnings_empty_for_clean_number():
    assert lanr_warnings("123456601") == []


def test_lanr_warnings_wrong_check_digit_warns_but_does_not_reject():
    validate_lanr_format("123456701")  # the format is fine, so no error
    warnings = lanr_warnings("123456701")
    assert len(warnings) == 1
    assert "Prüfziffer" in str(warnings[0])


def test_lanr_warnings_pseudo_lanr_is_accepted_with_warning():
    validate_lanr_format(PSEUDO_LANR)
    warnings = lanr_warnings(PSEUDO_LANR)
    assert len(warnings) == 1
    assert "Pseudo-Arztnummer" in str(warnings[0])


@pytest.mark.parametrize("value", ["", "12345660", "1234566010", "12345660a", "A23456601", "１２３４５６６０１"])
def test_lanr_format_errors_are_validation_errors(value):
    error = _error(validate_lanr_format, value)
    assert error.code == "invalid_format"
    assert "neun Ziffern" in error.messages[0]
    with pytest.raises(ValidationError):
        lanr_warnings(value)


@pytest.mark.parametrize(("value", "fachgruppe"), [("123456601", "01"), ("123456734", "34"), (PSEUDO_LANR, "00")])
def test_lanr_fachgruppe_is_last_two_digits(value, fachgruppe):
    assert lanr_fachgruppe(value) == fachgruppe


def test_lanr_fachgruppe_rejects_bad_format():
    with pytest.raises(ValidationError):
        lanr_fachgruppe("1234566")


# --- BSNR -----------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "name"), sorted(KV_REGIONS.items()))
def test_bsnr_every_kv_region_code_is_accepted(code, name):
    value = f"{code}1234500"
    validate_bsnr(value)
    assert bsnr_kv_region(value) == name


def test_bsnr_regions_are_the_seventeen_kvs_from_domain():
    assert sorted(KV_REGIONS) == sorted(
        ["01", "02", "03", "17", "20", "38", "46", "51", "52", "71", "72", "73", "78", "83", "88", "93", "98"]
    )


@pytest.mark.parametrize(
    ("value", "region"),
    [
        ("061234500", "Niedersachsen"),  # Bezirksstelle Aurich
        ("191234500", "Westfalen-Lippe"),  # Münster
        ("271234500", "Nordrhein"),  # Köln
        ("401234500", "Hessen"),  # Frankfurt
        ("491234500", "Rheinland-Pfalz"),  # Pfalz
        ("611234500", "Baden-Württemberg"),  # Nordwürttemberg
        ("631234500", "Bayern"),  # München Stadt und Land
        ("801234500", "Brandenburg"),  # Cottbus
        ("861234500", "Sachsen-Anhalt"),  # Halle
        ("891234500", "Thüringen"),  # Erfurt
        ("951234500", "Sachsen"),  # Dresden
    ],
)
def test_bsnr_bezirksstelle_code_maps_to_its_kv(value, region):
    validate_bsnr(value)
    assert bsnr_kv_region(value) == region


def test_bsnr_bezirksstellen_point_to_known_regions():
    assert set(KV_BEZIRKSSTELLEN.values()) <= set(KV_REGIONS)
    assert not set(KV_BEZIRKSSTELLEN) & set(KV_REGIONS)
    assert not HOSPITAL_BSNR_PREFIXES & (set(KV_BEZIRKSSTELLEN) | set(KV_REGIONS))


@pytest.mark.parametrize(
    ("value", "region"),
    [("755212345", "Baden-Württemberg"), ("359312345", "Thüringen"), ("751112345", "Niedersachsen")],
)
def test_bsnr_hospital_prefix_takes_kv_from_digits_three_and_four(value, region):
    validate_bsnr(value)
    assert bsnr_kv_region(value) == region


@pytest.mark.parametrize("value", ["001234500", "041234500", "991234500", "741234500", "759912345", "350012345"])
def test_bsnr_unknown_region_is_rejected(value):
    error = _error(validate_bsnr, value)
    assert error.code == "invalid_region"
    assert "Kassenärztlichen Vereinigung" in error.messages[0]
    assert bsnr_kv_region(value) is None


@pytest.mark.parametrize("value", ["", "52123450", "5212345000", "52123450x", "52 234500", None])
def test_bsnr_wrong_format_is_rejected(value):
    error = _error(validate_bsnr, value)
    assert error.code == "invalid_format"
    assert "neun Ziffern" in error.messages[0]
    assert bsnr_kv_region(value) is None


# --- IK -------------------------------------------------------------------------------


def test_ik_domain_example_is_valid():
    assert ik_is_valid("260326822")
    validate_ik("260326822")


@pytest.mark.parametrize("value", AOK_IKS)
def test_ik_all_aok_billing_iks_pass_check_digit(value):
    assert ik_is_valid(value)
    validate_ik(value)


@pytest.mark.parametrize("value", AOK_IKS)
def test_ik_aok_iks_start_with_ten_like_every_fund(value):
    assert value.startswith("10")


@pytest.mark.parametrize("value", ["260326823", "260326820", "108018008", "101097000"])
def test_ik_wrong_check_digit_is_rejected(value):
    assert not ik_is_valid(value)
    error = _error(validate_ik, value)
    assert error.code == "invalid_check_digit"
    assert "Prüfziffer" in error.messages[0]


def test_ik_check_digit_ignores_first_two_digits():
    # Only digits 3-8 are weighted: the class prefix does not change the check digit.
    assert ik_is_valid("990326822")


@pytest.mark.parametrize("value", ["", "26032682", "2603268220", "26032682x", None, 260326822])
def test_ik_wrong_format_is_rejected(value):
    assert not ik_is_valid(value)
    error = _error(validate_ik, value)
    assert error.code == "invalid_format"
    assert "neun Ziffern" in error.messages[0]


# --- PLZ ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["01067", "10115", "70173", "99998"])
def test_plz_valid_codes_pass(value):
    validate_plz(value)


@pytest.mark.parametrize("value", ["", "1234", "123456", "1234a", "12 45", "１０１１５", None])
def test_plz_wrong_format_is_rejected(value):
    error = _error(validate_plz, value)
    assert error.code == "invalid_format"
    assert "fünf Ziffern" in error.messages[0]


@pytest.mark.parametrize("value", ["00000", "00123"])
def test_plz_starting_with_00_is_rejected(value):
    error = _error(validate_plz, value)
    assert error.code == "invalid_range"
    assert "00" in error.messages[0]


# --- messages -------------------------------------------------------------------------


def test_messages_are_lazy_and_translatable():
    error = _error(validate_kvnr, "A123456781")
    message = error.error_list[0].message
    # Lazy proxy: rendered in the active language at display time, not at import time.
    assert not isinstance(message, str)
    assert str(message).startswith("Die Prüfziffer")
