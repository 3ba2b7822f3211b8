"""Incremental read state: a bookmark, a signpost frozen at the start of a run, and a look-back.

(After the Singer SDK.) The bookmark only moves to what was actually read, never past
the signpost, so records changed while a run pages through the package are picked up
by the next run; the look-back re-reads a margin to absorb clock skew between the
package's servers and its ``UpdatedDateUTC`` stamps. Re-reading is harmless because
every consumer upserts by the package's id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_LOOKBACK = timedelta(minutes=5)


@dataclass(slots=True)
class IncrementalWindow:
    bookmark: datetime | None
    signpost: datetime
    lookback: timedelta = DEFAULT_LOOKBACK
    _high: datetime | None = None

    def since(self) -> datetime | None:
        """The If-Modified-Since to ask with: the bookmark less the look-back (None on the first run)."""
        return None if self.bookmark is None else self.bookmark - self.lookback

    def saw(self, updated_at: datetime) -> None:
        if self._high is None or updated_at > self._high:
            self._high = updated_at

    def next_bookmark(self) -> datetime | None:
        """The bookmark to save once every page has been read and stored."""
        if self._high is None:
            return self.bookmark
        candidate = min(self._high, self.signpost)
        return candidate if self.bookmark is None or candidate > self.bookmark else self.bookmark
