"""Form helpers shared by every app's views, and the project's form renderer."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _

from gongxin.core.text import clean_identity

# Dates a form accepts. Django's own field takes 0001-01-01 to 9999-12-31, where deadline
# arithmetic (a notice issued on 9999-12-31 plus 20 working days) overflows into an HTTP 500,
# and counting working days up to year 9999 loops millions of times.
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2099, 12, 31)


class DateField(forms.DateField):
    """``forms.DateField`` bounded to DATE_MIN..DATE_MAX, with a message naming the range. Every
    form's dates use it (a date from a request reaches services only through it)."""

    default_error_messages = {
        "out_of_range": _("Enter a date between %(min)s and %(max)s."),
    }

    def validate(self, value):
        super().validate(value)
        if value and not (DATE_MIN <= value <= DATE_MAX):
            raise ValidationError(self.error_messages["out_of_range"], code="out_of_range",
                                  params={"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()})



def form_add_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: field errors on their field where the form
    has it, everything else at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class BoundField(forms.BoundField):
    """A field in error says so on its widget: Bootstrap's ``is-invalid`` joins the widget's
    own classes (Django adds ``aria-invalid`` and points ``aria-describedby`` at the message
    that ``includes/field.html`` prints under it as ``<id>_error``). Every form of the project
    gets this through ``FormRenderer``, whichever template draws it."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if self.errors and not widget.is_hidden:
            # Extra attrs replace the widget's own: keep its classes.
            classes = (attrs.get("class") or widget.attrs.get("class") or "").split()
            if "is-invalid" not in classes:
                classes.append("is-invalid")
            attrs["class"] = " ".join(classes)
        return attrs


class FormRenderer(DjangoTemplates):
    """settings.FORM_RENDERER: Django's template renderer with the BoundField above."""

    bound_field_class = BoundField


class SearchableSelect(forms.Select):
    """A long select (hundreds of catalogue services or sponsor units) that ``forms.js`` gives a
    type-to-search box and a jurisdiction filter: each option may carry its region
    (``regions``: value -> (region code, region name)); ``filter_by`` names another select of
    the form whose region code filters the options (else a filter of the options' own regions
    is offered when they come from more than one). Without JavaScript it is a plain select."""

    def __init__(self, attrs=None, *, regions: dict | None = None, filter_by: str = "", placeholder: str = "",
                 count_text: str = ""):
        super().__init__(attrs)
        self.regions = regions or {}
        self.filter_by, self.placeholder, self.count_text = filter_by, placeholder, count_text

    def get_context(self, name, value, attrs):
        from django.utils.translation import gettext as _

        attrs = {**(attrs or {}), "data-gx-search": str(self.placeholder or _("Type to search the list")),
                 "data-gx-count": str(self.count_text or _("%s shown")),
                 "data-gx-all-regions": _("All jurisdictions")}
        if self.filter_by:
            attrs["data-gx-filter-by"] = self.filter_by
        return super().get_context(name, value, attrs)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        region = self.regions.get(str(value))
        if region:
            option["attrs"]["data-region"], option["attrs"]["data-region-name"] = region
        return option
class IdentityField(forms.CharField):
    """A name of an organization, a person or a body (core.text): a bidi control, a control or
    an invisible formatting character is refused with a message naming it; the value is
    returned normalized (pasted invisible characters removed, NFKC, spaces collapsed), so
    ``max_length`` counts what is stored."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return clean_identity(value)
