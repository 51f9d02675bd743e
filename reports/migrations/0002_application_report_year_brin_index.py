"""On PostgreSQL the index on reports_application.report_year_id becomes a BRIN index.

A report year's case rows are written together (one import), so a block-range index finds
them as well as a B-tree; maintaining the B-tree cost more than the rest of a 15-million-row
insert (issue 13, docs/performance.md). The index keeps the name Django gave it, so the
migration state (an index on the foreign key) does not change. Other databases keep the B-tree.
"""

from django.db import migrations

INDEX = "reports_application_report_year_id_0fdeeda5"


def to_brin(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')
    schema_editor.execute(f'CREATE INDEX "{INDEX}" ON "reports_application" USING brin ("report_year_id")')


def to_btree(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')
    schema_editor.execute(f'CREATE INDEX "{INDEX}" ON "reports_application" ("report_year_id")')


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(to_brin, to_btree, elidable=False)]
