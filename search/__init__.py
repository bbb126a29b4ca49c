"""Search, as one unit: the index of live releases and experts, and its one entry point.

    from search import run
    results = run("restless legs", page=1, per_page=10, language=None)

`run()` returns a `Results` page (see search/engine.py); with `suggest=True`, a search that
finds nothing or only some of its words carries a "Did you mean …?" (search/suggest.py). portal/changes.py keeps the index
current through search/index.py; nothing else writes it.
"""


def run(query, page=1, per_page=10, language=None, now=None, suggest=False):
    """Search live releases and experts: see search.engine.run."""
    from search import engine  # not at import time: the app registry loads this package

    return engine.run(
        query, page=page, per_page=per_page, language=language, now=now, suggest=suggest
    )
