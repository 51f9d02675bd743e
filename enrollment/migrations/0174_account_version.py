"""AccountVersion and the triggers that move it on (issue 11).

Every insert, update and delete of a row that a signed-in account's pages show gives every
account that sees the row a new (random) version, in the same transaction: the persons' own
accounts and their representatives' accounts, where the persons are those of the row — for a
person's own record also the persons it represents or signed for, whose other representatives
see its name too. The SQL is written once for both
databases: PostgreSQL runs it in a trigger function per table and operation, SQLite in the
trigger body. The list is frozen here; `tests/enrollment/test_account_memo.py` checks that
every model reaching a person or a participation is either watched or named as not shown.
"""

from django.db import migrations, models

VERSIONS = "enrollment_accountversion"
PERSONS = "enrollment_insuredperson"
REPRESENTATIONS = "enrollment_legalrepresentation"
PARTICIPATIONS = "enrollment_participation"

#: table -> how to find the persons a row belongs to ({row} is NEW or OLD). A person's own
#: record is shown on its pages, on its representatives' pages, and on the pages of the persons
#: it represents or signed a declaration for (as their representative or signer).
WATCHED = {
    PERSONS: (
        f"SELECT {{row}}.id UNION SELECT represented_id FROM {REPRESENTATIONS} WHERE representative_id = {{row}}.id"
        f" UNION SELECT person_id FROM {PARTICIPATIONS} WHERE signer_id = {{row}}.id"
    ),
    REPRESENTATIONS: "{row}.representative_id, {row}.represented_id",
    PARTICIPATIONS: "{row}.person_id",
    "enrollment_participationevent": f"SELECT person_id FROM {PARTICIPATIONS} WHERE id = {{row}}.participation_id",
    "enrollment_doctorchangerequest": f"SELECT person_id FROM {PARTICIPATIONS} WHERE id = {{row}}.participation_id",
    "enrollment_cancellationrequest": f"SELECT person_id FROM {PARTICIPATIONS} WHERE id = {{row}}.participation_id",
    "enrollment_issueddocument": f"SELECT person_id FROM {PARTICIPATIONS} WHERE id = {{row}}.participation_id",
}
OPERATIONS = {"INSERT": ("NEW",), "UPDATE": ("NEW", "OLD"), "DELETE": ("OLD",)}
#: A new person row is seen by its own account only (representations and participations
#: name it later): an import of a million insured persons without accounts runs no trigger.
CONDITIONS = {(PERSONS, "INSERT"): "NEW.user_id IS NOT NULL"}


def _accounts(table: str, row: str) -> str:
    """The accounts that see the persons of `row`: their own and their representatives'; for
    a person's own record also the account on the row itself (a deleted person is not found
    by id any more)."""
    persons = WATCHED[table].format(row=row)
    selects = [
        f"SELECT user_id AS account FROM {PERSONS} WHERE id IN ({persons})",
        f"SELECT p.user_id FROM {REPRESENTATIONS} r JOIN {PERSONS} p ON p.id = r.representative_id"
        f" WHERE r.represented_id IN ({persons})",
    ]
    if table == PERSONS:
        selects.append(f"SELECT {row}.user_id")
    return " UNION ".join(selects)


#: A new version is random, not the old one plus one: a transaction that rolled back must not
#: leave a number that the next commit hands out again (a page kept under it would be served).
RANDOM_VERSION = {
    "postgresql": "(random() * 9223372036854775807)::bigint",
    "sqlite": "random()",
}


def bump_statement(table: str, operation: str, vendor: str) -> str:
    """Upsert a new random version for every account that sees the row, in the order of the
    accounts (two transactions lock the version rows in the same order: no deadlock)."""
    accounts = " UNION ".join(_accounts(table, row) for row in OPERATIONS[operation])
    version = RANDOM_VERSION[vendor]
    return (
        f"INSERT INTO {VERSIONS} (user_id, version) SELECT account, {version} FROM ({accounts}) AS seen"
        f" WHERE account IS NOT NULL ORDER BY account"
        f" ON CONFLICT (user_id) DO UPDATE SET version = excluded.version"
    )


def trigger_names() -> list[str]:
    return [_name(table, operation) for table in WATCHED for operation in OPERATIONS]


def _name(table: str, operation: str) -> str:
    return f"vl_account_version_{table.removeprefix('enrollment_')}_{operation.lower()}"


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in RANDOM_VERSION:
        raise NotImplementedError(f"account version triggers for {vendor}")
    for table in WATCHED:
        for operation in OPERATIONS:
            name, statement = _name(table, operation), bump_statement(table, operation, vendor)
            condition = CONDITIONS.get((table, operation))
            when = f" WHEN ({condition})" if condition else ""
            if vendor == "postgresql":
                schema_editor.execute(
                    f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
                    f" BEGIN {statement}; RETURN NULL; END $$"
                )
                schema_editor.execute(
                    f"CREATE TRIGGER {name} AFTER {operation} ON {table} FOR EACH ROW{when} EXECUTE FUNCTION {name}()"
                )
            else:
                schema_editor.execute(
                    f"CREATE TRIGGER {name} AFTER {operation} ON {table} FOR EACH ROW{when} BEGIN {statement}; END"
                )


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in WATCHED:
        for operation in OPERATIONS:
            name = _name(table, operation)
            if vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0173_retention"),
    ]

    operations = [
        migrations.CreateModel(
            name="AccountVersion",
            fields=[
                ("user_id", models.BigIntegerField(primary_key=True, serialize=False, verbose_name="Konto")),
                ("version", models.BigIntegerField(default=0, verbose_name="Stand")),
            ],
            options={
                "verbose_name": "Datenstand eines Kontos",
                "verbose_name_plural": "Datenstände der Konten",
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
