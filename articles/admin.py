from functools import cache

from django.contrib import admin
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from articles.images import clean_uploaded_image
from articles.models import (
    Article,
    ArticleReference,
    ArticleSection,
    Condition,
    ConditionTreatment,
    RiskFactor,
    Symptom,
    Treatment,
    TreatmentPoint,
    TScoreBand,
)
from articles.richtext import RichTextField, sanitize_html
from articles.translation import TRANSLATION, is_translation_column
from articles.versions_admin import (
    ReviewFilter,
    TranslationFilter,
    VersionedAdmin,
    VersionedForm,
)


@cache
def _rendered(field):
    """A read-only display of the rich-text `field`: its HTML, sanitized again, shown as HTML."""

    @admin.display(description=field.verbose_name)
    def display(obj):
        return mark_safe(sanitize_html(field.value_from_object(obj)))  # noqa: S308 - sanitized

    display.__name__ = field.name  # the field's CSS class and help text, as when editable
    return display


class RichTextAdmin:
    """For ModelAdmins and inlines: read-only rich text reads as formatted text.

    Django's read-only display escapes a model field's value, so staff who may only
    view the content (clinic staff) would read raw `<p>` tags. Wherever a rich-text
    field is read-only, it is swapped for a display of its sanitized HTML.
    """

    def _swaps(self, request, obj):
        names = [f.name for f in self.model._meta.fields if isinstance(f, RichTextField)]
        if self.has_change_permission(request, obj):
            readonly = super().get_readonly_fields(request, obj)
            names = [name for name in names if name in readonly]
        return {name: _rendered(self.model._meta.get_field(name)) for name in names}

    def get_readonly_fields(self, request, obj=None):
        swaps = self._swaps(request, obj)
        readonly = super().get_readonly_fields(request, obj)
        return [*(name for name in readonly if name not in swaps), *swaps.values()]

    def get_fieldsets(self, request, obj=None):
        swaps = self._swaps(request, obj)

        def swap(names):
            if isinstance(names, (list, tuple)):
                return type(names)(swap(name) for name in names)
            return swaps.get(names, names)

        return [
            (title, {**options, "fields": swap(options["fields"])})
            for title, options in super().get_fieldsets(request, obj)
        ]


