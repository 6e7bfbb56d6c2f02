"""The admin index's requests per week (issue 16): twelve weeks, Monday to Sunday in
Bangkok, each week's requests by status now and how many reached scheduled and completed,
as an SVG chart drawn on the server and a table; for Clinic staff and superusers only."""

import itertools
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import ConsultationEvent, ConsultationRequest, WeekCount
from consultations.weekly_chart import WeeklyChart
from tests.articles.factories import make_staff
from tests.conftest import sign_in
from tests.consultations.factories import make_request
from tests.html_checker import assert_valid_html, require_java

pytestmark = pytest.mark.django_db

Status = ConsultationRequest.Status
BANGKOK = ZoneInfo("Asia/Bangkok")
INDEX = reverse("admin:index")
COLUMNS = [
    "received",
    "new",
    "contacted",
    "scheduled",
    "completed",
    "declined",
    "cancelled",
    "reached scheduled",
    "reached completed",
    "spam",
]
ROW = re.compile(r'<tr[^>]*>\s*<th scope="row"><time datetime="([\d-]+)">.*?</tr>', re.S)


def this_monday():
    today = timezone.localdate(timezone.now(), BANGKOK)
    return today - timedelta(days=today.weekday())


def weeks_ago(n):
    return this_monday() - timedelta(weeks=n)


def at(day, hour, minute=0):
    """`day` at hour:minute on the clinic's clock."""
    return datetime.combine(day, time(hour, minute), tzinfo=BANGKOK)


def received(when, status=Status.NEW, **fields):
    return make_request(created_at=when, status=status, **fields)


def index_page(client):
    response = client.get(INDEX)
    assert response.status_code == 200
    return response.content.decode()


def table(page):
    """The table's weeks, oldest first: {Monday (ISO date): {column: count}}."""
    rows = {}
    for match in ROW.finditer(page):
        counts = [int(n) for n in re.findall(r"<td>(\d+)</td>", match.group(0))]
        rows[match.group(1)] = dict(zip(COLUMNS, counts, strict=True))
    return rows


def week(page, monday):
    return table(page)[monday.isoformat()]


def test_the_clinic_time_zone_is_bangkok(settings):
    assert settings.TIME_ZONE == "Asia/Bangkok"


def test_each_week_counts_its_requests_by_status_now(clinic_staff_client):
    monday = this_monday()
    for status in (Status.NEW, Status.NEW, Status.CONTACTED):
        received(at(monday, 0, 5), status)
    received(at(weeks_ago(3) + timedelta(days=2), 10), Status.COMPLETED)
    received(at(weeks_ago(3) + timedelta(days=6), 22), Status.DECLINED)
    received(at(weeks_ago(11), 9), Status.CANCELLED)  # the oldest week shown
    received(at(weeks_ago(12) + timedelta(days=6), 23, 59))  # a day before: not shown
    received(at(monday, 0, 10), Status.SPAM)

    page = index_page(clinic_staff_client)
    rows = table(page)
    assert list(rows) == [weeks_ago(n).isoformat() for n in range(11, -1, -1)]
    empty = dict.fromkeys(COLUMNS, 0)
    assert rows[monday.isoformat()] == empty | {"received": 3, "new": 2, "contacted": 1, "spam": 1}
    assert rows[weeks_ago(3).isoformat()] == empty | {
        "received": 2,
        "completed": 1,
        "declined": 1,
        "reached scheduled": 1,  # completed: it was scheduled before
        "reached completed": 1,
    }
    assert rows[weeks_ago(11).isoformat()] == empty | {"received": 1, "cancelled": 1}
    for n in (1, 2, 4, 5, 6, 7, 8, 9, 10):
        assert rows[weeks_ago(n).isoformat()] == empty
    assert "(so far)" in page  # the current week, last
    totals = re.search(r"<tfoot>.*?</tfoot>", page, re.S).group(0)
    assert [int(n) for n in re.findall(r"<td>(\d+)</td>", totals)] == [
        6, 2, 1, 0, 1, 1, 1, 1, 1, 1,
    ]  # fmt: skip


