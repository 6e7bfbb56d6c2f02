import csv

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import formats, timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.roles import CLINIC_STAFF
from consultations import services
from consultations.forms import InternationalPhoneMixin
from consultations.models import OPEN_FIRST, ConsultationEvent, ConsultationRequest, EmailsDue
from consultations.text import refuse_invisible_characters

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


class ConsultationReviewForm(forms.ModelForm):
    class Meta:
        model = ConsultationRequest
        fields = ["status", "assigned_to", "scheduled_at", "internal_notes"]

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
        return cleaned


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
        "age",
        "notification_problem",
    ]
    list_display_links = ["reference", "full_name"]
    list_filter = [
        OpenStatusFilter,
        NeedsALookFilter,
        "condition",
        AssignedToMeFilter,
        "preferred_date",
    ]
    search_fields = ["reference", "full_name", "email", "phone"]
    date_hierarchy = "created_at"
    list_select_related = ["condition", "assigned_to"]
    list_per_page = 50
    readonly_fields = [*PATIENT_FIELDS, *NOTIFICATION_FIELDS]
    autocomplete_fields = []
    fieldsets = [
        (_("Review"), {"fields": ["status", "assigned_to", "scheduled_at", "internal_notes"]}),
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

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            # Only people who may open requests can take one on.
            kwargs["queryset"] = get_user_model().objects.filter(
                is_active=True, groups__name=CLINIC_STAFF
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

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
