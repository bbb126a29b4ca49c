from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from articles import content_audit
from articles.models import Article
from common import csv
from common.signals import exported


class Command(BaseCommand):
    help = (
        "Write the content audit as CSV: one row per article with its status, live "
        "version, review dates, reading grade, citations and handouts given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            default="",
            help="The file to write (default: print to the screen).",
        )

    def handle(self, *args, output="", **options):
        articles = Article.objects.all()
        rows = content_audit.rows(articles, timezone.localdate())
        if output:
            try:
                with Path(output).open("w", encoding="utf-8", newline="") as file:
                    csv.write(file, content_audit.HEADER, rows)
            except OSError as error:
                raise CommandError(f"Cannot write {output}: {error.strerror}") from error
        else:
            csv.write(self.stdout, content_audit.HEADER, rows)
        count = articles.count()
        exported.send(Article, message=f"Content audit, {count} articles (command)")
        if output:
            self.stderr.write(f"Wrote the content audit of {count} articles to {output}.")
