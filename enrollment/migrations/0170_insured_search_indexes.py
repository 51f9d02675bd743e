"""PostgreSQL indexes behind the admin's search of insured persons at a million rows
(enrollment/admin.py, InsuredPersonAdmin.get_search_results): the start of a name or postal code
within the clerk's fund. SQLite has no operator classes; its small demo data need none."""

from django.db import migrations

INDEXES = {
    "insured_fund_last_prefix": "(fund_id, upper(last_name) text_pattern_ops)",
    "insured_fund_first_prefix": "(fund_id, upper(first_name) text_pattern_ops)",
    "insured_fund_plz_prefix": "(fund_id, postal_code varchar_pattern_ops)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, columns in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON enrollment_insuredperson {columns}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0140_activation_letters")]

    operations = [migrations.RunPython(create, drop)]
