"""API of the follow-up proposals: the work list with its filters, the texts, and the verbs
execute, skip and postpone, one at a time or (execute) over several ids.

Executing is idempotent by the proposal's state, not by a header: a proposal is executed
once; executing it again (a client's retry after a lost answer, say) answers 409 with the
history line the first execution wrote, and sends nothing. Skip and postpone on a closed
proposal answer 409 the same way.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from communications.api.base import FORBIDDEN, NOT_YOURS, REFUSED

from .. import execution
from ..filters import ProposalFilter
from ..models import LIVE_PROPOSAL, FollowUpAction, Proposal, ProposalEntry, ProposalStatus
from . import serializers as s
from .views import FollowUpViewSet, of_my_companies

CONFLICT = OpenApiResponse(description="The proposal is no longer open (executed, skipped or "
                                       "no longer due); nothing was done.")  # fmt: skip


class ProposalClosed(Exception):
    """A verb on a proposal that is no longer live: answered 409, naming what happened."""

    def __init__(self, message: str, action_id: int | None):
        super().__init__(message)
        self.message, self.action_id = message, action_id


# --- proposals --------------------------------------------------------------------------------


def _texts(data: dict) -> dict:
    return {k: data[k] for k in ("email_subject", "email_body", "letter_text") if k in data}


def _not_live_message(proposal: Proposal, earlier: FollowUpAction | None) -> str:
    done = {
        ProposalStatus.EXECUTED: "was already executed",
        ProposalStatus.SKIPPED: "was skipped",
        ProposalStatus.WITHDRAWN: "is no longer due (a later run withdrew it)",
    }.get(proposal.status, f"is {proposal.get_status_display().lower()}")
    message = f"This proposal {done}; nothing was done."
    if earlier is not None:
        who = s.who_name(earlier.by) or "the follow-up worker"
        message += f" History line {earlier.pk}: {earlier.get_channel_display()} on "
        message += f"{earlier.on.isoformat()} by {who}."
    return message


def _proposal_verb(summary: str, response, request, description: str):
    return extend_schema(
        summary=summary, description=description, request=request,
        responses={200: response, 400: REFUSED, 403: FORBIDDEN, 404: NOT_YOURS, 409: CONFLICT},
    )  # fmt: skip


@extend_schema(tags=["followup-proposals"])
@extend_schema_view(
    list=extend_schema(
        summary="List follow-up proposals",
        description="By default those due now (open, or postponed until a day that has come), "
                    "largest total first. `show` = due, live, closed or all; `status` replaces "
                    "it; `mine` = customers you control.",
    ),
    retrieve=extend_schema(summary="Read a proposal with its entries and texts",
                           responses={200: s.ProposalDetailSerializer, 404: NOT_YOURS}),
    partial_update=extend_schema(
        summary="Edit a proposal's texts before sending", request=s.ProposalTextsSerializer,
        responses={200: s.ProposalDetailSerializer, 400: REFUSED, 403: FORBIDDEN,
                   404: NOT_YOURS, 409: CONFLICT},
    ),
)  # fmt: skip
class ProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, FollowUpViewSet):
    """What the engine proposes for a customer: a level, the entries it chases and their total
    (base currency), and the texts to send. Execute, skip or postpone it; a later run
    refreshes a live one or withdraws it when it is no longer due."""

    serializer_class = s.ProposalSerializer
    filterset_class = ProposalFilter
    ordering = ["-total_lcy", "id"]
    ordering_fields = ["id", "total_lcy", "run_date", "entry_count"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        proposals = of_my_companies(Proposal.objects.all(), self.request.user).select_related(
            "company", "customer", "level"
        )
        if self.action != "list":
            lines = ProposalEntry.objects.select_related("entry").order_by("entry__due_date", "id")
            proposals = proposals.prefetch_related(Prefetch("lines", queryset=lines))
        return proposals

    def filter_queryset(self, queryset):
        # The list shows those due by default; a proposal is read and acted on by id whatever
        # its state (a closed one answers 409 to a verb, not 404).
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ProposalClosed):
            return Response(
                {"errors": [{"field": "", "message": exc.message}], "detail": exc.message,
                 "action": exc.action_id},
                status=status.HTTP_409_CONFLICT,
            )  # fmt: skip
        return super().handle_exception(exc)

    def get_serializer_class(self):
        return s.ProposalSerializer if self.action == "list" else s.ProposalDetailSerializer

    def _live(self, proposal: Proposal) -> Proposal:
        """Refuse (409) a proposal that is no longer live, naming what happened to it."""
        if proposal.status not in LIVE_PROPOSAL:
            earlier = (
                FollowUpAction.objects.filter(proposal=proposal).select_related("by")
                .order_by("-at", "-id").first()
            )  # fmt: skip
            raise ProposalClosed(_not_live_message(proposal, earlier), earlier and earlier.pk)
        return proposal

    def _acted(self, proposal: Proposal, call) -> FollowUpAction:
        """Run a service on a live proposal; one that closed meanwhile answers 409."""
        self._live(proposal)
        try:
            return call()
        except DjangoValidationError:
            proposal.refresh_from_db(fields=["status"])
            self._live(proposal)
            raise

    def _answer(self, proposal: Proposal, action_done: FollowUpAction) -> Response:
        history = (
            FollowUpAction.objects.select_related("company", "by")
            .prefetch_related("lines__entry", "documents")
            .get(pk=action_done.pk)
        )
        return Response({
            "proposal": self.represent(proposal, s.ProposalDetailSerializer),
            "action": s.ActionSerializer(history, context=self.get_serializer_context()).data,
        })  # fmt: skip

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        proposal = self._live(self.get_object())
        data = {**{k: getattr(proposal, k) for k in ("email_subject", "email_body",
                                                     "letter_text")},
                **_texts(self.input(request, s.ProposalTextsSerializer, partial=True))}  # fmt: skip
        self._acted(proposal, lambda: execution.proposal_texts_update(
            user=request.user, proposal=proposal, source="api", **data))  # fmt: skip
        return Response(self.represent(proposal))

    @_proposal_verb(
        "Execute a proposal", s.ProposalActedSerializer, s.ProposalTextsSerializer,
        "Sends its email (statement attached) and/or letter through the outbox, creates the "
        "to-do of a manual action, records a communication, the level reached on each entry "
        "and the customer's history, all at once. Texts given here replace the proposal's "
        "first. Executing an executed proposal (a retry) answers 409 with `action`, the "
        "history line of the first execution, and sends nothing.",
    )  # fmt: skip
    @action(detail=True, methods=["post"])
    def execute(self, request: Request, pk=None) -> Response:
        proposal = self.get_object()
        texts = _texts(self.input(request, s.ProposalTextsSerializer, partial=True))
        done = self._acted(proposal, lambda: execution.proposal_execute(
            user=request.user, proposal=proposal, source="api", **texts))  # fmt: skip
        return self._answer(proposal, done)

    @_proposal_verb("Skip a proposal", s.ProposalActedSerializer, s.ProposalSkipSerializer,
                    "Nothing is sent; the levels are recorded on the entries so they climb "
                    "next time (history channel *skipped*, which does not count as a "
                    "reminder). Skipping a closed proposal answers 409.")  # fmt: skip
    @action(detail=True, methods=["post"])
    def skip(self, request: Request, pk=None) -> Response:
        proposal = self.get_object()
        note = self.input(request, s.ProposalSkipSerializer)["note"]
        done = self._acted(proposal, lambda: execution.proposal_skip(
            user=request.user, proposal=proposal, note=note, source="api"))  # fmt: skip
        return self._answer(proposal, done)

    @_proposal_verb("Postpone a proposal", s.ProposalDetailSerializer,
                    s.ProposalPostponeSerializer,
                    "Hidden from the work list (and the default list) until `until`, from "
                    "tomorrow up to a year ahead; postponing again moves the date.")  # fmt: skip
    @action(detail=True, methods=["post"])
    def postpone(self, request: Request, pk=None) -> Response:
        proposal = self.get_object()
        until = self.input(request, s.ProposalPostponeSerializer)["until"]
        self._acted(proposal, lambda: execution.proposal_postpone(
            user=request.user, proposal=proposal, until=until, source="api"))  # fmt: skip
        return Response(self.represent(proposal))

    @extend_schema(
        summary="Execute several proposals",
        operation_id="followup_proposals_execute_many",
        description="Each id is answered: *executed* with its history line, or *refused* with "
                    "the reason (not yours, no longer open, ...). One refusal does not stop the "
                    "others.",
        request=s.ProposalsExecuteSerializer,
        responses={200: s.ProposalsExecutedSerializer, 400: REFUSED, 403: FORBIDDEN},
    )  # fmt: skip
    @action(detail=False, methods=["post"], url_path="execute", url_name="execute-many")
    def execute_many(self, request: Request) -> Response:
        ids = list(dict.fromkeys(self.input(request, s.ProposalsExecuteSerializer)["ids"]))
        found = {p.pk: p for p in self.get_queryset().filter(pk__in=ids)}
        outcomes: dict[int, dict] = {}
        live = []
        for pk in ids:
            proposal = found.get(pk)
            if proposal is None:
                outcomes[pk] = {"result": "refused", "action": None,
                                "message": f"No proposal with id {pk} is visible to you."}  # fmt: skip
            elif proposal.status not in LIVE_PROPOSAL:
                earlier = proposal.actions.order_by("-at", "-id").first()
                outcomes[pk] = {"result": "refused", "action": earlier.pk if earlier else None,
                                "message": _not_live_message(proposal, earlier)}  # fmt: skip
            else:
                live.append(proposal)
        if live:
            done, refused = execution.proposals_execute(
                user=request.user, proposals=live, source="api"
            )
            for history in done:
                outcomes[history.proposal_id] = {"result": "executed", "action": history.pk,
                                                 "message": "Executed."}  # fmt: skip
            for proposal, message in refused:
                outcomes[proposal.pk] = {"result": "refused", "action": None,
                                         "message": str(message)}  # fmt: skip
        results = [{"id": pk, **outcomes[pk]} for pk in ids]
        executed = sum(1 for r in results if r["result"] == "executed")
        return Response({"executed": executed, "refused": len(results) - executed,
                         "results": results})  # fmt: skip
