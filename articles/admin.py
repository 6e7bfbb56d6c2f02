from datetime import timedelta
from functools import cache

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.images import clean_uploaded_image
from articles.models import (
    Article,
    ArticleReference,
    ArticleSection,
    Condition,
    ConditionPoint,
    ConditionTreatment,
    RiskFactor,
    Symptom,
    Treatment,
    TreatmentPoint,
    TScoreBand,
)
from articles.richtext import RichTextField, sanitize_html


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


class ConditionPointFormSet(BaseInlineFormSet):
    @classmethod
    def get_default_prefix(cls):
        # "symptoms", "risk_factors": one prefix per inline, though both share a table.
        return cls.model.proxy_kind


class ConditionPointInline(RichTextAdmin, admin.TabularInline):
    """A condition's rows of one kind: the inline's proxy model (`Symptom`, `RiskFactor`)
    shows and saves that kind only, so editors never choose it."""

    formset = ConditionPointFormSet
    fields = ["order", "name", "description"]
    extra = 0


class RiskFactorInline(ConditionPointInline):
    model = RiskFactor


class SymptomInline(ConditionPointInline):
    model = Symptom


class ConditionTreatmentInline(RichTextAdmin, admin.TabularInline):
    model = ConditionTreatment
    fields = ["order", "treatment", "label", "description"]
    autocomplete_fields = ["treatment"]
    extra = 0


@admin.register(Condition)
class ConditionAdmin(RichTextAdmin, admin.ModelAdmin):
    list_display = ["name", "slug", "icd10_code", "risk_factor_count", "updated_at"]
    search_fields = ["name", "summary", "icd10_code"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "icd10_code", "summary"]}),
        (_("Page text"), {"fields": ["overview", "diagnosis"]}),
    ]
    inlines = [SymptomInline, RiskFactorInline, ConditionTreatmentInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                risk_factor_total=Count(
                    "points", filter=Q(points__kind=ConditionPoint.Kind.RISK_FACTORS)
                )
            )
            .order_by("name")
        )

    @admin.display(description=_("risk factors"), ordering="risk_factor_total")
    def risk_factor_count(self, condition):
        return condition.risk_factor_total


@admin.register(TScoreBand)
class TScoreBandAdmin(RichTextAdmin, admin.ModelAdmin):
    list_display = ["name", "range_label", "condition", "order"]
    list_select_related = ["condition"]
    fields = [
        "name",
        "condition",
        ("lower_bound", "lower_inclusive"),
        ("upper_bound", "upper_inclusive"),
        "explanation",
        "order",
    ]
    autocomplete_fields = ["condition"]

    @admin.display(description=_("range"))
    def range_label(self, band):
        return band.range_label


class TreatmentPointInline(RichTextAdmin, admin.TabularInline):
    model = TreatmentPoint
    fields = ["kind", "order", "name", "description", "condition"]
    extra = 0
    verbose_name_plural = _("Steps, benefits, mechanisms, considerations and reported outcomes")


@admin.register(Treatment)
class TreatmentAdmin(RichTextAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "evidence_status", "updated_at"]
    list_filter = ["kind", "evidence_status", "conditions"]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "summary"]}),
        (_("Evidence"), {"fields": ["evidence_status", "regulatory_note"]}),
        (_("Page text"), {"fields": ["description"]}),
    ]
    inlines = [TreatmentPointInline]


class ArticleSectionInline(RichTextAdmin, admin.StackedInline):
    model = ArticleSection
    fields = ["order", "kind", "heading", "body", ("condition", "treatment")]
    autocomplete_fields = ["condition", "treatment"]
    extra = 0


class ArticleReferenceInline(RichTextAdmin, admin.TabularInline):
    model = ArticleReference
    fields = ["order", "citation", "url", "doi"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    extra = 0


class ReviewDueFilter(admin.SimpleListFilter):
    title = _("medical review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Review overdue")),
            ("due_30_days", _("Due within 30 days")),
            ("awaiting", _("Awaiting medical review")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.review_overdue()
        if self.value() == "due_30_days":
            return queryset.filter(
                next_review_due__gte=today, next_review_due__lte=today + timedelta(days=30)
            )
        if self.value() == "awaiting":
            return queryset.filter(reviewer_name="")
        return queryset


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose what is shown

    def clean_hero_image(self):
        image = self.cleaned_data.get("hero_image")
        if image and hasattr(image, "content_type"):  # a new upload, not the stored file
            return clean_uploaded_image(image, "articles/hero")
        return image


@admin.register(Article)
class ArticleAdmin(RichTextAdmin, admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = [
        "title",
        "publication",
        "publish_at",
        "medical_review",
        "next_review_due",
    ]
    list_filter = ["status", ReviewDueFilter, "conditions", "treatments"]
    search_fields = ["title", "standfirst", "slug"]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["conditions", "treatments"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "standfirst"]}),
        (_("Publishing"), {"fields": ["status", "publish_at", "author_name"]}),
        (
            _("Medical review"),
            {
                "fields": [
                    ("reviewer_name", "reviewer_credentials"),
                    ("last_reviewed", "next_review_due"),
                ]
            },
        ),
        (_("Topics"), {"fields": ["conditions", "treatments"]}),
        (_("Hero image"), {"fields": ["hero_image", "hero_alt"]}),
        (_("Search engines"), {"fields": ["meta_description"]}),
        (_("History"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]
    inlines = [ArticleSectionInline, ArticleReferenceInline]
    actions = ["publish", "unpublish"]

    @admin.display(description=_("publication"), ordering="status")
    def publication(self, article):
        if article.is_scheduled:
            return _("Scheduled")
        return article.get_status_display()

    @admin.display(description=_("medical review"), ordering="reviewer_name")
    def medical_review(self, article):
        if article.awaiting_medical_review:
            return _("Awaiting medical review")
        return f"{article.reviewer_name}, {article.reviewer_credentials}".rstrip(", ")

    @admin.action(description=_("Publish the selected articles"), permissions=["change"])
    def publish(self, request, queryset):
        updated = 0
        for article in queryset.exclude(status=Article.Status.PUBLISHED):
            article.status = Article.Status.PUBLISHED
            article.save(update_fields=["status", "updated_at"])
            updated += 1
        self.message_user(
            request,
            ngettext("%d article published.", "%d articles published.", updated) % updated,
            messages.SUCCESS,
        )

    @admin.action(description=_("Return the selected articles to draft"), permissions=["change"])
    def unpublish(self, request, queryset):
        updated = 0
        for article in queryset.filter(status=Article.Status.PUBLISHED):
            article.status = Article.Status.DRAFT
            article.save(update_fields=["status", "updated_at"])
            updated += 1
        self.message_user(
            request,
            ngettext("%d article returned to draft.", "%d articles returned to draft.", updated)
            % updated,
            messages.SUCCESS,
        )
