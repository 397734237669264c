"""Status languages: the ISO 639 codes Mastodon accepts for `language`."""

_ISO_639_1_CODES = """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs
    cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha
    he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn
    ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb
    nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd
    se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw
    ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
"""
_ISO_639_3_CODES = """
    ast chr ckb cnr csb gsw jbo kab kmr ldn lfn moh nds pdc sco sma smj szl tok vai xal zba zgh
"""

ISO_639_1 = frozenset(_ISO_639_1_CODES.split())
"""All 184 ISO 639-1 codes (including the withdrawn `bh`, which Mastodon keeps)."""

ISO_639_3 = frozenset(_ISO_639_3_CODES.split())
"""Languages without a two-letter code that Mastodon lists (LanguagesHelper::ISO_639_3)."""

SUPPORTED_LANGUAGES = ISO_639_1 | ISO_639_3


def normalize_language(code: str | None) -> str | None:
    """The supported language code for `code` ("en-US" -> "en", "EN" -> "en"), else None.

    Unknown codes give None rather than an error: Mastodon silently falls back to
    the author's default language instead of rejecting the post.
    """
    if not code:
        return None
    # The region or script ("en-US", "pt_BR", "zh-Hant-TW") does not matter here.
    base = code.strip().replace("_", "-").split("-", 1)[0].lower()
    return base if base in SUPPORTED_LANGUAGES else None
