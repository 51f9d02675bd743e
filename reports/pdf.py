"""The report as an accessible PDF (WeasyPrint, PDF/UA-1).

A4 with a title page, a table of contents with page numbers (`target-counter`), a running
header with fund and year, "Seite X von Y" in the footer, charts (inline SVG with title and
description) each followed by its table. One `FontConfiguration` serves the stylesheet and
the rendering, and `base_url` points at the static files, so Fira Sans (KERN) is embedded
instead of silently replaced. The print stylesheet is small on purpose (static/reports/print.css),
not the whole KERN CSS.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from reports.figures import SECTIONS, Report, branch_choices, definition_list
from reports.tables import report_tables, tables_by_section


def _static_root() -> Path:
    css = finders.find("reports/print.css")
    if css is None:  # pragma: no cover - collectstatic-only deployments
        return Path(settings.STATIC_ROOT)
    return Path(css).parent.parent


def render_html(report: Report, *, language: str) -> str:
    with translation.override(language):
        tables = report_tables(report)
        by_section = tables_by_section(tables)
        sections = [(key, translation.gettext(label), by_section.get(key, [])) for key, label in SECTIONS]
        return render_to_string(
            "reports/pdf/report.html",
            {
                "report": report,
                "sections": sections,
                "definitions": definition_list(),
                "branches": branch_choices(),
                "LANGUAGE_CODE": language,
            },
        )


def render_pdf(
    report: Report, *, language: str = "de", on_progress: Callable[[int], None] | None = None
) -> tuple[bytes, int]:
    """Render the report; returns (pdf bytes, number of pages). `on_progress` gets 0–100."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    def progress(value: int) -> None:
        if on_progress is not None:
            on_progress(value)

    html_text = render_html(report, language=language)
    progress(20)
    root = _static_root()
    font_config = FontConfiguration()
    stylesheet = CSS(filename=str(root / "reports" / "print.css"), font_config=font_config)
    document = HTML(string=html_text, base_url=str(root) + "/").render(
        stylesheets=[stylesheet], font_config=font_config, pdf_variant="pdf/ua-1"
    )
    progress(70)
    pdf = document.write_pdf(pdf_variant="pdf/ua-1")
    progress(95)
    return pdf, len(document.pages)