def test_a_week_starts_on_monday_at_midnight_in_bangkok(clinic_staff_client):
    """Sunday 23:30 and Monday 00:30 in Bangkok are both Sunday in UTC (16:30, 17:30):
    they fall in two weeks all the same."""
    last_monday = weeks_ago(1)
    sunday_night = at(last_monday - timedelta(days=1), 23, 30)
    monday_morning = at(last_monday, 0, 30)
    assert sunday_night.astimezone(ZoneInfo("UTC")).weekday() == 6
    assert monday_morning.astimezone(ZoneInfo("UTC")).weekday() == 6
    received(sunday_night, Status.CONTACTED)
    received(monday_morning, Status.NEW)

    page = index_page(clinic_staff_client)
    assert week(page, weeks_ago(2))["received"] == 1
    assert week(page, weeks_ago(2))["contacted"] == 1
    assert week(page, weeks_ago(1))["received"] == 1
    assert week(page, weeks_ago(1))["new"] == 1


def test_a_request_scheduled_then_cancelled_reached_scheduled(clinic_staff_client, clinic_staff):
    """From the audit trail: scheduled by staff, then cancelled by the patient."""
    consultation = received(at(weeks_ago(1) + timedelta(days=1), 11), Status.CONTACTED)
    services.change_request(
        consultation,
        actor=clinic_staff,
        changes={
            "status": Status.SCHEDULED,
            "scheduled_at": timezone.now() + timedelta(days=3),
        },
    )
    services.cancel_by_patient(consultation)
    consultation.refresh_from_db()
    assert consultation.status == Status.CANCELLED
    received(at(weeks_ago(1) + timedelta(days=2), 11), Status.CONTACTED)  # never scheduled

    counts = week(index_page(clinic_staff_client), weeks_ago(1))
    assert counts["received"] == 2
    assert counts["cancelled"] == 1
    assert counts["contacted"] == 1
    assert counts["reached scheduled"] == 1
    assert counts["reached completed"] == 0


def test_a_request_reopened_after_completion_still_reached_completed(clinic_staff_client):
    consultation = received(at(this_monday(), 9), Status.NEW)
    for old, new in (("new", "scheduled"), ("scheduled", "completed"), ("completed", "new")):
        ConsultationEvent.objects.create(
            request=consultation, kind=ConsultationEvent.Kind.STATUS, from_value=old, to_value=new
        )
    counts = week(index_page(clinic_staff_client), this_monday())
    assert counts["new"] == 1
    assert counts["reached scheduled"] == counts["reached completed"] == 1


def test_spam_that_was_once_scheduled_counts_only_as_spam(clinic_staff_client):
    consultation = received(at(this_monday(), 9), Status.SPAM)
    ConsultationEvent.objects.create(
        request=consultation, kind=ConsultationEvent.Kind.STATUS, to_value=Status.SCHEDULED
    )
    counts = week(index_page(clinic_staff_client), this_monday())
    assert counts == dict.fromkeys(COLUMNS, 0) | {"spam": 1}


def many_requests(count):
    """`count` requests over the twelve weeks, in every status, each with its trail."""
    statuses = [*Status]
    for n in range(count):
        request = received(
            at(weeks_ago(n % 12), 8 + n % 10), statuses[n % len(statuses)], full_name=f"P{n}"
        )
        ConsultationEvent.objects.create(
            request=request, kind=ConsultationEvent.Kind.STATUS, to_value=Status.SCHEDULED
        )


def index_queries(client):
    with CaptureQueriesContext(connection) as queries:
        index_page(client)
    return len(queries)


def test_the_index_reads_as_many_queries_for_3_or_60_requests(clinic_staff_client):
    index_page(clinic_staff_client)  # the session's first look
    many_requests(3)
    few = index_queries(clinic_staff_client)
    many_requests(57)
    many = index_queries(clinic_staff_client)
    assert many == few
    assert sum(week["received"] for week in table(index_page(clinic_staff_client)).values()) > 3


def test_the_counts_are_one_query(django_assert_num_queries):
    many_requests(24)
    with django_assert_num_queries(1):
        weeks = ConsultationRequest.objects.weekly_counts(weeks=12)
    assert len(weeks) == 12
    assert sum(week.received + week.spam for week in weeks) == 24


def test_twelve_weeks_from_monday_in_bangkok_spam_apart_and_what_was_reached():
    last_monday = weeks_ago(1)
    received(at(last_monday - timedelta(days=1), 23, 30), Status.CONTACTED)  # Sunday
    received(at(last_monday, 0, 30), Status.COMPLETED)  # Monday, Sunday 17:30 in UTC
    received(at(last_monday, 1), Status.SPAM)
    weeks = ConsultationRequest.objects.weekly_counts()
    assert [week.start for week in weeks] == [weeks_ago(n) for n in range(11, -1, -1)]
    before, last, this = weeks[-3:]
    assert (before.received, before.by_status["contacted"], before.reached_scheduled) == (1, 1, 0)
    assert (last.received, last.by_status["completed"], last.spam) == (1, 1, 1)
    assert (last.reached_scheduled, last.reached_completed) == (1, 1)
    assert this.received == this.spam == 0


