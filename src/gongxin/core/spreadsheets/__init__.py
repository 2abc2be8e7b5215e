"""Spreadsheets: the one place Gongxin reads and writes Excel workbooks.

**Reading** (python-calamine, DESIGN.md). calamine has no streaming API: it builds a dense grid
over a sheet's used range, so a small file naming a far cell (XFD1048576) asks for hundreds of
gigabytes and aborts the process, beyond Python's reach. An import therefore never hands a file
to calamine itself: it declares its ``SheetLimits`` (data rows, columns, cells, upload size,
unpacked size) and opens the upload through ``Workbook``, which first checks the type by
content (``upload_check``), then ``inspect``s every part of the zip (real unpacked bytes, each
worksheet's declared dimension and the real extent of its cells, the shared strings) and refuses
with ``SpreadsheetRefused``, whose message says which limit and by how much.

- ``limits``: SheetLimits, SpreadsheetRefused and its messages;
- ``archive``: the zip read carefully (one view of it, every byte counted);
- ``extent``: the XML scans (a fast path without per-element Python work, an exact one with expat);
- ``reading``: upload_check, inspect, Workbook and SheetReader (rows streamed, bounded);
- ``writing``: the one XlsxWriter workbook every export and template uses (text stays text, no
  automatic links) and column widths from the content.

``annual.imports`` is the model for an import built on it (a header located by its names, rows
checked in chunks, an error copy).
"""

from gongxin.core.spreadsheets.limits import MB, SheetLimits, SpreadsheetRefused, column_letter, too_large
from gongxin.core.spreadsheets.reading import Inspection, SheetReader, Workbook, inspect, upload_check
from gongxin.core.spreadsheets.writing import ColumnWidths, text_width, workbook

__all__ = ["MB", "ColumnWidths", "Inspection", "SheetLimits", "SheetReader", "SpreadsheetRefused", "Workbook",
           "column_letter", "inspect", "text_width", "too_large", "upload_check", "workbook"]
