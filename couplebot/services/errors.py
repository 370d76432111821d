"""Errors a person can fix; each carries the sentence to show them."""

from __future__ import annotations


class UserFacingError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotInServerError(UserFacingError):
    def __init__(self) -> None:
        super().__init__(
            "couplebot works inside your couple's server. Run this in your shared channel there."
        )


class NoCoupleError(UserFacingError):
    def __init__(self) -> None:
        super().__init__(
            "This server has no couple set up yet. One of you can start with `/setup`."
        )


class NotPartnerError(UserFacingError):
    def __init__(self) -> None:
        super().__init__(
            "This space belongs to the couple who set it up, so this button and these "
            "commands are just for them. Thanks for understanding."
        )


class NotAcceptedError(UserFacingError):
    def __init__(self) -> None:
        super().__init__(
            "couplebot starts once the partner named in `/setup` presses **Accept** on the "
            "setup message in your channel."
        )


class InvalidInputError(UserFacingError):
    pass


class CouldNotSaveError(UserFacingError):
    def __init__(self) -> None:
        super().__init__(
            "I could not save that just now, so nothing from this step was stored. What you "
            "saved earlier is still there; please try again in a moment."
        )
