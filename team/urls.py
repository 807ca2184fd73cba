"""Administration (/team/) and the account pages (/account/)."""

from django.urls import path

from . import account, views

app_name = "team"

urlpatterns = [
    path("", views.users, name="users"),
    path("invite/", views.user_invite, name="user-invite"),
    path("<int:pk>/", views.user_edit, name="user-edit"),
    path("<int:pk>/active/", views.user_active, name="user-active"),
    path("<int:pk>/reset/", views.user_reset, name="user-reset"),
    path("<int:pk>/tokens/", views.token_create, name="token-create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("password/<uidb64>/<token>/", account.SetPasswordView.as_view(), name="set-password"),
]

account_patterns = [
    path("account/", account.account, name="account"),
    path("account/sign-out-everywhere/", account.sign_out_all, name="sign-out-everywhere"),
]
