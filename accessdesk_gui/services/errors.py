"""Errors the services raise; the GUI and command line show their messages as they are."""

from accessdesk_gui.domain.errors import InvalidInput, RuleViolation
from accessdesk_gui.store.db import StoreError


class ServiceError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    pass


class PermissionDenied(ServiceError):
    pass


class AuthenticationFailed(ServiceError):
    pass


class SetupError(ServiceError):
    pass


# Everything a caller may show to a user as one clear line.
USER_ERRORS = (ServiceError, RuleViolation, InvalidInput, StoreError)

__all__ = [
    "USER_ERRORS",
    "AuthenticationFailed",
    "InvalidInput",
    "NotFound",
    "PermissionDenied",
    "RuleViolation",
    "ServiceError",
    "SetupError",
    "StoreError",
]
