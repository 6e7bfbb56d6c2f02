"""An iCalendar (RFC 5545/5546) invitation or cancellation for a consultation, without
health details, its text in the patient's language.

Every file for one request describes the same event (one UID); its SEQUENCE grows
with each file sent, so the patient's calendar replaces the time it holds, or
removes the event when the method is CANCEL. The event lasts as long as the
consultation's type says; its place is the clinic, or the video call's link.
"""

import unicodedata
from datetime import UTC
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

CLINIC_LOCATION = "Genoma Health"
PUBLISH = "PUBLISH"
CANCEL = "CANCEL"


def _escape(text):
    return (
        str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    )


def _clusters(text):
    """Each character with the marks that follow it (a Thai consonant with its vowel and
    tone marks), so that a fold never separates them."""
    clusters = []
    for character in text:
        if clusters and unicodedata.category(character).startswith("M"):
            clusters[-1] += character
        else:
            clusters.append(character)
    return clusters


def _fold(line):
    """Lines longer than 75 octets continue on the next line after a space, never inside
    a UTF-8 character nor between a letter and its marks: a calendar that shows folded
    lines as they are still shows whole Thai syllables."""
    lines = [""]
    for cluster in _clusters(line):
        # A letter with more marks than a line holds (only in made-up text) is cut up.
        pieces = [cluster] if len(cluster.encode()) < 75 else list(cluster)
        for piece in pieces:
            if len((lines[-1] + piece).encode()) > 75:
                lines.append(" ")
            lines[-1] += piece
    return "\r\n".join(lines)


def _end(request, scheduled_at):
    """When the consultation at `scheduled_at` ends: its own end when that is the
    request's time, else (a time staff have since moved) as long as its type lasts."""
    if scheduled_at == request.scheduled_at and request.scheduled_until:
        return request.scheduled_until
    return scheduled_at + request.duration


def _uri(link):
    """A link as a URI property value: nothing that could end the line."""
    return "".join(character for character in link if character not in "\r\n")


def _place(request):
    """(LOCATION, URL or None): the clinic, or the video call and its link."""
    if not request.is_video:
        return CLINIC_LOCATION, None
    if request.video_link:
        return request.video_link, _uri(request.video_link)
    return gettext("Video call (we send you the link)"), None


def consultation_ics(request, *, scheduled_at, sequence, method=PUBLISH):
    with translation.override(request.language):
        language = translation.get_language()
        summary = gettext("Consultation at Genoma Health")
        description = gettext("Your consultation with Genoma Health. Reference %(reference)s.") % {
            "reference": request.reference
        }
        location, url = _place(request)
    tz = timezone.get_default_timezone()
    start = timezone.localtime(scheduled_at, tz)
    end = timezone.localtime(_end(request, scheduled_at), tz)
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
        f"SUMMARY;LANGUAGE={language}:{_escape(summary)}",
        f"DESCRIPTION;LANGUAGE={language}:{_escape(description)}",
        f"LOCATION:{_escape(location)}",
        *([f"URL:{url}"] if url else []),
        "STATUS:CANCELLED" if method == CANCEL else "STATUS:CONFIRMED",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
