"""The "schedule a consultation" form: it cleans and checks; the service writes."""

import time
import uuid
import zoneinfo
from datetime import timedelta

from django import forms
from django.conf import settings
from django.core import signing
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import WEEKDAYS
from django.utils.html import format_html, format_html_join, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from articles.models import Condition, Treatment, Version, clean_slug
from consultations import scheduling
from consultations.models import ConsultationRequest
from consultations.text import (
    international_phone_number,
    is_invisible,
    refuse_invisible_characters,
    strip_invisible_characters,
)
from genoma.dates import local_date
from team.models import ConsultationMode

FORM_SIGNER_SALT = "consultations.form-rendered-at"
MAX_DAYS_AHEAD = 183  # about six months
TIME_ZONES = zoneinfo.available_timezones()
# Django's messages that its own Thai catalogue lacks, by their validators' codes: said
# here, they are in ours (makemessages reads only this project's code).
MESSAGES_DJANGO_LACKS_IN_THAI = {
    "null_characters_not_allowed": _("Null characters are not allowed."),
    "max_length": ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
}


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


class FreeTimeSelect(forms.Select):
    """The free times of six weeks, a group per day, rendered in Python (a few hundred
    options: a template per option would make the form page several times slower).
    Each option carries its UTC start, so the page's script can add the patient's own
    time beside the clinic's."""

    days = ()  # (day's label, its Slots), set by FreeTimeField.show_free_times

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        attrs["name"] = name
        selected = str(value or "")
        groups = format_html_join(
            "",
            '<optgroup label="{}">{}</optgroup>',
            ((day, self._options(slots, selected)) for day, slots in self.days),
        )
        empty = format_html('<option value="">{}</option>', _("Choose a time"))
        return format_html("<select{}>{}{}</select>", flatatt(attrs), empty, groups)

    @staticmethod
    def _options(slots, selected):
        return format_html_join(
            "",
            '<option value="{}" data-start="{}"{}>{}</option>',
            (
                (
                    value,
                    slot.start.isoformat(),
                    " selected" if value == selected else "",
                    f"{timezone.localtime(slot.start):%H:%M}",
                )
                for slot in slots
                for value in [scheduling.start_value(slot.start)]
            ),
        )


class FreeTimeField(forms.CharField):
    """One of the free times of a consultation type (at the clinic, by video call).
    The value is checked in the form's clean(), where a time taken since the page was
    shown gets its own message instead of "not one of the choices"."""

    widget = FreeTimeSelect
    asked_with_a_choice = True  # needed once its way of meeting is chosen: not "(optional)"

    def __init__(self, mode, **kwargs):
        super().__init__(required=False, max_length=40, **kwargs)
        self.mode = mode

    def widget_attrs(self, widget):
        return {}  # no maxlength: a select has none

    def show_free_times(self):
        """Read the free times now, a group per day in the page's language."""
        self.widget.attrs.update(
            {"data-clinic-zone": settings.TIME_ZONE, "data-your-time": _("your time")}
        )
        days = {}
        for slot in scheduling.free_times(self.mode):
            day = timezone.localtime(slot.start).date()
            days.setdefault(day, []).append(slot)
        self.widget.days = [
            (f"{WEEKDAYS[day.weekday()]} {local_date(day)}", slots) for day, slots in days.items()
        ]
        return bool(days)


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


class LanguageMarkedSelect(forms.Select):
    """A select whose options may be in another language than the page's (the English
    name of a condition not yet translated, on a Thai page): those carry `lang`."""

    option_languages = {}  # a record's pk -> the language of its option's label

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        record = getattr(value, "instance", None)  # ModelChoiceIteratorValue
        language = record and self.option_languages.get(record.pk)
        if language and language != translation.get_language():
            option["attrs"]["lang"] = language
        return option


class PublishedRecordField(SlugChoiceField):
    """A published condition or treatment, chosen by slug and named as its public page
    names it: the published version's title, in the page's language where its
    translation is published, in English (so marked) where not."""

    widget = LanguageMarkedSelect

    def __init__(self, model, **kwargs):
        super().__init__(queryset=model.objects.none(), to_field_name="slug", **kwargs)
        self.model = model
        self.shown = {}

    def show_published(self):
        """Read, when the form is made, which records are public and what they are called."""
        self.shown = {v.object_id: v for v in Version.objects.for_list().of(self.model)}
        self.queryset = self.model.objects.only("slug").filter(pk__in=self.shown)
        self.widget.option_languages = {pk: v.shown_language for pk, v in self.shown.items()}

    def label_from_instance(self, record):
        return self.shown[record.pk].shown_title


