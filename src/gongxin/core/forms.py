"""Form helpers shared by every app's views."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from gongxin.core.text import clean_identity


def form_add_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: field errors on their field where the form
    has it, everything else at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


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
