"""Refuse free text that could identify a pupil (AVG: KPA stores no pupil).

Every free-text field (minutes, collective questions, agreements, notes) goes through
`find_identifiers`, which reports four kinds of direct identifier:

- ``bsn``: 9 digits, or 8 (a leading zero dropped), passing the 11-proef (9*d1 + 8*d2 + ... + 2*d8
  - 1*d9 divisible by 11, not all zeros). Any run of separators between digits (spaces, tabs, line
  breaks, dots, commas, slashes, dashes of every length, "+", apostrophes, "_") is read as one, so
  "1234.56.782", "123  456  782" and "123 / 456 / 782" are one number.
- ``onderwijsnummer``: 9 digits starting with "10" whose weighted sum leaves remainder 5.
- ``birth_date``: a date (d-m-yyyy, d/m/yyyy, d.m.yyyy, yyyy-mm-dd, "3 maart 2016") within `WINDOW`
  words of "geboren", "geb." or "geboorte...", or of a name-like word (capitalised, not in
  `NOT_NAMES`) when the date could be a pupil's birthday (`MIN_PUPIL_AGE`..`MAX_PUPIL_AGE` years
  ago). So "Jan de Vries 12-03-2015" is refused and "Volgende KPO op 12-03-2027" passes.
- ``email``: an address of someone who is not a user, asked through the injectable
  `known_emails(addresses) -> known addresses`; without it every address is refused.

Every text is judged as it reads, not as it is encoded: Unicode NFKC (full-width "１２３" is 123), decimal
digits of every script as 0-9, format characters (zero-width spaces and joiners, soft hyphens, bidi
controls), combining marks and other control characters dropped, every dash a "-", and %-escapes (as in a URL:
"%31%32%33", "123%20456") decoded. A finding still names the text as it was written.

Not flagged on purpose: runs of 10+ digits (phone numbers 0612345678 / 06-12345678, IBANs) are never
cut into a 9-digit match, except where a space splits them ("groep 8 123456782" is caught);
international phone numbers ("+31 ...", "0031 ..."); dates; two years ("schooljaar 2024-2025",
"2024/2025"). Digits glued to letters ARE checked
("BSN123456782"): a word stuck to a number must not get a BSN past the guard.

Dutch translations for locale/nl/LC_MESSAGES/django.po (msgid -> msgstr):

- '"%(found)s" looks like a BSN (citizen service number). Is this a BSN? Remove it: KPA stores
  nothing that identifies a pupil.' -> '"%(found)s" lijkt op een BSN (burgerservicenummer). Is dit
  een BSN? Haal het weg: KPA bewaart geen gegevens waarmee een leerling te herkennen is.'
- '"%(found)s" looks like an education number (onderwijsnummer). Is this an education number?
  Remove it: KPA stores nothing that identifies a pupil.' -> '"%(found)s" lijkt op een
  onderwijsnummer. Is dit een onderwijsnummer? Haal het weg: KPA bewaart geen gegevens waarmee een
  leerling te herkennen is.'
- '"%(found)s" near "%(near)s" looks like a date of birth. Is this a date of birth? Remove it: KPA
  stores nothing that identifies a pupil.' -> '"%(found)s" bij "%(near)s" lijkt op een
  geboortedatum. Is dit een geboortedatum? Haal het weg: KPA bewaart geen gegevens waarmee een
  leerling te herkennen is.'
- '"%(found)s" is the e-mail address of someone without a KPA account. Remove it: KPA stores nothing
  that identifies a pupil.' -> '"%(found)s" is het e-mailadres van iemand zonder KPA-account. Haal
  het weg: KPA bewaart geen gegevens waarmee een leerling te herkennen is.'
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

type KnownEmails = Callable[[set[str]], set[str]]

ERROR_CODE = "pupil_identifier"
WINDOW = 3  # words on either side of a date that are looked at
MIN_PUPIL_AGE, MAX_PUPIL_AGE = 3, 25  # years; a date outside this range is no pupil's birthday

_MONTH_NAMES = "januari februari maart april mei juni juli augustus september oktober november december"
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES.split(), start=1)}
_MONTHS |= {name[:3]: number for name, number in _MONTHS.items() if name != "maart"} | {"mrt": 3, "sept": 9}
# Capitalised words that are no name: sentence starts, stopwords, meeting words, weekdays, months
# ("Jan" excepted: it is a common first name).
_NOT_NAMES_TEXT = """
    de het een en of maar op in om met van voor na tot vanaf per bij aan uit over onder tussen sinds
    rond tijdens door naar als dan dat die dit deze wat wie waar wanneer hoe er hier daar wij we ik
    jij je u zij ze hij ons onze hun alle elke iedere geen ook nog wel niet al graag volgende vorige
    eerste laatste nieuwe uiterlijk gepland planning datum tijd actie afspraak afspraken overleg
    vergadering bijeenkomst evaluatie procesevaluatie werkbezoek notulen verslag agenda deadline
    start begin eind einde week dag maand jaar schooljaar vandaag morgen gisteren school team wijk
    gemeente leerplicht buurtteam kernpartner kernpartners besproken afgesproken zie nb opmerking
    status gereed klaar verplaatst geannuleerd ingepland maandag dinsdag woensdag donderdag vrijdag
    zaterdag zondag ma di wo do vr za zo
