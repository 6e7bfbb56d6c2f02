from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from twofactor.policy import is_admin, needs_second_factor, open_before_second_factor


class SecondFactorRequiredMiddleware:
    """Admin, for a user who needs a second factor and has not given it in this session,
    is the code page (or, before any authenticator app is set up, the guided set-up).

    After django_otp's OTPMiddleware, which tells whether the session's user gave one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            is_admin(request.path)
            and user.is_authenticated
            and not open_before_second_factor(request.path)
            and needs_second_factor(user)
            and not user.is_verified()
        ):
            step = "twofactor:verify" if user_has_device(user) else "twofactor:setup"
            return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