class FreeTextField(forms.CharField):
    """Free text (the message): every kind of line break becomes "\n" (a pasted U+2028
    or a lone CR still separates lines), then what cannot be seen is dropped before
    anything is checked, so it neither reaches staff nor counts against the length."""

    def to_python(self, value):
        if value:
            value = strip_invisible_characters("\n".join(value.splitlines()))
        return super().to_python(value)


class BookkeepingField(forms.CharField):
    """A hidden value the page wrote, not the patient. Whatever comes back (tampered,
    overlong, with NUL bytes) is never an error nobody could see or fix: the form's
    clean_<name> method keeps it or puts a safe value in its place."""

    widget = forms.HiddenInput

    def __init__(self):
        super().__init__(required=False)
        self.validators = []  # not even Django's "null characters" check


def signed_timestamp():
    return signing.TimestampSigner(salt=FORM_SIGNER_SALT).sign(str(uuid.uuid4()))


class InternationalPhoneMixin:
    """A form with `phone` and `country`: the number is read in the country given and
    stored in international form, extension kept (one rule for patients and staff)."""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("phone"):
            try:
                cleaned["phone"] = international_phone_number(
                    cleaned["phone"], cleaned.get("country")
                )
            except forms.ValidationError as error:
                self.add_error("phone", error)
        return cleaned


