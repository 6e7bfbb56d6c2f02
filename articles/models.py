"""The clinic's medical content, stored as structured records.

Articles are ordered sections around shared records: a risk factor edited once
shows on the article and on its condition page alike.
"""

import re
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from articles.richtext import RichTextField
from articles.translation import SOURCE, TRANSLATION, translation_of

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
    name_th = translation_of(name)
    description_th = translation_of(description)

    class Meta(AutoOrdered.Meta):
        abstract = True

    def __str__(self):
        return self.name


class Condition(SeededModel):
    # Versioned as a whole (articles/versioning.py): these parts go with each version.
    version_parts = ("points", "condition_treatments", "t_score_bands")
    version_topics = ()
    version_title_field = "name"
    version_summary_field = "summary"
    url_name = "articles:condition_detail"

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    summary = models.TextField(
        _("summary"), max_length=400, help_text=_("One or two plain sentences for lists.")
    )
    overview = RichTextField(_("overview"))
    diagnosis = RichTextField(
        _("diagnosis"), blank=True, help_text=_("How the condition is diagnosed.")
    )
    name_th = translation_of(name)
    summary_th = translation_of(summary)
    overview_th = translation_of(overview)
    diagnosis_th = translation_of(diagnosis)
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
        on_delete=models.CASCADE,
        related_name="t_score_bands",
        help_text=_(
            "The condition whose diagnostic criteria state this band: the band is edited, "
            "reviewed and published with it."
        ),
    )
    indicates_condition = models.BooleanField(
        _("indicates the condition"),
        default=True,
        help_text=_(
            "Off for a band that is not the condition itself, such as normal bone density."
        ),
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
    name_th = translation_of(name)
    explanation_th = translation_of(explanation)
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
        lower, upper = plain_number(self.lower_bound), plain_number(self.upper_bound)
        if self.lower_bound is None:
            return f"T {'≤' if self.upper_inclusive else '<'} {upper}"
        if self.upper_bound is None:
            return f"T {'≥' if self.lower_inclusive else '>'} {lower}"
        return _("between %(upper)s and %(lower)s") % {"upper": upper, "lower": lower}


class Treatment(SeededModel):
    version_parts = ("points",)
    version_topics = ()
    version_title_field = "name"
    version_summary_field = "summary"
    url_name = "articles:treatment_detail"

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
    name_th = translation_of(name)
    summary_th = translation_of(summary)
    description_th = translation_of(description)
    regulatory_note_th = translation_of(regulatory_note)
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
    label_th = translation_of(label)
    description_th = translation_of(description)

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


class Article(SeededModel):
    version_parts = ("sections", "references")
    version_topics = ("conditions", "treatments")
    version_title_field = "title"
    version_summary_field = "standfirst"
    url_name = "articles:article_detail"

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    standfirst = models.TextField(
        _("standfirst"), max_length=600, help_text=_("The short introduction under the title.")
    )
    publish_at = models.DateTimeField(
        _("publish time"),
        default=timezone.now,
        help_text=_(
            "The date the article shows. A future time schedules it: publishing an approved "
            "version then makes it live at this time, not before."
        ),
    )
    author_name = models.CharField(_("author"), max_length=120, default="Genoma Health")
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
    title_th = translation_of(title)
    standfirst_th = translation_of(standfirst)
    hero_alt_th = translation_of(hero_alt)
    meta_description_th = translation_of(meta_description)
    conditions = models.ManyToManyField(Condition, related_name="articles", blank=True)
    treatments = models.ManyToManyField(Treatment, related_name="articles", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-publish_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hero_image="") | ~Q(hero_alt=""), name="article_hero_needs_alt"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("meta_description"), 160),
                name="article_meta_description_max_160",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        from articles.images import discard_hero_files, refresh_hero_renditions

        previous = self._stored_hero(kwargs.get("update_fields"))
        refresh_hero_renditions(self, previous)
        super().save(*args, **kwargs)
        if previous and previous[0] != self.hero_image.name:
            discard_hero_files(*previous, using=self._state.db)

    def get_absolute_url(self):
        return reverse(self.url_name, kwargs={"slug": self.slug})

    def clean(self):
        if self.hero_image and not self.hero_alt.strip():
            raise ValidationError(
                {"hero_alt": _("Describe the image for readers who cannot see it.")}
            )

    def _stored_hero(self, update_fields):
        """The hero image and renditions in the database, if this save may replace them."""
        if self._state.adding or (update_fields is not None and "hero_image" not in update_fields):
            return None
        stored = type(self)._default_manager.filter(pk=self.pk)
        return stored.values_list("hero_image", "hero_renditions").first()

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
    heading_th = translation_of(heading)
    body_th = translation_of(body)
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


