"""CSV files that open cleanly in Excel and LibreOffice: UTF-8 with a BOM, CRLF line ends,
and no cell a spreadsheet would run as a formula (CSV injection)."""

import csv

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a file without it as the local code page, garbling every accent.
BOM = "\ufeff"


def cell(value):
    """Return value as text safe to open in a spreadsheet: a formula start is quoted."""
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class Echo:
    """A file that hands back what is written to it, for streaming csv.writer's lines."""

    def write(self, value):
        return value


def lines(header, rows):
    """Yield the CSV text line by line: the BOM and header first, then each row."""
    writer = csv.writer(Echo(), lineterminator="\r\n")
    yield BOM + writer.writerow([cell(name) for name in header])
    for row in rows:
        yield writer.writerow([cell(value) for value in row])


def write(file, header, rows):
    """Write the CSV to an open text file (opened with newline="")."""
    for line in lines(header, rows):
        file.write(line)


def response(header, rows, filename):
    """Return the CSV as a download, streamed row by row."""
    download = StreamingHttpResponse(lines(header, rows), content_type="text/csv; charset=utf-8")
    download["Content-Disposition"] = content_disposition_header(True, filename)
    return download
