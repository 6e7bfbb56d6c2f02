"""Staff who can read patient data sign in with a password and a code from an
authenticator app (TOTP), or a recovery code; superusers too. Editors do not."""

import re
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.consultations.factories import make_request

pytestmark = pytest.mark.django_db
PASSWORD = "clinic-password-123"
CHANGELIST = reverse("admin:consultations_consultationrequest_changelist")
SETUP, VERIFY = reverse("twofactor:setup"), reverse("twofactor:verify")
RECOVERY = reverse("twofactor:recovery_codes")


def code_of(device, steps_later=0):
    """What the authenticator app shows for `device` now, or `steps_later` codes on (the
    site accepts the next code too, for a phone's clock a little ahead)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_later * device.step
    return f"{totp.token():06d}"


def new_code_of(device):
    """A code the app shows after the one used at set-up."""
    return code_of(device, steps_later=1)


def sign_in_with_password(client, user, next_page=CHANGELIST):
    response = client.post(
        f"{reverse('admin:login')}?next={next_page}",
        {"username": user.username, "password": PASSWORD, "next": next_page},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return client.get(response["Location"])


def set_up(client, user):
    """The whole guided set-up; returns the app's device and the recovery codes shown."""
    page = sign_in_with_password(client, user)
    assert page.status_code == 302
    assert page["Location"].startswith(SETUP)
    client.get(page["Location"])
    device = TOTPDevice.objects.get(user=user)
    response = client.post(SETUP, {"code": code_of(device), "next": CHANGELIST}, follow=True)
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    return device, codes


@pytest.fixture
def staff(clinic_staff):
    clinic_staff.set_password(PASSWORD)
    clinic_staff.save()
    return clinic_staff


@pytest.fixture
def enrolled(client, staff):
    """A staff member with an authenticator app set up, signed out again."""
    device, codes = set_up(client, staff)
    client.logout()
    return device, codes