def plain_number(value):
    """-2.50 → "-2.5", -1.00 → "-1": thresholds as people write them."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class Publications(models.Model):
    """How many times what the public reads has changed: one row, counted up in the
    transaction of every publication, withdrawal or cancelled schedule.

    A page worked out from published versions (`Version.page`) is good for the count
    it was worked out under, and never after.
    """

    count = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return str(self.count)

    @classmethod
    def count_one(cls):
        """Count a change (inside the changing transaction)."""
        if not cls.objects.filter(pk=1).update(count=models.F("count") + 1):
            cls.objects.get_or_create(pk=1, defaults={"count": 1})

    @classmethod
    def current(cls):
        """The count as an expression, to read in the same statement as a page's version."""
        return models.Subquery(cls.objects.filter(pk=1).values("count")[:1])


class SearchDocument(models.Func):
    """A version's words as PostgreSQL's full-text search weighs them: its title (A), its
    summary (B) and its text (C), in English. SQLite has no full-text search of this kind:
    there the column holds nothing, and search reads the words themselves."""

    template = "%(expressions)s"
    output_field = SearchVectorField()

    def __init__(self):
        weighted = [
            SearchVector(name, weight=weight, config="english")
            for name, weight in (("title", "A"), ("summary", "B"), ("search_text", "C"))
        ]
        super().__init__(weighted[0] + weighted[1] + weighted[2])

    def as_sqlite(self, compiler, connection, **extra_context):
        return "NULL", []


# What a list shows of a version (a card, a link, a feed entry, a sitemap's address).
LIST_COLUMNS = (
    "content_type",
    "object_id",
    "language",
    "title",
    "slug",
    "summary",
    "publish_at",
    "live_from",
)


