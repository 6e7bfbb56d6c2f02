"""The second factor of staff who can read patient data: the guided set-up of an
authenticator app (TOTP) with recovery codes, and the code asked at each sign-in."""

from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.admin import site
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from twofactor.forms import CodeForm
from twofactor.policy import (
    RECOVERY_CODE_COUNT,
    RECOVERY_NAME,
    TOTP_NAME,
    needs_second_factor,
)

NEW_CODES_SESSION_KEY = "twofactor_new_recovery_codes"


def _next(request):
    """Where to go once the code is given: the admin page asked for, on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("admin:index")


def _with_next(request, view):
    return f"{reverse(view)}?{urlencode({'next': _next(request)})}"


def _page(request, template, **context):
    """An admin page, without admin's list of models until the code is given."""
    admin_context = {**site.each_context(request), "available_apps": []}
    admin_context["is_nav_sidebar_enabled"] = False
    return render(request, template, {**admin_context, "next": _next(request), **context})


@never_cache
@login_required(login_url="admin:login")
def setup(request):
    """Set up an authenticator app: scan the code, then type the six digits it shows."""
    if user_has_device(request.user):
        return redirect(_with_next(request, "twofactor:verify"))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:  # the same secret on every visit until it is confirmed
        device = TOTPDevice.objects.create(user=request.user, name=TOTP_NAME, confirmed=False)
    form = CodeForm(request.POST or None)
    allowed, refusal = device.verify_is_allowed()
    if form.is_valid() and not allowed:
        form.add_error("code", _locked_message(refusal))
    elif form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = _new_recovery_codes(request.user)
            otp_login(request, device)
            request.session[NEW_CODES_SESSION_KEY] = codes
            return redirect(_with_next(request, "twofactor:recovery_codes"))
        form.add_error("code", _wrong_code_message())
    secret = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    return _page(
        request,
        "twofactor/setup.html",
        form=form,
        title=_("Set up two-factor sign-in"),
        qr_code=segno.make(device.config_url, error="m").svg_inline(
            scale=5, light="#fff", title=_("QR code for your authenticator app")
        ),
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    )


@never_cache
@login_required(login_url="admin:login")
def verify(request):
    """The code of the authenticator app, or one recovery code, once per sign-in."""
    if not user_has_device(request.user):
        return redirect(_with_next(request, "twofactor:setup"))
    form = CodeForm(request.POST or None)
    if form.is_valid():
        code = form.cleaned_data["code"]
        device = _device_for(request.user, code)
        allowed, refusal = device.verify_is_allowed()
        if not allowed:
            form.add_error("code", _locked_message(refusal))
        elif device.verify_token(code):
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    _(
                        "You signed in with a recovery code; %(left)d are left. Make new "
                        "ones on the recovery codes page if you lost your phone."
                    )
                    % {"left": left},
                )
            return redirect(_next(request))
        else:
            form.add_error("code", _wrong_code_message())
    return _page(request, "twofactor/verify.html", form=form, title=_("Two-factor sign-in"))


@never_cache
@login_required(login_url="admin:login")
def recovery_codes(request):
    """New recovery codes, shown once: right after set-up, or when asked for (which
    retires the old ones)."""
    if needs_second_factor(request.user) and not request.user.is_verified():
        # A password alone must not be enough to make codes that replace the phone.
        return redirect(_with_next(request, "twofactor:verify"))
    if request.method == "POST":
        request.session[NEW_CODES_SESSION_KEY] = _new_recovery_codes(request.user)
        return redirect(reverse("twofactor:recovery_codes"))
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    left = StaticToken.objects.filter(device__user=request.user).count()
    return _page(
        request,
        "twofactor/recovery_codes.html",
        title=_("Recovery codes"),
        codes=codes,
        left=left,
    )


def _new_recovery_codes(user):
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _device_for(user, code):
    """Six digits are the app's code; anything else may be a recovery code (eight
    letters and digits)."""
    app = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if app is not None and len(code) == 6 and code.isdigit():
        return app
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME)
    return device


def _wrong_code_message():
    return _(
        "This code is wrong or was already used. Type the code your app shows now "
        "(a new one every 30 seconds), or a recovery code."
    )


def _locked_message(refusal):
    until = timezone.localtime(refusal["locked_until"])
    return _(
        "Too many wrong codes. Try again after %(time)s; each wrong code doubles the wait."
    ) % {"time": formats.time_format(until, "H:i:s")}
