"""The receipt (Empfangsbestätigung, § 36a SGB I: a copy after the electronic declaration).

A tagged PDF (PDF/UA-1) rendered by WeasyPrint from templates/enrollment/receipt_pdf.html,
with `<html lang>` and `<title>` and the KERN font (Fira Sans) embedded from static/kern/fonts.
It holds everything the declaration fixed: person, program, contract version, provider,
channel, signer, timestamps, start date, revocation deadline, binding end, next
cancellation date and the texts the person saw.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from enrollment.models import Participation

# The same fonts as the web pages, as plain TrueType: WeasyPrint decompresses a WOFF2 font on
# every render (0.7 s of a 0.8 s receipt), a TTF it reads as it is (static/kern/fonts/fira-sans/print/).
FONT_DIR = Path(settings.BASE_DIR) / "static" / "kern" / "fonts" / "fira-sans" / "print"


def _font_css() -> str:
    faces = [
        ("FiraSans-Regular.ttf", 400, "normal"),
        ("FiraSans-SemiBold.ttf", 600, "normal"),
        ("FiraSans-Italic.ttf", 400, "italic"),
    ]
    css = []
    for name, weight, style in faces:
        path = FONT_DIR / name
        if path.exists():
            css.append(
                f"@font-face {{ font-family: 'Fira Sans'; src: url('{path.as_uri()}') format('truetype'); "
                f"font-weight: {weight}; font-style: {style}; }}"
            )
    return "\n".join(css)


def receipt_pdf(participation: Participation, *, now: dt.datetime, context: dict) -> bytes:
    html = render_to_string(
        "enrollment/receipt_pdf.html",
        {**context, "p": participation, "now": now, "LANGUAGE_CODE": translation.get_language() or "de"},
    )
    return html_pdf(html)


class PdfRenderer:
    """One font configuration and stylesheet for many PDFs: loading the fonts costs about as much
    as laying out a hundred simple pages, so a batch renders all its chunks with one renderer."""

    def __init__(self, css: str | None = None):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.font_config = FontConfiguration()
        self.stylesheet = CSS(string=_font_css() + (RECEIPT_CSS if css is None else css), font_config=self.font_config)

    def __call__(self, html: str, *, tagged: bool = True) -> bytes:
        from weasyprint import HTML

        return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
            stylesheets=[self.stylesheet], font_config=self.font_config, pdf_variant="pdf/ua-1" if tagged else None
        )


def html_pdf(html: str, *, css: str | None = None, tagged: bool = True) -> bytes:
    """A PDF of one of the people's documents, in the receipts' layout unless `css` is given;
    tagged (PDF/UA-1) unless `tagged=False` (print runs, where tagging costs about 30 %)."""
    return PdfRenderer(css)(html, tagged=tagged)


RECEIPT_CSS = """
@page { size: A4; margin: 18mm 18mm 20mm 18mm;
        @bottom-right { content: "Seite " counter(page) " von " counter(pages); font-size: 8pt; color: #555; } }
html { font-family: 'Fira Sans', sans-serif; font-size: 10pt; line-height: 1.4; color: #111; }
h1 { font-size: 16pt; margin: 0 0 4mm; }
h2 { font-size: 12pt; margin: 6mm 0 2mm; border-bottom: 0.5pt solid #999; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 1.2mm 2mm 1.2mm 0; }
th { width: 38%; font-weight: 600; }
thead { display: table-header-group; }
.text { white-space: pre-wrap; border-left: 2pt solid #ccc; padding-left: 3mm; }
.muted { color: #444; font-size: 9pt; }
"""
