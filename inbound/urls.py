from django.urls import path

from . import pages

app_name = "inbound"

urlpatterns = [
    path("", pages.unmatched_list, name="unmatched"),
    path("<int:pk>/", pages.unmatched_detail, name="unmatched-detail"),
    path("<int:pk>/assign/", pages.unmatched_assign, name="unmatched-assign"),
    path("<int:pk>/discard/", pages.unmatched_discard, name="unmatched-discard"),
]
