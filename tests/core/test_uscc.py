import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from gongxin.core.models import Region
from gongxin.core.uscc import (
    CHARSET,
    CIVIL_AFFAIRS_TYPES,
    DEPARTMENTS,
    WEIGHTS,
    USCCError,
    check_character,
    generate,
    is_valid,
    normalize,
    org_code_check_digit,
    parse,
)

REAL = ["51100000500002862F", "53100000500021676K"]  # 中国自动化学会, a national foundation
WRONG_CHECK = "53100000500020462H"  # should end K


def build(first16: str) -> str:
    """A code whose two check characters are right for the given first 16, so only other checks can fail."""
    first17 = first16 + org_code_check_digit(first16[8:16])
    return first17 + check_character(first17)


def error_of(code: str, **kwargs) -> USCCError:
    with pytest.raises(USCCError) as info:
        parse(code, **kwargs)
    return info.value


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- constants and check algorithms -------------------------------------------------------------


def test_charset_and_weights():
    assert len(CHARSET) == 31 and not set("IOZSV") & set(CHARSET)
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert set(DEPARTMENTS) == set("123456789ANY")
    assert set(CIVIL_AFFAIRS_TYPES) == set("1239")


def test_worked_example_sum_481():
    code = REAL[0]
    total = sum(CHARSET.index(char) * weight for char, weight in zip(code[:17], WEIGHTS, strict=True))
    assert total == 481 and 31 - total % 31 == 15 and CHARSET[15] == "F"
    assert check_character(code[:17]) == "F"


@pytest.mark.parametrize(
    ("body", "digit"),
    [("50000286", "2"), ("50002167", "6"), ("00000000", "0"), ("00000006", "X"), ("A0000000", "3")],
)
def test_org_code_check_digit(body, digit):
    # "00000000": sum 0 -> 11 -> '0'; "00000006": sum 12 -> 10 -> 'X'; A counts 10: sum 30 -> 3.
    assert org_code_check_digit(body) == digit


# --- valid codes --------------------------------------------------------------------------------


@pytest.mark.parametrize("code", REAL)
def test_real_vectors_pass(code):
    assert is_valid(code)
    assert parse(code).code == code


def test_parts_of_worked_example():
    parts = parse(REAL[0])
    assert (parts.department, parts.org_type, parts.region_code) == ("5", "1", "100000")
    assert (parts.organization_code, parts.check_character) == ("500002862", "F")
    assert str(parts.department_label) == "Civil affairs"
    assert str(parts.org_type_label) == "Social group"
    assert str(parse(REAL[1]).org_type_label) == "Foundation"


def test_org_type_label_only_for_civil_affairs():
    parts = parse(build("91440300MA5ABCDE"), civil_affairs_only=False)
    assert str(parts.department_label) == "Industry and commerce"
    assert parts.org_type_label is None


@pytest.mark.parametrize(
    "raw",
    [
        "51100000500002862f",
        " 5110 0000 5000 0286 2F\n",
        "".join(chr(ord(char) + 0xFEE0) for char in REAL[0]),  # full-width, as pasted from Word
        "5110\u30000000\u200b500002862ｆ",  # ideographic space and zero-width space
    ],
)
def test_normalization(raw):
    assert normalize(raw) == REAL[0]
    assert parse(raw).code == REAL[0]


# --- each kind of invalid code ------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["", "   ", "\u3000"])
def test_empty(raw):
    err = error_of(raw)
    assert (err.code, err.position) == ("empty", None)


@pytest.mark.parametrize(("raw", "length"), [(REAL[0][:17], 17), (REAL[0] + "1", 19), ("5", 1)])
def test_wrong_length(raw, length):
    err = error_of(raw)
    assert err.code == "length"
    assert str(err) == f"Length is {length} characters; a USCC has 18"


@pytest.mark.parametrize("char", list("IOZSV"))
def test_forbidden_letter_reports_position(char):
    err = error_of(REAL[0][:11] + char + REAL[0][12:])
    assert (err.code, err.position) == ("charset", 12)
    assert str(err) == f"Character '{char}' at position 12 is not allowed (I, O, Z, S, V are never used)"


def test_other_bad_character_reports_first_one():
    err = error_of("5110-000500002862中")
    assert (err.code, err.position) == ("charset", 5)
    assert "'-'" in str(err) and CHARSET in str(err)


def test_wrong_department():
    business = build("91440300MA5ABCDE")  # industry-and-commerce code, both check characters right
    err = error_of(business)
    assert (err.code, err.position) == ("department", 1)
    assert (
        str(err) == "Registering department is '9' (Industry and commerce) but should be '5' (civil affairs)"
    )
    assert is_valid(business, civil_affairs_only=False)


def test_unknown_department_even_when_any_department_allowed():
    err = error_of(build("B1440300MA5ABCDE"), civil_affairs_only=False)
    assert (err.code, err.position) == ("department", 1)
    assert "'B'" in str(err)


@pytest.mark.parametrize("org_type", list("0456A"))
def test_wrong_org_type(org_type):
    err = error_of(build(f"5{org_type}10000050000286"))
    assert (err.code, err.position) == ("org_type", 2)
    assert f"'{org_type}'" in str(err) and "3 (foundation)" in str(err)


def test_region_must_be_six_digits():
    err = error_of(build("51A0000050000286"))
    assert (err.code, err.position) == ("region", 3)
    assert "'A00000'" in str(err)


def test_region_must_exist_when_lookup_given():
    seen = []

    def exists(code):
        seen.append(code)
        return code == "100000"

    assert parse(REAL[0], region_exists=exists).region_code == "100000"
    assert seen == ["100000"]
    err = error_of(build("5144040050000286"), region_exists=exists)
    assert (err.code, err.position) == ("region", 3)
    assert "'440400'" in str(err) and "not a known administrative division" in str(err)


def test_bad_org_code_check_digit():
    first17 = REAL[0][:16] + "3"  # the organization code 50000286 needs check digit 2
    err = error_of(first17 + check_character(first17))
    assert (err.code, err.position) == ("org_code_check", 17)
    assert str(err) == "Organization code check digit (position 17) is '3' but should be '2'"


def test_wrong_check_character():
    err = error_of(WRONG_CHECK)
    assert (err.code, err.position) == ("check_char", 18)
    assert str(err) == "Check character is 'H' but should be 'K'"
    assert isinstance(err, ValueError) and not is_valid(WRONG_CHECK)


def test_first_failing_check_is_reported():
    # Too short and holding a forbidden letter: length is checked before the character set.
    assert error_of("5I").code == "length"
    # Wrong department and wrong check character: department comes first.
    assert error_of("91440300MA5ABCDE1X").code == "department"


# --- messages in both languages -----------------------------------------------------------------

INVALID = [
    "",
    REAL[0][:17],
    REAL[0][:11] + "O" + REAL[0][12:],
    build("91440300MA5ABCDE"),
    build("5410000050000286"),
    build("51A0000050000286"),
    REAL[0][:16] + "3F",
    WRONG_CHECK,
]


@pytest.mark.parametrize("raw", INVALID)
def test_messages_render_in_english_and_chinese(raw):
    err = error_of(raw)
    english = str(err)
    assert english and english.isascii()
    with translation.override("zh-hans"):
        # Only non-empty until the Chinese catalogue has these msgids; the message is lazy, so it
        # is rendered in the language active when shown, not when raised.
        assert isinstance(str(err), str) and str(err)
    assert str(err) == english


# --- generate -----------------------------------------------------------------------------------


def test_generate_valid_distinct_and_embeds_region():
    codes = [generate(org_type="2", region_code="440400", serial=serial) for serial in range(10_000)]
    assert len(set(codes)) == len(codes)
    for code in codes:
        parts = parse(code)
        assert parts.region_code == "440400" and parts.org_type == "2"
        assert parts.organization_code.startswith("MJ")


