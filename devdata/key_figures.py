"""key_figures.csv: the figures of the published report that no case data carries.

`AOK_PLUS_2023` holds them as the AOK PLUS report for 2023 states them ("etwa 41", "fast
225.000"); `write_key_figures()` writes the file in the documented format (docs/report-data.md).
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from reports.models import KeyFigureName, Qualifier

HEADER = ("figure", "value", "qualifier")

#: (figure, value, qualifier) as printed in "Transparenz im Leistungsgeschehen 2023".
AOK_PLUS_2023: tuple[tuple[str, str, str], ...] = (
    (KeyFigureName.BRANCHES, "134", Qualifier.EXACT),
    (KeyFigureName.BRANCHES_ACCESSIBLE, "118", Qualifier.EXACT),
    (KeyFigureName.CARE_PLANS, "4847", Qualifier.EXACT),
    (KeyFigureName.CARE_ADVISORS, "41", Qualifier.ABOUT),
    (KeyFigureName.PREVENTION_PARTICIPANTS, "225000", Qualifier.NEARLY),
    (KeyFigureName.PREVENTION_SPENDING_PER_PARTICIPANT, "92.97", Qualifier.EXACT),
    (KeyFigureName.PREVENTION_SPENDING_TOTAL, "24000000", Qualifier.EXACT),
    (KeyFigureName.SURVEY_FIRST_CHOICE, "97", Qualifier.EXACT),
    (KeyFigureName.SURVEY_STAY, "90", Qualifier.EXACT),
)


def scaled_key_figures(factor: float, *, survey_shift: int = 0) -> tuple[tuple[str, str, str], ...]:
    """A plausible variant for demo funds: counts scaled, amounts and survey results shifted."""
    result = []
    for name, value, qualifier in AOK_PLUS_2023:
        if name in (KeyFigureName.SURVEY_FIRST_CHOICE, KeyFigureName.SURVEY_STAY):
            value = str(max(0, min(100, int(value) + survey_shift)))
        elif name == KeyFigureName.PREVENTION_SPENDING_PER_PARTICIPANT:
            value = str((Decimal(value) * Decimal(str(0.9 + factor / 10))).quantize(Decimal("0.01")))
        else:
            value = str(round(int(value) * factor))
        result.append((name, value, qualifier))
    return tuple(result)


def write_key_figures(directory: Path, figures=AOK_PLUS_2023) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "key_figures.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows((str(name), value, str(qualifier)) for name, value, qualifier in figures)
    return path
