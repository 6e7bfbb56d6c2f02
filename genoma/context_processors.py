from django.conf import settings


def clinic(request):
    """The clinic's public contact details, for the footer."""
    return {"clinic_email": settings.CLINIC_EMAIL, "clinic_phone": settings.CLINIC_PHONE}
