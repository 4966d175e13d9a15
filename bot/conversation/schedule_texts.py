"""What the bot says about the schedule's settings: setting it up, the /settings menus, typing prompts, and the
summary that always says when the next bite comes (and plainly what will not arrive, with fixes)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, time

from bot.content.markup import escape
from bot.conversation.bite_texts import DISCREET_FIRST_LINE as DISCREET_FIRST_LINE  # where others find it
from bot.conversation.bite_texts import when
from bot.conversation.places import Place, zone_label
from bot.conversation.replies import Button, Reply, button_rows
from bot.conversation.texts import NEXT_BUTTON
from bot.core import buttons, training_buttons
from scheduler import fitting
from scheduler.windows import DEFAULT_QUIET, EVERY_DAY, WEEKDAYS, WEEKENDS, Preferences

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
            "America/Puerto_Rico",
            "Pacific/Guam",
        ),
    ),
    "ca": (
        "Canada",
        (
            "America/St_Johns",
            "America/Halifax",
            "America/Toronto",
            "America/Winnipeg",
            "America/Regina",
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
DAY_CHOICES = (
    ("Every day", EVERY_DAY),
    ("Weekdays", WEEKDAYS),
    ("Mon, Wed, Fri", frozenset({0, 2, 4})),
    ("Weekends", WEEKENDS),
)
QUIET_CHOICES = ((time(21, 0), time(7, 0)), (time(22, 0), time(6, 0)), (time(20, 0), time(8, 0)))

THEN = "!"  # a setting chosen while setting up for the first time: go on to the next question


def _setting(field: str, value: str = "", then: bool = False) -> str:
    return buttons.encode(buttons.Setting(field, value + (THEN if then else "")))


def clock_value(clock: time) -> str:
    return f"{clock:%H%M}"


def quiet_label(start: time, end: time) -> str:
    return "none" if start == end else f"{start:%H:%M}–{end:%H:%M}"


def days_label(days: frozenset[int]) -> str:
    for label, choice in DAY_CHOICES:
        if days == choice:
            return label.lower() if label != "Mon, Wed, Fri" else label
    return ", ".join(DAY_NAMES[day] for day in sorted(days))


def times_label(clocks: tuple[time, ...]) -> str:
    shown = [f"{clock:%H:%M}" for clock in clocks]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" and {shown[-1]}"


def describe(prefs: Preferences | None, *, paused: bool = False, paused_until: datetime | None = None) -> str:
    if prefs is None:
        return "No schedule yet: bites come only when you ask with /next."
    bites = prefs.bite_times()
    lines = [
        f"Time zone: {escape(zone_label(prefs.timezone))}",
        f"Bites: {prefs.pace} a day at {times_label(bites)}, {days_label(prefs.days)}",
        f"Quiet hours: {quiet_label(prefs.quiet_start, prefs.quiet_end)}",
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


SKIP_BUTTON = Button("Skip, I'll use /next", _setting("skip"))


def ask_region(then: bool) -> Reply:
    lead = (
        "⏰ **When should bites arrive?** A few taps: your place, a time, days, how many, quiet hours.\n\n"
        if then
        else ""
    )
    regions = [Button(name, _setting("region", code, then)) for code, (name, _) in REGION_ZONES.items()]
    regions.append(Button("Somewhere else", _setting("type", "tz", then)))
    rows = button_rows(regions, 2)
    if then:
        rows = (*rows, (SKIP_BUTTON,))
    return Reply(f"{lead}🌍 Where are you? (for your time zone)", rows)


def first_message(welcome: Reply) -> Reply:
    """The welcome and the schedule question as one message: one clear start, with a way to skip."""
    question = ask_region(then=True)
    return Reply(f"{welcome.text}\n\n{question.text}", question.buttons)


def ask_zone(region: str, then: bool) -> Reply:
    name, zones = REGION_ZONES[region]
    choices = [Button(zone.split("/")[-1].replace("_", " "), _setting("tz", zone, then)) for zone in zones]
    choices.append(Button("Other", _setting("type", "tz", then)))
    return Reply(f"🌍 {escape(name)}: which time zone?", button_rows(choices, 2))


def zone_choices(places: tuple[Place, ...], then: bool) -> Reply:
    choices = [Button(place.label[:60], _setting("tz", place.zone, then)) for place in places]
    rows = (*button_rows(choices, 1), (CANCEL_BUTTON,))
    return Reply("🌍 Which of these? (Or type a bigger city near you.)", rows)


def ask_time(then: bool, prefs: Preferences | None = None) -> Reply:
    offered = [choice for choice in TIME_CHOICES if prefs is None or fitting.fits_at(prefs, _clock(choice))]
    choices = [Button(choice, _setting("time", choice.replace(":", ""), then)) for choice in offered]
    choices.append(Button("Another time", _setting("type", "time", then)))
    return Reply("🕗 At what time of day should your first bite arrive?", button_rows(choices, 4))


def ask_days(then: bool, prefs: Preferences | None = None) -> Reply:
    choices = [Button(label, _setting("days", str(sum(1 << day for day in days)), then)) for label, days in DAY_CHOICES]
    choices.append(Button("Choose days", _setting("type", "days", then)))
    return Reply("📅 On which days?", button_rows(choices, 2))


def ask_pace(then: bool, prefs: Preferences | None = None) -> Reply:
    paces = fitting.paces_that_fit(prefs) if prefs is not None else tuple(range(1, 6))
    choices = [Button(str(pace), _setting("pace", str(pace), then)) for pace in paces]
    return Reply(
        "⏱ How many two-minute bites a day? (Two is a good start; each comes two hours after the one before.)",
        (tuple(choices),),
    )


def ask_quiet(then: bool = False, prefs: Preferences | None = None) -> Reply:
    """Quiet hours: keep the current ones, a preset that lets every bite through, none, or typed ones."""
    choices = []
    if prefs is not None and not prefs.quiet_off:
        current = quiet_label(prefs.quiet_start, prefs.quiet_end)
        choices.append(
            Button(f"Keep {current}", _setting("quiet", _quiet_value(prefs.quiet_start, prefs.quiet_end), then))
        )
    for start, end in QUIET_CHOICES:
        if prefs is not None and (start, end) == (prefs.quiet_start, prefs.quiet_end):
            continue
        if prefs is not None and not fitting.fit(_with_quiet(prefs, start, end)).complete:
            continue  # it would swallow a bite: not offered
        choices.append(Button(quiet_label(start, end), _setting("quiet", _quiet_value(start, end), then)))
    choices.append(Button("No quiet hours", _setting("quiet", "off", then)))
    choices.append(Button("Other hours", _setting("type", "quiet", then)))
    now = ""
    if prefs is not None:
        now = f" Yours are {quiet_label(prefs.quiet_start, prefs.quiet_end)}"
        moved = not prefs.quiet_chosen and (prefs.quiet_start, prefs.quiet_end) != DEFAULT_QUIET
        now += f" (moved from the usual {quiet_label(*DEFAULT_QUIET)} so every bite gets through)." if moved else "."
    return Reply(f"🌙 Quiet hours: when should I never send anything?{now}", button_rows(choices, 2))


def _quiet_value(start: time, end: time) -> str:
    return f"{clock_value(start)}-{clock_value(end)}"


def _with_quiet(prefs: Preferences, start: time, end: time) -> Preferences:
    return dataclasses.replace(prefs, quiet_start=start, quiet_end=end, quiet_chosen=True)


def _clock(text: str) -> time:
    return time.fromisoformat(text)


TYPE_PROMPTS = {
    "tz": "Type your city or country (e.g. Manila, Kenya, São Paulo) or your offset from UTC (e.g. UTC+3).",
    "time": "Type the time for your first bite, e.g. 7:30, 19:45, 7pm or noon.",
    "days": "Type the days, e.g. Mon Wed Fri, M W F, Tu Th, weekends or every day.",
    "quiet": "Type your quiet hours as start-end, e.g. 22:00-06:30 or 10pm-6am (or 'off' for none).",
}
PROMPT_NAMES = {"tz": "your time zone", "time": "a time", "days": "your days", "quiet": "your quiet hours"}
CANCEL_BUTTON = Button("Cancel", _setting("cancel"))


def type_prompt(what: str) -> Reply:
    return Reply(
        f"✍️ {TYPE_PROMPTS[what]}\n\nThis is the only thing to type here: never patient details.",
        ((CANCEL_BUTTON,),),
    )


def still_waiting(what: str) -> Reply:
    """After a search typed while a prompt was open: the prompt is still there, and can be cancelled."""
    return Reply(
        f"✍️ (I read that as a search. I'm still waiting for {PROMPT_NAMES[what]}: {TYPE_PROMPTS[what]})",
        ((CANCEL_BUTTON,),),
    )


def cancelled() -> Reply:
    return Reply("OK, nothing changed. /settings when you want it.")


def skipped() -> Reply:
    return Reply(
        "Fine: send /next whenever you have two minutes. You can set times later with /settings.", ((NEXT_BUTTON,),)
    )


def schedule_saved(
    prefs: Preferences, next_due: datetime | None, fit: fitting.Fit | None = None, *, paused: bool = False
) -> Reply:
    """The schedule as saved, what it will deliver (plainly, when quiet hours swallow bites) and the next bite."""
    fit = fit or fitting.fit(prefs)
    notes = []
    if fit.moved_quiet:
        notes.append(
            f"🌙 Your bites start at {prefs.daily_time:%H:%M}, so I moved your quiet hours to "
            f"{quiet_label(prefs.quiet_start, prefs.quiet_end)}: every bite gets through."
        )
    rows: tuple[tuple[Button, ...], ...] = ((NEXT_BUTTON,),)
    if not fit.complete:
        quiet = quiet_label(prefs.quiet_start, prefs.quiet_end)
        if fit.arriving:
            notes.append(
                f"⚠️ Your quiet hours ({quiet}) cover {times_label(fit.swallowed)}, so you'll get "
                f"{_bites(len(fit.arriving))} a day, at {times_label(fit.arriving)}, not {prefs.pace}."
            )
        else:
            notes.append(f"⚠️ No bite can arrive: your quiet hours ({quiet}) cover {times_label(fit.swallowed)}.")
        notes.append("To get every bite, tap a fix:")
        rows = (tuple(_fix_button(fix) for fix in fit.fixes), *rows)
    if paused:
        notes.append("Your bites are paused: /resume starts them again.")
    else:
        notes.append(f"Your next bite: {when(prefs, next_due)}." if next_due else "No bite is scheduled.")
    body = "\n\n".join(notes)
    return Reply(
        f"✅ **Schedule saved.**\n\n{describe(prefs)}\n\n{body}\n\nChange it any time with /settings. "
        "/next still brings a bite at once.",
        rows,
    )


def _bites(count: int) -> str:
    return f"{count} bite{'s' if count != 1 else ''}"


def _fix_button(fix: fitting.Fix) -> Button:
    prefs = fix.prefs
    if fix.field == "quiet":
        label = f"Quiet hours {quiet_label(prefs.quiet_start, prefs.quiet_end)}"
        return Button(label, _setting("quiet", _quiet_value(prefs.quiet_start, prefs.quiet_end)))
    if fix.field == "time":
        return Button(f"First bite at {prefs.daily_time:%H:%M}", _setting("time", clock_value(prefs.daily_time)))
    return Button(f"{_bites(prefs.pace)} a day", _setting("pace", str(prefs.pace)))


def schedule_state(
    prefs: Preferences | None,
    *,
    paused: bool,
    paused_until: datetime | None,
    next_due: datetime | None,
    reviews: int,
    finished: bool = False,
) -> str:
    """One or two lines for /progress: the next bite, paused or not, and reviews due."""
    if prefs is None:
        return "⏰ No schedule: bites come when you send /next (/settings sets a time)."
    if paused and paused_until is not None:
        state = f"⏸ Paused until {prefs.local(paused_until):%a %d %b}."
    elif paused:
        state = "⏸ Paused: /resume starts your bites again."
    elif finished:
        state = "⏰ Course done: reviews come at your bite times as they fall due."
    else:
        state = f"⏰ Next bite: {when(prefs, next_due)}." if next_due else "⏰ No bite is scheduled."
    due = f"🔁 Reviews due: {reviews}." if reviews else "🔁 No reviews due."
    return f"{state}\n{due}"
