"""Project-wide pages: home, login (throttled) and logout (filled in by the UI work)."""
from django.contrib.auth import views as auth_views
from django.http import HttpResponse


def home(request):
    return HttpResponse("")


ThrottledLoginView = auth_views.LoginView
LogoutView = auth_views.LogoutView
