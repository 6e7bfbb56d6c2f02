"""The clinic's medical content, stored as structured records.

Articles are ordered sections around shared records: a risk factor edited once
shows on the article and on its condition page alike.
"""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.richtext import RichTextField

T_SCORE_LIMIT = Decimal("10")  # |T| beyond this is not a plausible DEXA reading
SLUG_PATTERN = re.compile(r"[-a-zA-Z0-9_]{1,200}")


def clean_slug(value):
    """`value` if it could be a slug, else "": input from a URL is never sent to the
    database raw (PostgreSQL refuses NUL bytes with an error, not an empty result)."""
    value = (value or "").strip()
    return value if SLUG_PATTERN.fullmatch(value) else ""


class SeededModel(models.Model):
    """A row the content loader may have written.

    `seed_fingerprint` is the hash of the loaded values; when the row's current
    values no longer match it, staff edited the row and the loader leaves it alone.
    """

    seed_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True


class AutoOrdered(models.Model):
    """A row ordered within its parent; a blank order puts it last."""

    parent_field = None  # the name of the foreign key to the parent
    order = models.PositiveIntegerField(
        _("order"), blank=True, help_text=_("Blank: after the others.")
    )

    class Meta:
        abstract = True
        ordering = ["order", "pk"]

    def save(self, *args, **kwargs):
        if self.order is None:
            siblings = type(self)._default_manager.filter(**self.order_scope())
            self.order = (siblings.aggregate(models.Max("order"))["order__max"] or 0) + 1
        super().save(*args, **kwargs)

    def order_scope(self):
        """The rows this one is ordered among: lookups for a filter."""
        return {f"{self.parent_field}_id": getattr(self, f"{self.parent_field}_id")}


class OrderedRow(AutoOrdered, SeededModel):
    """A short named statement shown in a list (a risk factor, a therapy step…)."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta(AutoOrdered.Meta):
        abstract = True

    def __str__(self):
        return self.name


class Condition(SeededModel):
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    summary = models.TextField(
        _("summary"), max_length=400, help_text=_("One or two plain sentences for lists.")
    )
    overview = RichTextField(_("overview"))
    diagnosis = RichTextField(
        _("diagnosis"), blank=True, help_text=_("How the condition is diagnosed.")
    )
    icd10_code = models.CharField(_("ICD-10 code"), max_length=10, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:condition_detail", kwargs={"slug": self.slug})


class ConditionPoint(OrderedRow):
    """A symptom or a risk factor of a condition: one table, told apart by `kind`."""

    class Kind(models.TextChoices):
        # The values name the article blocks that show these rows (ArticleSection.Kind).
        RISK_FACTORS = "risk_factors", _("Risk factor")
        SYMPTOMS = "symptoms", _("Symptom")

    parent_field = "condition"
    proxy_kind = None  # set by the proxies below, which keep to one kind
    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="points")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta(OrderedRow.Meta):
        verbose_name = _("symptom or risk factor")
        verbose_name_plural = _("symptoms and risk factors")
        constraints = [
            models.UniqueConstraint(
                fields=["condition", "kind", "order"], name="conditionpoint_unique_order"
            ),
            models.UniqueConstraint(
                fields=["condition", "kind", "name"], name="conditionpoint_unique_name"
            ),
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.proxy_kind and not self.kind:
            self.kind = self.proxy_kind  # a new Symptom is a symptom from the start

    def save(self, *args, **kwargs):
        if self.proxy_kind:
            self.kind = self.proxy_kind
        super().save(*args, **kwargs)

    def order_scope(self):
        return {**super().order_scope(), "kind": self.kind}

    def _get_unique_checks(self, exclude=None, include_meta_constraints=False):
        # The admin's inline leaves the kind out of its form, yet its proxy fixes it: rows
        # sent together are checked for one name or order of that kind (a message, not a
        # database error), as they were when each kind had its own table.
        if self.proxy_kind and exclude is not None:
            exclude = set(exclude) - {"kind"}
        return super()._get_unique_checks(exclude, include_meta_constraints)


class OfProxyKind(models.Manager):
    """The rows of the proxy model's own kind."""

    def get_queryset(self):
        return super().get_queryset().filter(kind=self.model.proxy_kind)


class RiskFactor(ConditionPoint):
    proxy_kind = ConditionPoint.Kind.RISK_FACTORS

    objects = OfProxyKind()

    class Meta:
        proxy = True
        verbose_name = _("risk factor")


class Symptom(ConditionPoint):
    proxy_kind = ConditionPoint.Kind.SYMPTOMS

    objects = OfProxyKind()

    class Meta:
        proxy = True
        verbose_name = _("symptom")


