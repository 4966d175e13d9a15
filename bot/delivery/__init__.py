"""The scheduled delivery runner: each tick plans from the store what is due and sends it through a `Sender`."""
