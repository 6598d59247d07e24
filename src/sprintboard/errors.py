"""The error a user's mistake raises: one clear line, shown without a traceback."""


class UserError(Exception):
    """Bad input or a refused action; the message is one line naming what and what is allowed."""


class NotFound(UserError):
    """A key, name or id that names nothing."""


class FileProblem(UserError):
    """The database's file, folder or disk stopped a command that was otherwise fine (a full
    disk, a companion file in the way): one line naming the cause; nothing was changed.

    A UserError so every screen shows it as it shows a refusal; the CLI exits with status 1
    for it rather than 2, since the input was fine."""


class Unavailable(UserError):
    """Something a command needs and does not control stopped it (a program missing, the
    network, another process holding a lock): one line naming it; nothing was lost. The CLI
    exits with status 1 for it rather than 2, since the input was fine."""