class TScoreBand(SeededModel):
    """One band of the DEXA T-score scale; the interpreter reads its thresholds from here."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    condition = models.ForeignKey(
        Condition,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="t_score_bands",
        help_text=_("The condition this band indicates; blank for normal bone density."),
    )
    lower_bound = models.DecimalField(
        _("lower bound"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    lower_inclusive = models.BooleanField(_("lower bound included"), default=False)
    upper_bound = models.DecimalField(
        _("upper bound"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    upper_inclusive = models.BooleanField(_("upper bound included"), default=False)
    explanation = models.TextField(_("explanation"))
    order = models.PositiveIntegerField(_("order"), unique=True)

    class Meta:
        ordering = ["order"]
        verbose_name = _("T-score band")
        constraints = [
            models.CheckConstraint(
                condition=Q(lower_bound__isnull=True)
                | Q(upper_bound__isnull=True)
                | Q(lower_bound__lt=models.F("upper_bound")),
                name="tscoreband_lower_below_upper",
            ),
            models.CheckConstraint(
                condition=Q(lower_bound__isnull=False) | Q(upper_bound__isnull=False),
                name="tscoreband_has_a_bound",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.range_label})"

    def clean(self):
        if self.lower_bound is None and self.upper_bound is None:
            raise ValidationError(_("Give a lower bound, an upper bound or both."))
        if (
            self.lower_bound is not None
            and self.upper_bound is not None
            and self.lower_bound >= self.upper_bound
        ):
            raise ValidationError(
                {"upper_bound": _("The upper bound must be above the lower bound.")}
            )

    def contains(self, value):
        if self.lower_bound is not None and (
            value < self.lower_bound or (value == self.lower_bound and not self.lower_inclusive)
        ):
            return False
        return not (
            self.upper_bound is not None
            and (
                value > self.upper_bound or (value == self.upper_bound and not self.upper_inclusive)
            )
        )

    @property
    def range_label(self):
        lower, upper = _plain_number(self.lower_bound), _plain_number(self.upper_bound)
        if self.lower_bound is None:
            return f"T {'≤' if self.upper_inclusive else '<'} {upper}"
        if self.upper_bound is None:
            return f"T {'≥' if self.lower_inclusive else '>'} {lower}"
        return _("between %(upper)s and %(lower)s") % {"upper": upper, "lower": lower}


class Treatment(SeededModel):
    class Kind(models.TextChoices):
        MEDICATION = "medication", _("Medication")
        SUPPLEMENT = "supplement", _("Supplement")
        LIFESTYLE = "lifestyle", _("Lifestyle")
        REGENERATIVE = "regenerative", _("Regenerative therapy")

    class Evidence(models.TextChoices):
        ESTABLISHED = "established", _("Established treatment")
        EXPERIMENTAL = "experimental", _("Experimental")

    name = models.CharField(_("name"), max_length=160, unique=True)
    slug = models.SlugField(_("slug"), max_length=160, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    evidence_status = models.CharField(
        _("evidence status"), max_length=20, choices=Evidence.choices, db_index=True
    )
    summary = models.TextField(_("summary"), max_length=400)
    description = RichTextField(_("how it works"), blank=True)
    regulatory_note = models.TextField(
        _("regulatory note"),
        blank=True,
        help_text=_("Where the therapy stands: approval, trials, availability."),
    )
    conditions = models.ManyToManyField(
        Condition, through="ConditionTreatment", related_name="treatments", blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:treatment_detail", kwargs={"slug": self.slug})

    @property
    def is_experimental(self):
        return self.evidence_status == self.Evidence.EXPERIMENTAL


class ConditionTreatment(AutoOrdered, SeededModel):
    """A treatment as used for one condition, in that condition's words."""

    parent_field = "condition"
    condition = models.ForeignKey(
        Condition, on_delete=models.CASCADE, related_name="condition_treatments"
    )
    treatment = models.ForeignKey(
        Treatment, on_delete=models.CASCADE, related_name="condition_treatments"
    )
    label = models.CharField(
        _("label"), max_length=160, blank=True, help_text=_("Blank: the treatment's name.")
    )
    description = models.TextField(_("description"), blank=True)

    class Meta(AutoOrdered.Meta):
        verbose_name = _("treatment for a condition")
        constraints = [
            models.UniqueConstraint(
                fields=["condition", "treatment"], name="conditiontreatment_unique_pair"
            ),
            models.UniqueConstraint(
                fields=["condition", "order"], name="conditiontreatment_unique_order"
            ),
        ]

    def __str__(self):
        return f"{self.treatment} — {self.condition}"

    @property
    def name(self):
        return self.label or self.treatment.name


