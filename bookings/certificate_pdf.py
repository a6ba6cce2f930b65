"""The certificate of attendance as a PDF (issue 17), made with fpdf2.

Why fpdf2: pure Python (its dependencies Pillow, fontTools and defusedxml are wheels), so it
installs the same on a laptop, in CI and on the server with no system libraries; WeasyPrint would
need Pango and its fonts installed on every machine, and ReportLab's page layout is more than one
page of text needs. fpdf2 is maintained (monthly releases), embeds TrueType fonts (any name
prints, "Łukasz Nowak" and "Zoë Ó Súilleabháin" included) and writes links.

The font is DejaVu Sans, the TrueType font matplotlib already ships (a dependency of the reports),
embedded in the PDF, so nothing depends on the fonts installed where it is made or read.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from bookings.certificates import CertificateText

FONT = "DejaVu"
INK = (11, 12, 12)  # GOV.UK text colour
BLUE = (29, 112, 184)


def _font_dir() -> Path:
    spec = importlib.util.find_spec("matplotlib")
    return Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"


def certificate_pdf(text: CertificateText) -> bytes:
    """An A4 landscape page stating everything in `text` (certificates.certificate_text)."""
    from fpdf import FPDF

    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_title(f"Certificate of attendance: {text.course}")
    pdf.set_author(text.partnership)
    pdf.set_subject(f"{text.person}, {text.course}, {text.date}")
    pdf.set_creator("Learning Loop")
    pdf.set_lang("en-GB")
    fonts = _font_dir()
    pdf.add_font(FONT, "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(False)
    pdf.set_margins(20, 16, 20)
    pdf.add_page()
    pdf.set_text_color(*INK)
    # A double border, as the printed HTML page has.
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_line_width(0.4)
    pdf.rect(13, 13, pdf.w - 26, pdf.h - 26)

    width = pdf.w - 40

    def line(words: str, size: float, style: str = "", gap: float = 2.0) -> None:
        pdf.set_font(FONT, style, size)
        pdf.multi_cell(width, size * 0.5, words, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    pdf.set_y(22)
    line(text.partnership, 15)
    line("Certificate of attendance", 28, "B", 5)
    line("This is to certify that", 13)
    line(text.person, 22, "B", 1)
    if text.organisation:
        line(text.organisation, 12)
    line("attended", 13)
    line(text.course, 19, "B", 5)

    rows = [
        ("Date", text.date),
        ("Time", text.times),
        ("CPD hours", text.hours),
        ("Delivery", text.delivery),
        ("Level", text.level),
        ("Reference", text.reference),
    ]
    label_width, value_width = 45, 120
    left = (pdf.w - label_width - value_width) / 2
    for label, value in rows:
        pdf.set_x(left)
        pdf.set_font(FONT, "B", 11)
        pdf.cell(label_width, 7, label)
        pdf.set_font(FONT, "", 11)
        pdf.cell(value_width, 7, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(width, 5, "Check this certificate at:", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*BLUE)
    pdf.multi_cell(
        width, 5, text.verify_url, align="C", link=text.verify_url, new_x="LMARGIN", new_y="NEXT"
    )
    return bytes(pdf.output())
