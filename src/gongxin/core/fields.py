"""Model fields shared by the apps."""

from django.db import models


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
