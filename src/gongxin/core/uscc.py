"""Unified social credit code (统一社会信用代码, GB 32100-2015): parse, validate, generate.

Layout: 1 registering department, 2 organization type, 3-8 GB/T 2260 region code,
9-17 organization code (GB 11714, position 17 is its own check digit), 18 check character.
Pure Python; Django is used only for lazy translation of labels and error messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {char: value for value, char in enumerate(CHARSET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 3^(i-1) mod 31 for i = 1..17
LENGTH = 18
FORBIDDEN_LETTERS = "IOZSV"

ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

CIVIL_AFFAIRS = "5"
DEPARTMENTS = {
    "1": _("Institutional establishment"),
    "2": _("Foreign affairs"),
    "3": _("Judicial administration"),
    "4": _("Culture"),
    "5": _("Civil affairs"),
    "6": _("Tourism"),
    "7": _("Religious affairs"),
    "8": _("Trade unions"),
    "9": _("Industry and commerce"),
    "A": _("Central Military Commission Reform and Establishment Office"),
    "N": _("Agriculture"),
    "Y": _("Other"),
}
CIVIL_AFFAIRS_TYPES = {
    "1": _("Social group"),
    "2": _("Private non-enterprise unit (social service organization)"),
    "3": _("Foundation"),
    "9": _("Other"),
}

# Full-width ASCII (U+FF01..U+FF5E) maps to ASCII by a fixed offset. Done explicitly rather than
# with NFKC, which would also turn things like circled digits into digits and hide real typos.
_HALF_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
# Invisible characters that survive str.split() but come along when pasting from Word or web pages.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


class USCCError(ValueError):
    """A code failed one check. ``code`` is a stable machine string; ``message`` is lazy-translated."""

    def __init__(self, code: str, message, position: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class USCCParts:
    code: str
    department: str
    org_type: str
    region_code: str
    organization_code: str  # positions 9-17, including its own check digit
    check_character: str

    @property
    def department_label(self):
        return DEPARTMENTS.get(self.department)

    @property
    def org_type_label(self):
        # Type codes are only defined here for civil affairs; other departments have their own lists.
        return CIVIL_AFFAIRS_TYPES.get(self.org_type) if self.department == CIVIL_AFFAIRS else None


def normalize(code: str) -> str:
    """Remove all whitespace, convert full-width ASCII to half-width and uppercase."""
    return "".join(code.translate(_HALF_WIDTH).translate(_INVISIBLE).split()).upper()


def check_character(first17: str) -> str:
    """The GB 32100 check character (position 18) for the first 17 characters."""
    total = sum(_VALUE[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[-total % 31]


def org_code_check_digit(first8: str) -> str:
    """The GB 11714 check digit (position 17 of a USCC) for an 8-character organization code body."""
    # GB 11714 values letters A=10 .. Z=35, which is exactly base-36 digit value.
    total = sum(int(char, 36) * weight for char, weight in zip(first8, ORG_CODE_WEIGHTS, strict=True))
    digit = 11 - total % 11
    return {10: "X", 11: "0"}.get(digit, str(digit))


def parse(
    code: str, *, civil_affairs_only: bool = True, region_exists: Callable[[str], bool] | None = None
) -> USCCParts:
    """Split a code into its parts, raising USCCError for the first check that fails.

    ``region_exists`` (code -> bool), when given, must accept the region code at positions 3-8.
    """
    code = normalize(code)
    if not code:
        raise USCCError("empty", _("The code is empty"))
    if len(code) != LENGTH:
        raise USCCError(
            "length", format_lazy(_("Length is {length} characters; a USCC has 18"), length=len(code))
        )
    for position, char in enumerate(code, start=1):
        if char not in _VALUE:
            if char in FORBIDDEN_LETTERS:
                msg = _(
                    "Character '{char}' at position {position} is not allowed (I, O, Z, S, V are never used)"
                )
            else:
                msg = _("Character '{char}' at position {position} is not allowed; only {charset} are used")
            raise USCCError(
                "charset", format_lazy(msg, char=char, position=position, charset=CHARSET), position
            )

    department, org_type, region, org_code = code[0], code[1], code[2:8], code[8:17]
    if department not in DEPARTMENTS:
        raise USCCError(
            "department",
            format_lazy(
                _("Registering department '{found}' at position 1 is not a known department code"),
                found=department,
            ),
            1,
        )
    if civil_affairs_only and department != CIVIL_AFFAIRS:
        raise USCCError(
            "department",
            format_lazy(
                _("Registering department is '{found}' ({label}) but should be '5' (civil affairs)"),
                found=department,
                label=DEPARTMENTS[department],
            ),
            1,
        )
    if department == CIVIL_AFFAIRS and org_type not in CIVIL_AFFAIRS_TYPES:
        raise USCCError(
            "org_type",
            format_lazy(
                _(
                    "Organization type '{found}' at position 2 is not valid for civil affairs; expected "
                    "1 (social group), 2 (private non-enterprise unit), 3 (foundation) or 9 (other)"
                ),
                found=org_type,
            ),
            2,
        )
    if not (region.isascii() and region.isdigit()):
        raise USCCError(
            "region",
            format_lazy(_("Region code '{found}' at positions 3-8 must be six digits"), found=region),
            3,
        )
    if region_exists is not None and not region_exists(region):
        raise USCCError(
            "region",
            format_lazy(
                _("Region code '{found}' at positions 3-8 is not a known administrative division"),
                found=region,
            ),
            3,
        )
    expected = org_code_check_digit(org_code[:8])
    if org_code[8] != expected:
        raise USCCError(
            "org_code_check",
            format_lazy(
                _("Organization code check digit (position 17) is '{found}' but should be '{expected}'"),
                found=org_code[8],
                expected=expected,
            ),
            17,
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise USCCError(
            "check_char",
            format_lazy(
                _("Check character is '{found}' but should be '{expected}'"),
                found=code[17],
                expected=expected,
            ),
            18,
        )
    return USCCParts(code, department, org_type, region, org_code, code[17])


def is_valid(code: str, **kwargs) -> bool:
    try:
        parse(code, **kwargs)
    except USCCError:
        return False
    return True


SERIAL_LIMIT = len(CHARSET) ** 6


def generate(*, org_type: str, region_code: str, serial: int, department: str = CIVIL_AFFAIRS) -> str:
    """A deterministic valid code for demo and test data; distinct serials give distinct codes.

    The organization code is "MJ" (the prefix civil affairs uses for codes it assigns itself)
    plus the serial written in base 31 over CHARSET, so every character stays legal.
    """
    if not 0 <= serial < SERIAL_LIMIT:
        raise ValueError(f"serial must be in 0..{SERIAL_LIMIT - 1}")
    if len(department) != 1 or len(org_type) != 1:
        raise ValueError("department and org_type are single characters")
    digits = []
    for _position in range(6):
        serial, digit = divmod(serial, len(CHARSET))
        digits.append(CHARSET[digit])
    body = "MJ" + "".join(reversed(digits))
    first17 = department + org_type + region_code + body + org_code_check_digit(body)
    code = first17 + check_character(first17)
    # Re-validate so bad inputs (region not six digits, unknown department or type) fail loudly here.
    parse(code, civil_affairs_only=False)
    return code
