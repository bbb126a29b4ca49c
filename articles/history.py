"""The working copy's history (django-reversion): the admin's history list and compare view.

Compare two saved versions of an article (with its parts), or a version and the article now.
ArticleAdmin routes to compare_view (get_urls) and adds history_context to its history page.
"""

import difflib
import re

from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from reversion.models import Version

from articles.models import FAQ, Article, Citation, Quote, Section
from articles.readability import plain_text
from common.richtext import RichTextField

PART_MODELS = [Article, Section, Quote, Citation, FAQ]
SKIPPED_FIELDS = {"id", "article", "revision", "created", "updated", "word_count", "reading_grade"}
TOKEN_RE = re.compile(r"\s+|[^\s]+")


def version_snapshot(revision):
    """Return {(model, pk): (label, {field: value})} for the article parts in a revision."""
    snapshot = {}
    for version in revision.version_set.all():
        model = version._model
        if model in PART_MODELS:
            snapshot[(model, str(version.object_id))] = (version.object_repr, version.field_dict)
    return snapshot


def current_snapshot(article):
    """Return the same shape as version_snapshot for the article as it is now."""
    snapshot = {(Article, str(article.pk)): (str(article), _values(article))}
    for related in ("sections", "quotes", "citations", "faqs"):
        for part in getattr(article, related).all():
            snapshot[(type(part), str(part.pk))] = (str(part), _values(part))
    return snapshot


def _fields(model):
    """Return the fields a version stores (tags are not versioned)."""
    many = [f for f in model._meta.many_to_many if isinstance(f, models.ManyToManyField)]
    return [f for f in [*model._meta.concrete_fields, *many] if f.name not in SKIPPED_FIELDS]


def _values(obj):
    values = {}
    for field in _fields(type(obj)):
        if isinstance(field, models.ManyToManyField):
            values[field.attname] = [related.pk for related in getattr(obj, field.name).all()]
        else:
            values[field.attname] = getattr(obj, field.attname)
    return values


def compare(old, new):
    """Return the differences between two snapshots, one entry per changed part, in page order."""
    changes = []
    for key in sorted(old.keys() | new.keys(), key=_part_order(old, new)):
        model = key[0]
        before, after = old.get(key), new.get(key)
        label = (after or before)[0]
        if before is None:
            state = "added"
        elif after is None:
            state = "removed"
        else:
            state = "changed"
        fields = _changed_fields(model, before[1] if before else {}, after[1] if after else {})
        if fields or state != "changed":
            changes.append(
                {
                    "part": f"{capfirst(model._meta.verbose_name)}: {label}",
                    "state": state,
                    "fields": fields,
                }
            )
    return changes


def _part_order(old, new):
    def order(key):
        model, pk = key
        values = (new.get(key) or old.get(key))[1]
        return (PART_MODELS.index(model), values.get("position") or 0, int(pk))

    return order


def _changed_fields(model, before, after):
    rows = []
    for field in _fields(model):
        old_value, new_value = before.get(field.attname), after.get(field.attname)
        if _normalise(old_value) == _normalise(new_value):
            continue
        old_text, new_text = _display(field, old_value), _display(field, new_value)
        rows.append({"name": field.verbose_name, "diff": word_diff(old_text, new_text)})
    return rows


def _normalise(value):
    if isinstance(value, list | tuple | set):
        return sorted(str(item) for item in value)
    return "" if value is None else str(value)


def _display(field, value):
    """Return a field value as the plain text a member of staff recognises."""
    if value in (None, "", []):
        return ""
    if isinstance(field, models.ManyToManyField):
        related = field.related_model._default_manager.filter(pk__in=value)
        return ", ".join(sorted(str(obj) for obj in related))
    if isinstance(field, models.ForeignKey):
        obj = field.related_model._default_manager.filter(pk=value).first()
        return str(obj) if obj else f"(deleted {field.related_model._meta.verbose_name})"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, RichTextField):
        return re.sub(r"\s*\n\s*", "\n", plain_text(value)).strip()
    return str(value)


def word_diff(old, new):
    """Return HTML showing new against old word by word, with <del> and <ins>."""
    old_tokens, new_tokens = TOKEN_RE.findall(old), TOKEN_RE.findall(new)
    out = []
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape("".join(old_tokens[a1:a2])))
            continue
        if a2 > a1:
            out.append(f"<del>{escape(''.join(old_tokens[a1:a2]))}</del>")
        if b2 > b1:
            out.append(f"<ins>{escape(''.join(new_tokens[b1:b2]))}</ins>")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped above


def history_context(object_id):
    """Return the history page's rows: each saved version with links to compare it."""
    versions = list(
        Version.objects.get_for_object_reference(Article, unquote(object_id))
        .select_related("revision__user")
        .order_by("pk")
    )
    compare_url = reverse("admin:articles_article_compare", args=[quote(object_id)])
    action_list, previous = [], None
    for version in versions:
        action_list.append(
            {
                "revision": version.revision,
                "url": reverse(
                    "admin:articles_article_revision", args=[quote(object_id), version.pk]
                ),
                "changes_url": previous and f"{compare_url}?from={previous}&to={version.pk}",
                "compare_url": f"{compare_url}?from={version.pk}",
            }
        )
        previous = version.pk
    return {"action_list": action_list}


def compare_view(model_admin, request, object_id):
    """Show what changed between two saved versions, or a version and the article now."""
    article = model_admin.get_object(request, unquote(object_id))
    if article is None:
        raise Http404("No such article.")
    if not model_admin.has_view_or_change_permission(request, article):
        raise PermissionDenied
    versions = Version.objects.get_for_object(article).select_related("revision__user")
    try:
        old = versions.get(pk=request.GET.get("from"))
        new = versions.get(pk=request.GET["to"]) if request.GET.get("to") else None
    except (Version.DoesNotExist, ValueError) as error:
        raise Http404("No such version of this article.") from error
    new_snapshot = version_snapshot(new.revision) if new else current_snapshot(article)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": article,
        "title": f"Changes to “{article}”",
        "old": old,
        "new": new,
        "changes": compare(version_snapshot(old.revision), new_snapshot),
    }
    return TemplateResponse(request, "admin/articles/article/compare.html", context)
