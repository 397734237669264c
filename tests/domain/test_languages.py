"""Which `language` values a status keeps (§4.6): supported ISO 639 codes, else None."""

import pytest

from domain.languages import ISO_639_1, normalize_language


@pytest.mark.parametrize("code", ["en", "de", "ja", "zh", "nb", "eo", "bh"])
def test_iso_639_1_code_is_kept(code: str) -> None:
    assert normalize_language(code) == code


def test_every_iso_639_1_code_is_supported() -> None:
    assert len(ISO_639_1) == 184
    assert all(normalize_language(code) == code for code in ISO_639_1)


THREE_LETTER_ONLY = [
    "ast", "ckb", "cnr", "jbo", "kab", "kmr", "ldn", "lfn", "sco", "sma", "smj", "szl", "tok",
    "xal", "zba", "zgh",
]  # fmt: skip


@pytest.mark.parametrize("code", THREE_LETTER_ONLY)
def test_mastodons_iso_639_3_languages_are_supported(code: str) -> None:
    assert normalize_language(code) == code


@pytest.mark.parametrize(
    ("code", "expected"),
    [("en-US", "en"), ("pt_BR", "pt"), ("zh-Hant-TW", "zh"), ("sr-Latn", "sr"), ("ckb-IQ", "ckb")],
)
def test_region_and_script_suffixes_are_stripped(code: str, expected: str) -> None:
    assert normalize_language(code) == expected


@pytest.mark.parametrize(("code", "expected"), [("EN", "en"), ("De-AT", "de"), (" fr ", "fr")])
def test_codes_are_case_and_whitespace_insensitive(code: str, expected: str) -> None:
    assert normalize_language(code) == expected


@pytest.mark.parametrize("code", ["xx", "eng", "english", "klingon", "-en", "e", "123", "en@x"])
def test_unknown_code_gives_none_so_the_caller_falls_back(code: str) -> None:
    assert normalize_language(code) is None


@pytest.mark.parametrize("code", [None, ""])
def test_missing_code_gives_none(code: str | None) -> None:
    assert normalize_language(code) is None