"""
NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split()) | (_MONTHS.keys() - {"jan"})
# What may stand between the digits of one number (after normalising): white space, dots, commas,
# slashes, apostrophes, "_" and dashes of every length; any run of them counts as one separator.
_SEP_RUN = r"[\s.,/\\_'\u2019-]+"  # every dash is "-" once normalised
_SEP_RUN_RE = re.compile(_SEP_RUN)
# A maximal run of digits joined by separators (or a "+" straight between two digits). Letters around
# it do not hide it ("BSN123456782", "leerling_123456782"); a "+" before it (an international phone
# number) does, see _number_findings.
_NUMBER_RE = re.compile(rf"(?>[0-9]+(?:(?:{_SEP_RUN}|\+)[0-9]+)*)(?![0-9])")
_TWO_YEARS_RE = re.compile(r"(?:19|20)[0-9]{2}[^0-9](?:19|20)[0-9]{2}")  # "2024-2025", a school year
_PERCENT_RE = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_DROPPED = frozenset({"Cf", "Mn", "Me", "Cc"})  # Cc: control characters other than white space
_DATE_RE = re.compile(
    r"(?<![0-9])(?:"
    r"(?P<d>[0-9]{1,2})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4})"
    r"|(?P<iy>[0-9]{4})-(?P<im>[0-9]{1,2})-(?P<id>[0-9]{1,2})"
    r"|(?P<td>[0-9]{1,2})\s+(?P<tm>"
    + "|".join(sorted(_MONTHS, key=len, reverse=True))
    + r")\.?\s+(?P<ty>[0-9]{4})"
    r")(?![0-9])",
    re.IGNORECASE,
)
_WORD_RE = re.compile(r"[^\W\d_]+(?:[-'\u2019][^\W\d_]+)*")
_EMAIL_RE = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")
_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


@dataclass(frozen=True)
class Finding:
    kind: str  # "bsn", "onderwijsnummer", "birth_date" or "email"
    found: str  # the text as written
    start: int  # text[start:end] == found
    end: int
    message: str  # translated, for the user


def _message(kind: str, **params: str) -> str:
    """The user's message for a finding of `kind`; every msgid is in the module docstring."""
    if kind == "bsn":
        template = _(
            '"%(found)s" looks like a BSN (citizen service number). Is this a BSN? Remove it: '
            "KPA stores nothing that identifies a pupil."
        )
    elif kind == "onderwijsnummer":
        template = _(
            '"%(found)s" looks like an education number (onderwijsnummer). Is this an education number? '
            "Remove it: KPA stores nothing that identifies a pupil."
        )
    elif kind == "birth_date":
        template = _(
            '"%(found)s" near "%(near)s" looks like a date of birth. Is this a date of birth? '
            "Remove it: KPA stores nothing that identifies a pupil."
        )
    else:
        template = _(
            '"%(found)s" is the e-mail address of someone without a KPA account. Remove it: '
            "KPA stores nothing that identifies a pupil."
        )
    return template % params


@dataclass(frozen=True)
class _Normalised:
    """`text` as the guard reads it, and for each of its characters the span of the original it came from."""

    text: str
    starts: list[int] | None  # None: the text was plain ASCII without %-escapes, so positions are the same
    ends: list[int] | None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]


