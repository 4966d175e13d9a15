"""The spaced schedule: when each learner gets a bite, and when answered case questions come back.

`windows`, `spacing` and `planning` are pure (time is an argument); `tick` runs them against the store and
sends what is due through a `Sender`, which the Telegram and terminal adapters provide.
"""
