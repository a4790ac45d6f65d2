"""One userName rule for every database: the comparison key of RFC 8265's
UsernameCaseMapped profile (PRECIS), as far as it concerns look-alikes.

`user_name_key(value)` maps full-width and half-width characters to their ordinary forms
(full-width `admin` → `admin`), folds case (`Äda` → `äda`, `ß` → `ss`, on SQLite too, whose LOWER()
knows only ASCII) and normalises to NFC (`jose\\u0301` → `josé`). The key is stored beside the
userName, which is kept exactly as sent, and carries the unique constraint per org; every
lookup (`userName eq`, a create's restore check) compares keys.

`user_name_problem(value)` names what the rule refuses, before anything is stored: control
and format characters (zero-width joiners and spaces, soft hyphens, bidi controls), line and
paragraph separators, spaces other than U+0020, private-use, surrogate and unassigned code
points.
"""

import unicodedata

_REFUSED_CATEGORIES = {
    "Cc": "a control character",
    "Cf": "an invisible formatting character (zero-width, soft hyphen or bidi control)",
    "Co": "a private-use character",
    "Cs": "a surrogate",
    "Cn": "an unassigned character",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}


def _width_mapped(value: str) -> str:
    out = []
    for char in value:
        decomposition = unicodedata.decomposition(char)
        if decomposition.startswith(("<wide>", "<narrow>")):
            out.append(chr(int(decomposition.split()[1], 16)))
        else:
            out.append(char)
    return "".join(out)


def user_name_key(value: str) -> str:
    """The comparison key: width-mapped, case-folded, NFC (RFC 8265 §3.3, in that order)."""
    return unicodedata.normalize("NFC", _width_mapped(value).casefold())


def user_name_problem(value: str) -> str | None:
    """Why the rule refuses `value` as a userName, or None."""
    for char in value:
        category = unicodedata.category(char)
        if category in _REFUSED_CATEGORIES:
            return f"userName contains {_REFUSED_CATEGORIES[category]} (U+{ord(char):04X})."
        if category == "Zs" and char != " ":
            return f"userName contains a space other than U+0020 (U+{ord(char):04X})."
    return None
