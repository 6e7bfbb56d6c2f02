import csv
from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminURLFieldWidget
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.roles import CLINIC_STAFF
from consultations import calendar_week, scheduling, services
from consultations.forms import InternationalPhoneMixin
from consultations.models import OPEN_FIRST, ConsultationEvent, ConsultationRequest, EmailsDue
from consultations.text import refuse_invisible_characters
from team.models import Clinician, ConsultationType

Status = ConsultationRequest.Status
PATIENT_FIELDS = [
    "reference",
    "full_name",
    "email",
    "phone",
    "country",
    "contact_method",
    "language",
    "condition_of_interest",
    "treatment_of_interest",
    "preferred_date",
    "preferred_time",
    "time_zone",
    "message",
    "consent_at",
    "consent_notice_version",
    "source_page",
    "source_article",
    "spam_reason",
    "review_note",
    "created_at",
]
PATIENT_CHANGE_FIELDS = ["patient_change", "patient_change_at", "patient_change_note"]
NOTIFICATION_FIELDS = [
    "clinic_notified_at",
    "patient_notified_at",
    "confirmation_sent_at",
    "reminded_day_before_at",
    "reminded_hours_before_at",
    "notification_error",
    "email_failures",
    "next_email_attempt",
]
CSV_COLUMNS = [
    ("reference", _("Reference")),
    ("created_at", _("Received")),
    ("status", _("Status")),
    ("full_name", _("Full name")),
    ("email", _("Email")),
    ("phone", _("Phone")),
    ("country", _("Country")),
    ("contact_method", _("Contact method")),
    ("language", _("Language")),
    ("condition_of_interest", _("Condition")),
    ("treatment_of_interest", _("Treatment")),
    ("preferred_date", _("Preferred date")),
    ("preferred_time", _("Time of day")),
    ("assigned_to", _("Assigned to")),
    ("scheduled_at", _("Scheduled for")),
]


