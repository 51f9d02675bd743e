"""Cross-cutting response rules: headers every page carries, and no caching of personal pages.

Personal data is only ever shown to a signed-in person (the insured, a representative, staff,
an analyst), so every response to an authenticated request is marked `private, no-store`:
neither the browser's back/forward cache on a shared computer nor a proxy keeps a copy.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.cache import patch_cache_control

from config.errors import DATABASE_ERRORS


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.permissions_policy:
            response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        if self._authenticated(request):
            patch_cache_control(response, private=True, no_store=True)
            response.headers.pop("Expires", None)
        return response

    @staticmethod
    def _authenticated(request) -> bool:
        user = getattr(request, "user", None)
        try:
            return user is not None and user.is_authenticated
        except DATABASE_ERRORS:  # the session store is down: the error page is not cached anyway
            return False