class VersionQuerySet(models.QuerySet):
    def of(self, model):
        return self.filter(content_type=ContentType.objects.get_for_model(model))

    def of_record(self, record, language=None):
        """The versions of `record`; in one language when `language` is given."""
        versions = self.of(type(record)).filter(object_id=record.pk)
        return versions if language is None else versions.filter(language=language)

    def live(self):
        """The versions the public reads now: one per record at most, published, its time
        come and not yet withdrawn or replaced."""
        now = timezone.now()
        return self.filter(Q(live_until__isnull=True) | Q(live_until__gt=now), live_from__lte=now)

    def public(self):
        """The records the public reads: their live English version. A record is public
        while its English version is live; a translation shows only beside it."""
        return self.live().filter(language=SOURCE)

    def in_language(self, language=None):
        """Live versions in the page's language (the active one) and in English, for a page
        to show the translation where there is one and the English text where not."""
        language = language or get_language()
        return self.live().filter(language__in={SOURCE, language})

    def moved_from(self, model, slug):
        """The live version of the `model` record once published at `slug` and at another
        address now: an old address answers with a permanent redirect to the new one."""
        once_there = Version.objects.of(model).filter(slug=slug, live_from__lte=timezone.now())
        once_there = once_there.values("object_id")
        return self.public().of(model).filter(object_id__in=once_there).exclude(slug=slug).first()

    # One method per public page shape, in the active language. Lists read the version's
    # own columns, not its document; pages read one document each.

    def for_list(self):
        """The public records' English versions, each with its live translation's title and
        summary when the page is not in English (`shown_title`, `shown_summary`); only the
        columns a list shows (`LIST_COLUMNS`: a row of twenty-four columns, its dates among
        them, cost a twenty-entry feed a quarter of its time)."""
        versions = self.public().only(*LIST_COLUMNS)
        language = get_language()
        if language == SOURCE:
            return versions
        translated = Version.objects.live().filter(
            language=language,
            content_type=models.OuterRef("content_type"),
            object_id=models.OuterRef("object_id"),
        )
        return versions.annotate(
            translated_title=models.Subquery(translated.values("title")[:1]),
            translated_summary=models.Subquery(translated.values("summary")[:1]),
        )

    def articles_for_list(self):
        return self.of(Article).for_list().order_by("-publish_at", "-object_id")

    def treatments_for_list(self):
        """As `for_list()`, with each treatment's document: lists show its kind and evidence."""
        return self.of(Treatment).for_list().only(*LIST_COLUMNS, "data")

    def for_page(self):
        """Live versions with what a page shows of them, in the page's language and in
        English (pages.find_published chooses)."""
        return (
            self.in_language()
            .select_related("approved_by")
            .defer("search_text")
            .annotate(publications=Publications.current())
        )

    def next_change(self):
        """The next moment what the public reads changes by itself (a version scheduled
        to go live, or to give way to one); None when none is scheduled."""
        now = timezone.now()
        moments = [
            self.filter(**{f"{field}__gt": now}).order_by(field).values_list(field, flat=True)[:1]
            for field in ("live_from", "live_until")
        ]
        return min((moment for found in moments for moment in found), default=None)

    def working_copies(self):
        """The latest version of each record in each language."""
        newer = Version.objects.filter(
            content_type=models.OuterRef("content_type"),
            object_id=models.OuterRef("object_id"),
            language=models.OuterRef("language"),
            number__gt=models.OuterRef("number"),
        )
        return self.exclude(models.Exists(newer))

    def waiting_for_review(self):
        return self.working_copies().filter(state=Version.State.SUBMITTED).order_by("submitted_at")

    def review_due(self, within_days=30):
        """Live versions whose medical review is due within `within_days` or overdue."""
        horizon = timezone.localdate() + timedelta(days=within_days)
        return self.live().filter(next_review_due__lte=horizon).order_by("next_review_due")

    def of_existing_records(self):
        """Versions whose record still exists: a deleted record waits for nobody's review."""
        existing = Q()
        for model in (Article, Condition, Treatment):
            existing |= Q(
                content_type=ContentType.objects.get_for_model(model),
                object_id__in=model.objects.values("pk"),
            )
        return self.filter(existing)

    # The admin index's "Translations to do" (articles/templatetags/editorial.py): the
    # English working copies of existing records, by kind and title, read a page at a
    # time so that the panel's cost does not grow with the number of records.

    def to_translate(self):
        """The English working copies of existing records, in the panel's order (by kind,
        then title; the id breaks ties, so that pages read one after another do not
        overlap), without the documents a list does not show."""
        return (
            self.working_copies()
            .filter(language=SOURCE)
            .of_existing_records()
            .select_related("content_type")
            .defer("data", "page", "search_text")
            .order_by("content_type", "title", "pk")
        )

    def untranslated(self):
        """The English working copies whose record has no translation at all."""
        return self.to_translate().exclude(models.Exists(_translations()))

    def translated_from_another_version(self):
        """The English working copies whose translation's working copy was made from another
        English version (`thai_source`, None when that version is gone): those that may be
        out of date. Only their words can tell (versions_admin.stale_translations): an
        English save that changed no words, such as a new slug, leaves a translation up
        to date."""
        latest = _translations().order_by("-number")
        return (
            self.to_translate()
            .filter(models.Exists(_translations()))
            .annotate(thai_source=models.Subquery(latest.values("source")[:1]))
            .filter(Q(thai_source__isnull=True) | ~Q(thai_source=models.F("pk")))
        )