class TreatmentPoint(OrderedRow):
    """A step, benefit, mechanism, consideration or reported outcome of a treatment."""

    class Kind(models.TextChoices):
        STEPS = "steps", _("Step")
        BENEFITS = "benefits", _("Benefit")
        MECHANISMS = "mechanisms", _("Mechanism")
        CONSIDERATIONS = "considerations", _("Consideration")
        OUTCOMES = "outcomes", _("Reported outcome")

    parent_field = "treatment"
    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE, related_name="points")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    condition = models.ForeignKey(
        Condition,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Only for this condition; blank: true of the treatment in general."),
    )

    class Meta(OrderedRow.Meta):
        verbose_name = _("treatment point")
        constraints = [
            models.UniqueConstraint(
                fields=["treatment", "order"], name="treatmentpoint_unique_order"
            ),
        ]


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles the public may read: published, and their publish time has come."""
        return self.filter(status=Article.Status.PUBLISHED, publish_at__lte=timezone.now())

    def for_list(self):
        return self.only(
            "title", "slug", "standfirst", "publish_at", "hero_image", "hero_alt", "hero_renditions"
        )

    def related_to(self, article):
        """Other articles on the conditions `article` covers, newest first."""
        same_conditions = Article.objects.filter(conditions__articles=article).values("pk")
        return (
            self.filter(pk__in=same_conditions).exclude(pk=article.pk).order_by("-publish_at", "id")
        )

    def review_overdue(self):
        return self.filter(next_review_due__lt=timezone.localdate())


class Article(SeededModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    standfirst = models.TextField(
        _("standfirst"), max_length=600, help_text=_("The short introduction under the title.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    publish_at = models.DateTimeField(
        _("publish time"),
        default=timezone.now,
        help_text=_("A future time schedules the article: it stays hidden until then."),
    )
    author_name = models.CharField(_("author"), max_length=120, default="Genoma Health")
    reviewer_name = models.CharField(_("medical reviewer"), max_length=120, blank=True)
    reviewer_credentials = models.CharField(
        _("reviewer credentials"), max_length=160, blank=True, help_text=_("For example: MD, FRCP")
    )
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    next_review_due = models.DateField(_("next review due"), null=True, blank=True)
    hero_image = models.ImageField(_("hero image"), upload_to="articles/hero/", blank=True)
    hero_alt = models.CharField(
        _("hero image alt text"),
        max_length=250,
        blank=True,
        help_text=_("What the image shows, for readers who cannot see it. Required with an image."),
    )
    hero_renditions = models.JSONField(default=dict, blank=True, editable=False)
    meta_description = models.CharField(
        _("meta description"),
        max_length=160,
        validators=[MaxLengthValidator(160)],
        help_text=_("At most 160 characters, shown by search engines."),
    )
    conditions = models.ManyToManyField(Condition, related_name="articles", blank=True)
    treatments = models.ManyToManyField(Treatment, related_name="articles", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at"]
        indexes = [models.Index(fields=["status", "publish_at"], name="article_published_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(hero_image="") | ~Q(hero_alt=""), name="article_hero_needs_alt"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("meta_description"), 160),
                name="article_meta_description_max_160",
            ),
            models.CheckConstraint(
                condition=Q(last_reviewed__isnull=True)
                | Q(next_review_due__isnull=True)
                | Q(next_review_due__gte=models.F("last_reviewed")),
                name="article_review_due_after_review",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        from articles.images import discard_hero_files, refresh_hero_renditions

        previous = self._stored_hero(kwargs.get("update_fields"))
        refresh_hero_renditions(self)
        super().save(*args, **kwargs)
        if previous and previous[0] != self.hero_image.name:
            discard_hero_files(*previous, using=self._state.db)

    def get_absolute_url(self):
        return reverse("articles:article_detail", kwargs={"slug": self.slug})

    def clean(self):
        if self.hero_image and not self.hero_alt.strip():
            raise ValidationError(
                {"hero_alt": _("Describe the image for readers who cannot see it.")}
            )
        if (
            self.last_reviewed
            and self.next_review_due
            and self.next_review_due < self.last_reviewed
        ):
            raise ValidationError(
                {"next_review_due": _("The next review cannot come before the last one.")}
            )

    def _stored_hero(self, update_fields):
        """The hero image and renditions in the database, if this save may replace them."""
        if self._state.adding or (update_fields is not None and "hero_image" not in update_fields):
            return None
        stored = type(self)._default_manager.filter(pk=self.pk)
        return stored.values_list("hero_image", "hero_renditions").first()

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED and self.publish_at <= timezone.now()

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and self.publish_at > timezone.now()

    @property
    def awaiting_medical_review(self):
        return not self.reviewer_name

    @property
    def hero_sizes(self):
        return (self.hero_renditions or {}).get("sizes", [])

    @property
    def hero_fallback(self):
        """The largest rendition: its size goes in the img tag's width and height."""
        sizes = self.hero_sizes
        return sizes[-1] if sizes else None


