"""The 404 page, whatever DEBUG says.

With DEBUG on (the embedded default of a newcomer's laptop and of the demo) Django
answers an unknown address with its technical page, which lists every URL pattern of the
application. This middleware puts the application's own page in its place, so no
installation ever shows its URL map. API answers (JSON) are left as they are.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string


class NotFoundPageMiddleware:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and response.get("Content-Type", "").startswith("text/html")
            and not getattr(response, "streaming", False)
        ):
            from django.http import HttpResponseNotFound

            return HttpResponseNotFound(render_to_string("404.html", request=request))
        return response
