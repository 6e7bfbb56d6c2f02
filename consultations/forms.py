"""The "schedule a consultation" form: it cleans and checks; the service writes."""

import uuid
import zoneinfo
from datetime import timedelta

import phonenumbers
from django import forms
from django.conf import settings
from django.core import signing
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from articles.models import Condition, Treatment, clean_slug
from consultations.models import ConsultationRequest

FORM_SIGNER_SALT = "consultations.form-rendered-at"
MAX_DAYS_AHEAD = 183  # about six months
TIME_ZONES = zoneinfo.available_timezones()


class CountrySelect(forms.Select):
    """A select of ~250 countries, rendered in Python: the template-per-option default
    made the form page five times slower than any other page."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        attrs["name"] = name
        selected = str(value or "")
        options = "".join(
            format_html(
                '<option value="{}"{}>{}</option>',
                code,
                mark_safe(" selected") if str(code) == selected else "",
                label,
            )
            for code, label in self.choices
        )
        return format_html("<select{}>{}</select>", flatatt(attrs), mark_safe(options))  # noqa: S308


class SlugChoiceField(forms.ModelChoiceField):
    """A choice of stored records by slug; a value that cannot be a slug is simply invalid."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not clean_slug(str(value)):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


def signed_timestamp():
    return signing.TimestampSigner(salt=FORM_SIGNER_SALT).sign(str(uuid.uuid4()))


class ConsultationRequestForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("We send the confirmation of your request here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=32,
        help_text=_(
            "With the country code if you are outside Thailand, for example +44 7700 900123."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )
    country = LazyTypedChoiceField(
        label=_("Country you live in"),
        choices=[("", _("Choose your country")), *countries],
        widget=CountrySelect(attrs={"autocomplete": "country"}),
    )
    contact_method = forms.ChoiceField(
        label=_("How should we contact you?"),
        choices=ConsultationRequest.ContactMethod.choices,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=ConsultationRequest.Language.choices,
        widget=forms.RadioSelect,
        initial=ConsultationRequest.Language.ENGLISH,
    )
    condition = SlugChoiceField(
        label=_("Condition of interest"),
        queryset=Condition.objects.only("name", "slug"),
        required=False,
        empty_label=_("Not sure"),
        to_field_name="slug",
    )
    treatment = SlugChoiceField(
        label=_("Treatment of interest (optional)"),
        queryset=Treatment.objects.only("name", "slug"),
        required=False,
        empty_label=_("No preference"),
        to_field_name="slug",
    )
    preferred_date = forms.DateField(
        label=_("Preferred date"),
        help_text=_("Within the next six months. We confirm the exact time with you."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    preferred_time = forms.ChoiceField(
        label=_("Preferred time of day (Thailand time)"),
        choices=ConsultationRequest.TimeOfDay.choices,
        widget=forms.RadioSelect,
        initial=ConsultationRequest.TimeOfDay.ANY,
    )
    message = forms.CharField(
        label=_("Message (optional)"),
        required=False,
        max_length=2000,
        help_text=_("Anything you would like us to know, up to 2,000 characters."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    consent = forms.BooleanField(
        required=True,
        error_messages={
            "required": _("Please agree to the processing of your information so we can reply.")
        },
    )
    # Anti-spam and bookkeeping, not shown to people.
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    form_started = forms.CharField(required=False, widget=forms.HiddenInput)
    submission_token = forms.UUIDField(required=False, widget=forms.HiddenInput)
    source_page = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)
    source_article = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    time_zone = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = format_html(
            '{} <a href="{}">{}</a>',
            _(
                "I agree that Genoma Health may store and use the health information I give here to answer my request, as described in the"
            ),
            reverse("privacy"),
            _("privacy notice"),
        )
        today = timezone.localdate()
        self.fields["preferred_date"].widget.attrs.update(
            {"min": today.isoformat(), "max": (today + timedelta(days=MAX_DAYS_AHEAD)).isoformat()}
        )
        for name, field in self.fields.items():
            describedby = []
            if field.help_text:
                describedby.append(f"id_{name}_help")
            if describedby:
                field.widget.attrs["aria-describedby"] = " ".join(describedby)

    def full_clean(self):
        super().full_clean()
        # Point each invalid field at its error message, for screen readers.
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                ids = [i for i in widget.attrs.get("aria-describedby", "").split() if i]
                widget.attrs["aria-describedby"] = " ".join([f"id_{name}_error", *ids])
                widget.attrs["aria-invalid"] = "true"

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not any(ch.isalpha() for ch in name):
            raise forms.ValidationError(_("Please enter your name."))
        if any(ord(ch) < 32 for ch in name):
            raise forms.ValidationError(_("Please remove special characters from your name."))
        return name

    def clean_country(self):
        code = self.cleaned_data["country"]
        if code and code not in dict(countries):
            raise forms.ValidationError(_("Choose your country from the list."))
        return code

    def clean_preferred_date(self):
        day = self.cleaned_data["preferred_date"]
        today = timezone.localdate()
        if day < today:
            raise forms.ValidationError(_("Choose today or a later date."))
        if day > today + timedelta(days=MAX_DAYS_AHEAD):
            raise forms.ValidationError(_("Choose a date within the next six months."))
        return day

    def clean_message(self):
        message = self.cleaned_data["message"]
        return "".join(ch for ch in message if ch in "\n\t" or ord(ch) >= 32).strip()

    def clean_time_zone(self):
        name = self.cleaned_data["time_zone"]
        return name if name in TIME_ZONES else ""

    def clean_source_page(self):
        page = self.cleaned_data["source_page"]
        # Only a path on this site is worth keeping (and safe to show in admin).
        return page if page.startswith("/") and not page.startswith("//") else ""

    def clean_submission_token(self):
        return self.cleaned_data["submission_token"] or uuid.uuid4()

    def clean(self):
        cleaned = super().clean()
        raw_phone = cleaned.get("phone")
        if raw_phone:
            region = cleaned.get("country") or None
            try:
                number = phonenumbers.parse(raw_phone, str(region) if region else None)
            except phonenumbers.NumberParseException:
                number = None
            if number is None or not phonenumbers.is_valid_number(number):
                self.add_error(
                    "phone",
                    _(
                        "Enter a valid phone number, with the country code if you are outside Thailand (for example +66 81 234 5678)."
                    ),
                )
            else:
                cleaned["phone"] = phonenumbers.format_number(
                    number, phonenumbers.PhoneNumberFormat.E164
                )
        return cleaned

    def spam_reason(self):
        """Why this submission looks automated, or "" when it looks human."""
        if self.cleaned_data.get("website"):
            return "honeypot filled"
        signer = signing.TimestampSigner(salt=FORM_SIGNER_SALT)
        try:
            signer.unsign(self.cleaned_data.get("form_started", ""), max_age=timedelta(days=2))
        except signing.SignatureExpired:
            return ""  # a form left open for days is a person, not a bot
        except signing.BadSignature:
            return "form time stamp missing or forged"
        try:
            signer.unsign(
                self.cleaned_data["form_started"], max_age=settings.CONSULTATION_MIN_SECONDS
            )
        except signing.SignatureExpired:
            return ""
        return "sent too fast"
