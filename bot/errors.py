"""The project's exceptions: one root, a subclass per kind of failure an operator must act on."""


class CoursebotError(Exception):
    """Root of every error coursebot raises on purpose."""


class ContentError(CoursebotError):
    """The course content is invalid; carries every problem found, each naming file, line and item."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        summary = f"{count} problem{'s' if count != 1 else ''} in the course content"
        super().__init__(summary + ":\n" + "\n".join(self.problems))


class SettingsError(CoursebotError):
    """A setting from the environment is missing or invalid; the message names the variable."""


class StoreError(CoursebotError):
    """The database cannot be opened or migrated."""