def spreadsheet_safe(value):
    """Neutralise cells a spreadsheet would run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r", "|", "%"):
        return "'" + text
    return text


class AssignedToMeFilter(admin.SimpleListFilter):
    title = _("assignee")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", _("Assigned to me")), ("nobody", _("Not assigned"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "nobody":
            return queryset.filter(assigned_to__isnull=True)
        return queryset


class OpenStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", _("Open (new, contacted, scheduled)")), *Status.choices]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.open()
        if self.value() in Status.values:
            return queryset.filter(status=self.value())
        return queryset


class NeedsALookFilter(admin.SimpleListFilter):
    title = _("needs a look")
    parameter_name = "needs_a_look"

    def lookups(self, request, model_admin):
        return [("yes", _("Open, flagged as possibly not from a person"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.open().exclude(review_note="")
        return queryset


class PatientChangeFilter(admin.SimpleListFilter):
    """Open requests whose patient asked, from their own link, for a change."""

    title = _("asked by the patient")
    parameter_name = "asked"

    def lookups(self, request, model_admin):
        return [
            ("open", _("Open, with a change asked by the patient")),
            *ConsultationRequest.PatientChange.choices,
        ]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.open().exclude(patient_change="")
        if self.value() in ConsultationRequest.PatientChange.values:
            return queryset.filter(patient_change=self.value())
        return queryset


def _chosen(record, name_when_chosen):
    if record is not None:
        return record.name
    if name_when_chosen:
        return _("%(name)s (no longer on the site)") % {"name": name_when_chosen}
    return "—"


class ConsultationEventInline(admin.TabularInline):
    model = ConsultationEvent
    fields = ["created_at", "actor_name", "kind", "from_label", "to_label", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("Audit trail")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("from"))
    def from_label(self, event):
        return event.from_label

    @admin.display(description=_("to"))
    def to_label(self, event):
        return event.to_label


REVIEW_FIELDS = [
    "status",
    "assigned_to",
    "clinician",
    "consultation_type",
    "scheduled_at",
    "video_link",
    "internal_notes",
]


class ConsultationReviewForm(forms.ModelForm):
    """Staff's review: the workflow, and a time with a clinician that the calendar's
    rules allow (scheduling.check_slot, under the clinician's lock)."""

    video_link = ConsultationRequest._meta.get_field("video_link").formfield(
        assume_scheme="https",
        widget=AdminURLFieldWidget,
        help_text=_(
            "For a video consultation only: sent to the patient with the confirmation and reminders. You may add it later: the patient is then sent the confirmation again, with the link."
        ),
    )

    class Meta:
        model = ConsultationRequest
        fields = REVIEW_FIELDS
        help_texts = {
            "consultation_type": _(
                "Required with a clinician and a time: it says how long the clinician is booked."
            ),
        }

    def clean(self):
        cleaned = super().clean()
        original = ConsultationRequest.objects.get(pk=self.instance.pk)
        status = cleaned.get("status", original.status)
        if not original.can_move_to(status):
            allowed = ", ".join(
                str(Status(s).label)
                for s in sorted(ConsultationRequest.TRANSITIONS[original.status])
            ) or _("none: the request is closed")
            self.add_error(
                "status",
                _("A request cannot move from %(old)s to %(new)s. Allowed next: %(allowed)s.")
                % {
                    "old": original.get_status_display(),
                    "new": Status(status).label,
                    "allowed": allowed,
                },
            )
        scheduled_at = cleaned.get("scheduled_at")
        if status == Status.SCHEDULED and not scheduled_at:
            self.add_error("scheduled_at", _("Set the scheduled time before marking it scheduled."))
        elif (
            status == Status.SCHEDULED
            and ("scheduled_at" in self.changed_data or original.status != status)
            and scheduled_at <= timezone.now()
        ):
            self.add_error(
                "scheduled_at",
                _(
                    "%(when)s has already passed. Choose a time from now on: the patient is emailed this time."
                )
                % {
                    "when": formats.date_format(timezone.localtime(scheduled_at), "DATETIME_FORMAT")
                },
            )
        self._clean_appointment(cleaned, original, status)
        return cleaned

    def _value(self, cleaned, original, name):
        """The value after the save: as posted, or as stored for a field not on the form."""
        return cleaned.get(name) if name in self.fields else getattr(original, name)

    def _clean_appointment(self, cleaned, original, status):
        """The clinician, type, link and time go together; a time held with a clinician
        must be free in their calendar. Checked under the clinician's lock: the admin's
        change view runs in one transaction, so two staff members booking the same
        clinician at once are answered in turn, the second one told of the first."""
        clinician = self._value(cleaned, original, "clinician")
        kind = self._value(cleaned, original, "consultation_type")
        scheduled_at = self._value(cleaned, original, "scheduled_at")
        video_link = self._value(cleaned, original, "video_link")
        if kind is not None and clinician is None:
            self.add_error(
                "clinician",
                _("Choose the clinician of this consultation type (%(clinician)s), or no type.")
                % {"clinician": kind.clinician.name},
            )
        elif kind is not None and kind.clinician_id != clinician.pk:
            self.add_error(
                "consultation_type",
                _(
                    "%(type)s is offered by %(other)s, not by %(clinician)s. Choose a type of %(clinician)s."
                )
                % {"type": kind, "other": kind.clinician.name, "clinician": clinician.name},
            )
        if video_link and (kind is None or not kind.is_video):
            self.add_error(
                "video_link",
                _(
                    "A video call link goes with a video consultation: choose a video consultation type, or clear the link."
                ),
            )
        holds_time = status in ConsultationRequest.OPEN_STATUSES and clinician and scheduled_at
        if not holds_time or self.errors:
            return
        was_holding = original.is_open and original.clinician_id and original.scheduled_at
        before = (original.clinician_id, original.consultation_type_id, original.scheduled_at)
        moved = before != (clinician.pk, kind.pk if kind else None, scheduled_at)
        confirmed = status == Status.SCHEDULED and original.status != Status.SCHEDULED
        if was_holding and not moved and not confirmed:
            return  # notes, assignee: the time stays as it was booked
        if kind is None:
            self.add_error(
                "consultation_type",
                _("Choose the consultation type: it says how long %(clinician)s is booked.")
                % {"clinician": clinician.name},
            )
            return
        with transaction.atomic():
            scheduling.lock_calendar(clinician)
            try:
                scheduling.check_slot(kind, scheduled_at, request=self.instance)
            except scheduling.SlotUnavailable as refused:
                self.add_error("scheduled_at", refused.message)


class ContactCorrectionForm(InternationalPhoneMixin, forms.ModelForm):
    """What staff may correct when a patient asks: how to reach them, never what they asked."""

    class Meta:
        model = ConsultationRequest
        fields = ["full_name", "email", "phone", "country", "contact_method", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("full_name", "email", "phone"):
            self.fields[name].validators.append(refuse_invisible_characters)
        self.fields["email"].required = True

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label=_("Why"),
        max_length=200,
        initial=_("The patient asked for their data to be erased."),
        help_text=_("Kept in the audit trail. Do not write the patient's details here."),
        widget=forms.TextInput(attrs={"class": "vTextField", "size": 60}),
    )


class ScheduleForm(forms.Form):
    """The confirmation of a time chosen in the calendar: the time itself travels in a
    hidden field (`scheduling.Slot.value`); a video consultation may take its link."""

    slot = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, is_video=False, **kwargs):
        super().__init__(*args, **kwargs)
        if is_video:
            self.fields["video_link"] = ConsultationRequest._meta.get_field("video_link").formfield(
                assume_scheme="https",
                help_text=_(
                    "Optional now: you may add it later on the request, and the patient is then sent the confirmation again, with the link."
                ),
                widget=AdminURLFieldWidget,
            )


