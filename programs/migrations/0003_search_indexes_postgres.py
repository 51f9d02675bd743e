# PostgreSQL only: pg_trgm and unaccent, trigram and German full-text GIN indexes on the
# search columns (programs/search.py). On SQLite every operation here is a no-op, so the
# migration history is the same on both databases and the model state is unchanged.

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations


class PostgresOnlyRunSQL(migrations.RunSQL):
    """RunSQL that does nothing on other databases (the indexes are not in the model state)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):

    dependencies = [
        ("programs", "0002_program_search_columns"),
    ]

    operations = [
        TrigramExtension(),
        UnaccentExtension(),
        PostgresOnlyRunSQL(
            sql=[
                "CREATE INDEX IF NOT EXISTS program_search_text_trgm ON programs_program USING gin (search_text gin_trgm_ops)",
                "CREATE INDEX IF NOT EXISTS program_search_title_trgm ON programs_program USING gin (search_title gin_trgm_ops)",
                # Same expression as SearchVector("search_text", config="german") compiles to,
                # so the planner can use it.
                "CREATE INDEX IF NOT EXISTS program_search_fts ON programs_program "
                "USING gin (to_tsvector('german'::regconfig, COALESCE(search_text, '')))",
            ],
            reverse_sql=[
                "DROP INDEX IF EXISTS program_search_fts",
                "DROP INDEX IF EXISTS program_search_title_trgm",
                "DROP INDEX IF EXISTS program_search_text_trgm",
            ],
        ),
    ]
