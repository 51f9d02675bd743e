# Normalised search columns of Program (see programs/search.py), filled for existing rows.

from django.db import migrations, models


def fill_search_columns(apps, schema_editor):
    from programs.search import search_columns

    Program = apps.get_model("programs", "Program")
    batch = []
    for program in Program.objects.using(schema_editor.connection.alias).order_by("pk").iterator():
        for name, value in search_columns(program).items():
            setattr(program, name, value)
        batch.append(program)
    Program.objects.using(schema_editor.connection.alias).bulk_update(batch, ["search_title", "search_text"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("programs", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="program",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="program",
            name="search_title",
            field=models.CharField(blank=True, default="", editable=False, max_length=420),
        ),
        migrations.RunPython(fill_search_columns, migrations.RunPython.noop),
    ]
