"""The public article pages: article, A–Z, topics, tags, all FAQs."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Citation, Quote, Section, TopicCode
from tests.conftest import (
    make_article,
    make_clinic,
    make_expert,
    make_reference,
    make_topic,
    publish,
)
from tests.pages import h1_count, html, ld_of_type, ld_types, queries_for_1_and_50

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_page_cache")]

HIDDEN_KINDS = {
    "draft": {"status": Article.Status.DRAFT},
    "in_review": {"status": Article.Status.IN_REVIEW},
    "archived": {"status": Article.Status.ARCHIVED},
    "scheduled": {"publish_at": timezone.now() + datetime.timedelta(days=3)},
}


def url(article):
    return reverse("articles:detail", kwargs={"slug": article.slug})


# --- The article page ---------------------------------------------------------------


def test_article_page_shows_title_summary_and_one_h1(client, article):
    response = client.get(url(article))
    assert response.status_code == 200
    assert h1_count(response) == 1
    assert f"<h1>{article.title}</h1>" in html(response)
    assert article.summary in html(response)
    assert f"{article.reading_minutes} min read" in html(response)


def test_article_page_links_the_reviewer_with_credentials_and_review_dates(client):
    reviewer = make_expert(name="Ana Ruiz", credentials="MD, MPH")
    article = make_article(
        reviewed_by=reviewer,
        last_reviewed=datetime.date(2026, 1, 15),
        next_review_due=datetime.date(2027, 1, 15),
    )
    page = html(client.get(url(article)))
    assert (
        f'Medically reviewed by <a href="{reviewer.get_absolute_url()}">Dr Ana Ruiz, MD, MPH</a>'
        in page
    )
    assert 'Last reviewed <time datetime="2026-01-15">15 January 2026</time>' in page
    assert 'Next review due <time datetime="2027-01-15">15 January 2027</time>' in page


def test_table_of_contents_appears_with_four_sections(client):
    article = make_article(sections=4)
    page = html(client.get(url(article)))
    assert "On this page" in page
    for position in range(1, 5):
        assert f'<a href="#section-{position}">Heading {position}</a>' in page
        assert f'id="section-{position}"' in page


def test_no_table_of_contents_with_three_sections(client):
    article = make_article(sections=3)
    assert "On this page" not in html(client.get(url(article)))


def test_citation_markers_link_to_the_numbered_reference_list(client):
    article = make_article(sections=1, citations=0)
    Section.objects.filter(article=article).update(body="<p>Magnesium may help [1, 2].</p>")
    first = make_reference(authors="Marshall NS", title="Magnesium for RLS", doi="10.1/abc")
    second = make_reference(title="Second study", pmid="9703590")
    Citation.objects.create(article=article, position=1, reference=first)
    Citation.objects.create(article=article, position=2, reference=second)
    publish(article)
    page = html(client.get(url(article)))
    assert '<a href="#ref-1" class="cite" aria-label="Reference 1">1</a>' in page
    assert '<a href="#ref-2" class="cite" aria-label="Reference 2">2</a>' in page
    assert '<li id="ref-1" value="1">Marshall NS. Magnesium for RLS.' in page
    assert '<a href="https://doi.org/10.1/abc">doi:10.1/abc</a>' in page
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/9703590/">PubMed 9703590</a>' in page


def test_marker_without_a_citation_stays_plain_text(client):
    article = make_article(sections=1, citations=1)
    Section.objects.filter(article=article).update(body="<p>Unknown source [7].</p>")
    publish(article)
    page = html(client.get(url(article)))
    assert "Unknown source [7]." in page
    assert "#ref-7" not in page


def test_section_body_html_is_sanitised_on_render(client):
    article = make_article(sections=1)
    # QuerySet.update() goes through the field's get_prep_value, which sanitises too;
    # a raw UPDATE simulates markup that bypassed every save path.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE articles_section SET body = %s WHERE article_id = %s",
            ["<p>Hi<script>alert(1)</script></p>", article.pk],
        )
    publish(article)
    page = html(client.get(url(article)))
    assert "alert(1)" not in page
    assert "<p>Hi</p>" in page


def test_quotes_follow_their_section_and_unplaced_quotes_follow_the_last(client):
    expert = make_expert(name="Roxana Ehsani", honorific="", credentials="MS, RDN")
    article = make_article(sections=3, reviewed_by=expert)
    first_section = article.sections.get(position=1)
    Quote.objects.create(
        article=article, position=1, expert=expert, text="Placed quote.", section=first_section
    )
    Quote.objects.create(article=article, position=2, expert=expert, text="Unplaced quote.")
    publish(article)
    page = html(client.get(url(article)))
    assert page.index("Body 1.") < page.index("Placed quote.") < page.index("Body 2.")
    assert page.index("Body 3.") < page.index("Unplaced quote.")
    assert '<figure class="quote">\n  <blockquote><p>Placed quote.</p></blockquote>' in page
    assert f'<figcaption>— <a href="{expert.get_absolute_url()}">Roxana Ehsani, MS, RDN</a>' in page


def test_faqs_are_disclosure_widgets(client):
    article = make_article(faqs=2)
    page = html(client.get(url(article)))
    assert "<summary>Question 1?</summary>" in page
    assert "<summary>Question 2?</summary>" in page
    assert page.count('<details class="faq"') == 2
    assert "<p>Answer 2.</p>" in page


def test_experts_featured_once_each_with_short_bio(client):
    reviewer = make_expert(name="Ana Ruiz", bio="<p>Sleep doctor for twenty years.</p>")
    dietitian = make_expert(name="Roxana Ehsani", bio="<p>Dietitian in Miami.</p>")
    article = make_article(reviewed_by=reviewer, author=reviewer)
    for position in (1, 2):
        Quote.objects.create(article=article, position=position, expert=dietitian, text="Hi.")
    publish(article)
    page = html(client.get(url(article)))
    about = page[page.index("About our experts") :]
    assert about.count(f'<h3><a href="{reviewer.get_absolute_url()}">') == 1
    assert about.count(f'<h3><a href="{dietitian.get_absolute_url()}">') == 1
    assert "Sleep doctor for twenty years." in about
    assert "Dietitian in Miami." in about


def test_tags_and_topics_link_to_their_pages(client):
    topic = make_topic(name="Restless legs syndrome")
    article = make_article(topics=[topic], tags=["magnesium"])
    page = html(client.get(url(article)))
    assert f'<a href="{topic.get_absolute_url()}">Restless legs syndrome</a>' in page
    assert '<a href="/tags/magnesium/">magnesium</a>' in page


def test_related_articles_share_a_topic_or_tag_and_are_published(client):
    topic = make_topic()
    article = make_article(topics=[topic], tags=["sleep"])
    by_topic = make_article(title="Same topic", topics=[topic])
    by_tag = make_article(title="Same tag", tags=["sleep"])
    make_article(title="Unrelated article")
    for kind, fields in HIDDEN_KINDS.items():
        make_article(title=f"Hidden {kind}", topics=[topic], tags=["sleep"], **fields)
    page = html(client.get(url(article)))
    related = page[page.index("Related articles") :]
    assert by_topic.title in related
    assert by_tag.title in related
    assert "Unrelated article" not in related
    assert "Hidden" not in related


def test_article_disclaimer_overrides_the_clinic_default(client):
    make_clinic(default_disclaimer="Clinic default disclaimer.")
    own = make_article(disclaimer="This article's own disclaimer.")
    plain = make_article()
    assert "This article&#x27;s own disclaimer." in html(client.get(url(own)))
    assert "Clinic default disclaimer." in html(client.get(url(plain)))


def test_article_page_links_to_its_handouts(client, article):
    page = html(client.get(url(article)))
    assert f'href="{reverse("articles:handout", kwargs={"slug": article.slug})}"' in page
    assert f'href="{reverse("articles:handout_pdf", kwargs={"slug": article.slug})}"' in page


def test_article_json_ld_is_a_medical_web_page_with_review_and_citations(client):
    topic = make_topic(name="Restless legs syndrome")
    TopicCode.objects.create(topic=topic, system=TopicCode.System.ICD10CM, code="G25.81")
    reviewer = make_expert(name="Ana Ruiz", credentials="MD")
    article = make_article(
        reviewed_by=reviewer, topics=[topic], citations=1, faqs=1, summary="About magnesium."
    )
    response = client.get(url(article))
    assert ld_types(response) == ["MedicalWebPage", "FAQPage"]
    page = ld_of_type(response, "MedicalWebPage")
    assert page["name"] == article.title
    assert page["description"] == "About magnesium."
    assert page["lastReviewed"] == "2026-01-15"
    assert page["reviewedBy"]["@type"] == "Person"
    assert page["reviewedBy"]["name"] == "Ana Ruiz"
    assert page["reviewedBy"]["url"].endswith(reviewer.get_absolute_url())
    assert page["about"][0]["@type"] == "MedicalCondition"
    assert page["about"][0]["code"][0]["codeValue"] == "G25.81"
    assert page["citation"][0]["@type"] == "ScholarlyArticle"
    faq = ld_of_type(response, "FAQPage")
    assert faq["mainEntity"][0]["name"] == "Question 1?"
    assert faq["mainEntity"][0]["acceptedAnswer"]["text"] == "Answer 1."


def test_json_ld_escapes_markup_in_content(client):
    article = make_article(title="Salt </script><script>alert(1)</script> & you")
    response = client.get(url(article))
    assert "<script>alert(1)" not in html(response)
    assert ld_of_type(response, "MedicalWebPage")["name"] == article.title


def test_article_page_has_open_graph_and_canonical_tags(client, article):
    page = html(client.get(url(article)))
    assert '<meta property="og:type" content="article">' in page
    assert f'<meta property="og:title" content="{article.title}">' in page
    assert f'<link rel="canonical" href="http://testserver{url(article)}">' in page
    assert f'<meta property="og:url" content="http://testserver{url(article)}">' in page


# --- Who sees what --------------------------------------------------------------------


@pytest.mark.parametrize("kind", HIDDEN_KINDS)
def test_unpublished_article_returns_404_to_anonymous_visitors(client, kind):
    article = make_article(**HIDDEN_KINDS[kind])
    response = client.get(url(article))
    assert response.status_code == 404
    assert article.title not in html(response)


@pytest.mark.parametrize("kind", HIDDEN_KINDS)
def test_staff_see_unpublished_article_under_a_preview_banner(admin_client, kind):
    article = make_article(**HIDDEN_KINDS[kind])
    response = admin_client.get(url(article))
    assert response.status_code == 200
    assert "Preview — the working copy, not reviewed." in html(response)
    assert '<meta name="robots" content="noindex">' in html(response)


def test_staff_see_no_preview_banner_on_a_published_article(admin_client, article):
    assert "Preview —" not in html(admin_client.get(url(article)))


def test_unknown_article_returns_404(client, db):
    assert client.get("/articles/no-such-article/").status_code == 404


def test_old_slug_of_published_article_redirects_permanently(client, article):
    old_url = url(article)
    article.slug = "a-better-address"
    article.save()
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == "/articles/a-better-address/"


def test_old_slug_of_an_article_unpublished_since_is_not_found(client, article):
    old_url = url(article)
    article.slug = "a-better-address"
    article.save()
    article.status = Article.Status.ARCHIVED
    article.save()
    assert client.get(old_url).status_code == 404


@pytest.fixture
def hidden_world(db):
    """Publish one article on a topic and tag, and hide one article of each kind there."""
    topic = make_topic(name="Sleep")
    visible = make_article(title="Visible article", topics=[topic], tags=["sleep"], faqs=1)
    hidden = [
        make_article(title=f"Hidden {kind} article", topics=[topic], tags=["sleep"], faqs=1, **f)
        for kind, f in HIDDEN_KINDS.items()
    ]
    return topic, visible, hidden


@pytest.mark.parametrize(
    "path",
    ["/articles/", "/topics/", "/topics/sleep/", "/tags/sleep/", "/faqs/", "/"],
)
def test_unpublished_articles_are_absent_from_lists(client, hidden_world, path):
    topic, visible, hidden = hidden_world
    page = html(client.get(path))
    if path != "/topics/":
        assert visible.title in page
    for article in hidden:
        assert article.title not in page
        assert url(article) not in page


def test_topic_counts_only_published_articles(client, hidden_world):
    assert "1 article</p>" in html(client.get("/topics/"))


# --- A–Z, topics, tags, FAQs ------------------------------------------------------------


def test_a_to_z_groups_articles_by_first_letter(client):
    for title in ["Zinc basics", "apnoea explained", "Anaemia", "5 tips for sleep"]:
        make_article(title=title)
    response = client.get(reverse("articles:index"))
    page = html(response)
    assert h1_count(response) == 1
    assert page.index('id="letter-other"') < page.index('id="letter-a"')
    assert page.index('id="letter-a"') < page.index('id="letter-z"')
    assert page.index("Anaemia") < page.index("apnoea explained") < page.index("Zinc basics")
    assert '<a href="#letter-a">A</a>' in page
    assert "CollectionPage" in ld_types(response)


def test_a_to_z_shows_every_letter_and_links_only_those_with_articles(client):
    make_article(title="Zinc basics")
    make_article(title="5 tips for sleep")
    make_article(title="Bedtime", status=Article.Status.DRAFT)
    page = html(client.get(reverse("articles:index")))
    bar = page[page.index('<nav class="letters"') : page.index("</nav>", page.index("letters"))]
    assert '<a href="#letter-z">Z</a>' in bar
    assert '<a href="#letter-other">#</a>' in bar
    assert '<span class="letter-empty">B</span>' in bar  # a draft is not an article yet
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXY":
        assert f">{letter}</" in bar
    assert bar.count("<li>") == 27
    assert bar.count("<a ") == 2


def test_spanish_a_to_z_has_enye_after_n_and_files_enye_titles_under_it(client):
    for title in ["Ñandú y la salud", "Náuseas", "Oído medio", "Ánimo bajo"]:
        make_article(title=title, language="es")
    page = html(client.get("/es/articles/"))
    bar = page[page.index('<nav class="letters"') : page.index("</nav>", page.index("letters"))]
    assert bar.count("<li>") == 28
    assert bar.index(">N</") < bar.index('<a href="#letter-enye">Ñ</a>') < bar.index(">O</")
    assert '<a href="#letter-n">N</a>' in bar
    enye = page[page.index('<h2 id="letter-enye">Ñ</h2>') :]
    assert "Ñandú y la salud" in enye.split("</section>")[0]
    n_group = page[page.index('<h2 id="letter-n">N</h2>') :].split("</section>")[0]
    assert "Náuseas" in n_group
    assert "Ñandú" not in n_group
    assert "Ánimo bajo" in page[page.index('<h2 id="letter-a">A</h2>') :].split("</section>")[0]
    # English keeps its 26 letters: an English title starting with Ñ files under N.
    make_article(title="Ñandu facts")
    english = html(client.get("/articles/"))
    assert "letter-enye" not in english
    assert "Ñandu facts" in english[english.index('<h2 id="letter-n">') :].split("</section>")[0]


def test_a_to_z_with_no_articles_says_so(client, db):
    assert "There are no articles yet." in html(client.get(reverse("articles:index")))


def test_topic_index_lists_topics_with_published_articles_only(client):
    used = make_topic(name="Restless legs")
    make_topic(name="Empty topic")
    make_article(topics=[used])
    response = client.get(reverse("articles:topics"))
    assert h1_count(response) == 1
    assert "Restless legs" in html(response)
    assert "Empty topic" not in html(response)


def test_topic_page_lists_its_published_articles(client):
    topic = make_topic(name="Restless legs", description="<p>Legs that will not rest.</p>")
    inside = make_article(title="Inside", topics=[topic])
    make_article(title="Outside")
    response = client.get(topic.get_absolute_url())
    assert response.status_code == 200
    assert h1_count(response) == 1
    assert "Legs that will not rest." in html(response)
    assert inside.title in html(response)
    assert "Outside" not in html(response)
    assert ld_of_type(response, "CollectionPage")["about"]["name"] == "Restless legs"


def test_unknown_topic_returns_404(client, db):
    assert client.get("/topics/nothing-here/").status_code == 404


def test_tag_page_lists_published_articles_with_the_tag(client):
    tagged = make_article(title="Tagged", tags=["magnesium"])
    make_article(title="Untagged")
    response = client.get(reverse("articles:tag", kwargs={"slug": "magnesium"}))
    assert response.status_code == 200
    assert h1_count(response) == 1
    assert tagged.title in html(response)
    assert "Untagged" not in html(response)
    assert "CollectionPage" in ld_types(response)


def test_tag_with_only_unpublished_articles_returns_404(client):
    make_article(tags=["secret-plan"], status=Article.Status.DRAFT)
    assert client.get("/tags/secret-plan/").status_code == 404


def test_faqs_page_groups_questions_by_article(client):
    first = make_article(title="Alpha article", faqs=2)
    make_article(title="No questions here", faqs=0)
    response = client.get(reverse("articles:faqs"))
    page = html(response)
    assert h1_count(response) == 1
    assert f'<a href="{url(first)}">Alpha article</a>' in page
    assert "No questions here" not in page
    assert page.count("<summary>") == 2
    assert [q["name"] for q in ld_of_type(response, "FAQPage")["mainEntity"]] == [
        "Question 1?",
        "Question 2?",
    ]


# --- Query counts -------------------------------------------------------------------------


def test_staff_preview_query_count_is_constant(admin_client, django_assert_max_num_queries):
    from tests.articles.test_rendering import article_with

    small, large = article_with(1), article_with(50)
    Article.objects.filter(pk__in=[small.pk, large.pk]).update(status=Article.Status.DRAFT)
    admin_client.get(url(small))
    counts = []
    for article in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url(article)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# Queries per page with 1 and with 50 articles, each with 1 or 50 topics, tags, FAQs and
# quotes; the clinic settings come from the cache.
LIST_QUERIES = {
    "/articles/": [2, 2],
    "/topics/": [1, 1],
    "/topics/{topic}/": [4, 4],  # with the topic's diagnosis codes, for its JSON-LD
    "/tags/{tag}/": [3, 3],
    "/faqs/": [1, 1],
}


@pytest.mark.parametrize("path", LIST_QUERIES)
def test_list_page_query_count_is_constant(client, path):
    assert queries_for_1_and_50(client, path) == LIST_QUERIES[path]
