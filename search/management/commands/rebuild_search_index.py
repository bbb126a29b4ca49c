"""Rebuild the search index from the releases and experts in the database."""

import time

from django.core.management.base import BaseCommand
from django.db import connection

from search import index


class Command(BaseCommand):
    help = (
        "Rewrite the search text of every live or scheduled release and every expert, and "
        "rebuild the database's full-text index (FTS5 table on SQLite, GIN-indexed vectors "
        "on PostgreSQL). Safe to run at any time: on SQLite searches read the old index "
        "until it finishes; on PostgreSQL they wait for it (seconds per thousand articles)."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        documents, experts = index.rebuild()
        engine = {"sqlite": "SQLite FTS5", "postgresql": "PostgreSQL"}.get(
            connection.vendor, connection.vendor
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Search index rebuilt ({engine}): {documents} article "
                f"version{'s' * (documents != 1)} and {experts} expert{'s' * (experts != 1)} "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
