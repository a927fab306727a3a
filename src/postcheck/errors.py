"""The one error family: anything that stops postcheck doing its job (exit 2)."""


class PostcheckError(Exception):
    """A problem the user can fix, described in one line (the CLI prints it once)."""


class RulesError(PostcheckError):
    """rules.yaml is missing, malformed or has a bad value."""


class RegisterError(PostcheckError):
    """consent_data/ is missing or register.csv breaks the schema."""


class InputError(PostcheckError):
    """A named input file or folder does not exist or cannot be read."""
