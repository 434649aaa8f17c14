"""The test persons the development identity provider can log in as.

Sweden Connect identifies a person by the personnummer their e-legitimation (BankID, Freja)
carries. These four are from Skatteverket's published series of test personnummer, so they can
never belong to a real person; the names are made up. A portal under test sees them exactly as it
would see a citizen who legitimised with BankID through Sweden Connect.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    """A person as the identity provider knows them: a 12-digit personnummer and a name."""

    personnummer: str
    given_name: str
    surname: str

    @property
    def display_name(self) -> str:
        """The name as the displayName attribute carries it: "Förnamn Efternamn"."""
        return f"{self.given_name} {self.surname}"

    @property
    def formatted_personnummer(self) -> str:
        """YYYYMMDD-NNNN, as people write it (the attribute itself is the 12 bare digits)."""
        return f"{self.personnummer[:8]}-{self.personnummer[8:]}"


PERSONS: tuple[Person, ...] = (
    Person("199908072391", "Anna", "Andersson"),
    Person("191202119986", "Karin", "Berg"),
    Person("201801012392", "Erik", "Lind"),
    Person("199909139801", "Sara", "Nilsson"),
)


def by_number(personnummer: str) -> Person | None:
    """The test person with this personnummer (12 digits, a hyphen allowed), or None."""
    digits = personnummer.replace("-", "").strip()
    return next((person for person in PERSONS if person.personnummer == digits), None)
