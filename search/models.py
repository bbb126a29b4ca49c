from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q

from articles.models import Article, Release
from experts.models import Expert


class SearchDocument(models.Model):
    """The searchable text of one release or one expert, derived and rebuilt at will.

    Every release that is live or scheduled has a document, with the window of time in
    which it is the article's live release (`live_from`, `live_until`), so a scheduled
    release is found from its go-live time on, and its predecessor no longer, without
    any job running at that moment. Search checks the window, and that the article is
    not archived, when it runs.

    PostgreSQL searches `vector` (weighted: title A, summary and keywords B, body C)
    through a GIN index, and the small title and summary vectors (GIN-indexed too)
    find where a word matched. SQLite searches an FTS5 table that triggers keep in
    step with this one and leaves the vectors empty. Migration 0001 creates either, and
    `manage.py rebuild_search_index` recreates them.
    """

    # The short columns first: SQLite then reads them without the long text.
    release = models.OneToOneField(
        Release, null=True, on_delete=models.CASCADE, related_name="search_document"
    )
    article = models.ForeignKey(
        Article, null=True, on_delete=models.CASCADE, related_name="search_documents"
    )
    expert = models.OneToOneField(
        Expert, null=True, on_delete=models.CASCADE, related_name="search_document"
    )
    language = models.CharField(max_length=10, blank=True, help_text="Blank for experts.")
    live_from = models.DateTimeField(null=True, help_text="The release's go-live time.")
    live_until = models.DateTimeField(
        null=True, help_text="When a newer release replaces it; empty while none is due."
    )
    title = models.TextField()
    summary = models.TextField(blank=True)
    keywords = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="The body's start: quoted in snippets.")
    more = models.TextField(blank=True, help_text="The rest of the body: searched only.")
    vector = SearchVectorField(null=True, editable=False)
    title_vector = SearchVectorField(null=True, editable=False)
    summary_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(release__isnull=False, article__isnull=False, expert__isnull=True)
                | Q(release__isnull=True, article__isnull=True, expert__isnull=False),
                name="searchdocument_one_source",
            )
        ]

    def __str__(self):
        return self.title
