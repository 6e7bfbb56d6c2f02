"""The patient's own link to their request: /consultation/manage/<token>/.

The token is the request's random `manage_key` signed with the site's secret key under
a salt of its own: it cannot be guessed from the reference (which patients read out on
the phone), a token made for another purpose (a preview link) is not accepted here, and
a new secret key, or a new `manage_key`, retires every link. Whoever holds the link
sees the request's status and time and may cancel it or ask for another time, without
signing in: so the page shows nothing the patient typed (no name, contact details or
message), and the link is sent to nobody but the patient (the application logs name
requests by reference; a web server's access log holds it as it holds every address).
"""

import uuid

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from consultations.forms import MESSAGES_DJANGO_LACKS_IN_THAI, FreeTextField
from consultations.models import ConsultationRequest

SALT = "consultations.manage"
NOTE_MAX_LENGTH = ConsultationRequest._meta.get_field("patient_change_note").max_length


def _signer():
    return signing.Signer(salt=SALT)


def manage_token(request):
    """The token of `request`'s own page: its manage key, signed."""
    return _signer().sign(request.manage_key.hex)


def request_for_token(token):
    """The request the token opens; None for a bad signature, an unknown key, or a
    request whose personal data were erased (its link ends with them)."""
    try:
        key = uuid.UUID(hex=_signer().unsign(str(token)))
    except (signing.BadSignature, ValueError):
        return None
    return (
        ConsultationRequest.objects.select_related("clinician", "consultation_type")
        .filter(manage_key=key, anonymised_at__isnull=True)
        .first()
    )


class AnotherTimeForm(forms.Form):
    """What suits the patient better: optional, short, and never a health question."""

    note = FreeTextField(
        label=_("What suits you better?"),
        help_text=_(
            "For example the days or times of day that suit you. Please do not write "
            "health details here."
        ),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=MESSAGES_DJANGO_LACKS_IN_THAI,
    )

    def clean_note(self):
        return " ".join(self.cleaned_data["note"].split())