class ConsultationRequestForm(InternationalPhoneMixin, forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=120,
        validators=[refuse_invisible_characters],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        validators=[refuse_invisible_characters],
        help_text=_("We send the confirmation of your request here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        # What is typed, spaces and words ("extension") included; the stored form is shorter.
        max_length=64,
        validators=[refuse_invisible_characters],
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
    condition = PublishedRecordField(
        Condition, label=_("Condition of interest"), required=False, empty_label=_("Not sure")
    )
    treatment = PublishedRecordField(
        Treatment, label=_("Treatment of interest"), required=False, empty_label=_("No preference")
    )
    consultation_mode = forms.ChoiceField(
        label=_("When would you like your consultation?"),
        choices=[("", _("Contact me to arrange a time")), *ConsultationMode.choices],
        required=False,
        initial="",
        widget=forms.RadioSelect,
        help_text=_("Choose a free time now, or let us arrange one with you."),
    )
    clinic_time = FreeTimeField(
        ConsultationMode.CLINIC,
        label=_("Free times at the clinic (Thailand time)"),
        help_text=_("We confirm the time by email; until then it is kept for you."),
    )
    video_time = FreeTimeField(
        ConsultationMode.VIDEO,
        label=_("Free times by video call (Thailand time)"),
        help_text=_("We confirm the time by email, with the link to the call."),
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
    message = FreeTextField(
        label=_("Message"),
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
    form_started = BookkeepingField()
    submission_token = BookkeepingField()
    source_page = BookkeepingField()
    source_article = BookkeepingField()
    time_zone = BookkeepingField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages = {**MESSAGES_DJANGO_LACKS_IN_THAI, **field.error_messages}
        self.fields["condition"].show_published()
        self.fields["treatment"].show_published()
        self._offer_free_times()
        # The page's language (/th/… is Thai) is the patient's likely preference; they may pick the other.
        if translation.get_language() in ConsultationRequest.Language.values:
            self.fields["language"].initial = translation.get_language()
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

    TIME_FIELDS = {ConsultationMode.CLINIC: "clinic_time", ConsultationMode.VIDEO: "video_time"}

    def _offer_free_times(self):
        """Offer each way of meeting that has free times; with none, the form asks only
        for a preferred date, as before clinicians had calendars."""
        offered = [
            mode for mode, name in self.TIME_FIELDS.items() if self.fields[name].show_free_times()
        ]
        for mode, name in self.TIME_FIELDS.items():
            if mode not in offered:
                del self.fields[name]
        if offered:
            self.fields["preferred_date"].required = False  # a chosen time says the date
            choices = self.fields["consultation_mode"].choices
            self.fields["consultation_mode"].choices = [
                c for c in choices if c[0] in ("", *offered)
            ]
        else:
            del self.fields["consultation_mode"]

    @property
    def offers_free_times(self):
        return "consultation_mode" in self.fields

    @property
    def free_time_fields(self):
        return [self[name] for name in self.TIME_FIELDS.values() if name in self.fields]

    def clean(self):
        cleaned = super().clean()
        mode = cleaned.get("consultation_mode") or ""
        cleaned["slot"] = None
        if mode:
            self._clean_chosen_time(cleaned, mode)
        elif cleaned.get("preferred_date") is None and "preferred_date" not in self.errors:
            self.add_error("preferred_date", forms.Field.default_error_messages["required"])
        return cleaned

    def _clean_chosen_time(self, cleaned, mode):
        name = self.TIME_FIELDS[mode]
        value = cleaned.get(name)
        if not value:
            self.add_error(name, _("Choose a time, or choose “Contact me to arrange a time”."))
            return
        try:
            slot = scheduling.bookable_slot(mode, value)
        except scheduling.SlotUnavailable as taken:
            self.time_taken(taken, mode)
            return
        local = timezone.localtime(slot.start)
        cleaned["slot"] = slot
        cleaned["preferred_date"] = local.date()
        cleaned["preferred_time"] = ConsultationRequest.TimeOfDay.of(local.time())

    def time_taken(self, taken, mode=None):
        """Ask again for a time that can no longer be booked; never say why in another
        patient's terms (the calendar's own message names their reference)."""
        mode = mode or self.cleaned_data.get("consultation_mode")
        name = self.TIME_FIELDS[mode]
        message = (
            _("That time was taken a moment ago. Please choose another.")
            if taken.code == "clash"
            else _("That time is no longer available. Please choose another.")
        )
        if name in self.fields:
            self.add_error(name, message)
        else:
            self.add_error("consultation_mode", message)
        self.data = self.data.copy()
        self.data[name] = ""

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
        return name

    def clean_country(self):
        code = self.cleaned_data["country"]
        if code and code not in dict(countries):
            raise forms.ValidationError(_("Choose your country from the list."))
        return code

    def clean_preferred_date(self):
        day = self.cleaned_data["preferred_date"]
        if day is None:
            return None  # optional beside a chosen time: clean() asks for one without
        today = timezone.localdate()
        if day < today:
            raise forms.ValidationError(_("Choose today or a later date."))
        if day > today + timedelta(days=MAX_DAYS_AHEAD):
            raise forms.ValidationError(_("Choose a date within the next six months."))
        return day

    # The hidden fields: a value that cannot be right is replaced, never refused.

    def clean_submission_token(self):
        try:
            return uuid.UUID(self.cleaned_data["submission_token"])
        except ValueError:
            return uuid.uuid4()  # a new request; the corrected form shown again keeps it

    def clean_time_zone(self):
        name = self.cleaned_data["time_zone"]
        return name if name in TIME_ZONES else ""

    def clean_source_page(self):
        page = self.cleaned_data["source_page"]
        # Only a path on this site is worth keeping (and safe to show in admin).
        is_path = page.startswith("/") and not page.startswith("//")
        fits = len(page) <= ConsultationRequest._meta.get_field("source_page").max_length
        visible = not any(is_invisible(character) for character in page)
        return page if is_path and fits and visible else ""

    def clean_source_article(self):
        return clean_slug(self.cleaned_data["source_article"])

    def show_again(self):
        """Before the invalid form is shown again: its hidden fields as cleaned (so what
        was tampered with cannot fail again, and the token stays the same on the next
        try), and a time stamp if it had none."""
        data = self.data.copy()
        for name in ("submission_token", "source_page", "source_article", "time_zone"):
            data[name] = str(self.cleaned_data[name])
        data["form_started"] = data.get("form_started") or signed_timestamp()
        self.data = data

    def error_summary(self):
        """Every error the form has, as (anchor, label, message): the summary at the top
        of the page lists all of them, so the number it announces is the number it shows."""
        problems = []
        for field in self:
            # Radio buttons have no single id: the summary links to the first one.
            anchor = "" if field.is_hidden else field.id_for_label or f"{field.auto_id}_0"
            problems += [(anchor, strip_tags(field.label), error) for error in field.errors]
        problems += [("", "", error) for error in self.non_field_errors()]
        return problems

    def _seconds_since_shown(self):
        """Seconds between showing the form and this submission, or None when the form's
        time stamp is missing or forged."""
        signer = signing.TimestampSigner(salt=FORM_SIGNER_SALT)
        stamp = self.cleaned_data.get("form_started", "")
        try:
            signer.unsign(stamp)  # the signature only, whatever its age
        except signing.BadSignature:
            return None
        shown_at = signing.b62_decode(stamp.rsplit(signer.sep, 2)[1])
        return max(0, int(time.time() - shown_at))

    def spam_reason(self):
        """Proof that a bot sent this (then nothing is sent and nobody calls), or ""."""
        if self.cleaned_data.get("website"):
            return "honeypot filled"
        if self._seconds_since_shown() is None:
            return "form time stamp missing or forged"
        return ""

    def review_note(self):
        """A doubt for staff, not a proof: a person whose browser filled the form in for
        them can send it in a second. The request is answered as usual, flagged."""
        seconds = self._seconds_since_shown()
        if seconds is None or seconds >= settings.CONSULTATION_MIN_SECONDS:
            return ""
        unit = "second" if seconds == 1 else "seconds"
        return f"sent {seconds} {unit} after the form was shown"
