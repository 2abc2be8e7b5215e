"""Form helpers shared by every app's views."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

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