def _week_param(day):
    return calendar_week.monday_of(day).isoformat()


@admin.register(ConsultationRequest)
class ConsultationRequestAdmin(admin.ModelAdmin):
    form = ConsultationReviewForm
    list_display = [
        "reference",
        "full_name",
        "condition_of_interest",
        "preferred_date",
        "status",
        "needs_a_look",
        "assigned_to",
        "clinician",
        "age",
        "notification_problem",
    ]
    list_display_links = ["reference", "full_name"]
    list_filter = [
        OpenStatusFilter,
        NeedsALookFilter,
        PatientChangeFilter,
        "condition",
        "clinician",
        AssignedToMeFilter,
        "preferred_date",
    ]
    search_fields = ["reference", "full_name", "email", "phone"]
    date_hierarchy = "created_at"
    list_select_related = ["condition", "assigned_to", "clinician"]
    list_per_page = 50
    readonly_fields = [*PATIENT_FIELDS, *NOTIFICATION_FIELDS, *PATIENT_CHANGE_FIELDS]
    autocomplete_fields = []
    fieldsets = [
        (
            _("Review"),
            {
                "fields": [
                    "status",
                    "assigned_to",
                    ("clinician", "consultation_type"),
                    "scheduled_at",
                    "video_link",
                    "internal_notes",
                ]
            },
        ),
        (
            _("Submitted by the patient"),
            {
                "fields": [
                    "reference",
                    "created_at",
                    ("full_name", "country"),
                    ("email", "phone"),
                    ("contact_method", "language"),
                    ("condition_of_interest", "treatment_of_interest"),
                    ("preferred_date", "preferred_time", "time_zone"),
                    "message",
                    ("consent_at", "consent_notice_version"),
                    ("source_page", "source_article"),
                    ("spam_reason", "review_note"),
                ]
            },
        ),
        (_("Emails"), {"fields": NOTIFICATION_FIELDS}),
    ]
    inlines = [ConsultationEventInline]
    actions = ["mark_contacted", "mark_spam", "assign_to_me", "resend", "export_csv"]

    def get_ordering(self, request):
        return OPEN_FIRST

    def has_add_permission(self, request):
        return False  # requests come from patients, through the form

    def has_delete_permission(self, request, obj=None):
        return False  # requests are anonymised by purge_consultations, never deleted

    def has_export_permission(self, request):
        return request.user.has_perm("consultations.export_consultationrequest")

    def get_fieldsets(self, request, obj=None):
        """What the patient asked from their own link, first, when they asked something."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not obj.patient_change:
            return fieldsets
        asked = (
            _("Asked by the patient"),
            {
                "fields": PATIENT_CHANGE_FIELDS,
                "description": _(
                    "The patient asked this from their own link. Act on it below: a new time, or the status."
                ),
            },
        )
        return [asked, *fieldsets]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            # Only people who may open requests can take one on.
            kwargs["queryset"] = get_user_model().objects.filter(
                is_active=True, groups__name=CLINIC_STAFF
            )
        if db_field.name == "consultation_type":
            kwargs["queryset"] = ConsultationType.objects.select_related("clinician")
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "consultation_type":
            # "At the clinic, 45 minutes" is every clinician's: name whose it is.
            field.label_from_instance = lambda kind: f"{kind.clinician.name}: {kind}"
        return field

    def get_urls(self):
        route = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/correct/",
                self.admin_site.admin_view(self.correct_view),
                name=f"{route}_correct",
            ),
            path(
                "<path:object_id>/erase/",
                self.admin_site.admin_view(self.erase_view),
                name=f"{route}_erase",
            ),
            path(
                "calendar/",
                self.admin_site.admin_view(self.calendar_view),
                name=f"{route}_calendar",
            ),
            path(
                "<path:object_id>/schedule/",
                self.admin_site.admin_view(self.schedule_view),
                name=f"{route}_schedule",
            ),
            *super().get_urls(),
        ]

    def correct_view(self, request, object_id):
        """Correct the patient's contact details on their request; the trail says which."""
        consultation = self._patient_data_object(request, object_id)
        form = ContactCorrectionForm(request.POST or None, instance=consultation)
        if request.method == "POST" and form.is_valid():
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            event = services.correct_contact_details(
                ConsultationRequest.objects.get(pk=consultation.pk),
                actor=request.user,
                changes=changes,
            )
            if event:
                self.message_user(request, _("Contact details corrected."), messages.SUCCESS)
            else:
                self.message_user(request, _("Nothing was changed."), messages.INFO)
            return redirect(consultation.admin_change_url())
        return self._patient_data_page(
            request,
            consultation,
            form,
            title=_("Correct contact details"),
            explanation=_(
                "Correct how to reach the patient when they ask. The audit trail records which fields you changed, not their values."
            ),
            submit_label=_("Save the correction"),
        )

    def erase_view(self, request, object_id):
        """Erase one request's personal data now (the patient asked): the trail keeps
        that it happened, when, by whom and why; not the data."""
        consultation = self._patient_data_object(request, object_id)
        form = ErasureForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            services.erase_personal_data(
                consultation, actor=request.user, reason=form.cleaned_data["reason"]
            )
            self.message_user(
                request,
                _("The personal data of %(reference)s is erased.")
                % {"reference": consultation.reference},
                messages.SUCCESS,
            )
            return redirect(consultation.admin_change_url())
        return self._patient_data_page(
            request,
            consultation,
            form,
            title=_("Erase personal data"),
            explanation=_(
                "This erases the patient's name, email, phone, message and internal notes from %(reference)s now. It cannot be undone. The request and its audit trail stay, without those details."
            )
            % {"reference": consultation.reference},
            submit_label=_("Erase now"),
            dangerous=True,
        )

    def calendar_view(self, request):
        """A week of the clinicians' calendars: hours, days off and consultations, each
        linking to its request. With ?request=<pk>, the free times to book that request
        into, each a button to the schedule view (which confirms, then books)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        current = None
        if "request" in request.GET:
            current = self.get_object(request, request.GET["request"])
            if current is None:
                raise Http404
        refusal = self._unbookable(current) if current is not None else None
        can_book = (
            current is not None and refusal is None and self.has_change_permission(request, current)
        )
        clinician = None
        if "clinician" in request.GET:
            chosen = request.GET["clinician"]
            clinician = Clinician.objects.filter(pk=chosen).first() if chosen.isdigit() else None
        elif current is not None and current.clinician_id:
            clinician = current.clinician
        today = calendar_week.clinic_time(timezone.now()).date()
        day = calendar_week.parse_day(request.GET.get("week")) or self._default_day(current, today)
        monday = calendar_week.monday_of(day)
        weeks = calendar_week.build_week(
            monday, clinician=clinician, current=current, with_free_times=can_book
        )

        def link(week):
            params = {"week": week.isoformat()}
            if clinician is not None:
                params["clinician"] = clinician.pk
            elif current is not None and current.clinician_id:
                params["clinician"] = ""  # all, rather than the request's own clinician
            if current is not None:
                params["request"] = current.pk
            return "?" + urlencode(params)

        choices = list(
            calendar_week.clinicians_with_hours().order_by("name").values_list("pk", "name")
        )
        if clinician is not None and clinician.pk not in {pk for pk, _name in choices}:
            choices.append((clinician.pk, clinician.name))
        sunday = monday + timedelta(days=6)
        return TemplateResponse(
            request,
            "admin/consultations/consultationrequest/calendar.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Consultation calendar"),
                "subtitle": _("Week of %(first)s to %(last)s")
                % {
                    "first": formats.date_format(monday, "DATE_FORMAT"),
                    "last": formats.date_format(sunday, "DATE_FORMAT"),
                },
                "weeks": weeks,
                "week": monday,
                "today": today,
                "clinician": clinician,
                "clinician_choices": choices,
                "current": current,
                "refusal": refusal,
                "can_book": can_book,
                "previous_url": link(monday - timedelta(days=7)),
                "next_url": link(monday + timedelta(days=7)),
                "this_week_url": link(today),
                "is_this_week": monday == calendar_week.monday_of(today),
            },
        )

    @staticmethod
    def _default_day(current, today):
        """The week to open on: the request's own time or the date the patient prefers,
        when still to come; this week otherwise."""
        if current is not None:
            if current.scheduled_at:
                held = calendar_week.clinic_time(current.scheduled_at).date()
                if held >= today:
                    return held
            if current.preferred_date and current.preferred_date >= today:
                return current.preferred_date
        return today

    @staticmethod
    def _unbookable(consultation):
        """Why `consultation` cannot be given a time, or None."""
        if consultation.anonymised_at:
            return _("%(reference)s is anonymised: it cannot be scheduled.") % {
                "reference": consultation.reference
            }
        if not consultation.is_open:
            return _("%(reference)s is closed (%(status)s): it cannot be scheduled.") % {
                "reference": consultation.reference,
                "status": consultation.get_status_display(),
            }
        return None

    def schedule_view(self, request, object_id):
        """Confirm the time chosen in the calendar, then book it: scheduling.book checks it
        again under the clinician's lock; a time taken meanwhile is answered on this page,
        the request unchanged."""
        consultation = self.get_object(request, object_id)
        if consultation is None:
            raise Http404
        if not self.has_change_permission(request, consultation):
            raise PermissionDenied
        calendar_url = (
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_calendar")
            + "?"
            + urlencode({"request": consultation.pk})
        )
        refusal = self._unbookable(consultation)
        if refusal:
            self.message_user(request, refusal, messages.ERROR)
            return redirect(consultation.admin_change_url())
        data = request.POST if request.method == "POST" else request.GET
        parsed = scheduling.parse_slot_value(data.get("slot", ""))
        kind = None
        if parsed is not None:
            kind = ConsultationType.objects.select_related("clinician").filter(pk=parsed[0]).first()
        if kind is None:
            self.message_user(
                request, _("Choose a free time in the calendar first."), messages.ERROR
            )
            return redirect(calendar_url)
        start = parsed[1]
        form = ScheduleForm(
            request.POST if "_schedule" in request.POST else None,
            initial={"slot": data["slot"], "video_link": consultation.video_link},
            is_video=kind.is_video,
        )
        if form.is_bound and form.is_valid():
            link = form.cleaned_data.get("video_link", "") if kind.is_video else ""
            try:
                scheduling.book(consultation, kind, start, actor=request.user, video_link=link)
            except scheduling.SlotUnavailable as refused:
                form.add_error(None, refused.message)
                consultation.refresh_from_db()
            else:
                self.message_user(
                    request,
                    _(
                        "%(reference)s is scheduled with %(clinician)s on %(day)s, %(time)s. The patient is emailed a confirmation."
                    )
                    % {
                        "reference": consultation.reference,
                        "clinician": kind.clinician.name,
                        "day": formats.date_format(
                            calendar_week.clinic_time(start).date(), "DATE_FORMAT"
                        ),
                        "time": calendar_week.clock(start),
                    },
                    messages.SUCCESS,
                )
                return redirect(consultation.admin_change_url())
        unavailable = None
        if not form.is_bound:
            try:  # told now rather than after the click: taken since the calendar showed it
                scheduling.check_slot(kind, start, request=consultation)
            except scheduling.SlotUnavailable as refused:
                unavailable = refused.message
        local_start = calendar_week.clinic_time(start)
        return TemplateResponse(
            request,
            "admin/consultations/consultationrequest/schedule.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": consultation,
                "title": _("Schedule %(reference)s") % {"reference": consultation.reference},
                "form": form,
                "unavailable": unavailable,
                "consultation_type": kind,
                "clinician": kind.clinician,
                "day": local_start.date(),
                "time_range": f"{calendar_week.clock(start)}–{calendar_week.clock(start + kind.duration)}",
                "current_time": (
                    formats.date_format(
                        calendar_week.clinic_time(consultation.scheduled_at), "DATETIME_FORMAT"
                    )
                    if consultation.scheduled_at
                    else None
                ),
                "calendar_url": calendar_url
                + "&"
                + urlencode(
                    {"week": _week_param(local_start.date()), "clinician": kind.clinician_id}
                ),
            },
        )

    def _patient_data_object(self, request, object_id):
        consultation = self.get_object(request, object_id)
        if consultation is None:
            raise Http404
        if not self.has_change_permission(request, consultation):
            raise PermissionDenied
        if consultation.anonymised_at:
            raise PermissionDenied(_("This request's personal data is already erased."))
        return consultation

    def _patient_data_page(self, request, consultation, form, **context):
        return TemplateResponse(
            request,
            "admin/consultations/consultationrequest/patient_data_form.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": consultation,
                "form": form,
                **context,
            },
        )

    def get_object(self, request, object_id, from_field=None):
        # Refuse before looking the id up: whether a request exists is patient data too.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return super().get_object(request, object_id, from_field)

    @admin.display(description=_("condition of interest"))
    def condition_of_interest(self, consultation):
        return _chosen(consultation.condition, consultation.condition_name)

    @admin.display(description=_("treatment of interest"))
    def treatment_of_interest(self, consultation):
        return _chosen(consultation.treatment, consultation.treatment_name)

    @admin.display(description=_("email failures"))
    def email_failures(self, consultation):
        failures = consultation.events.filter(kind=ConsultationEvent.Kind.NOTIFICATION_FAILED)
        return (
            format_html_join(
                mark_safe("<br>"),
                "{}: {}",
                (
                    (
                        formats.date_format(timezone.localtime(f.created_at), "DATETIME_FORMAT"),
                        f.note,
                    )
                    for f in failures
                ),
            )
            or "—"
        )

    @admin.display(description=_("next automatic attempt"))
    def next_email_attempt(self, consultation):
        """When the job worker tries the emails still due again (none: nothing due, or
        retries stopped after a day)."""
        due = EmailsDue.objects.filter(pk=consultation.pk).first()
        if due is None:
            return "—"
        return formats.date_format(timezone.localtime(due.due_at), "DATETIME_FORMAT")

    @admin.display(description=_("age"), ordering="created_at")
    def age(self, consultation):
        return timesince(consultation.created_at, timezone.now(), depth=1)

    @admin.display(description=_("needs a look"), boolean=True)
    def needs_a_look(self, consultation):
        return bool(consultation.review_note) if consultation.is_open else None

    @admin.display(description=_("emails"), boolean=True)
    def notification_problem(self, consultation):
        return not consultation.notification_error

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        services.change_request(obj, actor=request.user, changes=changes)

    def _move(self, request, queryset, status):
        moved, refused = 0, []
        for consultation in queryset:
            if consultation.status == status:
                continue
            if not consultation.can_move_to(status):
                refused.append(consultation.reference)
                continue
            services.change_request(consultation, actor=request.user, changes={"status": status})
            moved += 1
        if moved:
            self.message_user(
                request,
                ngettext("%(n)d request marked %(s)s.", "%(n)d requests marked %(s)s.", moved)
                % {"n": moved, "s": Status(status).label},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                _("Not allowed by the workflow, left unchanged: %(refs)s.")
                % {"refs": ", ".join(refused)},
                messages.WARNING,
            )

    @admin.action(description=_("Mark as contacted"), permissions=["change"])
    def mark_contacted(self, request, queryset):
        self._move(request, queryset, Status.CONTACTED)

    @admin.action(description=_("Mark as spam"), permissions=["change"])
    def mark_spam(self, request, queryset):
        self._move(request, queryset, Status.SPAM)

    @admin.action(description=_("Assign to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        for consultation in queryset:
            services.change_request(
                consultation, actor=request.user, changes={"assigned_to": request.user}
            )
        self.message_user(request, _("Assigned to you."), messages.SUCCESS)

    @admin.action(description=_("Resend notifications"), permissions=["change"])
    def resend(self, request, queryset):
        queued = 0
        for consultation in queryset:
            services.resend_notifications(consultation)
            queued += 1
        self.message_user(
            request,
            ngettext(
                "Emails queued for %d request: they go out within a minute, and a failure "
                "shows on the request.",
                "Emails queued for %d requests: they go out within a minute, and a failure "
                "shows on each request.",
                queued,
            )
            % queued,
            messages.SUCCESS,
        )

    @admin.action(description=_("Export the selected requests to CSV"), permissions=["export"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="consultations-{stamp}.csv"'
        response.write("\ufeff")  # so spreadsheets read the file as UTF-8
        writer = csv.writer(response)
        writer.writerow([str(label) for _field, label in CSV_COLUMNS])
        for consultation in queryset.select_related("condition", "treatment", "assigned_to"):
            writer.writerow(
                [spreadsheet_safe(self._csv_value(consultation, f)) for f, _label in CSV_COLUMNS]
            )
            ConsultationEvent.objects.create(
                request=consultation, actor=request.user, kind=ConsultationEvent.Kind.EXPORTED
            )
        return response

    def _csv_value(self, consultation, field):
        if field.endswith("_of_interest"):
            return getattr(self, field)(consultation)
        value = getattr(consultation, field)
        display = getattr(consultation, f"get_{field}_display", None)
        if display and field != "country":
            return display()
        if field == "country":
            return value.name if value else ""
        if hasattr(value, "isoformat"):
            return (
                timezone.localtime(value).isoformat()
                if hasattr(value, "hour")
                else value.isoformat()
            )
        return value