def _plain(character: str) -> str:
    """One character as the guard reads it: NFKC, digits of any script as 0-9, invisible ones dropped."""
    if " " <= character <= "~" or character in "\t\n\r":
        return character  # printable ASCII and ordinary white space: as it is
    if unicodedata.category(character) in _DROPPED and not character.isspace():
        return ""
    out = []
    for c in unicodedata.normalize("NFKC", character):
        if unicodedata.category(c) in _DROPPED and not c.isspace():
            continue
        if c.isdecimal():
            c = str(unicodedata.decimal(c))
        elif c == "\u2212" or unicodedata.category(c) == "Pd":  # en and em dashes, minus: "-"
            c = "-"
        out.append(c)
    return "".join(out)


def _normalise(text: str) -> _Normalised:
    if text.isascii() and "%" not in text:
        return _Normalised(text, None, None)
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    index = 0
    while index < len(text):
        if text[index] != "%" and " " <= text[index] <= "~":
            parts.append(text[index])
            starts.append(index)
            ends.append(index + 1)
            index += 1
            continue
        escapes = _PERCENT_RE.match(text, index) if text[index] == "%" else None
        decoded = None
        if escapes:
            try:
                decoded = bytes.fromhex(escapes.group().replace("%", "")).decode("utf-8")
            except UnicodeDecodeError:
                decoded = None
        if escapes and decoded is not None:
            span_end = escapes.end()
            plain = "".join(_plain(c) for c in decoded)
        else:
            span_end = index + 1
            plain = _plain(text[index])
        parts.append(plain)
        starts += [index] * len(plain)
        ends += [span_end] * len(plain)
        index = span_end
    return _Normalised("".join(parts), starts, ends)


def _proef_remainder(digits: str) -> int | None:
    """The weighted 11-proef sum mod 11 of 8 or 9 digits (8: a leading zero was dropped)."""
    if not re.fullmatch(r"[0-9]{8,9}", digits):
        return None
    return sum(w * int(d) for w, d in zip(_WEIGHTS, digits.zfill(9), strict=True)) % 11


def is_bsn(digits: str) -> bool:
    """Whether `digits` (8 or 9 digits, nothing else) passes the BSN 11-proef."""
    return _proef_remainder(digits) == 0 and digits.strip("0") != ""


def is_onderwijsnummer(digits: str) -> bool:
    """Whether `digits` is an onderwijsnummer: 9 digits, starts with "10", 11-proef remainder 5."""
    return len(digits) == 9 and digits.startswith("10") and _proef_remainder(digits) == 5


def _parse_date(match: re.Match[str]) -> date | None:
    d, m, y = match.group("d", "m", "y")
    if match.group("iy"):
        y, m, d = match.group("iy", "im", "id")
    elif match.group("td"):
        d, m, y = match.group("td"), _MONTHS[match.group("tm").lower()], match.group("ty")
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def _is_birth_keyword(word: str) -> bool:
    word = word.lower()
    return word in {"geb", "geboren"} or word.startswith("geboorte")


def _is_name_like(word: str) -> bool:
    return len(word) > 1 and word[0].isupper() and word[1].islower() and word.lower() not in NOT_NAMES


type _Span = tuple[str, int, int, dict[str, str]]  # kind, start, end (in the normalised text), params


def _number_findings(text: str) -> list[_Span]:
    findings: list[_Span] = []
    for run in _NUMBER_RE.finditer(text):
        compact = _SEP_RUN_RE.sub(lambda sep: sep.group().strip()[:1] or " ", run.group())
        if (
            text[run.start() - 1 : run.start()] == "+"
            or run.group().startswith("0031")
            or _DATE_RE.fullmatch(compact)
            or _TWO_YEARS_RE.fullmatch(compact)
        ):
            continue
        if len(re.sub(r"\D", "", run.group())) in (8, 9):
            parts = [(run.start(), run.group())]
        else:  # read a longer run part by part, but only where white space splits it
            parts = [  # each part from its first digit to its last ("782," is "782")
                (run.start() + p.start(), p.group())
                for p in re.finditer(r"[0-9](?:\S*[0-9])?", run.group())
                if len(re.sub(r"\D", "", p.group())) == 9
            ]
        for start, part in parts:
            digits = re.sub(r"\D", "", part)
            if is_onderwijsnummer(digits):
                findings.append(("onderwijsnummer", start, start + len(part), {}))
            elif is_bsn(digits):
                findings.append(("bsn", start, start + len(part), {}))
    return findings