def test_the_first_sign_in_guides_the_set_up_of_an_authenticator_app(client, staff):
    page = sign_in_with_password(client, staff)
    assert page["Location"] == f"{SETUP}?next={CHANGELIST.replace('/', '%2F')}"
    html = client.get(page["Location"]).content.decode()
    assert "<svg" in html
    assert "QR code for your authenticator app" in html
    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed
    secret = re.search(r'<code class="otp-secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert secret.replace(" ", "") in device.config_url
    assert "issuer=Genoma%20Health" in device.config_url
    assert "Consultation requests" not in html  # no admin menu before the code
    # Patient data stays out of reach meanwhile.
    consultation = make_request(full_name="Private Patient")
    response = client.get(
        reverse("admin:consultations_consultationrequest_change", args=[consultation.pk])
    )
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


def test_set_up_confirms_the_app_shows_recovery_codes_once_and_opens_admin(client, staff):
    device, codes = set_up(client, staff)
    device.refresh_from_db()
    assert device.confirmed
    assert len(codes) == len(set(codes)) == 10
    assert set(
        StaticToken.objects.filter(device__user=staff).values_list("token", flat=True)
    ) == set(codes)
    assert client.get(CHANGELIST).status_code == 200
    assert not re.findall(r"<code>[a-z2-7]{8}</code>", client.get(RECOVERY).content.decode())


def test_a_wrong_code_at_set_up_is_refused_and_the_secret_stays_the_same(client, staff):
    sign_in_with_password(client, staff)
    first = client.get(SETUP).content.decode()
    response = client.post(SETUP, {"code": "000000"})
    assert "This code is wrong or was already used." in response.content.decode()
    assert not TOTPDevice.objects.get(user=staff).confirmed
    assert TOTPDevice.objects.filter(user=staff).count() == 1
    key = re.search(r'otp-secret">([^<]+)<', first).group(1)
    assert key in client.get(SETUP).content.decode()


def test_signing_in_asks_the_app_s_code(client, staff, enrolled):
    device, _codes = enrolled
    page = sign_in_with_password(client, staff)
    assert page["Location"].startswith(VERIFY)
    assert client.get(CHANGELIST)["Location"].startswith(VERIFY)
    response = client.post(VERIFY, {"code": new_code_of(device), "next": CHANGELIST})
    assert response["Location"] == CHANGELIST
    assert client.get(CHANGELIST).status_code == 200


def test_a_wrong_code_is_refused(client, staff, enrolled):
    sign_in_with_password(client, staff)
    response = client.post(VERIFY, {"code": "123456"})
    assert response.status_code == 200
    assert "This code is wrong or was already used." in response.content.decode()
    assert client.get(CHANGELIST)["Location"].startswith(VERIFY)


def test_a_code_already_used_is_refused(client, staff, enrolled):
    device, _codes = enrolled
    sign_in_with_password(client, staff)
    code = new_code_of(device)
    assert client.post(VERIFY, {"code": code})["Location"] == reverse("admin:index")
    client.logout()
    sign_in_with_password(client, staff)
    response = client.post(VERIFY, {"code": code})
    assert "This code is wrong or was already used." in response.content.decode()
    assert client.get(CHANGELIST).status_code == 302


def test_a_recovery_code_signs_in_once(client, staff, enrolled):
    _device, codes = enrolled
    sign_in_with_password(client, staff)
    response = client.post(VERIFY, {"code": codes[0].upper(), "next": CHANGELIST}, follow=True)
    assert response.redirect_chain[-1][0] == CHANGELIST
    assert "You signed in with a recovery code; 9 are left." in response.content.decode()
    client.logout()
    sign_in_with_password(client, staff)
    response = client.post(VERIFY, {"code": codes[0]})
    assert "This code is wrong or was already used." in response.content.decode()


def test_new_recovery_codes_replace_the_old_ones(client, staff):
    _device, old = set_up(client, staff)
    page = client.post(RECOVERY, follow=True).content.decode()
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    assert len(new) == 10
    assert not set(new) & set(old)
    client.logout()
    sign_in_with_password(client, staff)
    assert "This code is wrong" in client.post(VERIFY, {"code": old[1]}).content.decode()


def test_wrong_codes_lock_the_second_step_for_longer_each_time(client, staff, enrolled):
    device, _codes = enrolled
    sign_in_with_password(client, staff)
    client.post(VERIFY, {"code": "111111"})
    client.post(VERIFY, {"code": "222222"})  # within the first wait: refused unchecked
    response = client.post(VERIFY, {"code": new_code_of(device)})  # even the right code
    assert "Too many wrong codes. Try again after" in response.content.decode()
    assert client.get(CHANGELIST).status_code == 302
    # The wait passes (two failures: two seconds): the right code opens admin.
    device.refresh_from_db()
    device.throttling_failure_timestamp = timezone.now() - timedelta(seconds=3)
    device.save()
    assert client.post(VERIFY, {"code": new_code_of(device)})["Location"] == reverse("admin:index")


def test_superusers_give_a_second_factor_too(client, django_user_model):
    admin = django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    assert sign_in_with_password(client, admin)["Location"].startswith(SETUP)


def test_editors_sign_in_with_their_password_only(client, editor):
    editor.set_password(PASSWORD)
    editor.save()
    page = sign_in_with_password(client, editor, next_page=reverse("admin:index"))
    assert page.status_code == 200
    assert not TOTPDevice.objects.filter(user=editor).exists()


def test_a_reviewer_given_the_clinic_staff_role_is_asked_too(client, django_user_model):
    reviewer = django_user_model.objects.create_user("dr", password=PASSWORD, is_staff=True)
    reviewer.groups.add(*Group.objects.filter(name__in=["Medical reviewers", "Clinic staff"]))
    assert sign_in_with_password(client, reviewer)["Location"].startswith(SETUP)


def test_the_page_after_the_code_is_on_this_site_only(client, staff, enrolled):
    device, _codes = enrolled
    sign_in_with_password(client, staff)
    response = client.post(VERIFY, {"code": new_code_of(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("admin:index")


def test_a_superuser_deletes_a_lost_phone_s_devices_and_the_set_up_starts_again(
    client, admin_client, staff, enrolled
):
    listing = admin_client.get(reverse("admin:otp_totp_totpdevice_changelist"))
    assert "TOTP devices" in listing.content.decode()
    for model in (TOTPDevice, StaticDevice):
        for device in model.objects.filter(user=staff):
            url = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_delete", args=[device.pk]
            )
            assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert sign_in_with_password(client, staff)["Location"].startswith(SETUP)


def test_a_password_alone_cannot_make_new_recovery_codes(client, staff, enrolled):
    _device, codes = enrolled
    sign_in_with_password(client, staff)  # no code given yet
    response = client.post(RECOVERY)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert set(
        StaticToken.objects.filter(device__user=staff).values_list("token", flat=True)
    ) == set(codes)
