"""The global search behind the header's box: a page, or (from htmx, as the user types)
the list of results under the box."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from creditcontrol.roles import role_required

from ..search import global_search


@role_required
def search(request):
    # The header's box is named "search" (a page's own filter box is often "q").
    text = request.GET.get("search") or request.GET.get("q", "")
    found = global_search(user=request.user, text=text)
    template = "ledger/_search_results.html" if request.htmx else "ledger/search.html"
    response = render(request, template, {"found": found, "q": found.text})
    patch_vary_headers(response, ["HX-Request"])
    return response
