"""Errors meant for the user: each carries one clear line, never a traceback."""


class PmtuiError(Exception):
    """A user-facing failure; str(error) is the whole message."""


class LoadError(PmtuiError):
    """The incident file could not be read, parsed or validated."""


class LockedError(PmtuiError):
    """Another pmtui holds the incident's lock."""


class SaveError(PmtuiError):
    """The incident could not be written; the old file is intact."""


class UsageError(PmtuiError):
    """The command line or a value on it is wrong (exit code 2)."""


class ConflictError(SaveError):
    """The incident file changed on disk since pmtui last read or wrote it."""
