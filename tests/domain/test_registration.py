"""Sign-up rules (POST /api/v1/accounts): Mastodon's User and Account validations."""

from __future__ import annotations

import pytest

from domain.registration import agreed, sign_up_problems


def _kinds(**overrides: object) -> dict[str, list[str]]:
    fields: dict = {
        "username": "alice",
        "email": "alice@example.org",
        "password": "password",
        "agreement": "1",
        "locale": "en",
    }
    fields.update(overrides)
    found: dict[str, list[str]] = {}
    for problem in sign_up_problems(**fields):
        found.setdefault(problem.field, []).append(problem.kind)
    return found


def test_a_complete_sign_up_has_no_problems() -> None:
    assert _kinds() == {}
    assert _kinds(locale="") == {}
    assert _kinds(locale="pt-BR") == {}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"username": ""}, {"username": ["blank"]}),
        ({"username": "no spaces"}, {"username": ["invalid"]}),
        ({"username": "a" * 31}, {"username": ["too_long"]}),
        ({"email": ""}, {"email": ["blank"]}),
        ({"email": "not-an-address"}, {"email": ["invalid"]}),
        ({"password": ""}, {"password": ["blank"]}),
        ({"password": "seven77"}, {"password": ["too_short"]}),
        ({"password": "x" * 73}, {"password": ["too_long"]}),
        ({"agreement": None}, {"agreement": ["accepted"]}),
        ({"locale": "klingon"}, {"locale": ["inclusion"]}),
        ({"locale": "xx"}, {"locale": ["inclusion"]}),
    ],
)
def test_each_rule_names_its_field_and_kind(overrides: dict, expected: dict) -> None:
    assert _kinds(**overrides) == expected


def test_every_problem_is_reported_at_once() -> None:
    assert set(_kinds(username="", email="", password="", agreement=False)) == {
        "username",
        "email",
        "password",
        "agreement",
    }


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        (True, True),
        ("true", True),
        ("1", True),
        (False, False),
        (1, False),
        ("on", False),
        ("TRUE", False),
        ("", False),
        (None, False),
    ],
)
def test_agreement_is_accepted_like_rails_acceptance_validator(
    value: object, accepted: bool
) -> None:
    assert agreed(value) is accepted
