"""Reports and exports read from a PostgreSQL streaming replica when one is configured.

With ``REPLICA_DATABASE_URL`` set, settings add the ``replica`` database and this router.
What goes where, decided here and nowhere else:

1. Every write goes to the primary (``default``); migrations run there only (a streaming
   replica copies the primary's files; it cannot be migrated).
2. Reads go to the primary too, except inside a *replica-read scope*: a GET or HEAD to one
   of ``REPLICA_READ_PATHS`` (the reports' pages, CSVs and PDFs, the dashboard, and the
   reports' API), opened by ``ReplicaReadsMiddleware`` for the request and, for a
   streamed CSV, for as long as the stream is read. The follow-up engine, the sync, the
   work list, the customer list and card never read from the replica: they act on what
   they read, or show a person what they have just done.
3. Read your own writes: a person (or an integrator's token) whose request wrote
   something in the last ``REPLICA_STICKY_SECONDS`` reads the primary even in a report,
   so a promise just recorded is in the Receipt promises report at once whatever the
   replica's lag. The mark is kept in the cache (shared by every process), per user.
4. Inside a transaction on the primary a read stays on the primary (it may need to see
   the transaction's own rows). Sessions, users, tokens and sign-in records are always
   read from the primary: a session created a second ago may not have reached the
   replica yet, and the person would look signed out.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "authtoken", "axes", "contenttypes"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def _sticky_key(user_id: Any) -> str:
    return f"db:primary-for-user:{user_id}"


def mark_wrote(user: Any) -> None:
    """``user`` has just written: their reads stay on the primary for a while."""
    if getattr(user, "is_authenticated", False):
        cache.set(_sticky_key(user.pk), 1, settings.REPLICA_STICKY_SECONDS)


class _ReplicaReads:
    """One request's replica-read scope; it learns once whether its user wrote lately."""

    def __init__(self, request: Any) -> None:
        self.request = request
        self._primary: bool | None = None

    def use_primary(self) -> bool:
        if self._primary is None:
            self._primary = True  # loading the user reads the database: from the primary
            user = getattr(self.request, "user", None)
            wrote = getattr(user, "is_authenticated", False) and cache.get(_sticky_key(user.pk))
            self._primary = bool(wrote)
        return self._primary


_scope: ContextVar[_ReplicaReads | None] = ContextVar("replica_reads", default=None)


def read_database(app_label: str) -> str:
    """The database a read of ``app_label``'s models goes to now (see the module's rules)."""
    scope = _scope.get()
    if scope is None or not replica_configured() or app_label in PRIMARY_ONLY_APPS:
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block or scope.use_primary():
        return DEFAULT_DB_ALIAS
    return REPLICA


class ReplicaRouter:
    """Django's database router for the rules above."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return read_database(model._meta.app_label)

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same data on both

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


def _in_scope(scope: _ReplicaReads, content: Any) -> Iterator[Any]:
    """A streamed response's content, read inside the request's replica-read scope."""
    token = _scope.set(scope)
    try:
        yield from content
    finally:
        # Closed from another context, nothing of ours is set there.
        with suppress(ValueError):
            _scope.reset(token)


class ReplicaReadsMiddleware:
    """Opens the replica-read scope for report reads and marks users who wrote."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        scope = None
        if (
            replica_configured()
            and request.method in ("GET", "HEAD")
            and request.path.startswith(tuple(settings.REPLICA_READ_PATHS))
        ):
            scope = _ReplicaReads(request)
        token = _scope.set(scope) if scope else None
        try:
            response = self.get_response(request)
        finally:
            if token is not None:
                _scope.reset(token)
        if scope is not None and getattr(response, "streaming", False):
            response.streaming_content = _in_scope(scope, response.streaming_content)
        if replica_configured() and request.method in UNSAFE_METHODS and response.status_code < 400:
            mark_wrote(getattr(request, "user", None))
        return response
