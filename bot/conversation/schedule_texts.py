"""What the bot says about the schedule: the settings menus, snoozing, pausing, reviews and reminders."""

from __future__ import annotations

from datetime import datetime, time

from bot.content.markup import escape
from bot.content.model import Question
from bot.conversation.audience import Audience
from bot.conversation.replies import Button, Reply, button_rows
from bot.conversation.texts import NEXT_BUTTON, answer_row, question_body
from bot.core import buttons, lookup_buttons, options, training_buttons
from scheduler.windows import EVERY_DAY, MAX_PACE, MIN_PACE, WEEKDAYS, Preferences

REGION_ZONES: dict[str, tuple[str, tuple[str, ...]]] = {
    "us": (
        "United States",
        (
            "America/New_York",
            "America/Chicago",
            "America/Denver",
            "America/Phoenix",
            "America/Los_Angeles",
            "America/Anchorage",
            "Pacific/Honolulu",
        ),
    ),
    "ca": (
        "Canada",
        (
            "America/St_Johns",
            "America/Halifax",
            "America/Toronto",
            "America/Winnipeg",
            "America/Edmonton",
            "America/Vancouver",
        ),
    ),
    "uk": ("United Kingdom and Ireland", ("Europe/London", "Europe/Dublin")),
    "au": (
        "Australia",
        (
            "Australia/Perth",
            "Australia/Darwin",
            "Australia/Adelaide",
            "Australia/Brisbane",
            "Australia/Sydney",
            "Australia/Hobart",
        ),
    ),
    "eu": (
        "Europe",
        ("Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Rome", "Europe/Athens"),
    ),
}
TIME_CHOICES = ("06:30", "07:00", "08:00", "09:00", "12:00", "13:00", "17:00", "18:00", "19:00", "20:00")
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_CHOICES = (("Every day", EVERY_DAY), ("Weekdays", WEEKDAYS), ("Mon, Wed, Fri", frozenset({0, 2, 4})))
QUIET_CHOICES = (("21:00-07:00", "21:00–07:00"), ("22:00-06:00", "22:00–06:00"), ("20:00-08:00", "20:00–08:00"))
LATER_LABELS = {"2h": "In 2 hours", "evening": "This evening", "tomorrow": "Tomorrow"}


THEN = "!"  # a setting chosen while setting up for the first time: go on to the next question


def _setting(field: str, value: str = "", then: bool = False) -> str:
    return buttons.encode(buttons.Setting(field, value + (THEN if then else "")))


def days_label(days: frozenset[int]) -> str:
    for label, choice in DAY_CHOICES:
        if days == choice:
            return label.lower() if label != "Mon, Wed, Fri" else label
    return ", ".join(DAY_NAMES[day] for day in sorted(days))


def describe(prefs: Preferences | None, *, paused: bool = False, paused_until: datetime | None = None) -> str:
    if prefs is None:
        return "No schedule yet: bites come only when you ask with /next."
    lines = [
        f"Time zone: {prefs.timezone}",
        f"Daily bite: {prefs.daily_time:%H:%M}, {days_label(prefs.days)}",
        f"Pace: {prefs.pace} bite{'s' if prefs.pace != 1 else ''} a day",
        f"Quiet hours: {prefs.quiet_start:%H:%M}–{prefs.quiet_end:%H:%M}",
    ]
    if paused:
        until = f" until {prefs.local(paused_until):%a %d %b}" if paused_until else ""
        lines.append(f"Paused{until}. Send /resume to start again.")
    return "\n".join(lines)


def settings_menu(
    prefs: Preferences | None,
    *,
    paused: bool,
    paused_until: datetime | None,
    discreet: bool = True,
    cohort: str | None = None,
) -> Reply:
    toggle = "Discreet mode: turn off" if discreet else "Discreet mode: turn on"
    rows: tuple[tuple[Button, ...], ...] = (
        (Button("Time zone", _setting("region")), Button("Time of day", _setting("time"))),
        (Button("Days", _setting("days")), Button("Pace", _setting("pace"))),
        (Button("Quiet hours", _setting("quiet")), Button(toggle, _setting("discreet", "0" if discreet else "1"))),
        (Button("Done", _setting("done")),),
    )
    if cohort is not None:  # a member can leave their cohort here
        leave = Button("Leave cohort", training_buttons.encode(training_buttons.LeaveCohort()))
        rows = (*rows[:-1], (leave,), rows[-1])
    mode = (
        "Discreet mode is on: scheduled bites open with a neutral line and can't be forwarded or saved."
        if discreet
        else "Discreet mode is off."
    )
    text = (
        f"⚙️ **Your schedule**\n\n{describe(prefs, paused=paused, paused_until=paused_until)}\n{mode}\n\nWhat to change?"
    )
    return Reply(text, rows)


