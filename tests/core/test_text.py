"""The names' normalization (core.text) and the form and model fields built on it."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from gongxin.core.forms import IdentityField
from gongxin.core.text import clean_identity, identity_key, identity_problem, normalize_identity

RLO = "\u202e"


@pytest.mark.parametrize("typed", [
    "黄\u200b晓龙", "\ufeff黄晓龙", "黄\u00ad晓龙", "黄\u2060晓龙", "黄\u200d晓\u200c龙", "  黄晓龙\t", "黄晓龙\ufe0f",
])
def test_pasted_invisible_characters_and_spaces_around_are_removed(typed):
    assert normalize_identity(typed) == clean_identity(typed) == "黄晓龙"


def test_full_width_and_half_width_variants_compare_equal():
    assert normalize_identity("珠海市ＩＴ服务协会") == normalize_identity("珠海市IT服务协会") == "珠海市IT服务协会"
    assert normalize_identity("珠海市１２３协会") == "珠海市123协会"
    # A Kangxi radical and a CJK compatibility ideograph are the unified ideographs they look like.
    assert normalize_identity("\u2f8f\uf900") == "行\u8c48"


def test_brackets_compare_equal_and_keep_the_full_width_form_of_chinese_names():
    assert normalize_identity("中国(珠海)协会") == normalize_identity("中国（珠海）协会") == "中国（珠海）协会"


def test_whitespace_runs_become_one_space():
    assert normalize_identity("Zhuhai\u3000 \u00a0IT  Association") == "Zhuhai IT Association"


def test_normalization_is_idempotent_and_search_compares_in_lower_case():
    for text in ["中国(珠海)ＡＢＣ协会\u200b", "a\u202eb", " x\x07y "]:
        once = normalize_identity(text)
        assert normalize_identity(once) == once
    assert identity_key("珠海市ＩＴ协会") == "珠海市it协会"


def test_a_right_to_left_override_is_refused_with_a_message_naming_it():
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        clean_identity(f"珠海市{RLO}会协业行")
    assert exc.value.code == "identity_character"
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in exc.value.messages[0]
    assert "display in a different order" in exc.value.messages[0]
    # Compared, not typed: removed.
    assert normalize_identity(f"珠海市{RLO}会协业行") == "珠海市会协业行"


@pytest.mark.parametrize("char", ["\u202a", "\u202b", "\u202c", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069"])
def test_every_bidi_embedding_override_and_isolate_is_refused(char):
    assert identity_problem(f"珠海{char}协会")


@pytest.mark.parametrize("text, named", [
    ("珠海\x07协会", "U+0007"), ("珠海\x00协会", "U+0000"), ("珠海\U000e0041协会", "U+E0041"),
    ("珠海\u0600协会", "U+0600"),
])
def test_other_control_and_invisible_formatting_characters_are_refused(text, named):
    with translation.override("en"):
        assert named in identity_problem(text)


@pytest.mark.parametrize("text", ["珠海市协会", "珠海\ue000协会", "买买提·艾力", "黄晓龙\n", "Zhuhai IT", ""])
def test_visible_text_private_use_characters_and_line_breaks_pass(text):
    # Private-use characters stay: registries put rare characters of personal names there.
    assert identity_problem(text) is None


def test_the_form_field_normalizes_and_refuses():
    field = IdentityField(max_length=8)
    assert field.clean(" 黄\u200b晓龙 ") == "黄晓龙"
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        field.clean(f"黄{RLO}晓龙")
    assert "U+202E" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        field.clean("\u200b")  # nothing visible: required


@pytest.mark.django_db
def test_the_model_field_stores_and_looks_up_the_normalized_form(make_org):
    from gongxin.registry.models import Organization

    org = make_org("珠海市标准化测试协会", legal_representative="黄\u200b晓龙")
    assert org.legal_representative == "黄晓龙"
    Organization.objects.filter(pk=org.pk).update(legal_representative="黄晓龙\ufeff")  # update() too
    assert Organization.objects.values_list("legal_representative", flat=True).get(pk=org.pk) == "黄晓龙"
    assert Organization.objects.filter(name="珠海市标准化\u200b测试协会").get() == org
    assert Organization.objects.filter(legal_representative__in=["黄\u2060晓龙"]).get() == org


@pytest.mark.django_db
def test_full_clean_refuses_a_bidi_control_in_a_model_field(make_org):
    with pytest.raises(ValidationError) as exc:
        make_org(f"珠海市{RLO}会协试测")
    assert "name" in exc.value.message_dict
