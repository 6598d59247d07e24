"""The error a user's mistake raises: one clear line, shown without a traceback."""


class UserError(Exception):
    """Bad input or a refused action; the message is one line naming what and what is allowed."""


class NotFound(UserError):
    """A key, name or id that names nothing."""
