import csv

import pytest
from django.core.exceptions import ValidationError

from champions.reference import REFERENCE_DIR
from champions.text import name_key
from champions.validators import (
    credit_code_check_character,
    credit_code_error,
    normalize_credit_code,
    validate_credit_code,
)


def vectors():
    with open(REFERENCE_DIR / "uscc_vectors.csv", encoding="utf-8") as handle:
        return [(row["code"], row["valid"] == "yes", row["note"]) for row in csv.DictReader(handle)]


@pytest.mark.parametrize(("code", "valid", "note"), vectors())
def test_reference_vectors(code, valid, note):
    assert (credit_code_error(code) is None) is valid, note
    if valid:
        validate_credit_code(code)
    else:
        with pytest.raises(ValidationError):
            validate_credit_code(code)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("91110108717809965C", "J"),
        ("9133010057462616XH", "9"),
        ("91110000800088421P", "W"),
        ("91210213702157833K", "U"),
        ("914403001922038217", "6"),
    ],
)
def test_wrong_check_character_names_the_right_one(code, expected):
    assert credit_code_check_character(code[:17]) == expected
    assert f"should be {expected}" in str(credit_code_error(code))


def test_normalise_full_width_lower_case_and_spaces():
    assert normalize_credit_code(" ９１１１０１０８５５１３８５０８２ｑ ") == "91110108551385082Q"
    assert normalize_credit_code("91110108 551385082q") == "91110108551385082Q"
    assert normalize_credit_code(None) == ""
    validate_credit_code("９１１１０１０８５５１３８５０８２ｑ")


def test_length_and_alphabet_messages():
    assert "18 characters" in str(credit_code_error("91440300192203821"))
    assert "I" in str(credit_code_error("91440300I922038216"))


def test_name_key_folds_brackets_width_and_spaces():
    assert name_key("温州某某（集团）有限公司") == name_key("温州某某(集团) 有限公司")
    assert name_key("ＡＢＣ电气　有限公司") == name_key("abc电气有限公司")
    assert name_key("温州甲公司") != name_key("温州乙公司")
