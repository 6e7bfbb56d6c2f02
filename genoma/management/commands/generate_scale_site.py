"""A large synthetic site beside the clinic's three posts, for measuring how cost grows
with content (`make bench-scale`, scripts/bench_scale.py).

Written in bulk, as the site itself would have written it: conditions with their
symptoms, risk factors and treatments; treatments with their points; articles with
their sections (text, and blocks showing those rows) and references; each published
in English and in Thai as a clinician approved it (version 1 of each language, the
Thai one made from the English one, its document and columns as `record_version`
writes them); and consultation requests with the audit trail that the form, the
emails and staff's review write. Only into a database that holds nothing but the
clinic's posts: never into the clinic's own.
"""

import random
import uuid
from datetime import UTC, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from articles.models import (
    Article,
    ArticleReference,
    ArticleSection,
    Condition,
    ConditionPoint,
    ConditionTreatment,
    Publications,
    Treatment,
    TreatmentPoint,
    Version,
)
from articles.publishing import a_year_after, describe_version
from articles.roles import CLINIC_STAFF, MEDICAL_REVIEWERS
from articles.translation import SOURCE, TRANSLATION
from articles.versioning import take_snapshot
from articles.views import ARTICLES_PER_PAGE
from consultations.models import REFERENCE_ALPHABET, ConsultationEvent, ConsultationRequest
from team.models import Clinician

BATCH = 2000
# fmt: off
ENGLISH = [
    "bone", "density", "calcium", "vitamin", "fracture", "hip", "spine", "wrist",
    "hormone", "estrogen", "menopause", "exercise", "walking", "balance", "fall", "prevention",
    "diet", "protein", "dairy", "sunlight", "scan", "dexa", "score", "skeleton",
    "marrow", "cell", "stem", "therapy", "injection", "culture", "regeneration", "collagen",
    "osteoblast", "osteoclast", "remodelling", "loss", "strength", "mineral", "medication", "bisphosphonate",
    "treatment", "risk", "factor", "symptom", "pain", "posture", "height", "doctor",
    "clinic", "patient", "study", "trial", "evidence", "safety", "dose", "week",
    "month", "year", "age", "women", "men", "family", "history", "smoking",
    "alcohol", "weight", "muscle", "joint", "cartilage", "inflammation", "recovery", "healing",
    "growth",
]
THAI = [
    "กระดูก", "แคลเซียม", "วิตามินดี", "กระดูกหัก", "สะโพก",
    "กระดูกสันหลัง", "ข้อมือ", "ความหนาแน่น", "การรักษา", "ผู้ป่วย",
    "แพทย์", "สเต็มเซลล์", "การออกกำลังกาย", "อาหาร", "ฮอร์โมน",
    "วัยหมดประจำเดือน", "ความเสี่ยง", "อาการ", "การตรวจ", "ยา",
    "กล้ามเนื้อ", "ข้อต่อ", "การฟื้นตัว", "โปรตีน", "น้ำหนัก",
]
FIRST_NAMES = [
    "Somchai", "Malee", "Niran", "Ploy", "Anan", "Kanya",
    "Arthit", "Suda", "John", "Mary", "Wei", "Aiko",
]
LAST_NAMES = [
    "Jaidee", "Srisuk", "Wongsa", "Chaiyo", "Boonmee",
    "Smith", "Tanaka", "Chen", "Rattana", "Kaewkla",
]
# fmt: on
# What became of the requests, out of every hundred.
OUTCOMES = {
    ConsultationRequest.Status.COMPLETED: 45,
    ConsultationRequest.Status.DECLINED: 8,
    ConsultationRequest.Status.CANCELLED: 5,
    ConsultationRequest.Status.SPAM: 5,
    ConsultationRequest.Status.NEW: 15,
    ConsultationRequest.Status.CONTACTED: 17,
    ConsultationRequest.Status.SCHEDULED: 5,
}
# The statuses a request passes through on its way to each outcome, after "new".
PATHS = {
    ConsultationRequest.Status.NEW: [],
    ConsultationRequest.Status.CONTACTED: ["contacted"],
    ConsultationRequest.Status.SCHEDULED: ["contacted", "scheduled"],
    ConsultationRequest.Status.COMPLETED: ["contacted", "scheduled", "completed"],
    ConsultationRequest.Status.DECLINED: ["contacted", "declined"],
    ConsultationRequest.Status.CANCELLED: ["contacted", "cancelled"],
    ConsultationRequest.Status.SPAM: [],
}


