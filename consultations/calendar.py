"""An iCalendar (RFC 5545/5546) invitation or cancellation for a consultation, without
health details.

Every file for one request describes the same event (one UID); its SEQUENCE grows
with each file sent, so the patient's calendar replaces the time it holds, or
removes the event when the method is CANCEL.
"""

from datetime import UTC, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone

DURATION = timedelta(hours=1)
PUBLISH = "PUBLISH"
CANCEL = "CANCEL"


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


def consultation_ics(request, *, scheduled_at, sequence, method=PUBLISH):
    tz = timezone.get_default_timezone()
    start = timezone.localtime(scheduled_at, tz)
    end = start + DURATION
    offset = start.strftime("%z")
    stamp = timezone.now().astimezone(UTC)
    organizer = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Genoma Health//Consultations//EN",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
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
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
        f"DTSTART;TZID={settings.TIME_ZONE}:{start:%Y%m%dT%H%M%S}",
        f"DTEND;TZID={settings.TIME_ZONE}:{end:%Y%m%dT%H%M%S}",
        f"ORGANIZER;CN=Genoma Health:mailto:{organizer}",
        f"SUMMARY:{_escape('Consultation at Genoma Health')}",
        f"DESCRIPTION:{_escape(f'Your consultation with Genoma Health. Reference {request.reference}.')}",
        "STATUS:CANCELLED" if method == CANCEL else "STATUS:CONFIRMED",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
