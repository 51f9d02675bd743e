"""CSV files of the report tables and one ZIP with all of them.

Format: UTF-8 with BOM (spreadsheets open umlauts correctly), ";" as delimiter, numbers
without thousands separators and with a decimal comma, percentages as numbers (95,9 not
"95,9 %"), empty cells for values that do not exist. The ZIP adds LIESMICH.txt with the
title, the definitions and the data version of every table.
"""

from __future__ import annotations

import csv
import io
import zipfile

from django.utils.translation import gettext as _

from reports.formatting import format_csv_number
from reports.tables import Table


def table_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.label for c in table.columns])
    for row in table.rows:
        writer.writerow(
            [
                str(row.get(c.key) or "") if c.kind == "text" else format_csv_number(row.get(c.key))
                for c in table.columns
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def tables_zip(tables: list[Table], *, title: str, data_version: int) -> bytes:
    buffer = io.BytesIO()
    readme = [title, "", _("Datenstand %(version)d") % {"version": data_version}, ""]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            archive.writestr(f"{table.slug}.csv", table_csv(table))
            readme += [f"{table.slug}.csv – {table.title}", *[f"  {note}" for note in table.notes], ""]
        readme += [
            _("Format: UTF-8, Trennzeichen Semikolon, Dezimalkomma, Anteile in Prozent ohne Prozentzeichen."),
        ]
        archive.writestr("LIESMICH.txt", "\n".join(readme) + "\n")
    return buffer.getvalue()
