"""The spaced schedule as pure rules: when each learner gets a bite, and when answered case questions come back.

`windows` (time zones, slots, quiet hours), `spacing` (FSRS) and `planning` (what to send at a slot) take time as
an argument and know nothing of the store, the texts or Telegram; `bot.delivery` runs them against the store.
"""