def ask_region(then: bool) -> Reply:
    lead = "Let's set your schedule, so bites arrive at a time that suits you.\n\n" if then else ""
    regions = [Button(name, _setting("region", code, then)) for code, (name, _) in REGION_ZONES.items()]
    regions.append(Button("Somewhere else", _setting("type", "tz", then)))
    return Reply(f"{lead}🌍 Where are you? (for your time zone)", button_rows(regions, 2))


def ask_zone(region: str, then: bool) -> Reply:
    name, zones = REGION_ZONES[region]
    choices = [Button(zone.split("/")[-1].replace("_", " "), _setting("tz", zone, then)) for zone in zones]
    choices.append(Button("Other", _setting("type", "tz", then)))
    return Reply(f"🌍 {escape(name)}: which time zone?", button_rows(choices, 2))


def ask_time(then: bool) -> Reply:
    choices = [Button(choice, _setting("time", choice.replace(":", ""), then)) for choice in TIME_CHOICES]
    choices.append(Button("Another time", _setting("type", "time", then)))
    return Reply("🕗 At what time of day should your first bite arrive?", button_rows(choices, 4))


def ask_days(then: bool) -> Reply:
    choices = [Button(label, _setting("days", str(sum(1 << day for day in days)), then)) for label, days in DAY_CHOICES]
    choices.append(Button("Choose days", _setting("type", "days", then)))
    return Reply("📅 On which days?", button_rows(choices, 2))


def ask_pace(then: bool) -> Reply:
    choices = [Button(str(pace), _setting("pace", str(pace), then)) for pace in range(MIN_PACE, MAX_PACE + 1)]
    return Reply(
        "⏱ How many two-minute bites a day? (Two is a good start; the next comes two hours after the first.)",
        (tuple(choices),),
    )


def ask_quiet(then: bool = False) -> Reply:
    choices = [Button(label, _setting("quiet", value.replace(":", ""), then)) for value, label in QUIET_CHOICES]
    choices.append(Button("Other hours", _setting("type", "quiet", then)))
    return Reply("🌙 Quiet hours: when should I never send anything?", button_rows(choices, 2))


TYPE_PROMPTS = {
    "tz": "Type your time zone as a place name from the time-zone database, e.g. Europe/Madrid or Asia/Manila.",
    "time": "Type the time for your first bite, e.g. 7:30 or 18:45 (24-hour clock).",
    "days": "Type the days, e.g. Mon Tue Thu (or 'every day', 'weekdays').",
    "quiet": "Type your quiet hours as start-end, e.g. 22:00-06:30.",
}


def type_prompt(what: str) -> Reply:
    return Reply(f"✍️ {TYPE_PROMPTS[what]}\n\nThis is the only thing to type here: never patient details.")


def not_understood(what: str) -> Reply:
    return Reply(f"Sorry, I couldn't read that. {TYPE_PROMPTS[what]}")


def schedule_saved(prefs: Preferences, next_due: datetime | None) -> Reply:
    when = f"\n\nYour next bite: {prefs.local(next_due):%a %d %b, %H:%M}." if next_due else ""
    return Reply(
        f"✅ **Schedule saved.**\n\n{describe(prefs)}{when}\n\nChange it any time with /settings. "
        "/next still brings a bite at once.",
        ((NEXT_BUTTON,),),
    )


DISCREET_FIRST_LINE = "Your 2-minute refresher is ready."


