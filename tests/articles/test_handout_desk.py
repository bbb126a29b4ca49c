"""The front desk (issue 13): the public address, readable handouts, the "given" log,
exact reprints, "changed since your handout", packet order and the content audit."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core import checks
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from articles.models import Article, HandoutGiven, Section
from common.addresses import address_problem
from portal import cache as page_cache
from portal.audit import Kind
from portal.models import AuditEvent
from tests.articles.test_handouts import (
    SEED_001_SLUG,
    decode_qr,
    flat,
    pdf_pages,
    pdf_text,
    pdf_url,
    save_pdf,
)
from tests.conftest import make_article, make_clinic, make_staff, make_topic, publish

pytestmark = pytest.mark.django_db

PUBLIC = "https://health.riverside-clinic.org"
CSS = Path(django_settings.BASE_DIR) / "articles" / "static" / "articles" / "handout.css"
# Pages of the long demo article before issue 13 (11 pt body), measured with pdfinfo.
PAGES_BEFORE = {
    ("normal", "a4"): 5,
    ("normal", "letter"): 5,
    ("large", "a4"): 9,
    ("large", "letter"): 9,
}


def record_url(article):
    return reverse("articles:handout_record", kwargs={"slug": article.slug})


def desk_client(group="Front desk"):
    client = Client()
    client.force_login(make_staff(group))
    return client


def read_csv(response):
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())  # UTF-8 with BOM: Excel reads the accents
    assert b"\r\n" in content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


# The public address ------------------------------------------------------------------


def test_qr_code_decodes_to_the_clinic_public_address_with_the_release(client, tmp_path):
    make_clinic(public_address=PUBLIC)
    article = make_article()
    publish(article)

    path = save_pdf(client.get(pdf_url(article)), tmp_path)

    assert decode_qr(path, tmp_path) == f"{PUBLIC}/articles/{article.slug}/?from=v2"
    printed = "".join(pdf_text(path).split())  # the link wraps where the line ends
    assert f"Readitonline:{PUBLIC}/articles/{article.slug}/?from=v2" in printed


def test_site_url_overrides_the_clinic_setting(client, settings, without_page_cache):
    settings.SITE_URL = "https://portal.override.org"
    make_clinic(public_address=PUBLIC)
    article = make_article()

    page = client.get(article.get_absolute_url()).content.decode()

    assert f'href="https://portal.override.org/articles/{article.slug}/"' in page  # canonical


def test_canonical_link_uses_the_clinic_public_address(client, without_page_cache):
    make_clinic(public_address=PUBLIC)
    article = make_article()

    page = client.get(article.get_absolute_url()).content.decode()

    assert f'<link rel="canonical" href="{PUBLIC}/articles/{article.slug}/">' in page


@pytest.mark.parametrize(
    ("address", "word"),
    [
        ("", "No public address"),
        ("http://127.0.0.1:8000", "own address"),
        ("http://localhost:8000", "local"),
        ("http://[::1]/", "own address"),
        ("http://10.1.2.3", "private"),
        ("http://172.16.0.9", "private"),
        ("http://192.168.1.20", "private"),
        ("http://[fc00::1]/", "private"),
        ("https://portal.clinic.local", "local"),
        ("https://portal.internal", "local"),
        ("http://intranet/", "local"),
        ("https://clinic.example.org", "example"),
        ("https://clinic.example", "example"),
    ],
)
def test_addresses_patients_cannot_open_are_named(address, word):
    assert word in address_problem(address)


def test_a_public_address_has_no_problem():
    assert address_problem(PUBLIC) == ""
    assert address_problem("https://203.0.113.7") != ""  # documentation range: reserved
    assert address_problem("https://8.8.8.8") == ""


@pytest.mark.parametrize(
    ("address", "warned"),
    [("", True), ("http://127.0.0.1:8000", True), ("http://192.168.1.20", True),
     ("https://clinic.example.org", True), (PUBLIC, False)],
)  # fmt: skip
def test_staff_see_a_warning_on_the_handout_page_and_admin_home(address, warned):
    make_clinic(public_address=address)
    article = make_article()
    client = desk_client()

    handout = client.get(reverse("articles:handout", args=[article.slug])).content.decode()
    home = client.get(reverse("admin:index")).content.decode()

    for page in (handout, home):
        assert ("may not work for patients" in page or "QR codes and links" in page) == warned
        assert ("Clinic settings" in page and "Public address of this portal" in page) == warned
    if address == "https://clinic.example.org":
        assert "example address" in handout


def test_patients_never_see_the_address_warning(client):
    make_clinic(public_address="http://127.0.0.1:8000")
    article = make_article()

    page = client.get(reverse("articles:handout", args=[article.slug])).content.decode()

    assert "Public address of this portal" not in page
    assert "Print and record" not in page


def test_check_deploy_warns_about_an_address_patients_cannot_open(settings):
    settings.SITE_URL = ""
    make_clinic(public_address="https://clinic.example.org")
    found = [m for m in checks.run_checks(include_deployment_checks=True) if m.id == "portal.W013"]
    assert len(found) == 1
    assert "example" in found[0].msg

    make_clinic(public_address=PUBLIC)
    assert not [
        m for m in checks.run_checks(include_deployment_checks=True) if m.id == "portal.W013"
    ]


def test_demo_clinic_has_an_example_public_address_that_warns():
    call_command("load_demo", stdout=io.StringIO())
    from portal.models import ClinicSettings

    assert ClinicSettings.load().public_address == "https://clinic.example.org"
    client = desk_client()
    assert "example address" in client.get(reverse("admin:index")).content.decode()


# Readable handouts -------------------------------------------------------------------


def font_sizes():
    """Return [(selector, size in pt)] for every font size the handout CSS sets."""
    css = re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.S)
    css = re.sub(r"@media screen\s*{(?:[^{}]*{[^{}]*})*\s*}", "", css)  # not printed
    found = []
    for selector, body in re.findall(r"([^{}]+){([^{}]*)}", css):
        for size in re.findall(r"font(?:-size)?:[^;]*?([\d.]+)(pt|em|px|rem|%)", body):
            found.append((" ".join(selector.split()), size))
    return found


def test_no_printed_text_is_under_10pt_and_the_body_is_12pt():
    sizes = font_sizes()
    assert sizes
    assert all(unit == "pt" for _, (_, unit) in sizes), sizes  # no relative sizes to shrink
    small = [(s, v) for s, (v, _) in sizes if float(v) < 10]
    assert small == []
    sizes = {s: float(v) for s, (v, _) in sizes}
    assert sizes["html"] >= 12
    assert sizes["html.large"] >= 16
    large_text = [s for s in sizes if s.startswith(".large")]
    assert large_text
    assert all(sizes[s] >= 12 for s in large_text)
    each = {one.strip(): size for group, size in sizes.items() for one in group.split(",")}
    for text in (".summary", ".review", ".references ol", ".handout-footer", ".qr figcaption",
                 ".quote figcaption", ".cover-date", ".cover-call"):  # fmt: skip
        assert each[f".large {text}"] >= 16, text


def test_nothing_long_is_kept_whole_to_leave_a_gap():
    css = CSS.read_text()
    for selector in (".quote {", ".faq {", ".handout-section ul"):
        if selector in css:
            block = css[css.index(selector) :].split("}", 1)[0]
            assert "break-inside: avoid" not in block, selector


@pytest.mark.parametrize("size", ["normal", "large"])
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_long_demo_article_fits_in_fewer_pages_than_before(client, tmp_path, size, paper):
    call_command("load_demo", stdout=io.StringIO())
    article = Article.objects.get(slug=SEED_001_SLUG)
    query = {"paper": paper} | ({"size": "large"} if size == "large" else {})

    pages = pdf_pages(save_pdf(client.get(pdf_url(article, **query)), tmp_path))

    # Now 4 on A4 and 5 on Letter (normal), 7 and 8 (large): the guide has since gained a
    # Key points and a "When to get help" box (about a third of a page), which still fit
    # within the old count on US Letter.
    assert pages <= PAGES_BEFORE[size, paper]
    assert pages <= {("normal", "a4"): 4, ("normal", "letter"): 5, ("large", "a4"): 7}.get(
        (size, paper), 8
    )


# Print and record --------------------------------------------------------------------


def test_print_and_record_logs_one_row_and_returns_the_pdf(tmp_path):
    article = make_article(title="Iron and restless legs")
    client = desk_client()

    response = client.post(
        record_url(article), {"paper": "letter", "large": "True", "for_line": "Mrs Zebra-4471"}
    )

    path = save_pdf(response, tmp_path)
    assert "For: Mrs Zebra-4471" in flat(pdf_text(path))
    given = HandoutGiven.objects.get()
    assert given.article == article
    assert given.release == article.releases.get()
    assert (given.language, given.paper, given.large_print, given.in_packet) == (
        "en", "letter", True, False,
    )  # fmt: skip
    assert given.given_by.groups.filter(name="Front desk").exists()
    assert "Zebra-4471" not in str(HandoutGiven.objects.values().get())


def test_the_log_has_no_field_that_could_hold_patient_data():
    names = {field.name for field in HandoutGiven._meta.get_fields()}
    assert names == {
        "id", "article", "release", "language", "paper", "large_print", "in_packet",
        "given_by", "given_at",
    }  # fmt: skip
    free_text = [f.name for f in HandoutGiven._meta.concrete_fields if f.get_internal_type() in
                 ("CharField", "TextField") and not f.choices and f.max_length != 10]  # fmt: skip
    assert free_text == []


def test_the_handout_page_offers_print_and_record_to_staff_who_may_record():
    article = make_article()

    page = desk_client().get(reverse("articles:handout", args=[article.slug])).content.decode()

    assert f'action="{record_url(article)}"' in page
    assert "Print and record" in page
    assert 'method="post"' in page


def test_a_draft_cannot_be_recorded_as_given():
    draft = make_article(status=Article.Status.DRAFT)

    response = desk_client("Editors").post(record_url(draft), {"paper": "a4"})

    assert response.status_code == 400
    assert "draft cannot be given" in response.content.decode()
    assert not HandoutGiven.objects.exists()


@pytest.mark.parametrize(("group", "status"), [(None, 403), ("Editors", 200)])
def test_recording_needs_the_permission(group, status):
    article = make_article()
    response = desk_client(group).post(record_url(article), {"paper": "a4"})
    assert response.status_code == status
    assert HandoutGiven.objects.count() == (1 if status == 200 else 0)


def test_recording_asks_anonymous_visitors_to_sign_in_and_a_get_goes_back(client):
    article = make_article()
    assert client.post(record_url(article), {"paper": "a4"}).status_code == 302
    response = desk_client().get(record_url(article))
    assert response.status_code == 302
    assert response["Location"] == reverse("articles:handout", args=[article.slug])
    assert not HandoutGiven.objects.exists()


def test_recording_a_packet_logs_one_row_per_article_in_the_chosen_order(tmp_path):
    first = make_article(title="Zinc and sleep")
    second = make_article(title="Iron and restless legs")
    third = make_article(title="Magnesium for restless legs")
    client = desk_client()

    response = client.post(
        reverse("articles:packet"),
        {
            "articles": [first.pk, second.pk, third.pk],
            f"position-{third.pk}": "1",  # typed: magnesium first
            f"position-{first.pk}": "2",
            f"position-{second.pk}": "3",
            "paper": "a4",
            "record": "Print and record as given",
        },
    )

    cover = flat(pdf_text(save_pdf(response, tmp_path), page=1))
    assert cover.index("Magnesium") < cover.index("Zinc") < cover.index("Iron")
    rows = HandoutGiven.objects.order_by("article__title")
    assert [(r.article_id, r.in_packet) for r in rows] == [
        (second.pk, True), (third.pk, True), (first.pk, True),
    ]  # fmt: skip


def test_packet_keeps_the_tick_order_from_the_article_list(admin_client):
    first = make_article(title="Zinc and sleep")
    second = make_article(title="Iron and restless legs")

    response = admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "print_handout_packet", "_selected_action": [first.pk, second.pk]},
    )

    page = response.content.decode()
    assert page.index("Zinc and sleep") < page.index("Iron and restless legs")
    assert 'name="record"' in page


def test_packet_refuses_to_record_a_draft_and_says_why(admin_client):
    draft = make_article(title="Draft one", status=Article.Status.DRAFT)
    live = make_article(title="Live one")

    response = admin_client.post(
        reverse("articles:packet"),
        {"articles": [live.pk, draft.pk], "paper": "a4", "record": "1"},
    )

    assert response.status_code == 200
    assert "“Draft one” has no reviewed version yet" in response.content.decode()
    assert not HandoutGiven.objects.exists()


def test_packet_positions_must_be_whole_numbers(admin_client):
    article = make_article()
    response = admin_client.post(
        reverse("articles:packet"),
        {"articles": [article.pk], f"position-{article.pk}": "first", "paper": "a4"},
    )
    assert response.status_code == 200
    assert "Positions are whole numbers" in response.content.decode()


# The report --------------------------------------------------------------------------


def test_report_counts_per_article_topic_and_month_and_exports_csv():
    sleep = make_topic(name="Sleep")
    iron = make_article(title='=HYPERLINK("http://evil") Iron', topics=[sleep])
    zinc = make_article(title="Zinc", topics=[sleep])
    client = desk_client()
    for article in (iron, iron, zinc):
        client.post(record_url(article), {"paper": "a4"})

    page = client.get(reverse("admin:articles_handoutgiven_summary")).content.decode()
    assert re.search(r"<strong>3</strong> handouts given", page)
    assert re.search(r"<td>Sleep</td><td>3</td>", page)
    assert re.search(r"Iron</td><td>2</td>", page)

    response = client.get(reverse("admin:articles_handoutgiven_summary_csv"))
    rows = read_csv(response)
    assert rows[0] == ["month", "article", "topics", "handouts given"]
    month = HandoutGiven.objects.first().given_at.strftime("%Y-%m")
    assert sorted(rows[1:]) == sorted([
        [month, "'=HYPERLINK(\"http://evil\") Iron", "Sleep", "2"],
        [month, "Zinc", "Sleep", "1"],
    ])  # fmt: skip
    assert AuditEvent.objects.filter(
        kind=Kind.EXPORT, message__startswith="Handouts given"
    ).exists()


def test_the_log_links_each_row_to_its_release_handout():
    article = make_article()
    client = desk_client()
    client.post(record_url(article), {"paper": "a4"})

    page = client.get(reverse("admin:articles_handoutgiven_changelist")).content.decode()

    assert f'href="/articles/{article.slug}/handout/?release=1"' in page
    assert "Summary" in page


# Exact reprints ----------------------------------------------------------------------


def old_and_new(**fields):
    article = make_article(**fields)
    Section.objects.filter(article=article).update(body="<p>Newer advice about iron.</p>")
    article.refresh_from_db()
    publish(article, note="Advice changed.")
    return article


@pytest.mark.parametrize("group", ["Editors", "Front desk"])
def test_pdf_of_release_1_after_release_2_is_live_shows_release_1(tmp_path, group):
    article = old_and_new()
    client = desk_client(group)

    old = flat(pdf_text(save_pdf(client.get(pdf_url(article, release=1)), tmp_path, "1.pdf")))
    new = flat(pdf_text(save_pdf(client.get(pdf_url(article)), tmp_path, "2.pdf")))

    assert "Body 1." in old
    assert "Newer advice" not in old
    assert "Version 1 · Medically reviewed by" in old
    assert "Newer advice about iron." in new
    assert "Version 2" in new


def test_reprinting_an_old_release_records_that_release():
    article = old_and_new()
    desk_client().post(record_url(article), {"paper": "a4", "release": "1"})
    assert HandoutGiven.objects.get().release.number == 1


def test_patients_cannot_print_an_old_release(client):
    article = old_and_new()
    assert client.get(pdf_url(article, release=1)).status_code == 404


# "This page has changed since your handout" --------------------------------------------


def test_an_old_handout_link_says_the_page_changed(client, without_page_cache):
    article = old_and_new()
    live = article.releases.get(number=2)

    page = client.get(f"{article.get_absolute_url()}?from=v1").content.decode()

    assert "This page has been updated since your handout was printed" in page
    assert f"{live.go_live_at:%-d %B %Y}" in page
    assert page.index("updated since your handout") < page.index("<h1")


def test_the_live_release_link_says_nothing_and_newer_ones_redirect(client, without_page_cache):
    article = old_and_new()
    url = article.get_absolute_url()

    assert "since your handout" not in client.get(url).content.decode()
    for marker in ("v2", "v3"):
        response = client.get(f"{url}?from={marker}")
        assert response.status_code == 302
        assert response["Location"] == url
    assert "since your handout" not in client.get(f"{url}?from=v1&x=1").content.decode()


def test_the_article_page_still_costs_three_queries_with_the_marker(
    client, without_page_cache, django_assert_num_queries
):
    article = old_and_new()
    client.get(article.get_absolute_url())  # the clinic settings are cached
    with django_assert_num_queries(3):
        client.get(f"{article.get_absolute_url()}?from=v1")


def page_key(path, query):
    request = RequestFactory().get(path, QUERY_STRING=query)
    request.META["QUERY_STRING"] = query
    return page_cache.page_key(request)


def test_cache_key_keeps_only_the_handout_marker_on_article_pages():
    path = "/articles/iron/"
    plain = page_key(path, "")
    assert page_key(path, "from=v1") != plain
    assert page_key(path, "from=v1") != page_key(path, "from=v2")
    for other in ("utm_source=qr", "from=v1&utm_source=qr", "from=x", "from=v0", "release=2",
                  "from=v01", "from=v1234567"):  # fmt: skip
        assert page_key(path, other) == plain, other
    assert page_key("/search/", "q=iron") != page_key("/search/", "")  # other pages keep theirs


def test_cached_article_page_serves_the_marker_and_redirects_newer_ones(client):
    article = old_and_new()
    url = article.get_absolute_url()
    assert client.get(url).status_code == 200
    assert "since your handout" not in client.get(f"{url}?utm_source=qr").content.decode()
    assert "since your handout" in client.get(f"{url}?from=v1").content.decode()
    assert "since your handout" in client.get(f"{url}?from=v1").content.decode()  # a hit
    assert client.get(f"{url}?from=v9").status_code == 302


# The content audit -------------------------------------------------------------------

AUDIT_HEADER = [
    "title", "address", "status", "live version", "live since", "reviewer", "last reviewed",
    "next review due", "overdue", "reading grade", "word count", "citations",
    "oldest cited study", "newest cited study", "handouts given (last 12 months)", "language",
    "translation",
]  # fmt: skip


def test_content_audit_action_writes_one_row_per_article_and_is_audited(admin_client):
    article = make_article(title="-1+1 sneaky", citations=2)
    make_article(title="Not chosen")

    response = admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "export_content_audit", "_selected_action": [article.pk]},
    )

    rows = read_csv(response)
    assert rows[0] == AUDIT_HEADER
    assert len(rows) == 2
    row = dict(zip(AUDIT_HEADER, rows[1], strict=True))
    assert row["title"] == "'-1+1 sneaky"
    assert row["citations"] == "2"
    assert row["status"] == "Published"
    assert row["live version"] == "1"
    assert row["address"] == f"http://testserver/articles/{article.slug}/"
    event = AuditEvent.objects.get(kind=Kind.EXPORT)
    assert event.message == "Content audit, 1 articles"
    assert event.user.is_superuser


def test_front_desk_cannot_export_the_content_audit():
    page = desk_client().get(reverse("admin:articles_article_changelist")).content.decode()
    assert 'value="export_content_audit"' not in page


def test_content_audit_command_has_the_demo_figures(tmp_path):
    call_command("load_demo", stdout=io.StringIO())
    guide = Article.objects.get(slug=SEED_001_SLUG)
    desk_client().post(record_url(guide), {"paper": "a4"})
    output = tmp_path / "audit.csv"

    call_command("export_content_audit", output=str(output), stderr=io.StringIO())

    content = output.read_bytes()
    assert content.startswith("\ufeff".encode())
    assert content.count(b"\r\n") == 4  # the header and the three demo articles
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == AUDIT_HEADER
    rows = {row[0]: dict(zip(AUDIT_HEADER, row, strict=True)) for row in rows[1:]}
    guide_row = rows["Magnesium and restless leg syndrome: a guide"]
    other = rows["Magnesium for restless leg syndrome"]
    for row in (guide_row, other):
        assert row["status"] == "Published"
        assert row["live version"] == "1"
        assert row["reviewer"] == "Dr Deborah Lee"
        assert row["address"].startswith("https://clinic.example.org/articles/")
        assert row["last reviewed"] == "2026-09-15"
        assert row["next review due"] == "2027-09-15"
        assert row["overdue"] == "no"
    assert (guide_row["citations"], guide_row["oldest cited study"]) == ("0", "")
    assert (other["citations"], other["oldest cited study"], other["newest cited study"]) == (
        "3", "1998", "2021",
    )  # fmt: skip
    assert (
        guide_row["word count"] == str(guide.word_count) == "1021"
    )  # with its key points and "When to get help" box
    assert guide_row["reading grade"] == str(guide.reading_grade)
    assert (guide_row["handouts given (last 12 months)"], other["handouts given (last 12 months)"]) == (
        "1", "0",
    )  # fmt: skip
    assert AuditEvent.objects.filter(kind=Kind.EXPORT, message__contains="(command)").exists()
    spanish = rows["El magnesio para el síndrome de piernas inquietas"]
    assert (other["language"], other["translation"]) == ("en", "")
    assert (spanish["language"], spanish["translation"]) == ("es", "up to date with its source")


def test_content_audit_says_which_translations_are_behind(tmp_path):
    call_command("load_demo", stdout=io.StringIO())
    english = Article.objects.get(slug="magnesium-for-restless-leg-syndrome")
    publish(english, note="Newer advice.")
    output = tmp_path / "audit.csv"
    call_command("export_content_audit", output=str(output), stderr=io.StringIO())
    rows = list(csv.reader(io.StringIO(output.read_bytes().decode("utf-8-sig"))))
    rows = {row[0]: dict(zip(AUDIT_HEADER, row, strict=True)) for row in rows[1:]}
    assert rows["El magnesio para el síndrome de piernas inquietas"]["translation"] == (
        "behind its source: version 2 is live, this follows version 1"
    )


def test_front_desk_group_may_record_handouts():
    perms = Group.objects.get(name="Front desk").permissions.values_list("codename", flat=True)
    assert "add_handoutgiven" in perms


def test_a_draft_handout_page_offers_no_print_and_record():
    draft = make_article(status=Article.Status.DRAFT)

    page = desk_client("Editors").get(reverse("articles:handout", args=[draft.slug]))

    assert page.status_code == 200
    assert "Print and record" not in page.content.decode()