class Command(BaseCommand):
    help = "Fill a new database with a large synthetic site (make bench-scale)."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=2000)
        parser.add_argument("--conditions", type=int, default=100)
        parser.add_argument("--treatments", type=int, default=100)
        parser.add_argument("--requests", type=int, default=50000)
        parser.add_argument("--seed", type=int, default=15)

    def handle(self, *args, **options):
        if (
            ConsultationRequest.objects.exists()
            or Article.objects.filter(seed_fingerprint="").exists()
        ):
            raise CommandError(
                "This database holds requests or articles of its own: the synthetic site is "
                "written only into a new one (make bench-scale makes its own)."
            )
        writer = Writer(random.Random(options["seed"]))  # noqa: S311 - made-up text, repeatable
        with transaction.atomic():
            treatments = writer.treatments(options["treatments"])
            conditions = writer.conditions(options["conditions"], treatments)
            articles = writer.articles(options["articles"], conditions, treatments)
            for records in (treatments, conditions, articles):
                writer.publish(records)
            Publications.count_one()
        writer.requests(options["requests"], conditions, treatments)
        self.stdout.write(
            f"{len(articles)} articles, {len(conditions)} conditions and {len(treatments)} "
            f"treatments published in English and Thai; {options['requests']} consultation "
            "requests with their audit trails."
        )


