"""The course engine: pure functions over plain data. No Telegram, no SQLite, no clock (`now` is an argument)."""
