"""Old addresses keep working: a moved page leaves a 301 behind (django.contrib.redirects).

The redirects are rows staff can also edit in admin; RedirectFallbackMiddleware answers
an address that would be a 404 with the row's 301.
"""

import logging

from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.db import transaction

logger = logging.getLogger(__name__)


def record_move(old_path, new_path):
    """Send visitors of `old_path` (an absolute path, e.g. `/articles/a/`) to `new_path`.

    Redirects that led to `old_path` lead straight to `new_path` (one hop, never a
    chain), and a redirect from `new_path` goes: the address is live again, and no
    redirect ever leads back to where it starts. Returns the Redirect from `old_path`,
    or None when there is nothing to record (the same path) or a path is too long to
    store, which is logged and leaves every redirect as it was.
    """
    if old_path == new_path:
        return None
    longest = min(Redirect._meta.get_field(name).max_length for name in ("old_path", "new_path"))
    if max(len(old_path), len(new_path)) > longest:
        logger.warning(
            "No redirect from %s to %s: an address longer than %d characters.",
            old_path,
            new_path,
            longest,
        )
        return None
    site = Site.objects.get_current()
    redirects = Redirect.objects.filter(site=site)
    with transaction.atomic():
        redirects.filter(old_path=new_path).delete()
        redirects.filter(new_path=old_path).update(new_path=new_path)
        redirect, _ = Redirect.objects.update_or_create(
            site=site, old_path=old_path, defaults={"new_path": new_path}
        )
    return redirect