def scheduled(reply: Reply, send_id: int, *, reminder: bool, discreet: bool = False) -> Reply:
    """A bite as the schedule sends it: the same message, with a "Later" button (and a gentle nudge).

    In discreet mode only a neutral teaser goes out, with [Open]: the bite itself comes on tap, so a lock screen
    or a notification shows nothing about the subject. The teaser is protected from forwarding and saving.
    """
    later = Button("Later ⏰", buttons.encode(buttons.Later(send_id)))
    if discreet:
        opened = Button("Open ▸", lookup_buttons.encode(lookup_buttons.Open(send_id)))
        nudge = "\n\n👋 No rush: open it whenever you have two minutes." if reminder else ""
        return Reply(f"{DISCREET_FIRST_LINE}{nudge}", ((opened, later),), protect=True)
    rows = (*reply.buttons[:-1], (*reply.buttons[-1], later)) if reply.buttons else ((later,),)
    text = reply.text
    if reminder:
        text = f"👋 No rush: here is your next bite, whenever you have two minutes.\n\n{text}"
    return Reply(text, rows, protect=reply.protect)


def review_question(audience: Audience, item: Question, send_id: int) -> Reply:
    """A question back for review: its options in a new order, so the first showing's places don't carry over."""
    order = audience.order(item, options.review_showing(send_id))
    row = answer_row(item, order, lambda index: buttons.ReviewAnswer(send_id, index))
    return Reply(f"🔁 Review\n{question_body(audience, item, order)}", (row,))


def practice_question(audience: Audience, item: Question, send_id: int, *, missed: int) -> Reply:
    """A missed case brought back on request: answered like a review, in a new order."""
    review = review_question(audience, item, send_id)
    others = f" (and {missed - 1} more to practise)" if missed > 1 else ""
    return Reply(review.text.replace("🔁 Review", f"🔁 Practice{others}", 1), review.buttons)


def later_menu(send_id: int) -> Reply:
    choices = tuple(
        Button(label, buttons.encode(buttons.Snooze(send_id, choice))) for choice, label in LATER_LABELS.items()
    )
    return Reply("⏰ When would suit you better?", (choices,))


def snoozed(prefs: Preferences, until: datetime) -> Reply:
    return Reply(f"👍 I'll send it again {prefs.local(until):%a at %H:%M}.")


def auto_paused() -> Reply:
    return Reply(
        "⏸ I've paused your daily bites for now, since the last few arrived at busy moments. "
        "Your progress is saved. Start again whenever suits you.",
        ((Button("Resume my bites", buttons.encode(buttons.Resume())),),),
    )


def paused(prefs: Preferences | None, until: datetime | None) -> Reply:
    if until is not None and prefs is not None:
        return Reply(f"⏸ Paused until {prefs.local(until):%a %d %b}. /resume starts your bites again sooner.")
    return Reply("⏸ Paused. Your progress is saved; /resume starts your bites again. /next works any time.")


def pause_usage() -> Reply:
    return Reply("To pause until a date, send e.g. /pause 2026-12-24 (or /pause 7 for a week). /pause alone pauses.")


def resumed(prefs: Preferences | None, next_due: datetime | None) -> Reply:
    if prefs is None:
        return Reply("There's no schedule to resume yet. Send /settings to choose when bites should arrive.")
    when = f" Your next bite: {prefs.local(next_due):%a %d %b, %H:%M}." if next_due else ""
    return Reply(f"▶️ Your bites are back on.{when}")


def parse_clock(text: str) -> time | None:
    """ "7:30", "07:30", "1930" or "7" as a time of day."""
    cleaned = text.strip().lower().replace(".", ":").replace("h", ":")
    if cleaned.isdigit() and len(cleaned) in (3, 4):
        cleaned = f"{cleaned[:-2]}:{cleaned[-2:]}"
    elif cleaned.isdigit() and len(cleaned) <= 2:
        cleaned = f"{cleaned}:00"
    hours, _, minutes = cleaned.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        return None
    if not (0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59):
        return None
    return time(int(hours), int(minutes))


def parse_days(text: str) -> frozenset[int] | None:
    lowered = text.strip().lower()
    if lowered in {"every day", "everyday", "daily", "all"}:
        return EVERY_DAY
    if lowered in {"weekdays", "week days"}:
        return WEEKDAYS
    days = set()
    for word in lowered.replace(",", " ").split():
        matches = [index for index, name in enumerate(DAY_NAMES) if word.startswith(name.lower())]
        if len(matches) != 1:
            return None
        days.add(matches[0])
    return frozenset(days) or None


def parse_quiet(text: str) -> tuple[time, time] | None:
    parts = text.replace("–", "-").replace(" to ", "-").split("-")
    if len(parts) != 2:
        return None
    start, end = parse_clock(parts[0]), parse_clock(parts[1])
    return (start, end) if start is not None and end is not None else None