def test_generate_is_deterministic_and_covers_the_serial_range():
    assert generate(org_type="1", region_code="100000", serial=7) == generate(
        org_type="1", region_code="100000", serial=7
    )
    last = generate(org_type="9", region_code="440000", serial=31**6 - 1)
    assert last[8:16] == "MJYYYYYY" and is_valid(last)
    assert is_valid(
        generate(org_type="1", region_code="440300", serial=3, department="9"), civil_affairs_only=False
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"org_type": "1", "region_code": "440400", "serial": -1},
        {"org_type": "1", "region_code": "440400", "serial": 31**6},
        {"org_type": "4", "region_code": "440400", "serial": 1},
        {"org_type": "1", "region_code": "4404", "serial": 1},
        {"org_type": "12", "region_code": "440400", "serial": 1},
    ],
)
def test_generate_rejects_bad_input(kwargs):
    with pytest.raises(ValueError):
        generate(**kwargs)


# --- property-style: the check character catches every single-character substitution -----------


def random_valid_codes(count, seed=32100):
    rng = random.Random(seed)
    for _ in range(count):
        first16 = (
            "5"
            + rng.choice("1239")
            + "".join(rng.choices("0123456789", k=6))
            + "".join(rng.choices(CHARSET, k=8))
        )
        yield rng, build(first16)


def test_random_codes_pass_and_any_substitution_fails():
    for rng, code in random_valid_codes(2000):
        assert parse(code).code == code
        for position in range(18):
            other = rng.choice(CHARSET.replace(code[position], ""))
            assert not is_valid(code[:position] + other + code[position + 1 :]), (code, position, other)


def test_every_substitution_changes_the_check_character():
    # Exhaustive over all 17 x 30 substitutions, on fewer codes: 31 is prime and no weight is 0 mod 31.
    for _rng, code in random_valid_codes(100, seed=11714):
        for position in range(17):
            for other in CHARSET.replace(code[position], ""):
                mutated = code[:position] + other + code[position + 1 : 17]
                assert check_character(mutated) != code[17]


# --- management command -------------------------------------------------------------------------


def run_check(*codes):
    out, err = StringIO(), StringIO()
    call_command("uscc", "check", *codes, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_cli_prints_parts_of_a_valid_code():
    out, err = run_check(REAL[0])
    assert out.splitlines() == [
        "Code: 51100000500002862F",
        "Department: 5 (Civil affairs)",
        "Organization type: 1 (Social group)",
        "Region code: 100000",
        "Region name: 全国",
        "Organization code: 500002862",
        "Check character: F",
    ]
    assert err == ""


@pytest.mark.django_db
def test_cli_shows_region_name_and_refuses_an_unknown_region():
    # The migration loads the GB/T 2260 table, so region codes are checked against it.
    assert Region.objects.filter(code="440400").exists()
    out, _err = run_check(build("5144040050000286"))
    assert "Region name: 珠海市" in out.splitlines()
    err = StringIO()
    with pytest.raises(SystemExit) as info:
        call_command("uscc", "check", build("5144990050000286"), stdout=StringIO(), stderr=err)
    assert info.value.code == 1
    assert "449900" in err.getvalue()


@pytest.mark.django_db
def test_cli_invalid_code_exits_1_with_reason():
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as info:
        call_command("uscc", "check", REAL[0], WRONG_CHECK, stdout=out, stderr=err)
    assert info.value.code == 1
    assert "Check character: F" in out.getvalue()  # valid codes are still reported
    assert err.getvalue().strip() == f"{WRONG_CHECK}: Check character is 'H' but should be 'K'"


@pytest.mark.django_db
def test_cli_any_department():
    business = build("91440300MA5ABCDE")
    with pytest.raises(SystemExit):
        run_check(business)
    out, _err = run_check("--any-department", business)
    assert "Department: 9 (Industry and commerce)" in out.splitlines()
    assert "Organization type: 1" in out.splitlines()
