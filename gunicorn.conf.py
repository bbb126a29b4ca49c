"""gunicorn's settings for the portal, read from the folder gunicorn starts in (`make serve`).

Command-line options (bind, workers, access log) still come from the Makefile.
"""

import logging


def post_worker_init(worker):
    """Warm the PDF renderer of each worker before it takes requests: fonts and stylesheet
    load once here, and every PDF (rendered in a child forked from the worker, see
    articles/pdf_limits.py) starts with them loaded instead of loading them itself."""
    from articles.handouts import warm_up

    try:
        warm_up()
    except Exception:  # without Pango or the stylesheet, PDFs fail later with a clear error
        logging.getLogger("portal").warning("Could not warm up the PDF renderer", exc_info=True)