class TranslatedAdmin:
    """For ModelAdmins and inlines whose model has Thai columns (placed beside their
    English fields by the fieldsets): a Thai input says its language, so that browsers
    and screen readers read it, and spell-check it, as Thai."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and is_translation_column(self.model, db_field.name):
            formfield.widget.attrs["lang"] = TRANSLATION
        return formfield


class ConditionPointFormSet(BaseInlineFormSet):
    @classmethod
    def get_default_prefix(cls):
        # "symptoms", "risk_factors": one prefix per inline, though both share a table.
        return cls.model.proxy_kind


class ConditionPointInline(TranslatedAdmin, RichTextAdmin, admin.TabularInline):
    """A condition's rows of one kind: the inline's proxy model (`Symptom`, `RiskFactor`)
    shows and saves that kind only, so editors never choose it."""

    formset = ConditionPointFormSet
    fields = ["order", "name", "name_th", "description", "description_th"]
    extra = 0


class RiskFactorInline(ConditionPointInline):
    model = RiskFactor


class SymptomInline(ConditionPointInline):
    model = Symptom


class ConditionTreatmentInline(TranslatedAdmin, RichTextAdmin, admin.TabularInline):
    model = ConditionTreatment
    fields = ["order", "treatment", "label", "label_th", "description", "description_th"]
    autocomplete_fields = ["treatment"]
    extra = 0


class TScoreBandInline(TranslatedAdmin, RichTextAdmin, admin.StackedInline):
    model = TScoreBand
    fields = [
        ("name", "name_th"),
        ("indicates_condition", "order"),
        ("lower_bound", "lower_inclusive"),
        ("upper_bound", "upper_inclusive"),
        ("explanation", "explanation_th"),
    ]
    extra = 0
    verbose_name_plural = _("T-score bands stated by this condition's diagnostic criteria")


@admin.register(Condition)
class ConditionAdmin(VersionedAdmin, TranslatedAdmin, RichTextAdmin, admin.ModelAdmin):
    form = VersionedForm
    list_display = [
        "name",
        "slug",
        "working_copy",
        "publication",
        "medical_review",
        "thai_translation",
    ]
    list_filter = [ReviewFilter, TranslationFilter]
    search_fields = ["name", "summary", "icd10_code"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": [("name", "name_th"), "slug", "icd10_code", ("summary", "summary_th")]}),
        (_("Page text"), {"fields": [("overview", "overview_th"), ("diagnosis", "diagnosis_th")]}),
    ]
    inlines = [SymptomInline, RiskFactorInline, ConditionTreatmentInline, TScoreBandInline]


class TreatmentPointInline(TranslatedAdmin, RichTextAdmin, admin.TabularInline):
    model = TreatmentPoint
    fields = ["kind", "order", "name", "name_th", "description", "description_th", "condition"]
    extra = 0
    verbose_name_plural = _("Steps, benefits, mechanisms, considerations and reported outcomes")


@admin.register(Treatment)
class TreatmentAdmin(VersionedAdmin, TranslatedAdmin, RichTextAdmin, admin.ModelAdmin):
    form = VersionedForm
    list_display = [
        "name",
        "kind",
        "evidence_status",
        "working_copy",
        "publication",
        "thai_translation",
    ]
    list_filter = [ReviewFilter, TranslationFilter, "kind", "evidence_status"]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": [("name", "name_th"), "slug", "kind", ("summary", "summary_th")]}),
        (_("Evidence"), {"fields": ["evidence_status", ("regulatory_note", "regulatory_note_th")]}),
        (_("Page text"), {"fields": [("description", "description_th")]}),
    ]
    inlines = [TreatmentPointInline]


class ArticleSectionInline(TranslatedAdmin, RichTextAdmin, admin.StackedInline):
    model = ArticleSection
    fields = [
        "order",
        "kind",
        ("heading", "heading_th"),
        ("body", "body_th"),
        ("condition", "treatment"),
    ]
    autocomplete_fields = ["condition", "treatment"]
    extra = 0


class ArticleReferenceInline(RichTextAdmin, admin.TabularInline):
    model = ArticleReference
    fields = ["order", "citation", "url", "doi"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    extra = 0


class ArticleAdminForm(VersionedForm):
    class Meta:
        model = Article
        fields = "__all__"

    def clean_hero_image(self):
        image = self.cleaned_data.get("hero_image")
        if image and hasattr(image, "content_type"):  # a new upload, not the stored file
            return clean_uploaded_image(image, "articles/hero")
        return image


@admin.register(Article)
class ArticleAdmin(VersionedAdmin, TranslatedAdmin, RichTextAdmin, admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = [
        "title",
        "working_copy",
        "publication",
        "publish_at",
        "medical_review",
        "next_review_due",
        "thai_translation",
    ]
    list_filter = [ReviewFilter, TranslationFilter, "conditions", "treatments"]
    search_fields = ["title", "standfirst", "slug"]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["conditions", "treatments"]
    fieldsets = [
        (None, {"fields": [("title", "title_th"), "slug", ("standfirst", "standfirst_th")]}),
        (_("Publishing"), {"fields": ["publish_at", "author_name"]}),
        (_("Topics"), {"fields": ["conditions", "treatments"]}),
        (_("Hero image"), {"fields": ["hero_image", ("hero_alt", "hero_alt_th")]}),
        (_("Search engines"), {"fields": [("meta_description", "meta_description_th")]}),
    ]
    inlines = [ArticleSectionInline, ArticleReferenceInline]