class ArticleReference(AutoOrdered):
    parent_field = "article"
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="references")
    citation = models.TextField(_("citation"))
    url = models.URLField(_("URL"), blank=True, max_length=500)
    doi = models.CharField(_("DOI"), max_length=200, blank=True)

    class Meta(AutoOrdered.Meta):
        verbose_name = _("reference")
        constraints = [
            models.UniqueConstraint(fields=["article", "order"], name="reference_unique_order"),
        ]

    def __str__(self):
        return self.citation[:80]

    @property
    def link(self):
        if self.doi:
            return f"https://doi.org/{self.doi}"
        return self.url


# The blocks a section can be besides rich text: one per kind of row it shows, named
# by that kind (a condition's treatments are a table of their own, so named here).
CONDITION_TREATMENTS = "condition_treatments"
CONDITION_BLOCKS = (*ConditionPoint.Kind.values, CONDITION_TREATMENTS)
TREATMENT_BLOCKS = tuple(TreatmentPoint.Kind.values)
BLOCK_LABELS = {
    ConditionPoint.Kind.RISK_FACTORS: _("Condition: risk factors"),
    ConditionPoint.Kind.SYMPTOMS: _("Condition: symptoms"),
    CONDITION_TREATMENTS: _("Condition: established treatments"),
    TreatmentPoint.Kind.STEPS: _("Treatment: steps"),
    TreatmentPoint.Kind.BENEFITS: _("Treatment: benefits"),
    TreatmentPoint.Kind.MECHANISMS: _("Treatment: mechanisms"),
    TreatmentPoint.Kind.CONSIDERATIONS: _("Treatment: considerations"),
    TreatmentPoint.Kind.OUTCOMES: _("Treatment: reported outcomes"),
}


class ArticleSection(AutoOrdered, SeededModel):
    """Rich text, or a block that renders structured records under its own heading."""

    Kind = models.TextChoices(
        "Kind",
        [
            ("TEXT", ("text", _("Rich text"))),
            *((kind.upper(), (kind, BLOCK_LABELS[kind])) for kind in CONDITION_BLOCKS),
            *((kind.upper(), (kind, BLOCK_LABELS[kind])) for kind in TREATMENT_BLOCKS),
        ],
        module=__name__,
        qualname="ArticleSection.Kind",
    )
    CONDITION_KINDS = tuple(map(Kind, CONDITION_BLOCKS))
    TREATMENT_KINDS = tuple(map(Kind, TREATMENT_BLOCKS))

    parent_field = "article"
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.TEXT)
    heading = models.CharField(_("heading"), max_length=200, blank=True)
    body = RichTextField(
        _("text"), blank=True, help_text=_("The section's text; for a block, its introduction.")
    )
    condition = models.ForeignKey(
        Condition, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    treatment = models.ForeignKey(
        Treatment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta(AutoOrdered.Meta):
        verbose_name = _("section")
        constraints = [
            models.UniqueConstraint(fields=["article", "order"], name="section_unique_order"),
            models.CheckConstraint(
                condition=~Q(kind__in=CONDITION_BLOCKS) | Q(condition__isnull=False),
                name="section_condition_block_has_condition",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=TREATMENT_BLOCKS) | Q(treatment__isnull=False),
                name="section_treatment_block_has_treatment",
            ),
        ]

    def __str__(self):
        return self.heading or f"{self.get_kind_display()} #{self.order}"

    def clean(self):
        if self.kind in self.CONDITION_KINDS and not self.condition_id:
            raise ValidationError({"condition": _("Choose the condition whose rows to show.")})
        if self.kind in self.TREATMENT_KINDS and not self.treatment_id:
            raise ValidationError({"treatment": _("Choose the treatment whose rows to show.")})


def _plain_number(value):
    """-2.50 → "-2.5", -1.00 → "-1": thresholds as people write them."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _prefetched(instance, attr, related_name):
    if hasattr(instance, attr):
        return getattr(instance, attr)
    return list(getattr(instance, related_name).all())