class Writer:
    def __init__(self, rng):
        self.rng = rng
        self.now = timezone.now()
        self.reviewer, self.clinician = self._reviewer()
        staff_group = Group.objects.get(name=CLINIC_STAFF)
        self.staff = [self._user(f"bench-staff-{n}", staff_group) for n in range(1, 6)]

    # Words

    def words(self, count):
        return " ".join(self.rng.choice(ENGLISH) for _ in range(count))

    def sentence(self, count=14):
        return self.words(count).capitalize() + "."

    def thai(self, count=8):
        # Thai writes no space between words, one between sentences.
        return "".join(self.rng.choice(THAI) for _ in range(count))

    def paragraphs(self, count, thai=False):
        write = self.thai if thai else self.sentence
        return "".join(f"<p>{write()} {write()} {write()}</p>" for _ in range(count))

    # Staff

    def _user(self, username, group):
        user = get_user_model().objects.create_user(username=username, is_staff=True)
        user.groups.add(group)
        return user

    def _reviewer(self):
        user = self._user("bench-reviewer", Group.objects.get(name=MEDICAL_REVIEWERS))
        clinician = Clinician.objects.create(
            name="Dr Bench Reviewer",
            slug="bench-reviewer",
            title="Orthopaedic surgeon",
            credentials="MD",
            is_public=True,
            user=user,
        )
        return user, clinician

    # Content

    def treatments(self, count):
        kinds, evidence = Treatment.Kind.values, Treatment.Evidence.values
        treatments = Treatment.objects.bulk_create(
            Treatment(
                name=f"{self.words(2).title()} therapy {n}",
                slug=f"bench-treatment-{n:03}",
                kind=kinds[n % len(kinds)],
                evidence_status=evidence[n % len(evidence)],
                summary=self.sentence(),
                description=self.paragraphs(3),
                regulatory_note=self.sentence(),
                name_th=f"{self.thai(3)} {n}",
                summary_th=self.thai(),
                description_th=self.paragraphs(3, thai=True),
                regulatory_note_th=self.thai(),
            )
            for n in range(count)
        )
        TreatmentPoint.objects.bulk_create(
            TreatmentPoint(
                treatment=treatment,
                kind=kind,
                order=order,
                name=self.words(4).capitalize(),
                description=self.sentence(),
                name_th=self.thai(3),
                description_th=self.thai(),
            )
            for treatment in treatments
            for order, kind in enumerate(TreatmentPoint.Kind.values, start=1)
        )
        return treatments

    def conditions(self, count, treatments):
        conditions = Condition.objects.bulk_create(
            Condition(
                name=f"{self.words(2).title()} disorder {n}",
                slug=f"bench-condition-{n:03}",
                summary=self.sentence(),
                overview=self.paragraphs(3),
                diagnosis=self.paragraphs(1),
                name_th=f"{self.thai(3)} {n}",
                summary_th=self.thai(),
                overview_th=self.paragraphs(3, thai=True),
                diagnosis_th=self.paragraphs(1, thai=True),
            )
            for n in range(count)
        )
        points = [
            (kind, order)
            for kind, many in (
                (ConditionPoint.Kind.SYMPTOMS, 3),
                (ConditionPoint.Kind.RISK_FACTORS, 4),
            )
            for order in range(1, many + 1)
        ]
        ConditionPoint.objects.bulk_create(
            ConditionPoint(
                condition=condition,
                kind=kind,
                order=order,
                name=f"{self.words(3).capitalize()} {order}",
                description=self.sentence(),
                name_th=f"{self.thai(3)} {order}",
                description_th=self.thai(),
            )
            for condition in conditions
            for kind, order in points
        )
        ConditionTreatment.objects.bulk_create(
            ConditionTreatment(
                condition=condition,
                treatment=treatments[(2 * n + k) % len(treatments)],
                order=k + 1,
                description=self.sentence(),
                description_th=self.thai(),
            )
            for n, condition in enumerate(conditions)
            for k in range(2)
        )
        return conditions

    def articles(self, count, conditions, treatments):
        articles = Article.objects.bulk_create(
            (
                Article(
                    title=f"{self.words(6).capitalize()} ({n})",
                    slug=f"bench-article-{n:04}",
                    standfirst=f"{self.sentence()} {self.sentence()}",
                    publish_at=self.now - timedelta(hours=20 * n + 1),
                    meta_description=self.sentence()[:160],
                    title_th=f"{self.thai(5)} ({n})",
                    standfirst_th=f"{self.thai()} {self.thai()}",
                    meta_description_th=self.thai()[:160],
                )
                for n in range(count)
            ),
            batch_size=BATCH,
        )
        osteopenia = Condition.objects.filter(slug="osteopenia").first()
        # The clinic's own condition has a long list of articles too: one in fifty, or every
        # one on a site too small to fill its first page that way.
        osteopenia_every = 50 if count >= 50 * ARTICLES_PER_PAGE else 1
        condition_of = {a.pk: conditions[n % len(conditions)] for n, a in enumerate(articles)}
        treatment_of = {a.pk: treatments[n % len(treatments)] for n, a in enumerate(articles)}
        Article.conditions.through.objects.bulk_create(
            [Article.conditions.through(article=a, condition=condition_of[a.pk]) for a in articles]
            + [
                Article.conditions.through(article=a, condition=osteopenia)
                for a in articles[::osteopenia_every]
                if osteopenia
            ],
            batch_size=BATCH,
        )
        Article.treatments.through.objects.bulk_create(
            (Article.treatments.through(article=a, treatment=treatment_of[a.pk]) for a in articles),
            batch_size=BATCH,
        )
        Kind = ArticleSection.Kind
        blocks = [Kind.TEXT, Kind.RISK_FACTORS, Kind.TEXT, Kind.SYMPTOMS, Kind.STEPS, Kind.TEXT]
        ArticleSection.objects.bulk_create(
            (
                ArticleSection(
                    article=article,
                    order=order,
                    kind=kind,
                    heading=self.words(4).capitalize(),
                    heading_th=self.thai(3),
                    body=self.paragraphs(4 if kind == Kind.TEXT else 1),
                    body_th=self.paragraphs(4 if kind == Kind.TEXT else 1, thai=True),
                    condition=condition_of[article.pk]
                    if kind in ArticleSection.CONDITION_KINDS
                    else None,
                    treatment=treatment_of[article.pk]
                    if kind in ArticleSection.TREATMENT_KINDS
                    else None,
                )
                for article in articles
                for order, kind in enumerate(blocks, start=1)
            ),
            batch_size=BATCH,
        )
        ArticleReference.objects.bulk_create(
            (
                ArticleReference(
                    article=article,
                    order=order,
                    citation=f"{self.sentence(8)} Journal of Bone Health. 2024.",
                    doi=f"10.5555/bench.{article.pk}.{order}",
                )
                for article in articles
                for order in (1, 2)
            ),
            batch_size=BATCH,
        )
        return articles

    def publish(self, records):
        """Version 1 of each record in English and in Thai, approved by the clinician and
        live since its approval (an article's since its publish time)."""
        english = [self._version(record, SOURCE) for record in records]
        Version.objects.bulk_create((v for v, _links in english), batch_size=BATCH)
        thai = [
            self._version(record, TRANSLATION, source=v)
            for record, (v, _links) in zip(records, english, strict=True)
        ]
        Version.objects.bulk_create((v for v, _links in thai), batch_size=BATCH)
        for name in ("conditions", "treatments"):
            through = getattr(Version, name).through
            target = f"{name[:-1]}_id"
            through.objects.bulk_create(
                (
                    through(version=version, **{target: pk})
                    for version, links in english + thai
                    for pk in links[name]
                ),
                batch_size=BATCH,
            )

    def _version(self, record, language, source=None):
        document = take_snapshot(record, language=language)
        approved = getattr(record, "publish_at", None) or self.now - timedelta(days=400)
        version = Version(
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            language=language,
            number=1,
            source=source,
            state=Version.State.PUBLISHED,
            data=document,
            created_by_name="bench-editor",
            created_at=approved - timedelta(days=2),
            submitted_at=approved - timedelta(days=1),
            reviewed_by=self.reviewer,
            reviewed_at=approved,
            approved_by=self.clinician,
            next_review_due=a_year_after(timezone.localdate(approved)),
            live_from=approved,
            published_by=self.reviewer,
        )
        conditions, treatments = describe_version(version, type(record), document)
        return version, {"conditions": conditions, "treatments": treatments}

    # Consultation requests

    def requests(self, count, conditions, treatments):
        references = set()
        outcomes = self.rng.choices(list(OUTCOMES), weights=list(OUTCOMES.values()), k=count)
        for start in range(0, count, BATCH):
            batch = [
                self._request(n, outcomes[n], conditions, treatments, references)
                for n in range(start, min(start + BATCH, count))
            ]
            with transaction.atomic():
                ConsultationRequest.objects.bulk_create(request for request, _trail in batch)
                ConsultationEvent.objects.bulk_create(
                    event for request, trail in batch for event in self._trail(request, trail)
                )

    def _reference(self, references):
        while True:
            chars = "".join(self.rng.choice(REFERENCE_ALPHABET) for _ in range(8))
            reference = f"GH-{chars[:4]}-{chars[4:]}"
            if reference not in references:
                references.add(reference)
                return reference

    def _request(self, n, outcome, conditions, treatments, references):
        """A request as the form stores it, then as staff's review left it; and the statuses
        it passed through, for its trail."""
        received = self.now - timedelta(minutes=self.rng.randrange(3 * 365 * 24 * 60))
        condition = conditions[n % len(conditions)]
        treatment = treatments[n % len(treatments)] if n % 3 == 0 else None
        name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
        spam = outcome == ConsultationRequest.Status.SPAM
        path = PATHS[outcome]
        scheduled_at = received + timedelta(days=7, hours=self.rng.randrange(9, 17))
        scheduled = "scheduled" in path
        request = ConsultationRequest(
            reference=self._reference(references),
            submission_token=uuid.UUID(int=self.rng.getrandbits(128)),
            manage_key=uuid.UUID(int=self.rng.getrandbits(128)),
            full_name=name,
            email=f"{name.replace(' ', '.').lower()}{n}@example.com",
            phone=f"+6681{n:07}",
            country="TH" if n % 4 else "GB",
            contact_method=ConsultationRequest.ContactMethod.values[n % 4],
            language=ConsultationRequest.Language.values[n % 2],
            condition=condition,
            condition_name=condition.name,
            treatment=treatment,
            treatment_name=treatment.name if treatment else "",
            message=self.sentence(20) if n % 2 else "",
            preferred_date=timezone.localdate(received) + timedelta(days=7),
            preferred_time=ConsultationRequest.TimeOfDay.values[n % 4],
            time_zone="Asia/Bangkok",
            consent_at=received,
            consent_notice_version=settings.PRIVACY_NOTICE_VERSION,
            source_page=f"/conditions/{condition.slug}/",
            status=outcome,
            spam_reason="Filled the hidden field." if spam else "",
            assigned_to=self.staff[n % len(self.staff)] if path else None,
            # A clinician's time is held by an open request: only closed ones name one, so
            # that no two overlap (the database refuses that).
            clinician=self.clinician if outcome == ConsultationRequest.Status.COMPLETED else None,
            scheduled_at=scheduled_at if scheduled else None,
            scheduled_until=scheduled_at + timedelta(hours=1) if scheduled else None,
            clinic_notified_at=None if spam else received + timedelta(minutes=1),
            patient_notified_at=None if spam else received + timedelta(minutes=1),
            confirmation_sent_at=received + timedelta(days=2) if scheduled else None,
            created_at=received,
        )
        if outcome not in ConsultationRequest.OPEN_STATUSES:
            request.closed_at = received + timedelta(days=len(path) + 7)
        return request, path

    def _trail(self, request, path):
        """The audit trail the app writes: the submission and its emails, the assignment,
        then each change of status by the staff member."""
        received = request.created_at
        events = [
            ConsultationEvent(
                request=request,
                kind=ConsultationEvent.Kind.SUBMITTED,
                to_value="spam" if request.spam_reason else "new",
                note=request.spam_reason,
                created_at=received,
            )
        ]
        if request.clinic_notified_at:
            events += [
                ConsultationEvent(
                    request=request,
                    kind=ConsultationEvent.Kind.NOTIFIED,
                    note=kind,
                    created_at=request.clinic_notified_at,
                )
                for kind in ("clinic notification", "patient acknowledgment")
            ]
        if request.assigned_to:
            staff = request.assigned_to.get_username()
            events.append(
                ConsultationEvent(
                    request=request,
                    actor=request.assigned_to,
                    actor_name=staff,
                    kind=ConsultationEvent.Kind.ASSIGNED,
                    to_value=staff,
                    created_at=received + timedelta(hours=2),
                )
            )
        before = "new"
        for day, status in enumerate(path, start=1):
            change = {
                "request": request,
                "actor": request.assigned_to,
                "actor_name": request.assigned_to.get_username(),
                "created_at": received + timedelta(days=day),
            }
            if status == "scheduled":
                events.append(
                    ConsultationEvent(
                        **change,
                        kind=ConsultationEvent.Kind.SCHEDULED_TIME,
                        to_value=request.scheduled_at.astimezone(UTC).isoformat(),
                    )
                )
            events.append(
                ConsultationEvent(
                    **change, kind=ConsultationEvent.Kind.STATUS, from_value=before, to_value=status
                )
            )
            before = status
        return events
