"""Every rich-text field is sanitised on every save path, whatever the payload."""

import html
import json
import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command

from articles.models import FAQ, Section, Topic
from common.richtext import ALLOWED_ATTRIBUTES, ALLOWED_SCHEMES, ALLOWED_TAGS
from experts.models import Expert
from tests.conftest import make_article

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="java&#x09;script:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<p onclick="alert(1)">text</p>',
    '<p style="background:url(javascript:alert(1))">text</p>',
    '<a href="https://ok.example" onmouseover="alert(1)">ok</a>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph>",
    "<object data=javascript:alert(1)></object>",
    '<embed src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<input autofocus onfocus="alert(1)">',
    "<details open ontoggle=alert(1)>",
    '<video><source onerror="alert(1)"></video>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<!--<img src=x onerror=alert(1)>-->",
    '<a href="https://ok.example/" target="_blank">new window</a><base href="javascript:/">',
    '<img src="data:image/png;base64,iVBORw0KGgo=">',
    "<style>@import 'javascript:alert(1)';</style>",
    '"><script>alert(document.cookie)</script>',
    "<p>Safe <strong>bold</strong> [1]</p><script>alert(1)</script>",
]

# (model, rich-text field) for every rich-text field in the portal.
FIELDS = [(Section, "body"), (FAQ, "answer"), (Expert, "bio"), (Topic, "description")]


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_safe(markup):
    """Fail if markup carries a script, an event handler or a script/data URL."""
    lowered = markup.lower()
    assert "<script" not in lowered
    unescaped = re.sub(r"[\x00-\x20]", "", html.unescape(lowered))
    assert "javascript:" not in unescaped
    assert "vbscript:" not in unescaped
    parser = TagCollector()
    parser.feed(markup)
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), name
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, name
            if name == "href":
                scheme = value.split(":", 1)[0].lower() if ":" in value else "https"
                assert scheme in ALLOWED_SCHEMES, value
                assert not value.lower().startswith("data:")


def make_row(model, field, value, *, save=True):
    """Return a row of model with its rich-text field set to value."""
    if model is Section:
        obj = Section(article=make_article(sections=0), position=1, body=value)
    elif model is FAQ:
        obj = FAQ(article=make_article(sections=0), position=1, question="Q?", answer=value)
    elif model is Expert:
        obj = Expert(name="Payload Expert", bio=value)
    else:
        obj = Topic(name="Payload topic", description=value)
    if save:
        obj.save()
    return obj


def stored(model, field, pk):
    return model.objects.values_list(field, flat=True).get(pk=pk)


@pytest.mark.django_db
@pytest.mark.parametrize("payload", XSS_PAYLOADS)
@pytest.mark.parametrize(("model", "field"), FIELDS)
def test_model_save_sanitises(model, field, payload):
    obj = make_row(model, field, payload)
    assert_safe(stored(model, field, obj.pk))
    assert_safe(getattr(obj, field))


@pytest.mark.django_db
@pytest.mark.parametrize("payload", XSS_PAYLOADS)
@pytest.mark.parametrize(("model", "field"), FIELDS)
def test_queryset_update_sanitises(model, field, payload):
    obj = make_row(model, field, "<p>Fine.</p>")
    model.objects.filter(pk=obj.pk).update(**{field: payload})
    assert_safe(stored(model, field, obj.pk))


@pytest.mark.django_db
@pytest.mark.parametrize("payload", XSS_PAYLOADS)
@pytest.mark.parametrize(("model", "field"), FIELDS)
def test_bulk_create_sanitises(model, field, payload):
    obj = make_row(model, field, payload, save=False)
    (created,) = model.objects.bulk_create([obj])
    pk = created.pk or model.objects.latest("pk").pk
    assert_safe(stored(model, field, pk))


@pytest.mark.django_db
def test_loaddata_fixture_sanitises_every_rich_text_field(tmp_path):
    article = make_article(sections=0)
    records = []
    for n, payload in enumerate(XSS_PAYLOADS, start=1):
        records += [
            {
                "model": "articles.section",
                "pk": 1000 + n,
                "fields": {"article": article.pk, "position": n, "heading": "", "body": payload},
            },
            {
                "model": "articles.faq",
                "pk": 1000 + n,
                "fields": {
                    "article": article.pk,
                    "position": n,
                    "question": "Q",
                    "answer": payload,
                },
            },
            {
                "model": "experts.expert",
                "pk": 1000 + n,
                "fields": {
                    "name": f"Fixture expert {n}",
                    "slug": f"fixture-expert-{n}",
                    "bio": payload,
                    "created": "2026-01-01T00:00:00Z",
                    "updated": "2026-01-01T00:00:00Z",
                },
            },
            {
                "model": "articles.topic",
                "pk": 1000 + n,
                "fields": {"name": f"Fixture topic {n}", "slug": f"t-{n}", "description": payload},
            },
        ]
    fixture = tmp_path / "payloads.json"
    fixture.write_text(json.dumps(records))

    call_command("loaddata", str(fixture), verbosity=0)

    loaded = [
        *Section.objects.filter(pk__gt=1000).values_list("body", flat=True),
        *FAQ.objects.filter(pk__gt=1000).values_list("answer", flat=True),
        *Expert.objects.filter(pk__gt=1000).values_list("bio", flat=True),
        *Topic.objects.filter(pk__gt=1000).values_list("description", flat=True),
    ]
    assert len(loaded) == 4 * len(XSS_PAYLOADS)
    for value in loaded:
        assert_safe(value)


@pytest.mark.django_db
def test_safe_markup_is_kept():
    body = (
        "<h3>Dose</h3><p>Take <strong>one</strong> <em>daily</em> [1].</p><ul><li>a</li></ul>"
        "<ol><li>b</li></ol><blockquote><p>q</p></blockquote><h4>More</h4>"
        '<p><a href="https://example.org/">link</a><br>line</p>'
    )
    section = make_row(Section, "body", body)
    saved = stored(Section, "body", section.pk)
    for piece in ["<h3>Dose</h3>", "<strong>one</strong>", "<em>daily</em>", "[1]", "<ol>", "<h4>"]:
        assert piece in saved
    assert 'href="https://example.org/"' in saved
