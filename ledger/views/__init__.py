"""Pages of the ledger, one module per topic: the card (``card``), editing a customer and
its hold (``customer_edit``), contacts (``contacts``), the list's actions
(``customer_bulk``) and the CSV import (``imports``). The card's helpers are re-exported
here because the workbench's tabs render through them."""

from .card import ENTRIES_PER_PAGE, TABS, render_card, visible_customer

__all__ = ["ENTRIES_PER_PAGE", "TABS", "render_card", "visible_customer"]
