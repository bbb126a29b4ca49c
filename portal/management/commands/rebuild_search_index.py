"""Rebuild the search index from the articles and experts in the database."""

import time

from django.core.management.base import BaseCommand
from django.db import connection

from portal import search_index


class Command(BaseCommand):
    help = (
        "Rewrite the search text of every article and expert, and rebuild the database's "
        "full-text index (FTS5 table on SQLite, GIN-indexed vectors on PostgreSQL). "
        "Safe to run at any time: searches keep working while it runs."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        articles, experts = search_index.rebuild()
        engine = {"sqlite": "SQLite FTS5", "postgresql": "PostgreSQL"}.get(
            connection.vendor, connection.vendor
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Search index rebuilt ({engine}): {articles} article{'s' * (articles != 1)} "
                f"and {experts} expert{'s' * (experts != 1)} "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