def _translations():
    """The translation's versions of the record of the English version the query reads."""
    return Version.objects.filter(
        content_type=models.OuterRef("content_type"),
        object_id=models.OuterRef("object_id"),
        language=TRANSLATION,
    )


class VersionManager(models.Manager.from_queryset(VersionQuerySet)):
    def get_queryset(self):
        # The search document is for PostgreSQL's search to read, never Python.
        return super().get_queryset().defer("search_document")


class ShareCardQuerySet(models.QuerySet):
    def image_of(self, version):
        """The stored name of the card of `version`'s title and hero photo in its
        language, once a job made it (articles/cards.py); None until then."""
        return (
            self.filter(
                content_type_id=version.content_type_id,
                object_id=version.object_id,
                language=version.language,
                title=version.title,
                hero_image=version.data["fields"].get("hero_image") or "",
            )
            .values_list("image", flat=True)
            .first()
        )


class ShareCard(models.Model):
    """The share card (og:image) of a record's published title, and hero photo, in one
    language: a 1200×630 image in the media storage, made by a job (articles/cards.py)
    and deleted once no live or scheduled version shows that title any more."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(max_length=200)
    hero_image = models.CharField(max_length=255, blank=True)  # the photo beside the title
    image = models.CharField(max_length=255)  # its stored name
    created_at = models.DateTimeField(default=timezone.now)

    objects = ShareCardQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "language", "title", "hero_image"],
                name="sharecard_unique_title",
            ),
        ]

    def __str__(self):
        return self.image


class ReviewDigest(models.Model):
    """A weekly email to the Medical reviewers about the content whose review is due:
    one row per week sent, so that the job workers of several app servers send it once."""

    week = models.DateField(unique=True)  # its Monday
    sent_at = models.DateTimeField(auto_now_add=True)
    versions = models.PositiveIntegerField()

    def __str__(self):
        return str(self.week)


class Version(models.Model):
    """One saved state of an article, a condition or a treatment, as a whole.

    Every save in admin that changes something records a version. A clinician approves
    a version, not a record: a change after approval is a new version that needs its
    own. The public reads the published version (`live_from` ≤ now < `live_until`),
    never the working copy.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Changes requested")
        PUBLISHED = "published", _("Published")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    # No GenericRelation on the records: versions outlive a deleted record, as evidence.
    object_id = models.PositiveBigIntegerField()
    # English is the source; a Thai version is numbered, reviewed and published on its
    # own, and remembers the English version it was translated from.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=SOURCE
    )
    number = models.PositiveIntegerField(_("version"))
    source = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("translated from"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    data = models.JSONField(encoder=DjangoJSONEncoder)
    # Read from `data` when the version is recorded, for lists, links and search.
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    search_text = models.TextField(blank=True)  # every text's words, the title's too
    # Worked out by PostgreSQL on every write, and indexed there (migration 0008).
    search_document = models.GeneratedField(
        expression=SearchDocument(), output_field=SearchVectorField(), db_persist=True
    )
    publish_at = models.DateTimeField(_("publish time"), null=True, blank=True)
    conditions = models.ManyToManyField(Condition, related_name="+", blank=True)
    treatments = models.ManyToManyField(Treatment, related_name="+", blank=True)

    change_note = models.CharField(_("change note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_by_name = models.CharField(_("saved by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("saved at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    approved_by = models.ForeignKey(
        "team.Clinician",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_versions",
        verbose_name=_("approved by"),
    )
    next_review_due = models.DateField(_("next review due"), null=True, blank=True)

    # What the public page of this version shows, worked out from the published
    # versions it links to (articles/pages.py): valid for one `Publications` count and
    # until the next scheduled change, then worked out again.
    page = models.JSONField(null=True, blank=True, editable=False, encoder=DjangoJSONEncoder)

    live_from = models.DateTimeField(_("live from"), null=True, blank=True)
    live_until = models.DateTimeField(_("live until"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = VersionManager()

    class Meta:
        # No default ordering: the public pages' queries ask for none, and each list
        # orders itself (history: newest first).
        verbose_name = _("version")
        permissions = [
            ("approve_version", _("Can approve or send back a version (as a linked clinician)")),
            ("publish_version", _("Can publish and unpublish an approved version")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "language", "number"],
                name="version_unique_number",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | Q(reviewed_at__isnull=False),
                name="version_approval_has_time",
            ),
            models.CheckConstraint(
                condition=Q(live_until__isnull=True)
                | Q(live_from__isnull=False, live_until__gte=models.F("live_from")),
                name="version_live_until_after_from",
            ),
        ]
        indexes = [
            models.Index(fields=["content_type", "slug"], name="version_slug_idx"),
            models.Index(fields=["content_type", "live_from"], name="version_live_idx"),
            # One record's live version in one language: a Thai list's translated titles,
            # one per row (without it SQLite read every live version of the kind for each
            # row: a Thai list of 100 conditions 27 ms, with it 2 ms).
            models.Index(
                fields=["content_type", "object_id", "language", "live_from"],
                name="version_record_live_idx",
            ),
            # The lists, newest first (VersionQuerySet.articles_for_list): a page is read
            # in this order, without sorting every article; and with the live columns the
            # list's count reads the index alone (PostgreSQL read every version to count
            # 2,000 live articles: 2.9 ms, from the index 0.5 ms).
            models.Index(
                fields=[
                    "content_type",
                    "language",
                    "-publish_at",
                    "-object_id",
                    "live_from",
                    "live_until",
                ],
                name="version_list_idx",
            ),
        ]

    def __str__(self):
        return _("%(title)s, version %(number)s") % {"title": self.title, "number": self.number}

    def get_absolute_url(self):
        """The record's address in the active language (a page may link one record many
        times: reversed once per language)."""
        urls = self.__dict__.setdefault("_urls", {})
        language = get_language()
        if language not in urls:
            urls[language] = reverse(self.model.url_name, kwargs={"slug": self.slug})
        return urls[language]

    @property
    def model(self):
        # get_for_id is cached per process: no query per version in a list.
        return ContentType.objects.get_for_id(self.content_type_id).model_class()

    @property
    def admin_url(self):
        """Its record's change page in admin (where staff review and publish it)."""
        meta = self.model._meta
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[self.object_id])

    @property
    def kind(self):
        return self.model._meta.verbose_name

    @cached_property
    def record(self):
        """The record as this version has it: an unsaved instance, for pages to read."""
        model = self.model
        record = model(pk=self.object_id)
        for name, value in self.data["fields"].items():
            setattr(record, name, model._meta.get_field(name).to_python(value))
        return record

    @property
    def is_live(self):
        now = timezone.now()
        return bool(self.live_from and self.live_from <= now) and (
            self.live_until is None or self.live_until > now
        )

    @property
    def is_scheduled(self):
        return bool(self.live_from and self.live_from > timezone.now())

    # A list's English version with its translation's words (VersionQuerySet.for_list).

    @property
    def shown_title(self):
        return getattr(self, "translated_title", None) or self.title

    @property
    def shown_summary(self):
        return getattr(self, "translated_summary", None) or self.summary

    @property
    def shown_language(self):
        """The language of `shown_title` and `shown_summary`."""
        return get_language() if getattr(self, "translated_title", None) else self.language

    @property
    def is_approved(self):
        return self.approved_by_id is not None

    @property
    def reviewed_on(self):
        """The day of the clinician's approval, in the clinic's time zone."""
        return timezone.localdate(self.reviewed_at) if self.is_approved else None
