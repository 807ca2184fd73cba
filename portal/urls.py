from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("<str:token>/", views.page, name="page"),
    path("<str:token>/dispute/", views.dispute, name="dispute"),
    path("<str:token>/promise/", views.promise, name="promise"),
    path("<str:token>/statement.pdf", views.statement, name="statement"),
    path("<str:token>/copies/<int:entry_id>.pdf", views.copy, name="copy"),
]
