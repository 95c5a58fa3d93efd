"""Errors raised by the rules. Each carries a message a front-desk user can act on."""


class RuleViolation(Exception):
    """An action the right-of-access rules (or our lifecycle) do not allow."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(Exception):
    """Input that cannot be accepted; ``field`` names where it was typed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
