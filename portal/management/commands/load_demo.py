"""Load the demo content in portal/demo/ without changing anything already there."""

import functools
import json
from pathlib import Path

import reversion
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import format_html
from reversion.errors import RevertError
from reversion.models import Version

from articles import plain_panel, releases
from articles.models import (
    FAQ,
    Article,
    Citation,
    Quote,
    Reference,
    Section,
    SlugRedirect,
    Topic,
    TopicCode,
    TopicTranslation,
)
from experts.models import Expert, ExpertTranslation
from portal.models import ClinicSettings

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
ARTICLE_FILES = [
    "magnesium-for-restless-leg-syndrome.json",
    "magnesium-and-restless-leg-syndrome-guide.json",
    # The Spanish translation of the first: after it, since it points to it.
    "magnesio-para-el-sindrome-de-piernas-inquietas.json",
]
REVISION_COMMENT = "Loaded demo content"


def read(name):
    """Return the parsed demo file, or stop with the reason it cannot be read."""
    try:
        return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CommandError(f"Cannot read the demo file portal/demo/{name}: {error}") from error


def rich_text(lines):
    """Return HTML for demo lines: "### " a sub-heading, "- " a bullet item, else a paragraph."""
    html, items = [], []
    for line in [*lines, ""]:  # the empty line closes a list left open at the end
        if line.startswith("- "):
            items.append(format_html("<li>{}</li>", line[2:]))
            continue
        if items:
            html.append("<ul>" + "".join(items) + "</ul>")
            items = []
        if line.startswith("### "):
            html.append(format_html("<h3>{}</h3>", line[4:]))
        elif line:
            html.append(format_html("<p>{}</p>", line))
    return "\n".join(html)


def saved(obj):
    """Validate obj as the admin would, then save it through the model's own save()."""
    try:
        obj.full_clean()
    except ValidationError as error:
        raise CommandError(f"The demo {type(obj).__name__} “{obj}” is invalid: {error}") from error
    obj.save()
    return obj


def at_defaults(row):
    """Return True if no field of the clinic-settings row differs from its default."""
    return all(
        getattr(row, field.attname) == field.get_default()
        for field in row._meta.concrete_fields
        if not field.primary_key and field.name != "updated"
    )


def deleted_from_history(slug):
    """Return True if an article with this slug was saved with history and later deleted."""
    for version in Version.objects.get_deleted(Article):
        try:
            if version.field_dict.get("slug") == slug:
                return True
        except RevertError:  # saved before a schema change; it cannot be read back
            continue
    return False