def test_the_chart_has_a_bar_per_week_and_a_text_alternative(clinic_staff_client):
    received(at(this_monday(), 9), Status.NEW)
    received(at(this_monday(), 10), Status.SCHEDULED)
    received(at(weeks_ago(5), 10), Status.COMPLETED)
    page = index_page(clinic_staff_client)
    svg = re.search(r'<svg class="weekly-chart-svg".*?</svg>', page, re.S).group(0)
    opening = svg[: svg.index(">")]
    assert 'role="img"' in opening
    assert 'aria-labelledby="weekly-chart-title weekly-chart-desc"' in opening
    assert '<title id="weekly-chart-title">' in svg
    desc = re.search(r'<desc id="weekly-chart-desc">(.*?)</desc>', svg, re.S).group(1)
    assert "3 requests received in the 12 weeks" in desc
    assert "2 reached scheduled and 1 reached completed" in desc
    weeks = re.findall(r'<g class="chart-week[^"]*" data-week="([\d-]+)">', svg)
    assert weeks == [weeks_ago(n).isoformat() for n in range(11, -1, -1)]
    current = re.search(r'<g class="chart-week chart-current-week".*?</g>', svg, re.S).group(0)
    assert current.count("<rect") == 2  # new and scheduled, stacked
    assert 'class="chart-status-new"' in current
    assert 'class="chart-status-scheduled"' in current
    assert (
        "<script" not in page[page.index('class="module weekly-requests"') :].split("</table>")[0]
    )
    assert "style=" not in svg
    assert "css/admin-requests-chart.css" in page


def test_bars_stack_from_the_baseline_to_the_weeks_total(clinic_staff_client):
    for status in (Status.NEW, Status.CONTACTED, Status.CONTACTED, Status.DECLINED):
        received(at(this_monday(), 9), status)
    svg = re.search(
        r'<svg class="weekly-chart-svg".*?</svg>', index_page(clinic_staff_client), re.S
    ).group(0)
    baseline = int(re.search(r'class="chart-baseline"[^>]* y1="(\d+)"', svg).group(1))
    current = re.search(r'<g class="chart-week chart-current-week".*?</g>', svg, re.S).group(0)
    rects = [
        (status, int(y), int(height))
        for status, y, height in re.findall(
            r'<rect class="chart-status-(\w+)" x="\d+" y="(\d+)" width="\d+" height="(\d+)"/>',
            current,
        )
    ]
    assert [status for status, _y, _h in rects] == ["new", "contacted", "declined"]
    assert rects[0][1] + rects[0][2] == baseline  # the first stands on the baseline
    for below, above in itertools.pairwise(rects):
        assert above[1] + above[2] == below[1]  # each stands on the one before
    heights = [height for _s, _y, height in rects]
    assert heights[1] == pytest.approx(2 * heights[0], abs=1)  # two contacted, one new
    assert re.search(r'<text class="chart-total"[^>]*>4</text>', current)


def test_lines_mark_how_many_of_each_weeks_requests_reached_scheduled_and_completed(
    clinic_staff_client,
):
    """Whatever their status now: a completed request reached scheduled too."""
    for status in (Status.NEW, Status.SCHEDULED, Status.COMPLETED, Status.COMPLETED):
        received(at(this_monday(), 9), status)
    received(at(weeks_ago(3), 9), Status.SCHEDULED)
    page = index_page(clinic_staff_client)
    svg = re.search(r'<svg class="weekly-chart-svg".*?</svg>', page, re.S).group(0)
    baseline = int(re.search(r'class="chart-baseline"[^>]* y1="(\d+)"', svg).group(1))
    ticks = {
        int(value): int(y)
        for y, value in re.findall(
            r'<line class="chart-grid"[^>]* y1="(\d+)"[^>]*/>\s*'
            r'<text class="chart-tick"[^>]*>(\d+)</text>',
            svg,
        )
    }
    unit = (baseline - ticks[max(ticks)]) / max(ticks)  # height of one request
    centres = [int(x) for x in re.findall(r'<text class="chart-date" x="(\d+)"', svg)]
    for name, reached in (("scheduled", {0: 3, 3: 1}), ("completed", {0: 2})):
        line = re.search(rf'<g class="chart-reached chart-reached-{name}">(.*?)</g>', svg, re.S)
        markers = [
            (int(x), int(y)) for x, y in re.findall(r'<circle cx="(\d+)" cy="(\d+)"', line[1])
        ]
        assert [x for x, _y in markers] == centres  # one a week, on its bar
        counts = [reached.get(11 - n, 0) for n in range(12)]  # oldest week first
        assert [y for _x, y in markers] == [
            pytest.approx(baseline - count * unit, abs=1) for count in counts
        ]
        points = re.search(r'<polyline points="([^"]+)"/>', line[1])[1]
        assert points == " ".join(f"{x},{y}" for x, y in markers)
    legend = re.search(r'<ul class="chart-legend">(.*?)</ul>', page, re.S)[1]
    assert "Reached scheduled</li>" in legend
    assert "Reached completed</li>" in legend
    assert week(page, this_monday())["reached scheduled"] == 3
    assert week(page, this_monday())["reached completed"] == 2


