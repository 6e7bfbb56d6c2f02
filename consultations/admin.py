import csv

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from consultations import services
from consultations.models import OPEN_FIRST, ConsultationEvent, ConsultationRequest

Status = ConsultationRequest.Status
PATIENT_FIELDS = [
    "reference",
    "full_name",
    "email",
    "phone",
    "country",
    "contact_method",
    "language",
    "condition",
    "treatment",
    "preferred_date",
    "preferred_time",
    "time_zone",
    "message",
    "consent_at",
    "consent_notice_version",
    "source_page",
    "source_article",
    "spam_reason",
    "created_at",
]
NOTIFICATION_FIELDS = [
    "clinic_notified_at",
    "patient_notified_at",
    "confirmation_sent_at",
    "notification_error",
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
    ("condition", _("Condition")),
    ("treatment", _("Treatment")),
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


class ConsultationEventInline(admin.TabularInline):
    model = ConsultationEvent
    fields = ["created_at", "actor", "kind", "from_value", "to_value", "note"]
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
        if status == Status.SCHEDULED and not cleaned.get("scheduled_at"):
            self.add_error("scheduled_at", _("Set the scheduled time before marking it scheduled."))
        return cleaned


@admin.register(ConsultationRequest)
class ConsultationRequestAdmin(admin.ModelAdmin):
    form = ConsultationReviewForm
    list_display = [
        "reference",
        "full_name",
        "condition",
        "preferred_date",
        "status",
        "assigned_to",
        "age",
        "notification_problem",
    ]
    list_display_links = ["reference", "full_name"]
    list_filter = [OpenStatusFilter, "condition", AssignedToMeFilter, "preferred_date"]
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
                    ("condition", "treatment"),
                    ("preferred_date", "preferred_time", "time_zone"),
                    "message",
                    ("consent_at", "consent_notice_version"),
                    ("source_page", "source_article"),
                    "spam_reason",
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
            from django.contrib.auth import get_user_model

            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("age"), ordering="created_at")
    def age(self, consultation):
        return timesince(consultation.created_at, timezone.now(), depth=1)

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
        sent, failed = 0, []
        for consultation in queryset:
            if services.resend_notifications(consultation):
                sent += 1
            else:
                failed.append(consultation.reference)
        if sent:
            self.message_user(
                request,
                ngettext("Emails sent for %d request.", "Emails sent for %d requests.", sent)
                % sent,
                messages.SUCCESS,
            )
        if failed:
            self.message_user(
                request,
                _("Sending failed again for: %(refs)s. The error is recorded on each request.")
                % {"refs": ", ".join(failed)},
                messages.ERROR,
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

    @staticmethod
    def _csv_value(consultation, field):
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