def _birth_date_findings(text: str) -> list[_Span]:
    findings: list[_Span] = []
    words = list(_WORD_RE.finditer(text))
    this_year = timezone.localdate().year
    for match in _DATE_RE.finditer(text):
        born = _parse_date(match)
        if born is None:
            continue
        near = [w for w in words if w.end() <= match.start()][-WINDOW:]
        near += [w for w in words if w.start() >= match.end()][:WINDOW]
        near.sort(key=lambda w: max(match.start() - w.end(), w.start() - match.end()))
        trigger = next((w for w in near if _is_birth_keyword(w.group())), None)
        if trigger is None and this_year - MAX_PUPIL_AGE <= born.year <= this_year - MIN_PUPIL_AGE:
            trigger = next((w for w in near if _is_name_like(w.group())), None)
        if trigger is not None:
            findings.append(("birth_date", match.start(), match.end(), {"near": trigger.group()}))
    return findings


def _email_findings(text: str, known_emails: KnownEmails | None) -> list[_Span]:
    matches = list(_EMAIL_RE.finditer(text))
    if not matches:
        return []
    addresses = {m.group() for m in matches}
    known = {a.lower() for a in known_emails(addresses)} if known_emails else set()
    return [("email", m.start(), m.end(), {}) for m in matches if m.group().lower() not in known]


def find_identifiers(text: str, *, known_emails: KnownEmails | None = None) -> list[Finding]:
    """Everything in `text` that could identify a pupil, in order of position.

    The text is judged normalised (see the module docstring); each finding's `found`, `start` and `end`
    are those of the text as written. `known_emails` receives the set of addresses found and returns
    those that belong to users (compared case-insensitively); without it, every address is a finding.
    """
    if not text:
        return []
    normalised = _normalise(text)
    plain = normalised.text
    emails = _email_findings(plain, known_emails)
    spans = [m.span() for m in _EMAIL_RE.finditer(plain)]  # an address is judged as a whole
    others = [
        f
        for f in _number_findings(plain) + _birth_date_findings(plain)
        if not any(start < f[2] and f[1] < end for start, end in spans)
    ]
    findings = []
    for kind, start, end, params in sorted(emails + others, key=lambda f: f[1]):
        start, end = normalised.original_span(start, end)
        found = text[start:end]
        findings.append(Finding(kind, found, start, end, _message(kind, found=found, **params)))
    return findings


def validate_no_pupil_data(text: str, *, known_emails: KnownEmails | None = None) -> None:
    """Raise a ValidationError with one message per finding (usable as a field validator)."""
    findings = find_identifiers(text, known_emails=known_emails)
    if findings:
        raise ValidationError([ValidationError(f.message, code=ERROR_CODE) for f in findings])


class PrivacyCheckedFormMixin:
    """Form mixin: refuse pupil identifiers in `privacy_checked_fields`, one field error per finding.

    The form re-renders its bound data, so nothing the user typed is lost.
    """

    privacy_checked_fields: tuple[str, ...] = ()

    def clean(self):
        cleaned_data = super().clean()  # type: ignore[misc]
        for name in self.privacy_checked_fields:
            value = self.cleaned_data.get(name)  # type: ignore[attr-defined]
            if not isinstance(value, str):
                continue
            for finding in find_identifiers(value, known_emails=self.known_emails):
                self.add_error(name, ValidationError(finding.message, code=ERROR_CODE))  # type: ignore[attr-defined]
        return cleaned_data

    def known_emails(self, addresses: set[str]) -> set[str]:
        """Those of `addresses` that belong to a user, compared case-insensitively."""
        from django.contrib.auth import get_user_model
        from django.db.models.functions import Lower

        user_model = get_user_model()
        lowered = {a.lower() for a in addresses}
        stored = set(
            user_model._default_manager.annotate(email_lower=Lower(user_model.get_email_field_name()))
            .filter(email_lower__in=lowered)
            .values_list("email_lower", flat=True)
        )
        return {a for a in addresses if a.lower() in stored}
