"""The search index over registry_searchdocument.tokens.

SQLite: a contentless FTS5 table whose rowid is the organization id, kept in step by
triggers. PostgreSQL: a GIN index on the token array. Both answer "documents containing all
of these exact tokens" (see registry/search.py); no other engine is supported.
"""

from django.db import migrations

SQLITE = [
    # unicode61 splits on anything that is not a letter or number; our tokens contain only
    # letters and numbers (search._segments), so one stored token is one FTS5 token.
    """CREATE VIRTUAL TABLE registry_search_fts USING fts5(
           tokens, content='', tokenize='unicode61 remove_diacritics 0', detail='none')""",
    """CREATE TRIGGER registry_searchdocument_ai AFTER INSERT ON registry_searchdocument BEGIN
           INSERT INTO registry_search_fts(rowid, tokens) VALUES (new.organization_id, new.tokens);
       END""",
    """CREATE TRIGGER registry_searchdocument_ad AFTER DELETE ON registry_searchdocument BEGIN
           INSERT INTO registry_search_fts(registry_search_fts, rowid, tokens)
           VALUES ('delete', old.organization_id, old.tokens);
       END""",
    """CREATE TRIGGER registry_searchdocument_au AFTER UPDATE ON registry_searchdocument BEGIN
           INSERT INTO registry_search_fts(registry_search_fts, rowid, tokens)
           VALUES ('delete', old.organization_id, old.tokens);
           INSERT INTO registry_search_fts(rowid, tokens) VALUES (new.organization_id, new.tokens);
       END""",
]
SQLITE_DROP = [
    "DROP TRIGGER registry_searchdocument_au",
    "DROP TRIGGER registry_searchdocument_ad",
    "DROP TRIGGER registry_searchdocument_ai",
    "DROP TABLE registry_search_fts",
]
PG = [
    # Serves search._match_sql: string_to_array(tokens, ' ') @> ARRAY[...]
    """CREATE INDEX registry_searchdocument_tokens_gin ON registry_searchdocument
       USING gin (string_to_array(tokens, ' '))""",
]
PG_DROP = ["DROP INDEX registry_searchdocument_tokens_gin"]


def recreate_sqlite_triggers(schema_editor):
    """Migrations that make SQLite rebuild registry_searchdocument drop its triggers; they
    call this afterwards so the FTS index keeps following the documents."""
    for sql in SQLITE[1:]:
        name = sql.split("TRIGGER", 1)[1].split()[0]
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute(sql)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE, "postgresql": PG}[vendor]:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_DROP, "postgresql": PG_DROP}[vendor]:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
