"""Admin forms for articles: review permissions, ordered inlines, citation markers, safe uploads."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils.text import get_text_list, slugify

from articles.citations import missing_markers
from articles.models import Article, Section, SlugRedirect, add_months
from common.inlines import PositionedInlineFormSet


class ArticleForm(forms.ModelForm):
    """The article form; editors without the publish permission cannot publish or set review details."""

    can_publish = False  # set per request by ArticleAdmin.get_form
    REVIEW_FIELDS = Article.REVIEW_FIELDS

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "summary",
            "topics",
            "tags",
            "author",
            "hero_image",
            "hero_image_alt",
            "key_points",
            "get_help",
            "disclaimer",
            "status",
            "reviewed_by",
            "last_reviewed",
            "next_review_due",
            "featured",
            "meta_description",
        ]
        error_messages = {
            "slug": {
                "unique": "Another article already uses this web address (slug). "
                "Choose a different one."
            }
        }

    def clean_slug(self):
        """Refuse an address that still leads to another article (old links, printed QR codes)."""
        slug = self.cleaned_data.get("slug")
        if not slug:
            return self._free_slug()
        retired = (
            SlugRedirect.objects.filter(old_slug=slug)
            .exclude(article=self.instance.pk)
            .select_related("article")
            .first()
        )
        if retired is not None:
            raise ValidationError(
                "The address “%(slug)s” still leads to the article “%(title)s”: its old "
                "links and printed QR codes point there. Choose a different one.",
                code="retired_slug",
                params={"slug": slug, "title": retired.article.title},
            )
        return slug

    def _free_slug(self):
        """Return a slug from the title that no article uses and no old address keeps."""
        title = self.cleaned_data.get("title")
        if not title:
            return ""
        base = slugify(title)[:195] or "article"
        articles = Article.objects.exclude(pk=self.instance.pk)
        retired = SlugRedirect.objects.exclude(article=self.instance.pk)
        slug, n = base, 2
        while articles.filter(slug=slug).exists() or retired.filter(old_slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    def clean(self):
        cleaned_data = super().clean()
        if not self.can_publish:
            self._refuse_publishing(cleaned_data)
            self._refuse_review_changes()
        self._default_next_review(cleaned_data)
        return cleaned_data

    def _refuse_publishing(self, cleaned_data):
        """Publishing, archiving and bringing back are a reviewer's decisions."""
        was = self.instance.status if self.instance.pk else Article.Status.DRAFT
        wanted = cleaned_data.get("status")
        reviewer_only = {Article.Status.PUBLISHED, Article.Status.ARCHIVED}
        if wanted != was and (wanted in reviewer_only or was == Article.Status.ARCHIVED):
            self.add_error(
                "status",
                "Only medical reviewers can publish, archive or bring back an article. "
                "Choose “In review” and a medical reviewer will check and publish it.",
            )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "language" in self.fields:  # a form without it keeps the article's language
            self.fields["language"].required = False

    def clean_language(self):
        return self.cleaned_data.get("language") or self.instance.language

    def clean_status(self):
        """Refuse "Published" for an article with no release: publishing makes the first one."""
        status = self.cleaned_data["status"]
        has_release = self.instance.pk and self.instance.releases.exists()
        if status == Article.Status.PUBLISHED and not has_release:
            raise ValidationError(
                "Use the Publish button to publish: it records the review and makes "
                "version 1 of the article.",
                code="publish_with_button",
            )
        return status

    def _refuse_review_changes(self):
        """Refuse review details sent by someone who may not set them (e.g. an old form)."""
        changed = [
            Article._meta.get_field(name).verbose_name
            for name in self.REVIEW_FIELDS
            if name not in self.fields and self._posted_value_differs(name)
        ]
        if changed:
            self.add_error(
                None,
                f"Only medical reviewers can change the review details "
                f"({get_text_list(changed, 'and')}). Nothing was saved.",
            )

    def _posted_value_differs(self, name):
        if name not in self.data:
            return False
        formfield = Article._meta.get_field(name).formfield()
        try:
            posted = formfield.clean(self.data.get(name))
        except ValidationError:
            return True
        return posted != getattr(self.instance, name)

    def _default_next_review(self, cleaned_data):
        """Move the next review to 12 months after a new review date unless it was set too."""
        last_reviewed = cleaned_data.get("last_reviewed")
        if (
            last_reviewed
            and "next_review_due" in self.fields
            and "last_reviewed" in self.changed_data
            and "next_review_due" not in self.changed_data
        ):
            cleaned_data["next_review_due"] = add_months(last_reviewed, 12)

    def add_error(self, field, error):
        # Article.clean() may name a field this user's form leaves out (the review fields
        # are read-only for editors); show such errors at the top instead of failing.
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            hidden = [name for name in error.error_dict if name not in self.fields]
            for name in hidden:
                if name != NON_FIELD_ERRORS:
                    error.error_dict.setdefault(NON_FIELD_ERRORS, []).extend(
                        error.error_dict.pop(name)
                    )
        super().add_error(field, error)


