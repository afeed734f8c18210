"""The one error type that reaches the command line and becomes a one-line message."""

from __future__ import annotations


class FpmscopeError(Exception):
    """A problem the user can fix: bad input, a missing program, a refused file.

    `exit_code` follows the command-line contract: 2 for usage or input errors, 1 for a
    check or gate that failed.
    """

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code