def test_superusers_see_it(admin_client):
    received(at(this_monday(), 9))
    page = index_page(admin_client)
    assert 'class="module weekly-requests"' in page
    assert week(page, this_monday())["received"] == 1


@pytest.mark.parametrize("group", ["Editors", "Medical reviewers"])
def test_editors_and_medical_reviewers_do_not_see_it(client, group):
    consultation = received(at(this_monday(), 9), full_name="Malee Srisuk")
    page = index_page(sign_in(client, make_staff("someone", group)))
    assert "weekly-requests" not in page
    assert "weekly-chart" not in page
    assert "admin-requests-chart.css" not in page
    assert "Malee Srisuk" not in page
    assert consultation.reference not in page


def test_no_patient_data_on_the_chart(clinic_staff_client):
    consultation = received(
        at(this_monday(), 9), full_name="Malee Srisuk", email="malee@example.com"
    )
    page = index_page(clinic_staff_client)
    assert week(page, this_monday())["received"] == 1
    for detail in ("Malee Srisuk", "malee@example.com", consultation.reference):
        assert detail not in page


def test_in_thai_for_a_thai_staff_member(clinic_staff_client):
    received(at(this_monday(), 9))
    page = clinic_staff_client.get(INDEX, headers={"accept-language": "th"}).content.decode()
    assert '<html lang="th"' in page
    assert "คำขอรับคำปรึกษา" in re.search(r'<h2 id="weekly-requests">(.*?)</h2>', page).group(1)
    assert "ถึงขั้นนัดหมายแล้ว" in page
    assert "Reached scheduled" not in page
    assert week(page, this_monday())["received"] == 1


@pytest.mark.parametrize(
    ("largest", "scale"),
    [
        (0, [0, 1]),
        (3, [0, 1, 2, 3]),
        (4, [0, 1, 2, 3, 4]),
        (5, [0, 2, 4, 6]),
        (37, [0, 10, 20, 30, 40]),
        (180, [0, 50, 100, 150, 200]),
    ],
)
def test_the_scale_has_at_most_five_round_lines(largest, scale):
    weeks = [WeekCount(this_monday(), dict.fromkeys(WeekCount.STATUSES, 0), 0, 0, 0)] * 11
    weeks.append(WeekCount(this_monday(), {**weeks[0].by_status, "new": largest}, 0, 0, 0))
    chart = WeeklyChart(weeks)
    assert [tick.value for tick in chart.ticks] == scale
    assert chart.ticks[0].y == chart.baseline
    tallest = chart.bars[-1].segments
    assert len(tallest) == (1 if largest else 0)
    if largest:  # from the baseline up to its count on the scale, never above its top
        assert tallest[0].y + tallest[0].height == chart.baseline
        assert tallest[0].y >= chart.ticks[-1].y
        assert (tallest[0].y == chart.ticks[-1].y) == (largest == scale[-1])


def test_the_admin_index_with_the_chart_is_valid_html(clinic_staff_client, tmp_path):
    """The whole page, in English and Thai: Django admin's own markup passes the Nu HTML
    Checker too, so the chart is checked where it stands."""
    require_java()
    for status in (Status.NEW, Status.SCHEDULED, Status.COMPLETED, Status.SPAM):
        received(at(this_monday(), 9), status)
    received(at(weeks_ago(5), 10), Status.CANCELLED)
    files = []
    for language in ("en", "th"):
        page = clinic_staff_client.get(INDEX, headers={"accept-language": language})
        assert 'class="module weekly-requests"' in page.content.decode()
        files.append(tmp_path / f"admin-index-{language}.html")
        files[-1].write_bytes(page.content)
    assert_valid_html(files)