# Inline rows read once per formset, not once per row (issue 20) -----------------------


class Chosen:
    """Objects read once for every row of a formset, answering the few QuerySet calls a
    choice field and its select or autocomplete widget make (using, filter, iterate)."""

    _prefetch_related_lookups = ()

    def __init__(self, objects):
        self.objects = objects  # {str(pk): object}

    def using(self, alias):
        return self

    def filter(self, **lookup):
        (values,) = lookup.values()  # pk__in=[…]: the autocomplete's selected values
        return Chosen(
            {key: obj for key, obj in self.objects.items() if key in set(map(str, values))}
        )

    def iterator(self):
        return iter(self.objects.values())

    __iter__ = iterator

    def count(self):
        return len(self.objects)

    def exists(self):
        return bool(self.objects)


class ChosenIterator(ModelChoiceIterator):
    """Choices from the formset's shared objects once it has set them on the field."""

    @property
    def queryset(self):
        chosen = self.field.chosen
        return self.field.queryset if chosen is None else Chosen(chosen)

    @queryset.setter
    def queryset(self, value):
        pass  # always read from the field


class RowChoiceField(forms.ModelChoiceField):
    """A row's expert, reference or section, found among the objects its formset read once.

    `chosen` ({str(pk): object}) is set by RowsFormSet: what any row chose (for an
    autocomplete) or every choice (for a select). A value not among them is looked up
    as usual, and refused if it does not exist.
    """

    iterator = ChosenIterator
    chosen = None

    def to_python(self, value):
        if self.chosen is not None and str(value) in self.chosen:
            return self.chosen[str(value)]
        return super().to_python(value)


class RowForm(forms.ModelForm):
    """An inline row. Like the inline's own foreign key, its RowChoiceFields are left out
    of the model's field checks (each would query that the chosen row exists, which
    cleaning them just did) and kept in the uniqueness checks."""

    def _post_clean(self):
        self._choices_checked = True
        try:
            super()._post_clean()
        finally:
            self._choices_checked = False

    def validate_unique(self):
        self._choices_checked = False
        super().validate_unique()

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if getattr(self, "_choices_checked", False):
            exclude |= {n for n, f in self.fields.items() if isinstance(f, RowChoiceField)}
        return exclude


class QuoteForm(RowForm):
    class Meta:
        field_classes = {"expert": RowChoiceField, "section": RowChoiceField}


class CitationForm(RowForm):
    class Meta:
        field_classes = {"reference": RowChoiceField}


