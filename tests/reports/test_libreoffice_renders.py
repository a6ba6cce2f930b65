"""The annual .docx and the workbook as their readers see them: LibreOffice converts each to PDF,
and pdfinfo / pdftotext check the page size, the orientation and the text.

Skipped, with the reason, where LibreOffice or poppler is missing (.ci/run installs both).
"""

import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from reports.annual import annual_section
from reports.document import annual_docx
from tests.reports.dataset import HYPERLINK_ORG

MISSING = [tool for tool in ("soffice", "pdfinfo", "pdftotext") if shutil.which(tool) is None]
pytestmark = pytest.mark.skipif(
    bool(MISSING),
    reason=f"LibreOffice/poppler not installed ({', '.join(MISSING)} missing): "
    "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils",
)
PERIOD = {"start": "2022-04-01", "end": "2023-03-31"}


def to_pdf(path: Path) -> Path:
    """LibreOffice headless, with a profile of its own (two runs never share one)."""
    profile = path.parent / "lo-profile"
    subprocess.run(
        [
            "soffice", "--headless", f"-env:UserInstallation=file://{profile}",
            "--convert-to", "pdf", "--outdir", str(path.parent), str(path),
        ],
        check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(path.parent)},
    )  # fmt: skip
    pdf = path.with_suffix(".pdf")
    assert pdf.exists(), f"LibreOffice did not convert {path.name}"
    return pdf


def pdf_info(pdf: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    return dict(line.split(":", 1) for line in out.stdout.splitlines() if ":" in line)


def pdf_text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True)
    return out.stdout


def test_the_annual_docx_renders_on_a4_portrait_with_whole_words(data, tmp_path):
    section = annual_section(start=date(2022, 4, 1), end=date(2023, 3, 31), min_group=4)
    path = tmp_path / "section.docx"
    path.write_bytes(annual_docx(section))
    pdf = to_pdf(path)
    info = pdf_info(pdf)
    assert "(A4)" in info["Page size"], info["Page size"]
    width, _, height = info["Page size"].split()[:3]
    assert float(width) < float(height)  # portrait
    assert info["Title"].strip().startswith("Multi-agency training and its impact")
    assert info["Author"].strip() == "Dudley Safeguarding People Partnership"
    text = pdf_text(pdf)
    words = text.split()
    assert "Exploitation" in words  # never "Exploitatio" / "n"
    assert "Exploitatio" not in words
    assert "Figure 1: Places used and offered by priority area" in " ".join(words)
    assert "We offered a total of 40 places" in " ".join(words)
    assert "“The best course I have been on.”" in " ".join(words)


def test_the_workbook_prints_landscape_a4_with_formulas_as_text(data, client, lead, tmp_path):
    client.force_login(lead)
    path = tmp_path / "report.xlsx"
    path.write_bytes(client.get(reverse("reports:uptake_xlsx"), PERIOD).content)
    pdf = to_pdf(path)
    info = pdf_info(pdf)
    assert "(A4)" in info["Page size"], info["Page size"]
    width, _, height = info["Page size"].split()[:3]
    assert float(width) > float(height)  # landscape
    sheets = 14
    assert int(info["Pages"]) <= sheets + 4, info["Pages"]  # was 34 pages, tables split
    text = pdf_text(pdf)
    assert HYPERLINK_ORG in text  # shown as typed, not run, and no apostrophe
    assert "'" + HYPERLINK_ORG not in text
    assert "Headline figures" in text
    assert " 4.33" in text  # an average with its two places
    assert "Evaluations and learning gain by priority area" in text
