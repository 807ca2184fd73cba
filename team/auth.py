"""API authentication by named token (``Authorization: Token <key>``).

It replaces DRF's ``TokenAuthentication`` in the settings and extends it: a key that is
not a named token is looked up as DRF's single per-user token (the settings page's),
which keeps working; an unknown key is refused as before."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication, get_authorization_header

from .models import ApiToken, token_digest

# last_used_at is written at most once a minute per token: not one write per request.
LAST_USED_GRAIN = dt.timedelta(minutes=1)


class NamedTokenAuthentication(TokenAuthentication):
    """A subclass of DRF's only so the OpenAPI schema documents one token scheme."""

    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != self.keyword.lower().encode():
            return super().authenticate(request)  # DRF's messages for a malformed header
        try:
            key = parts[1].decode()
        except UnicodeError:
            return super().authenticate(request)
        token = ApiToken.objects.select_related("user").filter(digest=token_digest(key)).first()
        if token is None:
            return super().authenticate(request)
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This API token was revoked.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token's user is inactive.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRAIN:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
