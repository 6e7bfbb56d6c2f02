from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from articles.admin import TranslatedAdmin
from articles.images import clean_uploaded_image
from team.models import Clinician, ClinicianCalendar, ConsultationHours, ConsultationType, DayOff


class ConsultationTypeInline(admin.TabularInline):
    model = ConsultationType
    extra = 0
    verbose_name_plural = _("Consultation types offered")


class ConsultationHoursInline(admin.TabularInline):
    model = ConsultationHours
    extra = 0
    verbose_name_plural = _("Weekly consultation hours (clinic time)")


class DayOffInline(admin.TabularInline):
    model = DayOff
    extra = 0


class ClinicianAdminForm(forms.ModelForm):
    class Meta:
        model = Clinician
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose what is shown

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and hasattr(photo, "content_type"):  # a new upload, not the stored file
            return clean_uploaded_image(photo, "team")
        return photo


@admin.register(Clinician)
class ClinicianAdmin(TranslatedAdmin, admin.ModelAdmin):
    form = ClinicianAdminForm
    list_display = ["name", "title", "credentials", "is_public", "has_photo", "user"]
    list_filter = ["is_public"]
    search_fields = ["name", "title", "credentials", "specialties", "licence_number"]
    list_select_related = ["user"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    ("title", "title_th"),
                    "credentials",
                    ("specialties", "specialties_th"),
                ]
            },
        ),
        (
            _("Profile page"),
            {"fields": ["is_public", "licence_number", ("biography", "biography_th")]},
        ),
        (_("Photo"), {"fields": ["photo", ("photo_alt", "photo_alt_th")]}),
        (_("Staff account"), {"fields": ["user"]}),
    ]

    class Media:
        # The Thai fields beside the English ones, as on the content's forms.
        css = {"all": ["css/admin-versions.css"]}

    @admin.display(description=_("photo"), boolean=True, ordering="photo")
    def has_photo(self, clinician):
        return bool(clinician.photo)

    def get_readonly_fields(self, request, obj=None):
        # A linked account approves medical content as this clinician: superusers only.
        readonly = super().get_readonly_fields(request, obj)
        return readonly if request.user.is_superuser else [*readonly, "user"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = (
                get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ClinicianCalendar)
class ClinicianCalendarAdmin(admin.ModelAdmin):
    """Clinic staff keep each clinician's consultation types, weekly hours and days off;
    the profile itself stays with editors (read-only here)."""

    list_display = ["name", "title", "consultation_types_offered", "is_public"]
    list_filter = ["is_public"]
    search_fields = ["name", "title"]
    fields = ["name", "title", "is_public"]
    readonly_fields = fields
    inlines = [ConsultationTypeInline, ConsultationHoursInline, DayOffInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("consultation_types")

    def has_add_permission(self, request):
        return False  # a calendar belongs to a clinician added on the profile page

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("consultation types"))
    def consultation_types_offered(self, clinician):
        return ", ".join(str(kind) for kind in clinician.consultation_types.all()) or "—"
