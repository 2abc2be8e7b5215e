"""Model fields shared by the apps."""

from django.db import models

from gongxin.core.text import clean_identity, normalize_identity


class RowidOneToOneField(models.OneToOneField):
    """A one-to-one primary key that is SQLite's rowid.

    SQLite makes a primary key the table's rowid only when its type is exactly INTEGER;
    Django declares a key to a BigAutoField as "bigint", which gives the table a hidden rowid
    plus a separate index on the key, so every lookup by key searches two b-trees. The search
    document table is probed by key once per match (registry.search), so on SQLite its key is
    declared "integer" (64-bit there too). Other engines keep the usual type.
    """

    def db_type(self, connection):
        if connection.vendor == "sqlite":
            return "integer"
        return super().db_type(connection)


class IdentityCharField(models.CharField):
    """A name of an organization, a person or a body, stored and compared normalized (core.text).

    - ``full_clean`` refuses a bidi control, a control or an invisible formatting character
      with a message naming it, and leaves the normalized value on the instance;
    - every save (also ``bulk_create``, ``update()`` and ``bulk_update``) stores the normalized
      form, so a path that skips ``full_clean`` cannot store a zero-width variant;
    - an exact lookup (``filter(name=...)``, ``name__in``) compares the normalized form, so a
      typed variant finds the stored name.

    It deconstructs as a plain CharField: the column is the same, and a changed field class
    would make SQLite rebuild the table in a migration for nothing. Existing rows were
    normalized by each app's data migration (core.text.normalize_rows)."""

    def clean(self, value, model_instance):
        if isinstance(value, str):
            value = clean_identity(value)
        return super().clean(value, model_instance)

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            value = normalize_identity(value)
            setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return normalize_identity(value) if isinstance(value, str) else value

    def formfield(self, **kwargs):
        from gongxin.core.forms import IdentityField

        return super().formfield(**{"form_class": IdentityField, **kwargs})

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs
