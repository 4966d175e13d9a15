"""Learners and their settings: enrolment, the schedule they chose (and the one they are setting up), typing
prompts, pausing, engagement, region, discretion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.engine import Learner
from bot.store.codec import (
    SCHEDULE_COLUMNS,
    days_mask,
    draft_from,
    draft_text,
    from_text,
    optional_moment,
    optional_text,
    schedule_from,
    to_text,
)
from bot.store.database import Database
from scheduler.planning import LearnerSchedule, Setup
from scheduler.windows import Preferences


@dataclass(frozen=True)
class AtHand:
    """What most updates need of their learner, read at once: their region, whether discreet mode is on, and
    what free text the bot asked them for."""

    region: str | None
    discreet: bool
    awaiting: str | None


NOT_ENROLLED = AtHand(region=None, discreet=True, awaiting=None)  # discreet by default, as for a learner


class Learners:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def enrol(self, user_id: int, chat_id: int, now: datetime) -> bool:
        """Enrol the learner (True) or, if already enrolled, just note their current chat (False).

        A new learner is asked to set up their schedule at once (`setup` 'asked').
        """
        inserted = await self._db.fetch(
            "INSERT INTO learners (user_id, chat_id, enrolled_at, setup, last_active_at) VALUES (?, ?, ?, 'asked', ?) "
            "ON CONFLICT (user_id) DO NOTHING RETURNING 1",
            (user_id, chat_id, to_text(now), to_text(now)),
        )
        if inserted:
            return True
        # Coming back with /start also undoes a block: the learner can be sent to again.
        await self._db.fetch("UPDATE learners SET chat_id = ?, active = 1 WHERE user_id = ?", (chat_id, user_id))
        return False

    async def learner(self, user_id: int) -> Learner | None:
        rows = await self._db.fetch("SELECT user_id, chat_id, enrolled_at FROM learners WHERE user_id = ?", (user_id,))
        if not rows:
            return None
        row = rows[0]
        return Learner(user_id=row[0], chat_id=row[1], enrolled_at=from_text(row[2]))

    async def schedule(self, user_id: int) -> LearnerSchedule | None:
        rows = await self._db.fetch(f"SELECT {SCHEDULE_COLUMNS} FROM learners WHERE user_id = ?", (user_id,))
        return schedule_from(rows[0]) if rows else None

    async def next_due(self, user_id: int) -> datetime | None:
        rows = await self._db.fetch("SELECT next_due_at FROM learners WHERE user_id = ?", (user_id,))
        return optional_moment(rows[0][0]) if rows else None

    async def at_hand(self, user_id: int) -> AtHand:
        """The learner's region, discreet mode and awaited text (as for someone new, if not enrolled)."""
        rows = await self._db.fetch("SELECT region, discreet, awaiting FROM learners WHERE user_id = ?", (user_id,))
        return AtHand(rows[0][0], bool(rows[0][1]), rows[0][2]) if rows else NOT_ENROLLED

    async def awaiting(self, user_id: int) -> str | None:
        """What free text the bot asked this learner for (such as a time of day), if anything."""
        rows = await self._db.fetch("SELECT awaiting FROM learners WHERE user_id = ?", (user_id,))
        return rows[0][0] if rows else None

    async def prompt(self, user_id: int) -> tuple[str, datetime | None] | None:
        """The pending typing prompt and when it was asked."""
        rows = await self._db.fetch("SELECT awaiting, awaiting_at FROM learners WHERE user_id = ?", (user_id,))
        if not rows or rows[0][0] is None:
            return None
        return str(rows[0][0]), optional_moment(rows[0][1])

    async def set_awaiting(self, user_id: int, what: str | None, now: datetime | None = None) -> None:
        await self._db.fetch(
            "UPDATE learners SET awaiting = ?, awaiting_at = ? WHERE user_id = ?",
            (what, optional_text(now) if what is not None else None, user_id),
        )

    async def draft(self, user_id: int) -> Preferences | None:
        """The schedule being set up (not yet confirmed, so nothing is scheduled by it)."""
        rows = await self._db.fetch("SELECT draft FROM learners WHERE user_id = ?", (user_id,))
        return draft_from(rows[0][0]) if rows else None

    async def set_draft(self, user_id: int, prefs: Preferences) -> None:
        await self._db.fetch(
            "UPDATE learners SET draft = ?, awaiting = NULL, awaiting_at = NULL WHERE user_id = ?",
            (draft_text(prefs), user_id),
        )

    async def set_setup(self, user_id: int, state: Setup | None) -> None:
        await self._db.fetch(
            "UPDATE learners SET setup = ? WHERE user_id = ?", (state.value if state else None, user_id)
        )

    async def save_preferences(
        self, user_id: int, prefs: Preferences, next_due: datetime | None, now: datetime | None = None
    ) -> None:
        """The schedule confirmed: it is the learner's now, set-up is over, and the tick takes it from here."""
        await self._db.fetch(
            "UPDATE learners SET timezone = ?, daily_time = ?, days = ?, pace = ?, quiet_start = ?, quiet_end = ?, "
            "quiet_chosen = ?, next_due_at = ?, awaiting = NULL, awaiting_at = NULL, draft = NULL, setup = NULL, "
            "last_active_at = COALESCE(?, last_active_at) WHERE user_id = ?",
            (
                prefs.timezone,
                prefs.daily_time.strftime("%H:%M"),
                days_mask(prefs.days),
                prefs.pace,
                prefs.quiet_start.strftime("%H:%M"),
                prefs.quiet_end.strftime("%H:%M"),
                int(prefs.quiet_chosen),
                optional_text(next_due),
                optional_text(now),
                user_id,
            ),
        )

    async def set_pause(
        self,
        user_id: int,
        *,
        paused: bool,
        until: datetime | None,
        next_due: datetime | None,
        now: datetime | None = None,
    ) -> None:
        """Pause (until a date, or open-ended from `now`, which the invitations to come back count from) or resume."""
        open_ended = paused and until is None
        await self._db.fetch(
            "UPDATE learners SET paused = ?, paused_until = ?, snoozed_until = NULL, next_due_at = ?, "
            "paused_at = ?, comebacks = 0, last_active_at = COALESCE(?, last_active_at), "
            "unanswered = CASE WHEN ? THEN unanswered ELSE 0 END, reminded = CASE WHEN ? THEN reminded ELSE 0 END "
            "WHERE user_id = ?",
            (
                int(paused),
                optional_text(until),
                optional_text(next_due),
                optional_text(now) if open_ended else None,
                optional_text(now),
                int(paused),
                int(paused),
                user_id,
            ),
        )

    async def engaged(self, user_id: int, now: datetime) -> None:
        """The learner did something with a bite ("Got it"): they are there, whatever is unanswered."""
        await self._db.fetch(
            "UPDATE learners SET unanswered = 0, reminded = 0, last_active_at = ? WHERE user_id = ?",
            (to_text(now), user_id),
        )

    async def set_inactive(self, user_id: int) -> None:
        """The learner blocked the bot: nothing more is sent until they /start again."""
        await self._db.fetch("UPDATE learners SET active = 0 WHERE user_id = ?", (user_id,))

    async def set_next_due(self, user_id: int, next_due: datetime | None) -> None:
        await self._db.fetch(
            "UPDATE learners SET next_due_at = ? WHERE user_id = ?", (optional_text(next_due), user_id)
        )

    async def set_region(self, user_id: int, region: str) -> None:
        await self._db.fetch("UPDATE learners SET region = ? WHERE user_id = ?", (region, user_id))

    async def region(self, user_id: int) -> str | None:
        rows = await self._db.fetch("SELECT region FROM learners WHERE user_id = ?", (user_id,))
        return rows[0][0] if rows else None

    async def set_discreet(self, user_id: int, discreet: bool) -> None:
        await self._db.fetch("UPDATE learners SET discreet = ? WHERE user_id = ?", (int(discreet), user_id))
