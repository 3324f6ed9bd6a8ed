"""The listing the home screen asks for first, known before Textual loads.

``demandas`` hands it to the adapter (``Adapter.prefetch``) before importing the
interface, so the store reads the first rows while Textual's modules load: SQLite
works outside the GIL, on the other core (issue #7, BENCHMARKS.md).
"""

from __future__ import annotations

from backend.domain import Scope, SortKey, TicketQuery

#: Rows per page of the ticket lists (``TicketTable.PAGE_SIZE``): a 19-row screen needs no more.
PAGE_SIZE = 50

#: The home screen's first listing: my active tickets, newest first, every desk.
HOME_FIRST_PAGE = TicketQuery(scope=Scope.MINE, active_only=True, status=None, search="", sort=SortKey.CREATED,
                              descending=True, desk=None, offset=0, limit=PAGE_SIZE)
