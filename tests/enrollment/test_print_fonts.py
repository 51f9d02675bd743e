"""The PDFs embed Fira Sans from the TrueType copies of the web fonts (see their README)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from enrollment.receipts import html_pdf

FONTS = Path(__file__).resolve().parents[2] / "static/kern/fonts/fira-sans"


@pytest.mark.parametrize("face", ["Regular", "SemiBold", "Italic"])
def test_print_fonts_are_the_web_fonts(face):
    web, printed = TTFont(FONTS / f"FiraSans-{face}.woff2"), TTFont(FONTS / "print" / f"FiraSans-{face}.ttf")
    assert printed.flavor is None
    assert printed.getGlyphOrder() == web.getGlyphOrder()
    assert printed["name"].getDebugName(4) == web["name"].getDebugName(4)


def test_a_document_embeds_the_three_faces():
    html = "<html lang='de'><head><title>T</title></head><body><h1>Fett</h1><p>Text <em>kursiv</em></p></body></html>"
    reader = PdfReader(io.BytesIO(html_pdf(html)))
    fonts = {
        str(font["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for font in (page["/Resources"]["/Font"].get_object().values())
        if "/FontFile2" in font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
    }
    assert fonts == {"Fira-Sans", "Fira-Sans-Semi-Bold", "Fira-Sans-Italic"}  # embedded (FontFile2), subset
