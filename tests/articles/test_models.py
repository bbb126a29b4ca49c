"""The content model: visibility, slugs and their redirects, review dates, AMA references."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.citations import ama, ama_html
from articles.models import Article, Reference, SlugRedirect
from tests.admin_forms import form_data
from tests.conftest import make_article, make_expert, make_topic

# The three studies the seed articles cite, with the AMA strings of the demo-content issue.
SEED_REFERENCES = [
    (
        {
            "authors": "Marshall NS, Serinel Y, Killick R, et al",
            "title": "Magnesium supplementation for the treatment of restless legs syndrome "
            "and periodic limb movement disorder: a systematic review",
            "journal": "Sleep Med Rev",
            "year": 2019,
            "volume": "48",
            "pages": "101218",
            "doi": "10.1016/j.smrv.2019.101218",
        },
        "Marshall NS, Serinel Y, Killick R, et al. Magnesium supplementation for the treatment "
        "of restless legs syndrome and periodic limb movement disorder: a systematic review. "
        "Sleep Med Rev. 2019;48:101218. doi:10.1016/j.smrv.2019.101218",
    ),
    (
        {
            "authors": "Hornyak M, Voderholzer U, Hohagen F, Berger M, Riemann D",
            "title": "Magnesium therapy for periodic leg movements-related insomnia and "
            "restless legs syndrome: an open pilot study",
            "journal": "Sleep",
            "year": 1998,
            "volume": "21",
            "issue": "5",
            "pages": "501-505",
            "pmid": "9703590",
        },
        "Hornyak M, Voderholzer U, Hohagen F, Berger M, Riemann D. Magnesium therapy for "
        "periodic leg movements-related insomnia and restless legs syndrome: an open pilot "
        "study. Sleep. 1998;21(5):501-505. PMID: 9703590",
    ),
    (
        {
            "authors": "Silber MH, Buchfuhrer MJ, Earley CJ, Koo BB, Manconi M, Winkelman JW",
            "title": "The management of restless legs syndrome: an updated algorithm",
            "journal": "Mayo Clin Proc",
            "year": 2021,
            "volume": "96",
            "issue": "7",
            "pages": "1921-1937",
            "pmid": "34218864",
        },
        "Silber MH, Buchfuhrer MJ, Earley CJ, Koo BB, Manconi M, Winkelman JW. The management "
        "of restless legs syndrome: an updated algorithm. Mayo Clin Proc. 2021;96(7):1921-1937. "
        "PMID: 34218864",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("fields", "expected"), SEED_REFERENCES)
def test_ama_formats_the_seed_references(fields, expected):
    reference = Reference.objects.create(**fields)
    assert ama(reference) == expected


@pytest.mark.django_db
def test_ama_html_italicises_the_journal_and_links_doi_and_pubmed():
    marshall = Reference.objects.create(**SEED_REFERENCES[0][0])
    hornyak = Reference.objects.create(**SEED_REFERENCES[1][0])
    assert "<em>Sleep Med Rev.</em> 2019;48:101218." in ama_html(marshall)
    assert (
        '<a href="https://doi.org/10.1016/j.smrv.2019.101218">doi:10.1016/j.smrv.2019.101218</a>'
        in ama_html(marshall)
    )
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/9703590/">PubMed 9703590</a>' in ama_html(
        hornyak
    )


@pytest.mark.django_db
def test_ama_html_escapes_text():
    reference = Reference.objects.create(title="<script>alert(1)</script>", authors="A & B")
    assert "<script>" not in ama_html(reference)
    assert "A &amp; B." in ama_html(reference)


@pytest.mark.django_db
def test_live_excludes_draft_in_review_archived_and_scheduled():
    now = timezone.now()
    live = make_article(title="Live")
    make_article(title="Draft", status=Article.Status.DRAFT)
    make_article(title="In review", status=Article.Status.IN_REVIEW)
    make_article(title="Archived", status=Article.Status.ARCHIVED)
    scheduled = make_article(title="Scheduled", publish_at=now + datetime.timedelta(hours=1))
    assert list(Article.objects.live()) == [live]
    later = now + datetime.timedelta(hours=2)
    assert set(Article.objects.live(now=later)) == {live, scheduled}


@pytest.mark.django_db
def test_review_due_lists_overdue_and_soon_but_not_archived_or_later():
    today = timezone.localdate()
    overdue = make_article(next_review_due=today - datetime.timedelta(days=1))
    soon = make_article(next_review_due=today + datetime.timedelta(days=30))
    make_article(next_review_due=today + datetime.timedelta(days=31))
    make_article(status=Article.Status.ARCHIVED, next_review_due=today)
    assert set(Article.objects.review_due()) == {overdue, soon}


@pytest.mark.django_db
def test_slug_is_suggested_from_the_title_and_kept_unique():
    first = make_article(title="Magnesium and sleep")
    second = make_article(title="Magnesium and sleep")
    assert (first.slug, second.slug) == ("magnesium-and-sleep", "magnesium-and-sleep-2")
    assert first.get_absolute_url() == "/articles/magnesium-and-sleep/"
    assert make_topic(name="Restless legs syndrome").slug == "restless-legs-syndrome"
    assert make_expert(name="Deborah Lee").slug == "deborah-lee"


@pytest.mark.django_db
def test_next_review_defaults_to_twelve_months_after_the_last():
    assert make_article(last_reviewed=datetime.date(2024, 2, 29)).next_review_due == (
        datetime.date(2025, 2, 28)
    )


@pytest.mark.django_db
def test_changing_a_published_slug_records_a_redirect():
    article = make_article(slug="old-address")
    article.slug = "new-address"
    article.save()
    assert SlugRedirect.objects.get(old_slug="old-address").article == article
    article.slug = "newer-address"
    article.save()
    assert set(SlugRedirect.objects.values_list("old_slug", flat=True)) == {
        "old-address",
        "new-address",
    }
    article.slug = "old-address"
    article.save()
    assert set(SlugRedirect.objects.values_list("old_slug", flat=True)) == {
        "new-address",
        "newer-address",
    }


@pytest.mark.django_db
def test_changing_a_draft_slug_records_no_redirect():
    article = make_article(slug="draft-address", status=Article.Status.DRAFT)
    article.slug = "better-address"
    article.save()
    assert not SlugRedirect.objects.exists()


@pytest.mark.django_db
def test_slug_change_in_the_admin_records_a_redirect(admin_client):
    article = make_article(slug="old-address")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(admin_client.get(url)) | {"slug": "new-address"}
    assert admin_client.post(url, data).status_code == 302
    assert SlugRedirect.objects.get(old_slug="old-address").article == article


@pytest.mark.django_db
def test_every_part_has_a_readable_name_and_address(article):
    section = article.sections.first()
    quote, citation, faq = article.quotes.get(), article.citations.get(), article.faqs.get()
    assert str(section) == "Heading 1"
    assert section.get_absolute_url() == f"/articles/{article.slug}/#section-1"
    assert str(quote).startswith(f"{quote.expert}: Quote 1.")
    assert str(citation).startswith("[1] Smith J · 2020 · A study of things")
    assert str(faq) == "Question 1?"
