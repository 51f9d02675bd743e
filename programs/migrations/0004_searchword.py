# The search vocabulary (programs.models.SearchWord) for typo tolerance, filled from the
# existing programs; on PostgreSQL a GIN trigram index on the word, and the German full-text
# index of 0003 is dropped: the search no longer uses to_tsvector (see programs/search.py:
# computed per row it cost 200–400 ms a query). Both no-ops on SQLite.

from django.db import migrations, models


def fill_vocabulary(apps, schema_editor):
    from programs.search import document_words

    db = schema_editor.connection.alias
    Program = apps.get_model("programs", "Program")
    SearchWord = apps.get_model("programs", "SearchWord")
    words = set()
    for text in Program.objects.using(db).values_list("search_text", flat=True).iterator():
        words |= document_words(text)
    SearchWord.objects.using(db).bulk_create([SearchWord(word=w) for w in sorted(words)], batch_size=1000)


class PostgresOnlyRunSQL(migrations.RunSQL):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):

    dependencies = [
        ("programs", "0003_search_indexes_postgres"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("word", models.CharField(max_length=60, unique=True)),
            ],
            options={
                "verbose_name": "Suchwort",
                "verbose_name_plural": "Suchwörter",
            },
        ),
        migrations.RunPython(fill_vocabulary, migrations.RunPython.noop),
        PostgresOnlyRunSQL(
            sql=[
                "CREATE INDEX IF NOT EXISTS searchword_word_trgm ON programs_searchword USING gin (word gin_trgm_ops)",
                "DROP INDEX IF EXISTS program_search_fts",
            ],
            reverse_sql=[
                "CREATE INDEX IF NOT EXISTS program_search_fts ON programs_program "
                "USING gin (to_tsvector('german'::regconfig, COALESCE(search_text, '')))",
                "DROP INDEX IF EXISTS searchword_word_trgm",
            ],
        ),
    ]
