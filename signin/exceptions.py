"""What the sign-in services refuse, each naming the situation."""


class SignInRefused(Exception):
    """A single sign-on identity that may not sign in. `reason` is a code for the log; `message` is shown."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


class ProviderMisconfigured(Exception):
    """The provider cannot be used: no client secret, or discovery failed."""
