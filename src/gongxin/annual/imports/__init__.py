"""Bulk import of annual work reports from Excel: the paper reports a registration authority
receives, entered in the template this module writes and read back with python-calamine.

The file is a fixed bilingual format, not UI text: row 1 holds the Chinese column headers, row 2
the same headers in English (either row may be used alone; columns are matched by header, in
any order), data from row 3. Neither header row is translated; the error messages are.

A run has two phases over the file, so that a file with any error saves nothing:

1. **check** (``ImportJob.Status.VALIDATING``): rows are read one at a time and checked in chunks
   of ``CHUNK`` (one query for the chunk's organizations, one for their existing reports). What
   each good row will do is written to a temporary spill file (marshal, one list of plain tuples
   per chunk), and every error to another, so memory holds one chunk whatever the file's length.
   The only whole-file structure is the set of (code, year) pairs seen, for duplicates (~100
   bytes a row).
2. **apply** (``APPLYING``), only if no row failed: one transaction, the spill read back chunk by
   chunk into set-based writes (COPY or one executemany for the new reports, one UPDATE for the
   changed ones, see sql.py); a chunk whose reports changed since the check (an organization
   submitting online meanwhile) aborts the whole import.

python-calamine reads the sheet into a dense Rust grid over its used range before ``iter_rows``
converts it to Python row by row: the Python side is streamed, the Rust side (~32 bytes a cell
plus text) is bounded by the limits the shared reader checks first (core.spreadsheets: at most
100,000 data rows, 64 columns, 3,000,000 cells; the 50 MB upload may unpack to 256 MB), so a
file that names a far cell is refused instead of aborting the worker. The error copy is written
with XlsxWriter's ``constant_memory`` mode.

The package, by sub-domain:

- ``template``: the columns, header matching, the conclusion and reason vocabulary, the template;
- ``reading``: the upload check and the data sheet (header located, rows streamed);
- ``cells``: cleaning one cell by its column's kind (amounts, counts, dates, yes/no, reasons);
- ``checking``: the checks of a chunk of rows, alone and against the registry (``Checker``);
- ``applying``: the writes of a chunk of checked rows (reports, supervision facts; ``Writer``);
- ``sql``: the plain SQL both use, with the ORM's own value conversions;
- ``errorcopy``: the file returned with the errors marked;
- ``jobs``: the ``ImportJob`` services: request, run (both phases), the user's jobs.

Everything public is importable from ``gongxin.annual.imports``.
"""

from gongxin.annual.imports.applying import REVIEW_FIELDS, UPDATE_FIELDS, ImportConflict, Writer
from gongxin.annual.imports.cells import (
    CENT,
    COUNT_LIMIT,
    DATE_FORMATS,
    EXCEL_EPOCH,
    MONEY_LIMIT,
    NO,
    REASON_SEPARATORS,
    YES,
    RowError,
)
from gongxin.annual.imports.checking import TOLERANCE, VALUE_KEYS, Checker, Parsed, Plan
from gongxin.annual.imports.errorcopy import COMMENTS_MAX, write_error_copy
from gongxin.annual.imports.jobs import (
    CHUNK,
    ERRORS_KEPT,
    Progress,
    import_job_get,
    import_jobs_recent,
    import_previous,
    import_request,
    import_run_now,
    may_import,
)
from gongxin.annual.imports.reading import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    FileRefused,
    Sheet,
    all_rows,
    limits,
    upload_check,
)
from gongxin.annual.imports.template import (
    BY_KEY,
    COLUMNS,
    CONCLUSION_ZH,
    CONTENT_KEYS,
    COUNT_KEYS,
    FIRST_YEAR,
    HEADER_KEYS,
    MONEY_KEYS,
    REASON_ZH,
    SHEET_NAME,
    Column,
    template_workbook,
)

__all__ = [
    "BY_KEY", "CENT", "CHUNK", "COLUMNS", "COMMENTS_MAX", "CONCLUSION_ZH", "CONTENT_KEYS", "COUNT_KEYS",
    "COUNT_LIMIT", "DATE_FORMATS", "ERRORS_KEPT", "EXCEL_EPOCH", "FIRST_YEAR", "HEADER_KEYS",
    "MAX_CELLS", "MAX_COLUMNS", "MAX_ROWS", "MAX_UPLOAD_BYTES", "MONEY_KEYS", "MONEY_LIMIT", "NO", "REASON_SEPARATORS", "REASON_ZH", "REVIEW_FIELDS",
    "SHEET_NAME", "TOLERANCE", "UPDATE_FIELDS", "VALUE_KEYS", "YES",
    "Checker", "Column", "FileRefused", "ImportConflict", "Parsed", "Plan", "Progress", "RowError", "Sheet",
    "Writer", "all_rows", "import_job_get", "import_jobs_recent", "import_previous", "import_request",
    "import_run_now", "limits", "may_import", "template_workbook", "upload_check", "write_error_copy",
]
