"""Names are one line of visible text.

A name (of a school, bestuur, wijk, gemeente, organisation, person) ends up in mail subjects, exports,
calendar entries and page titles. A line break in one broke every mail about that school; a zero-width
or bidi-override character makes a name look like another. `validate_one_line` refuses them on every
model field that holds a name, so forms, the admin and `full_clean` all say so in Dutch; `one_line`
is the forgiving twin for text that is already stored (mail subjects) or comes in bulk.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Control characters (Cc: tab, line feed, NUL...), format characters (Cf: zero-width space and joiner,
# soft hyphen, bidi overrides, BOM) and the Unicode line and paragraph separators (Zl, Zp).
NOT_ONE_LINE = frozenset({"Cc", "Cf", "Zl", "Zp"})


def _is_hidden(character: str) -> bool:
    return unicodedata.category(character) in NOT_ONE_LINE


def validate_one_line(value: str) -> None:
    """Refuse a line break, tab or invisible character in `value` (a model field validator)."""
    if not isinstance(value, str):
        return
    for position, character in enumerate(value, start=1):
        if _is_hidden(character):
            raise ValidationError(
                _(
                    "Remove the line break, tab or invisible character at position %(position)s "
                    "(%(code)s): write this on one line."
                ),
                code="not_one_line",
                params={"position": position, "code": f"U+{ord(character):04X}"},
            )


def one_line(value: str) -> str:
    """`value` as one line: every run of white space (line breaks too) becomes one space, control and
    invisible characters go. For text that must not break a line, such as a mail header."""
    text = "".join(" " if character.isspace() else character for character in value)
    text = "".join(character for character in text if not _is_hidden(character))
    return " ".join(text.split())
