"""Errors a user can fix: each carries a one-line Vietnamese message naming the input."""


class UserError(Exception):
    """Bad input or a request the data does not allow. The CLI prints it and exits with 2."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
