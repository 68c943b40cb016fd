"""Password rules beyond Django's own: no password built from words an attacker tries first.

Django's CommonPasswordValidator knows 20,000 (mostly English) passwords, compared whole. People in KPA
pick "Welkom2026!", "Utrecht-kpa-1" or their school's name with a year: long enough, common enough to
be the first guesses. This validator strips every common or context word (Dutch favourites, the product,
the person's gemeente, wijk, schools and organisation, their own name) from the password, reading common
letter substitutions (w3lk0m) too, and refuses it when fewer than a few of its own letters remain.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Lower case, letters only. Words shorter than four letters would match inside too many real words;
# "kpa" is the one exception, being the product's name.
_COMMON_WORDS_TEXT = """
    kpa kernpartner kernpartners partner partners buurtteam wijkteam jeugdzorg jeugd zorg overleg
    school basisschool onderwijs leerling leerlingen leraar lerares docent meester juffrouw directeur
    intern begeleider gemeente wijk bestuur
    welkom welcome wachtwoord paswoord password passwort geheim inloggen login gebruiker
    beheerder admin administrator hallo test qwerty azerty asdf abcd letmein
    utrecht amsterdam rotterdam denhaag haag eindhoven groningen tilburg almere breda nijmegen
    nederland holland ajax feyenoord
    maandag dinsdag woensdag donderdag vrijdag zaterdag zondag
    januari februari maart april juni juli augustus september oktober november december
    lente voorjaar zomer herfst najaar winter vakantie
    liefde schat schatje voetbal koffie fiets
"""
COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())

MIN_OWN_LETTERS = 4

# Digits and signs that people write for letters. Every character maps to exactly one, so positions in
# the mapped text are positions in the password.
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s"}
)
_NOT_LETTERS = re.compile(r"[^a-z]+")


def _fold(text: str) -> str:
    """Lower case, accents off (é → e), full-width and other compatibility forms to plain letters."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words_of(name: str) -> set[str]:
    """The guessable words of a name: each word of four letters or more, and the whole name run together
    ("OBS De Zonnewijzer" gives zonnewijzer and obsdezonnewijzer)."""
    parts = [p for p in _NOT_LETTERS.split(_fold(name)) if p]
    words = {p for p in parts if len(p) >= MIN_OWN_LETTERS}
    joined = "".join(parts)
    if len(joined) >= MIN_OWN_LETTERS:
        words.add(joined)
    return words


def context_words(user) -> set[str]:
    """Names that go with this person's work and with KPA: every gemeente in KPA, and the person's own
    wijk, schools, organisation, name and e-mail address. Read through the user's relations, so this
    module needs none of the apps above it."""
    names: list[str] = []
    gemeente_model = get_user_model()._meta.get_field("gemeente").related_model
    names += gemeente_model.objects.values_list("name", flat=True)
    if user is not None:
        names += [user.first_name, user.last_name, *re.split(r"[@.]", user.email or "")]
        if user.wijk_id:
            names.append(user.wijk.name)
        if user.organisation_id:
            names.append(user.organisation.name)
        if user.pk:
            for school_name, wijk_name in user.assignments.values_list("school__name", "school__wijk__name"):
                names += [school_name, wijk_name]
    words: set[str] = set()
    for name in names:
        if name:
            words |= words_of(name)
    return words


def own_letters(password: str, words: Iterable[str]) -> int:
    """How many letters of the password are left once every known word is taken out (longest first),
    reading 0 as o, 3 as e and so on. Digits and signs are not letters of one's own."""
    folded = _fold(password)
    mapped = folded.translate(_LEET)
    positions = [i for i, c in enumerate(mapped) if "a" <= c <= "z"]
    core = "".join(mapped[i] for i in positions)
    covered = [False] * len(core)
    for word in sorted(set(words), key=len, reverse=True):
        start = core.find(word)
        while start != -1:
            end = start + len(word)
            if not any(covered[start:end]):
                covered[start:end] = [True] * len(word)
            start = core.find(word, start + 1)
    return sum(1 for n, i in enumerate(positions) if not covered[n] and "a" <= folded[i] <= "z")


class ContextPasswordValidator:
    """Refuses a password that is little more than common words and names that go with KPA."""

    def __init__(self, min_own_letters: int = MIN_OWN_LETTERS) -> None:
        self.min_own_letters = min_own_letters

    def validate(self, password: str, user=None) -> None:
        words = COMMON_WORDS | context_words(user)
        if own_letters(password, words) < self.min_own_letters:
            raise ValidationError(
                _(
                    "This password is too easy to guess: without common words and names that go with your "
                    "work (your municipality, your school, KPA) too little of it remains. Choose, for "
                    "example, three or four unrelated words."
                ),
                code="password_too_guessable",
            )

    def get_help_text(self) -> str:
        return _(
            "Your password must not be made of common words or names that go with your work, such as your "
            "municipality, your school or KPA."
        )
