"""Form helpers shared by every app's views, and the project's form renderer."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates


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
