"""Deployment checks (`manage.py check --deploy`) for promises the patient emails make."""

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def replies_reach_the_clinic(app_configs, **kwargs):
    """The emails and the privacy notice tell patients to reply: someone must read replies."""
    if settings.CLINIC_EMAIL:
        return []
    return [
        Warning(
            "Patient emails ask patients to reply, but CLINIC_EMAIL is not set: replies go "
            f"to the sender address {settings.DEFAULT_FROM_EMAIL!r}.",
            hint="Set CLINIC_EMAIL to an address the clinic reads; it becomes the Reply-To.",
            id="consultations.W001",
        )
    ]
