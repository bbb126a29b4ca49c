"""Fuzz the admin forms and the public query strings: no input may make a page answer 500.

Hypothesis feeds hostile text (control characters, NUL, Word's vertical tab, combining
marks, right-to-left overrides, emoji, noncharacters, template and XML syntax, long
runs) to the admin add forms, then renders every public page that shows what was saved.
Examples are derandomised: CI and every run try the same inputs, so a failure is never
a fluke; their number keeps the module to a minute or two.
"""

import datetime
import xml.etree.ElementTree as ET
from urllib.parse import quote_from_bytes

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from articles import releases
from articles.models import Article, TopicTranslation
from experts.models import Expert, ExpertTranslation
from tests.admin_forms import article_data, management, rows
from tests.conftest import make_article, make_expert

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking: an example costs a form post and a dozen pages, so a failure is
    # reported as found rather than after minutes of shrinking.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NASTY = [
    "\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b[31m", "\x7f", "\x85", "\x9f",
    "\u200b", "\u200f", "\u202e", "\u2028", "\ufeff", "\ufffe", "\uffff", "\U0010ffff",
    "e\u0301\u0301\u0301", "💊", "👩🏽‍⚕️", "🏳️‍🌈", "𝔘𝔫𝔦", "Ménière", "ß", "İ", "東京", "مرحبا",
    "<script>alert(1)</script>", "<p>", "&amp;", "&#0;", "]]>", "{{ x }}", "{% if %}",
    "%s", "%(name)s", "\\", "'", '"', "[1]", "[99]", "javascript:", "\r\n", "\t", "  ",
]  # fmt: skip
# Any text a browser can send (no lone surrogates: they cannot be encoded in a form post).
TEXT = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=40),
    st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=6)), min_size=1, max_size=12).map(
        "".join
    ),
)
LINE = TEXT.map(lambda value: value[:100])  # CharFields' lengths are checked by the forms
# Required fields start with a letter, so that most examples save rather than
# stopping at "This field is required".
NAME = LINE.map(lambda value: "N" + value)
LONG_RUN = st.integers(1_000, 10_000).map(lambda n: " ".join(["restless"] * n))


def public_pages(article):
    slug = article.slug
    return [
        article.get_absolute_url(),
        "/",
        "/articles/",
        "/faqs/",
        "/feed.xml",
        "/sitemap.xml",
        reverse("articles:handout", kwargs={"slug": slug}),
        reverse("articles:handout", kwargs={"slug": slug}) + "?size=large",
    ]


def assert_renders(client, paths):
    """Every page answers 200, and the XML ones parse."""
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        if path.endswith(".xml"):
            ET.fromstring(response.content)  # noqa: S314 - our own feed, parsed to check it


def publish_now(article):
    return releases.publish(
        article,
        user=None,
        reviewer=article.reviewed_by,
        reviewed_on=datetime.date(2026, 1, 15),
        note="Fuzzed." if article.releases.exists() else "",
    )


