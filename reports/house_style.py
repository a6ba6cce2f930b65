"""The partnership's house style for Word: builds reports/word/annual_template.docx.

The annual section (.docx) is written on top of a template (settings.ANNUAL_DOCX_TEMPLATE), so
the partnership can replace it with its own Word template: its page size, margins, header and
footer and its styles (Normal, Heading 1-3, Caption, Quote, List Bullet, Table Grid) are kept;
its body text is removed. This module rebuilds the template shipped with the project: A4, English
(UK), Arial, clear headings. Run `python -m reports.house_style` after changing it.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

TEMPLATE = Path(__file__).resolve().parent / "word" / "annual_template.docx"
FONT = "Arial"
LANGUAGE = "en-GB"
DARK_BLUE = RGBColor(0x1F, 0x38, 0x64)
# style: (size in points, bold, italic, colour, space before, space after)
STYLES = {
    "Normal": (11, False, False, None, 0, 6),
    "Heading 1": (18, True, False, DARK_BLUE, 12, 6),
    "Heading 2": (14, True, False, DARK_BLUE, 12, 4),
    "Heading 3": (12, True, False, DARK_BLUE, 10, 4),
    "Caption": (9, False, True, RGBColor(0x33, 0x33, 0x33), 2, 10),
    "Quote": (11, False, True, None, 6, 2),
    "List Bullet": (11, False, False, None, 0, 3),
}


def set_font(rpr_parent, name: str = FONT, language: str = LANGUAGE) -> None:
    """Arial for every script, no theme font (a theme font would win over the name), en-GB."""
    rpr = rpr_parent.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_parent.append(rpr)
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in list(fonts.attrib):
        if "theme" in attribute.lower():
            del fonts.attrib[attribute]
    for script in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{script}"), name)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), language)
    lang.set(qn("w:eastAsia"), language)


def house_template_build(path: Path = TEMPLATE) -> Path:
    """Write the house template: A4 with 2 cm margins, English (UK), Arial, clear headings."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    # The document default (docDefaults) and every style: Arial, en-GB.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    set_font(defaults.find(qn("w:rPrDefault")))
    for style in doc.styles:
        if style.type in (1, 2, 3):  # paragraph, character and table styles
            set_font(style.element)
    for name, (size, bold, italic, colour, before, after) in STYLES.items():
        style = doc.styles[name]
        style.font.size, style.font.bold, style.font.italic = Pt(size), bold, italic
        style.font.color.rgb = colour or RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(after)
    doc.styles["Quote"].paragraph_format.left_indent = Cm(1)
    # The spelling and grammar language of the whole document.
    theme_lang = doc.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), LANGUAGE)
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    props = doc.core_properties
    props.author = props.last_modified_by = ""
    props.title = props.subject = props.comments = props.keywords = ""
    props.language = LANGUAGE
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


if __name__ == "__main__":
    print(house_template_build())
