"""PDF helpers shared by every generated document (certificates, credit reports, notices).

Every PDF embeds a subset of a CJK TrueType font (DESIGN.md, PDF fonts): ReportLab's TTFont
writes only the glyphs used, with a ToUnicode map, so the file prints the same on any reader
and its text can be copied or searched. ReportLab's built-in STSong-Light CID font is never
used: it is not embedded and renders as empty boxes where the reader has no Asian font pack.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

BODY_FONT = "GongxinBody"
TITLE_FONT = "GongxinTitle"
FONT_PACKAGES = "fonts-wqy-microhei fonts-arphic-gbsn00lp"
_FONT_ROOT = Path("/usr/share/fonts")
_BODY_FILE = "wqy-microhei.ttc"
_TITLE_FILE = "gbsn00lp.ttf"
_KNOWN_DIRS = [_FONT_ROOT / "truetype/wqy", _FONT_ROOT / "truetype/arphic-gbsn00lp", _FONT_ROOT / "truetype/arphic"]


def _missing(what: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"No CJK font for PDFs: {what}. Install the Debian packages {FONT_PACKAGES} "
        "(scripts/system-deps.sh does), or set GONGXIN_PDF_FONT_BODY / GONGXIN_PDF_FONT_TITLE "
        "to TrueType (.ttf/.ttc) files."
    )


def _locate(configured: str, filename: str) -> Path | None:
    """The configured path (which must exist), else the Debian file by name."""
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise _missing(f"{configured} does not exist")
        return path
    for directory in _KNOWN_DIRS:
        if (directory / filename).is_file():
            return directory / filename
    # Other distributions and hand installs put fonts elsewhere under the root; one walk,
    # cached with the registration below.
    return next(_FONT_ROOT.rglob(filename), None) if _FONT_ROOT.is_dir() else None


def _ttfont(name: str, path: Path) -> TTFont:
    # A .ttc collection holds several faces; the first is the regular one.
    return TTFont(name, str(path), subfontIndex=0) if path.suffix.lower() == ".ttc" else TTFont(name, str(path))


@functools.lru_cache(maxsize=4)
def _register(body_setting: str, title_setting: str) -> tuple[str, str]:
    body = _locate(body_setting, _BODY_FILE)
    if body is None:
        raise _missing(f"{_BODY_FILE} not found under {_FONT_ROOT}")
    pdfmetrics.registerFont(_ttfont(BODY_FONT, body))
    title = _locate(title_setting, _TITLE_FILE)
    if title is None:  # no Song face installed: titles in the body face beat no PDF at all
        return BODY_FONT, BODY_FONT
    pdfmetrics.registerFont(_ttfont(TITLE_FONT, title))
    return BODY_FONT, TITLE_FONT


def fonts() -> tuple[str, str]:
    """(body, title) font names, registered with ReportLab on first use (per settings)."""
    return _register(settings.PDF_FONT_BODY, settings.PDF_FONT_TITLE)


def render(
    draw: Callable[[Canvas], None], *, title: str, author: str = "公信", subject: str = "",
    pagesize: tuple[float, float] = A4,
) -> bytes:
    """Run ``draw`` on a fresh canvas (fonts registered, metadata set) and return the PDF.

    ``draw`` calls ``canvas.showPage()`` between pages; the last page is closed here.
    """
    body, _ = fonts()
    buffer = io.BytesIO()
    # The initial font is written into every page: left at ReportLab's Helvetica, each PDF
    # would reference a font it does not embed.
    canvas = Canvas(buffer, pagesize=pagesize, pageCompression=1, initialFontName=body)
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setSubject(subject or title)
    canvas.setCreator("公信 Gongxin")
    draw(canvas)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def text_box(
    canvas: Canvas, text: str, x: float, top: float, width: float, height: float | None = None, *,
    font: str | None = None, size: float = 12, min_size: float = 7, leading: float = 1.4,
    align: str = "left",
) -> float:
    """Draw ``text`` wrapped into the box whose top-left corner is (x, top); return its height.

    Chinese has no spaces to break at: ReportLab's CJK word wrap breaks between any two
    characters and keeps closing punctuation off the start of a line (its textsplit module),
    so it is used instead of a hand-written per-character loop. With ``height``, the size
    steps down to ``min_size`` until the text fits (past that it runs below the box). Newlines in ``text`` start new lines.
    """
    font = font or fonts()[0]
    markup = "<br/>".join(escape(line) for line in text.splitlines()) or " "
    while True:
        style = ParagraphStyle(
            "box", fontName=font, fontSize=size, leading=size * leading, wordWrap="CJK",
            alignment={"left": 0, "center": 1, "right": 2, "justify": 4}[align],
        )
        paragraph = Paragraph(markup, style)
        _, used = paragraph.wrap(width, height or 1e6)
        if height is None or used <= height or size <= min_size:
            break
        size = max(min_size, size - 0.5)
    paragraph.drawOn(canvas, x, top - used)
    return used


def qr_drawing(text: str, size: float):
    """A QR code of ``text`` as a ReportLab Drawing ``size`` points square (vector, drawn here:
    no QR service, as for the TOTP enrolment). A flowable in platypus stories; on a canvas,
    draw it with ``draw_qr``."""
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(text, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    # initialFontName: left at ReportLab's default, the page would reference Helvetica
    # without embedding it (the QR code has no text, but the renderer sets a font).
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0],
                      initialFontName=fonts()[0])
    drawing.add(widget)
    return drawing


def draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    """Draw a QR code of ``text`` with its lower-left corner at (x, y)."""
    from reportlab.graphics import renderPDF

    renderPDF.draw(qr_drawing(text, size), canvas, x, y)