def post(client, url, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code in (200, 302, 400), response.status_code
    return response


EXPERT = {
    "honorific": "",
    "name": "",
    "slug": "",
    "credentials": "",
    "role": "",
    "affiliation": "",
    "bio": "<p>Bio</p>",
    "photo_alt": "",
} | management("links", 0)
REFERENCE = {
    "authors": "",
    "title": "",
    "journal": "",
    "year": "2020",
    "volume": "",
    "issue": "",
    "pages": "",
    "doi": "",
    "pmid": "",
    "url": "",
    "study_type": "other",
    "last_checked": "",
}


@pytest.fixture
def reviewer(db):
    return make_expert(name="Fuzz Reviewer")


@FUZZ
@given(title=NAME, summary=NAME, heading=LINE, body=TEXT, question=NAME, answer=TEXT, tag=LINE)
def test_article_form_takes_any_text_and_every_page_renders_it(
    admin_client,
    client,
    reviewer,
    without_page_cache,
    django_capture_on_commit_callbacks,
    title,
    summary,
    heading,
    body,
    question,
    answer,
    tag,
):
    data = article_data(
        title=title,
        summary=summary,
        tags=tag.replace(",", " ").replace('"', ""),
        reviewed_by=str(reviewer.pk),
        disclaimer=summary,
        meta_description=title,
    )
    data |= rows("sections", [{"position": "1", "heading": heading, "body": f"<p>{body}</p>"}])
    data |= rows("faqs", [{"position": "1", "question": question, "answer": answer}])
    before = set(Article.objects.values_list("pk", flat=True))

    response = post(
        admin_client,
        reverse("admin:articles_article_add"),
        data,
        django_capture_on_commit_callbacks,
    )

    new = Article.objects.exclude(pk__in=before).first()
    if response.status_code != 302 or new is None:  # a clear form error (or 400 for NUL)
        return
    publish_now(new)
    new.refresh_from_db()
    assert_renders(client, public_pages(new))
    for name in new.tags.values_list("slug", flat=True):
        assert_renders(client, [reverse("articles:tag", kwargs={"slug": name})])


@settings(FUZZ, max_examples=3)
@given(words=LONG_RUN, nasty=st.sampled_from(NASTY))
def test_a_10000_word_paragraph_saves_and_renders_and_prints(
    admin_client,
    client,
    reviewer,
    settings,
    without_page_cache,
    django_capture_on_commit_callbacks,
    words,
    nasty,
):
    data = article_data(title=f"Long {nasty}", reviewed_by=str(reviewer.pk))
    data |= rows(
        "sections", [{"position": "1", "heading": nasty, "body": f"<p>{words}{nasty}</p>"}]
    )
    before = set(Article.objects.values_list("pk", flat=True))

    response = post(
        admin_client,
        reverse("admin:articles_article_add"),
        data,
        django_capture_on_commit_callbacks,
    )

    new = Article.objects.exclude(pk__in=before).first()
    if response.status_code != 302:
        return
    assert new.reading_grade is None or 0 <= new.reading_grade <= 99.9
    publish_now(new)
    assert_renders(client, public_pages(new))
    settings.PDF_MAX_WORDS = 500  # a PDF of 10,000 words costs seconds: see the offer instead
    pdf = client.get(reverse("articles:handout_pdf", kwargs={"slug": new.slug}))
    assert pdf.status_code == 200
    assert "too long for one PDF" in pdf.content.decode()


@settings(FUZZ, max_examples=3)
@given(title=LINE, body=TEXT)
def test_pdfs_print_any_saved_text(client, without_page_cache, title, body):
    article = make_article(title=title.strip() or "x", sections=0, summary=body or "x")
    article.sections.create(position=1, heading=title, body=f"<p>{body}</p>")
    article.faqs.create(position=1, question=title or "Q?", answer=body)
    publish_now(article)
    response = client.get(reverse("articles:handout_pdf", kwargs={"slug": article.slug}))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")


@FUZZ
@given(
    honorific=LINE.map(lambda v: v[:20]),
    name=NAME,
    credentials=LINE,
    bio=TEXT,
    label=LINE,
    url=st.one_of(TEXT, st.just("https://example.org/ménière?\x0b"), st.just("javascript:x")),
)
def test_expert_form_takes_any_text_and_the_expert_pages_render_it(
    admin_client,
    client,
    without_page_cache,
    django_capture_on_commit_callbacks,
    honorific,
    name,
    credentials,
    bio,
    label,
    url,
):
    data = EXPERT | {
        "honorific": honorific,
        "name": name,
        "credentials": credentials,
        "role": credentials,
        "affiliation": credentials,
        "bio": bio,
        "_save": "Save",
    }
    data |= rows("links", [{"position": "1", "label": label, "url": url}])
    spanish = {"language": "es", "role": credentials, "affiliation": name, "bio": bio}
    data |= rows("translations", [spanish | {"photo_alt": label}])
    before = set(Expert.objects.values_list("pk", flat=True))

    response = post(
        admin_client, reverse("admin:experts_expert_add"), data, django_capture_on_commit_callbacks
    )

    new = Expert.objects.exclude(pk__in=before).first()
    if response.status_code != 302 or new is None:
        return
    with translation.override("es"):
        spanish_page = new.get_absolute_url()
    assert_renders(client, [new.get_absolute_url(), "/experts/", spanish_page, "/es/experts/"])
    article = make_article(reviewed_by=new, author=new)
    assert_renders(client, [article.get_absolute_url(), "/feed.xml"])


@FUZZ
@given(
    name=LINE, codes=LINE, description=TEXT, authors=LINE, ref_title=LINE, journal=LINE, pages=LINE
)
def test_topic_and_reference_forms_take_any_text_and_pages_render_them(
    admin_client,
    client,
    reviewer,
    without_page_cache,
    django_capture_on_commit_callbacks,
    name,
    codes,
    description,
    authors,
    ref_title,
    journal,
    pages,
):
    topic = {"name": name, "slug": "", "description": description} | rows(
        "codes", [{"system": "2.16.840.1.113883.6.90", "code": codes[:40], "display": codes}]
    )
    topic |= rows("translations", [{"language": "es", "name": name, "description": description}])
    post(
        admin_client,
        reverse("admin:articles_topic_add"),
        topic | {"_save": "Save"},
        django_capture_on_commit_callbacks,
    )
    reference = REFERENCE | {
        "authors": authors,
        "title": ref_title,
        "journal": journal,
        "volume": pages[:20],
        "pages": pages[:40],
        "_save": "Save",
    }
    post(
        admin_client,
        reverse("admin:articles_reference_add"),
        reference,
        django_capture_on_commit_callbacks,
    )

    from articles.models import Reference, Topic

    article = make_article(sections=1, status="draft", reviewed_by=reviewer)
    if saved_topic := Topic.objects.order_by("-pk").first():
        article.topics.add(saved_topic)
    if saved_reference := Reference.objects.order_by("-pk").first():
        article.citations.create(position=1, reference=saved_reference)
        article.sections.update(body="<p>Cited [1].</p>")
    publish_now(article)
    paths = public_pages(article) + ["/topics/"]
    if saved_topic:
        paths.append(saved_topic.get_absolute_url())
        with translation.override("es"):
            paths.append(saved_topic.get_absolute_url())
    assert_renders(client, paths)


PUBLIC_PATHS = ["/", "/search/", "/articles/", "/topics/", "/faqs/", "/experts/", "/feed.xml"]
QUERY_NAMES = ["q", "page", "size", "paper", "release", "from", "v"]
RAW_BYTES = st.binary(max_size=12).map(lambda b: quote_from_bytes(b, safe=""))


@settings(FUZZ, max_examples=40)
@given(
    path=st.integers(0, len(PUBLIC_PATHS) + 2),
    name=st.sampled_from(QUERY_NAMES),
    value=st.one_of(TEXT, RAW_BYTES.map(lambda v: ("raw", v))),
)
def test_public_query_strings_never_make_a_500(client, path, name, value):
    article = Article.objects.live().first() or make_article(sections=2, faqs=1, tags=["t"])
    paths = PUBLIC_PATHS + [
        article.get_absolute_url(),
        reverse("articles:handout", kwargs={"slug": article.slug}),
        reverse("articles:handout_pdf", kwargs={"slug": article.slug}),
    ]
    if isinstance(value, tuple):  # undecodable bytes, sent as they are
        response = client.get(f"{paths[path]}?{name}={value[1]}")
    else:
        response = client.get(paths[path], {name: value})
    assert response.status_code in (200, 301, 302, 400, 404), response.status_code


def test_plain_input_saves_through_every_fuzzed_form(
    admin_client, reviewer, django_capture_on_commit_callbacks
):
    """The fuzz tests accept a form error as an answer: prove plain input does save."""
    data = article_data(title="Plain", reviewed_by=str(reviewer.pk))
    data |= rows("sections", [{"position": "1", "heading": "H", "body": "<p>B</p>"}])
    data |= rows("faqs", [{"position": "1", "question": "Q?", "answer": "<p>A</p>"}])
    forms = {
        "articles_article": data,
        "articles_topic": {"name": "Plain", "slug": "", "description": "x"}
        | rows("codes", [])
        | rows("translations", [{"language": "es", "name": "Llano", "description": "y"}]),
        "articles_reference": REFERENCE | {"title": "Plain"},
        "experts_expert": EXPERT
        | {"name": "Plain"}
        | rows("translations", [{"language": "es", "role": "Médica", "bio": "<p>B</p>"}]),
    }
    for name, form in forms.items():
        url = reverse(f"admin:{name}_add")
        response = post(
            admin_client, url, form | {"_save": "Save"}, django_capture_on_commit_callbacks
        )
        assert response.status_code == 302, (name, response.context["errors"])
    assert TopicTranslation.objects.get().name == "Llano"
    assert ExpertTranslation.objects.get().role == "Médica"
