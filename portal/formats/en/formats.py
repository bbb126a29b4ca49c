"""English date formats of the patient pages: day, month name, year (15 September 2026)."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "Y-m-d"
