"""Pages of the follow-up work: proposals on the work list, the plan, runs and the outbox.

The work list itself is the home page (``creditcontrol.views.home``); its per-proposal
actions live here. Each topic's views module brings its own patterns.
"""

from django.urls import path
from django.views.generic import RedirectView

from . import (
    views,
    views_copies,
    views_history,
    views_level_texts,
    views_mass_email,
    views_plan,
    views_runs,
)

app_name = "followups"

urlpatterns = [
    # The work list is the home page; this name lets other pages link to it by its role.
    path("worklist/", RedirectView.as_view(pattern_name="home"), name="worklist"),
    path("proposals/execute/", views.proposals_execute_view, name="proposals-execute"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal-detail"),
    path("proposals/<int:pk>/execute/", views.proposal_execute_view, name="proposal-execute"),
    path("proposals/<int:pk>/skip/", views.proposal_skip_view, name="proposal-skip"),
    path("proposals/<int:pk>/postpone/", views.proposal_postpone_view, name="proposal-postpone"),
    path("proposals/<int:pk>/letter.pdf", views.proposal_letter_pdf, name="proposal-letter"),
    path("proposals/<int:pk>/entries/", views.proposal_entries, name="proposal-entries"),
    path("proposals/<int:pk>/exclude/", views.proposal_exclude, name="proposal-exclude"),
    path("proposals/<int:pk>/rating/", views.proposal_rating, name="proposal-rating"),
    path(
        "proposals/<int:pk>/entries/<int:entry_id>/expected-date/",
        views.proposal_expected_date,
        name="proposal-expected-date",
    ),
    path("customers/<int:pk>/copies/", views_copies.copies_send_view, name="copies-send"),
    path("followups/plan/", views_plan.plan, name="plan"),
    path("followups/plan/levels/new/", views_plan.level_create_view, name="level-create"),
    path("followups/plan/levels/<int:pk>/", views_plan.level_edit, name="level-edit"),
    path(
        "followups/plan/levels/<int:pk>/texts/", views_level_texts.level_texts, name="level-texts"
    ),
    path(
        "followups/plan/levels/<int:pk>/delete/", views_plan.level_delete_view, name="level-delete"
    ),
    path("followups/plan/levels/<int:pk>/move/", views_plan.level_move_view, name="level-move"),
    path("followups/runs/", views_runs.runs, name="runs"),
    path("followups/outbox/", views_runs.outbox, name="outbox"),
    path("followups/outbox/<int:pk>/<slug:verb>/", views_runs.outbox_act, name="outbox-act"),
    path("customers/<int:pk>/history/", views_history.customer_history, name="customer-history"),
    path(
        "customers/<int:pk>/statement.pdf",
        views_history.customer_statement_pdf,
        name="statement-pdf",
    ),
    path(
        "customers/<int:pk>/statement/send/",
        views_history.customer_statement_send,
        name="statement-send",
    ),
    path("documents/<int:pk>/", views_history.document_download, name="document"),
    # Mass email from the customer list (issue 6).
    path("mass-email/", views_mass_email.mass_email, name="mass-email"),
    path("mass-email/preview/", views_mass_email.mass_email_preview, name="mass-email-preview"),
    path("mass-email/<uuid:batch>/", views_mass_email.mass_email_batch, name="mass-email-batch"),
]
