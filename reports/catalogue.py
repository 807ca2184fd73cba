"""Every report, in the order the index lists them; URLs, API routes and the bench's
list are generated from here. A new report is declared (see ``base.Report``) and added."""

from __future__ import annotations

from .activity import ACTIVITY_REPORTS
from .aged import AgedEntries, AgedReceivables
from .base import Catalogue
from .charges import Charges
from .debt import ChaseDebt, DisputedInvoice

CATALOGUE = Catalogue()
CATALOGUE.add(ChaseDebt(), DisputedInvoice(), AgedReceivables(), AgedEntries())
CATALOGUE.add(*ACTIVITY_REPORTS)
CATALOGUE.add(Charges())
