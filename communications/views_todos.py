"""The To-do list page (being built)."""

from __future__ import annotations

from django.shortcuts import render

from creditcontrol.roles import role_required


@role_required
def todo_list(request):
    return render(request, "communications/todo_list.html", {"nav": "todos"})
