"""Share links to a version not yet public: signed, read-only, valid for a week.

A clinician can read a working copy on a phone without signing in. The link names the
version, not the record: what the clinician reads is exactly what they would approve.
"""

from datetime import timedelta

from django.core import signing

PREVIEW_SALT = "articles.preview"
PREVIEW_LIFETIME = timedelta(days=7)


def preview_token(version):
    return signing.dumps(version.pk, salt=PREVIEW_SALT, compress=False)


def version_id_from_token(token):
    """The version the token names; raises signing.BadSignature (or SignatureExpired, a
    subclass) when it was tampered with or is older than a week."""
    return signing.loads(token, salt=PREVIEW_SALT, max_age=PREVIEW_LIFETIME)
