"""An iCalendar (RFC 5545) invitation for a scheduled consultation, without health details."""

from datetime import UTC, timedelta

from django.conf import settings
from django.utils import timezone

DURATION = timedelta(hours=1)


def _escape(text):
    return (
        str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    )


def _fold(line):
    """Lines longer than 75 octets continue on the next line after a space."""
    raw = line.encode()
    parts = []
    while len(raw) > 75:
        cut = 75
        while (raw[cut] & 0xC0) == 0x80:  # never split a UTF-8 character
            cut -= 1
        parts.append(raw[:cut].decode())
        raw = b" " + raw[cut:]
    parts.append(raw.decode())
    return "\r\n".join(parts)


def consultation_ics(request):
    tz = timezone.get_default_timezone()
    start = timezone.localtime(request.scheduled_at, tz)
    end = start + DURATION
    offset = start.strftime("%z")
    stamp = timezone.now().astimezone(UTC)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Genoma Health//Consultations//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",  # information for the patient's calendar, not a meeting request
        "BEGIN:VTIMEZONE",
        f"TZID:{settings.TIME_ZONE}",
        "BEGIN:STANDARD",
        "DTSTART:19700101T000000",
        f"TZOFFSETFROM:{offset}",
        f"TZOFFSETTO:{offset}",
        f"TZNAME:{start.strftime('%Z')}",
        "END:STANDARD",
        "END:VTIMEZONE",
        "BEGIN:VEVENT",
        f"UID:{request.reference}@genoma-health",
        f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
        f"DTSTART;TZID={settings.TIME_ZONE}:{start:%Y%m%dT%H%M%S}",
        f"DTEND;TZID={settings.TIME_ZONE}:{end:%Y%m%dT%H%M%S}",
        f"SUMMARY:{_escape('Consultation at Genoma Health')}",
        f"DESCRIPTION:{_escape(f'Your consultation with Genoma Health. Reference {request.reference}.')}",
        "STATUS:CONFIRMED",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
