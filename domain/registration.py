"""Sign-up through the API (POST /api/v1/accounts): Mastodon's User validations on top of the
account's own (username, e-mail format)."""

from __future__ import annotations

import re

from domain.account import registration_problems
from domain.errors import FieldError
from domain.languages import normalize_language

PASSWORD_MIN = 8
PASSWORD_MAX = 72
AGREEMENT_ACCEPTED = ("true", "1")
_LOCALE = re.compile(r"\A[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,4})?\Z")


def sign_up_problems(
    username: str, email: str, password: str, agreement: object, locale: str
) -> list[FieldError]:
    """Every rule a sign-up breaks before looking at other accounts (those add `taken`)."""
    problems = registration_problems(username, email or None, "")
    if not email:
        problems.append(FieldError("email", "blank", "E-mail address", "can't be blank"))
    if not password:
        problems.append(FieldError("password", "blank", "Password", "can't be blank"))
    elif len(password) < PASSWORD_MIN:
        short = f"is too short (minimum is {PASSWORD_MIN} characters)"
        problems.append(FieldError("password", "too_short", "Password", short))
    elif len(password) > PASSWORD_MAX:
        long = f"is too long (maximum is {PASSWORD_MAX} characters)"
        problems.append(FieldError("password", "too_long", "Password", long))
    if not agreed(agreement):
        problems.append(
            FieldError("agreement", "accepted", "Service agreement", "must be accepted")
        )
    if locale and not (_LOCALE.match(locale) and normalize_language(locale)):
        problems.append(FieldError("locale", "inclusion", "Locale", "is not included in the list"))
    return problems


def agreed(agreement: object) -> bool:
    """Rails' acceptance validator as Mastodon configures it (JSON true, "true" or "1")."""
    return agreement is True or (isinstance(agreement, str) and agreement in AGREEMENT_ACCEPTED)
