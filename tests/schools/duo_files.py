"""DUO files of any size for the tests: synthetic codes and names."""

from __future__ import annotations

HEADER = "INSTELLINGSCODE;VESTIGINGSCODE;VESTIGINGSNAAM;POSTCODE;GEMEENTENUMMER;GEMEENTENAAM\r\n"


def duo_file(rows: int, *, bad_every: int = 0, gemeenten: int = 3) -> bytes:
    """`rows` primary-school locations over `gemeenten` municipalities; with `bad_every`, every n-th row
    has no postcode (a rejected row)."""
    lines = [HEADER]
    for n in range(rows):
        brin = f"{(n // 100) % 100:02d}{chr(65 + n // 10_000)}A"  # unique with the vestiging up to 260,000
        vestiging = f"{n % 100:02d}"
        postcode = "" if bad_every and n % bad_every == bad_every - 1 else f"{3500 + n % 80} AB"
        code = 344 + n % gemeenten
        lines.append(f"{brin};{vestiging};School {n};{postcode};{code:04d};Gemeente {code}\r\n")
    return "".join(lines).encode("utf-8")
