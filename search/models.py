from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from articles.models import Article, Release
from experts.models import Expert


class SearchDocumentQuerySet(models.QuerySet):
    def live(self, now=None, language=None):
        """Return the documents search may find: every expert, and each release while it
        is live (Release.objects.live(): kept on its document as a window of time) unless
        its article is archived; in one language (and experts) if one is given."""
        now = now or timezone.now()
        archived = Article.objects.filter(pk=OuterRef("article_id"), status=Article.Status.ARCHIVED)
        in_window = Q(live_from__lte=now) & (Q(live_until__isnull=True) | Q(live_until__gt=now))
        documents = self.filter(Q(expert__isnull=False) | (in_window & ~Exists(archived)))
        return documents.filter(language__in=["", language]) if language else documents

    def where_sql(self, connection):
        """Return this queryset's WHERE clause and parameters, for the full-text SQL."""
        compiler = self.query.get_compiler(connection=connection)
        return compiler.compile(self.query.where)


class SearchDocument(models.Model):
    """The searchable text of one release or one expert, derived and rebuilt at will.

    Every release that is live or scheduled has a document, with the window of time in
    which it is the article's live release (`live_from`, `live_until`), so a scheduled
    release is found from its go-live time on, and its predecessor no longer, without
    any job running at that moment. Search checks the window, and that the article is
    not archived, when it runs.

    PostgreSQL searches `vector` (weighted: title A, summary and keywords B, body C)
    through a GIN index, and the small title and summary vectors (GIN-indexed too)
    find where a word matched; Spanish documents' vectors are built with the `spanish`
    configuration. SQLite searches an FTS5 table that triggers keep in step with this
    one, and Spanish documents also in a table of their text as Spanish stems (written
    by search/index.py), and leaves the vectors empty. Migrations 0001 and 0002 create
    these, and `manage.py rebuild_search_index` recreates them.
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

    objects = SearchDocumentQuerySet.as_manager()

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


class SearchWord(models.Model):
    """A word of the index's text in one language, for spelling suggestions (search/suggest.py).

    `documents` counts the documents holding the word that were live for good when
    indexed: an expert, or a release past its go-live time with no newer release due.
    Such a document stays live until its article or expert changes, which rewrites its
    words. A word with no such document has a row too (`documents` 0) while a document
    with a live window still to open or close holds it (TimedWord).
    """

    word = models.CharField(max_length=40)
    language = models.CharField(max_length=10, blank=True, help_text="Blank for experts.")
    documents = models.IntegerField(default=0)

    class Meta:
        ordering = ["word", "language"]
        constraints = [
            models.UniqueConstraint(fields=["word", "language"], name="searchword_unique")
        ]

    def __str__(self):
        return self.word


class TimedWord(models.Model):
    """A word of a document whose live window has a boundary still ahead when indexed (a
    scheduled release, or the live one it replaces): it counts for suggestions only while
    SearchDocument.objects.live() finds the document.

    search/index.py deletes these rows before their documents (no cascade, so that
    deleting documents stays one statement that reads none of their text).
    """

    document = models.ForeignKey(
        SearchDocument, on_delete=models.DO_NOTHING, db_index=False, related_name="timed_words"
    )
    word = models.CharField(max_length=40, db_index=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["document", "word"], name="timedword_unique")
        ]

    def __str__(self):
        return self.word