class RowsFormSet(PositionedInlineFormSet):
    """Inline rows whose ids and chosen experts, references and sections are read once
    for the whole formset: opening and saving cost the same for 1 row as for 50."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        pk = self._pk_field.name
        if isinstance(form.fields.get(pk), forms.ModelChoiceField):
            row_id = form.fields[pk]
            form.fields[pk] = RowChoiceField(
                row_id.queryset, initial=row_id.initial, required=False, widget=row_id.widget
            )
            form.fields[pk].chosen = self.rows()
        for name, field in form.fields.items():
            if isinstance(field, RowChoiceField) and name != pk:
                field.chosen = self.chosen(name, field)

    def rows(self):
        """Return {str(pk): row} of the rows being edited, as the formset already read them."""
        if not hasattr(self, "_rows"):
            self._rows = {str(row.pk): row for row in self.get_queryset()}
        return self._rows

    def chosen(self, name, field):
        """Return {str(pk): object} of the objects any row chose in the field, in one query."""
        cache = self.__dict__.setdefault("_chosen", {})
        if name not in cache:
            cache[name] = {
                str(obj.pk): obj for obj in field.queryset.filter(pk__in=self.values(name, field))
            }
        return cache[name]

    def values(self, name, field):
        """Return the valid primary keys the rows chose in the field (posted, or saved)."""
        if self.is_bound:
            posted = (
                self.data.get(f"{self.add_prefix(i)}-{name}")
                for i in range(self.total_form_count())
            )
        else:
            attname = self.model._meta.get_field(name).attname
            posted = (getattr(row, attname) for row in self.get_queryset())
        keys = set()
        for value in posted:
            try:
                keys.add(field.queryset.model._meta.pk.to_python(value))
            except ValidationError:
                continue
        return keys - {None, ""}


class SectionFormSet(RowsFormSet):
    """Sections: every [n] marker in a body must match a citation on the same page."""

    def clean(self):
        super().clean()
        available = self._citation_positions()
        if available is None:
            return
        for form in self.kept_forms():
            missing = missing_markers(form.cleaned_data.get("body", ""), available)
            if missing:
                form.add_error("body", self._marker_message(form, missing))

    def _citation_positions(self):
        """Return the citation numbers submitted with this page (None if they are invalid)."""
        citations = self.siblings.get("citations")
        if citations is None:
            if not self.instance.pk:
                return set()
            return set(self.instance.citations.values_list("position", flat=True))
        if not citations.is_valid():
            return None
        return {form.instance.position for form in citations.kept_forms()}

    @staticmethod
    def _marker_message(form, missing):
        heading = form.cleaned_data.get("heading") or f"Section {form.instance.position}"
        markers = get_text_list([f"[{n}]" for n in missing], "and")
        numbers = get_text_list([str(n) for n in missing], "and")
        noun = "reference" if len(missing) == 1 else "references"
        return (
            f"Section “{heading}” cites {markers}, but the article has no {noun} {numbers}. "
            "Add the citation below, or correct the number."
        )


class CitationFormSet(RowsFormSet):
    """Citations: each reference once per article."""

    def get_unique_error_message(self, unique_check):
        if "reference" in unique_check:
            return (
                "The same reference is cited twice. Cite each reference once and write "
                "its number again wherever the text needs it."
            )
        return super().get_unique_error_message(unique_check)


class QuoteFormSet(RowsFormSet):
    """Quotes: the section a quote follows is chosen from this article's own sections."""

    def add_fields(self, form, index):
        if "section" in form.fields:
            form.fields["section"].queryset = Section.objects.filter(
                article=self.instance if self.instance.pk else None
            )
        super().add_fields(form, index)

    def chosen(self, name, field):
        if name != "section":
            return super().chosen(name, field)
        if not hasattr(self, "_sections"):  # a select shows every choice: read them once
            self._sections = {str(section.pk): section for section in field.queryset}
        return self._sections


class SendBackForm(forms.Form):
    """A reviewer's comment when sending an article back to its editor instead of publishing."""

    comment = forms.CharField(
        label="Comment for the editor",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="What should change before you publish it. The editor sees this on the "
        "article and on their admin home page; it is not emailed.",
        error_messages={"required": "Write a comment: say what the editor should change."},
    )
