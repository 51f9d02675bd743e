"""One e-mail address, one account: a unique index on lower(email) of auth_user (non-empty
addresses). Two accounts on one address would both receive that mailbox's password-reset
links (an account takeover). django.contrib.auth's User cannot carry the constraint in its own
app, so this migration adds the index (SQLite and PostgreSQL both support partial expression
indexes). Existing duplicates stop the migration with a clear message: resolve them first."""

from django.db import migrations

INDEX = "auth_user_email_lower_unique"


def create(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT lower(email), count(*) FROM auth_user WHERE email <> '' GROUP BY lower(email) HAVING count(*) > 1"
        )
        duplicates = cursor.fetchall()
    if duplicates:
        raise RuntimeError(
            f"{len(duplicates)} e-mail addresses belong to more than one account; give each account its own "
            "address (or none) and run migrate again (docs/security.md, 'One address, one account')."
        )
    schema_editor.execute(f"CREATE UNIQUE INDEX {INDEX} ON auth_user (lower(email)) WHERE email <> ''")


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("enrollment", "0170_insured_search_indexes"),
    ]

    operations = [migrations.RunPython(create, drop)]