class Loader:
    """Create the demo objects that are missing; reuse the others without changing them."""

    def __init__(self, common, write):
        self.common = common
        self.write = write
        self.counts = {"created": 0, "kept": 0}
        self.found = {}

    def report(self, status, kind, name, detail=""):
        self.counts["kept" if status == "kept" else "created"] += 1
        self.write(f"  {status:8} {kind:15} {name}" + (f" — {detail}" if detail else ""))

    def find_or_create(self, kind, key, existing, build):
        """Return the object for key: existing.first() if any, else build() saved; once each."""
        if (kind, key) not in self.found:
            obj = existing.first()
            status = "kept" if obj else "created"
            self.found[kind, key] = obj = obj or saved(build())
            self.report(status, kind, obj)
        return self.found[kind, key]

    def topic(self, slug):
        data = dict(self.common["topic"])
        codes = data.pop("codes", [])
        translated = data.pop("translations", {})
        if data["slug"] != slug:
            raise CommandError(f"portal/demo/common.json has no topic “{slug}”.")
        topic = self.find_or_create(
            "topic",
            slug,
            Topic.objects.filter(Q(slug=slug) | Q(name=data["name"])),
            lambda: self.new_topic(data, codes),
        )
        self.topic_translations(topic, translated)
        return topic

    def topic_translations(self, topic, translated):
        self.add_translations(
            "topic text",
            topic,
            translated,
            lambda language, texts: TopicTranslation(
                topic=topic,
                language=language,
                name=texts["name"],
                description=rich_text(texts.get("description", [])),
            ),
        )

    def add_translations(self, kind, owner, translated, build):
        """Create the translations {language: texts} an owner (topic, expert) lacks."""
        for language, texts in translated.items():
            self.find_or_create(
                kind,
                (owner.pk, language),
                owner.translations.filter(language=language),
                functools.partial(build, language, texts),
            )

    def new_topic(self, data, codes):
        """Return a new topic, saved with its diagnosis codes (an existing one is kept as is)."""
        topic = saved(Topic(**{**data, "description": rich_text(data["description"])}))
        systems = {label: value for value, label in TopicCode.System.choices}
        for code in codes:
            if code["system"] not in systems:
                raise CommandError(f"Unknown code system “{code['system']}” in common.json.")
            saved(TopicCode(topic=topic, **{**code, "system": systems[code["system"]]}))
        return topic

    def expert(self, slug):
        data = dict(self._entry("experts", "slug", slug))
        translated = data.pop("translations", {})
        expert = self.find_or_create(
            "expert",
            slug,
            Expert.objects.filter(Q(slug=slug) | Q(name=data["name"])),
            lambda: Expert(**{**data, "bio": rich_text(data["bio"])}),
        )
        # Before any article is published: a translated article's release shows these.
        self.expert_translations(expert, translated)
        return expert

    def expert_translations(self, expert, translated):
        self.add_translations(
            "expert text",
            expert,
            translated,
            lambda language, texts: ExpertTranslation(
                expert=expert,
                language=language,
                **{**texts, "bio": rich_text(texts.get("bio", []))},
            ),
        )

    def translations_of_existing(self):
        """Add the demo's translations that are missing to the demo topic and experts still there."""
        topic = self.common["topic"]
        found = Topic.objects.filter(Q(slug=topic["slug"]) | Q(name=topic["name"])).first()
        if found is not None:
            self.topic_translations(found, topic.get("translations", {}))
        for data in self.common["experts"]:
            found = Expert.objects.filter(Q(slug=data["slug"]) | Q(name=data["name"])).first()
            if found is not None:
                self.expert_translations(found, data.get("translations", {}))

    def reference(self, key):
        data = dict(self._entry("references", "key", key))
        del data["key"]
        # A reference is stored once: reuse the one staff already have with this DOI or PMID.
        match = Q(pk__in=[])
        for field in ("doi", "pmid"):
            if data[field]:
                match |= Q(**{field: data[field]})
        return self.find_or_create(
            "reference", key, Reference.objects.filter(match), lambda: Reference(**data)
        )

    def _entry(self, group, field, value):
        for entry in self.common[group]:
            if entry[field] == value:
                return entry
        raise CommandError(f"portal/demo/common.json has no {group} entry “{value}”.")

    def article(self, data):
        slug = data["slug"]
        if Article.objects.filter(slug=slug).exists():
            return self.report("kept", "article", data["title"], "already there; left as it is")
        if SlugRedirect.objects.filter(old_slug=slug).exists():
            return self.report("kept", "article", data["title"], "staff gave it a new address")
        if deleted_from_history(slug):
            return self.report(
                "kept", "article", data["title"], "deleted by staff; not brought back"
            )
        source = None
        if data.get("translation_of"):
            source = Article.objects.filter(slug=data["translation_of"]).first()
            if source is None:
                return self.report("kept", "article", data["title"], "its source article is gone")
        article = self._create_article(data, source)
        parts = (
            f"{article.sections.count()} sections, {article.quotes.count()} quotes, "
            f"{article.citations.count()} references, {article.faqs.count()} FAQs"
        )
        self.report("created", "article", article, parts)

    def _create_article(self, data, source=None):
        translated_from = None
        if source is not None:
            translated_from = source.releases.filter(number=data["translated_from_release"]).first()
        article = saved(
            Article(
                slug=data["slug"],
                language=data.get("language", "en"),
                translation_of=source,
                translated_from_release=translated_from,
                title=data["title"],
                summary=data["summary"],
                featured=data["featured"],
                status=Article.Status.DRAFT,
                reviewed_by=self.expert(data["reviewed_by"]),
                last_reviewed=parse_date(data["last_reviewed"]),
                next_review_due=parse_date(data["next_review_due"]),
                disclaimer=data["disclaimer"],
                key_points="\n".join(data.get("key_points", [])),
                get_help=rich_text(data.get("get_help", [])),
            )
        )
        article.topics.set([self.topic(slug) for slug in data["topics"]])
        article.tags.set(data["tags"])
        sections = [
            saved(
                Section(
                    article=article,
                    position=n,
                    heading=part["heading"],
                    body=rich_text(part["body"]),
                )
            )
            for n, part in enumerate(data["sections"], 1)
        ]
        for n, key in enumerate(data["citations"], 1):
            saved(Citation(article=article, position=n, reference=self.reference(key)))
        for n, part in enumerate(data["quotes"], 1):
            after = part["after_section"]
            saved(
                Quote(
                    article=article,
                    position=n,
                    expert=self.expert(part["expert"]),
                    text=part["text"],
                    section=sections[after - 1] if after else None,
                    note=part["note"],
                )
            )
        for n, part in enumerate(data["faqs"], 1):
            saved(
                FAQ(
                    article=article,
                    position=n,
                    question=part["question"],
                    answer=rich_text(part["answer"]),
                )
            )
        if data["status"] == Article.Status.PUBLISHED:
            # Release 1, as a medical reviewer would publish it: the seed's own review.
            releases.publish(
                article,
                user=None,
                reviewer=article.reviewed_by,
                reviewed_on=article.last_reviewed,
                go_live_at=min(parse_datetime(data["publish_at"]), timezone.now()),
                note="",
                # The seeds are kept word for word, above the usual target: say so.
                reading_target=plain_panel.reading_target(),
                above_target_reason=data.get("above_target_reason", ""),
            )
        # Record the article as it is now, so the first version in its history is complete.
        article.refresh_from_db()
        reversion.add_to_revision(article)
        return article

    def clinic(self):
        row = ClinicSettings.objects.filter(pk=1).first()
        if row is not None and not at_defaults(row):
            return self.report("kept", "clinic settings", row, "already filled in")
        row = row or ClinicSettings(pk=1)
        for name, value in self.common["clinic"].items():
            setattr(row, name, value)
        saved(row)
        self.report("filled", "clinic settings", row, "example data")


class Command(BaseCommand):
    help = (
        "Load the two demo articles on magnesium for restless legs syndrome and the Spanish "
        "translation of the first, their experts, references and topic (with their Spanish "
        "texts), and example clinic details. Creates only what is missing; "
        "never changes anything already there."
    )

    def handle(self, *args, **options):
        common = read("common.json")
        articles = [read(name) for name in ARTICLE_FILES]
        self.stdout.write("Demo content (portal/demo/):")
        loader = Loader(common, self.stdout.write)
        with transaction.atomic(), reversion.create_revision():
            reversion.set_comment(REVISION_COMMENT)
            for data in articles:
                loader.article(data)
            loader.translations_of_existing()
            loader.clinic()
        created, kept = loader.counts["created"], loader.counts["kept"]
        summary = f"Created {created}, kept {kept} unchanged."
        self.stdout.write(self.style.SUCCESS(summary) if created else summary)
