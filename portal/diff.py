"""What changed between two texts, word by word, for people to read.

`text_diff` compares two texts (Python's difflib on words, spaces and line breaks kept) and
returns the pieces in order: kept, added or removed. The templates mark added words with <ins>
and removed ones with <del>, each with a visually hidden "tillagt"/"borttaget", so the change is
never told by colour alone. `sections_diff` does the same for every section of two states of a
document written in sections (an IOP agreement, a local compact). The templates are
`components/diff.html` (given `pieces`) and `components/diff_key.html`."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Words, runs of spaces and line breaks, and single punctuation marks: a changed comma is one
# change, a line break stays where it was.
_TOKENS = re.compile(r"\n|[^\S\n]+|\w+|[^\w\s]", re.UNICODE)

EQUAL = "equal"
ADDED = "added"
REMOVED = "removed"


@dataclass(frozen=True)
class Piece:
    kind: str  # EQUAL, ADDED or REMOVED
    text: str


@dataclass(frozen=True)
class SectionDiff:
    key: str
    title: str
    pieces: list[Piece]

    @property
    def changed(self) -> bool:
        return any(piece.kind != EQUAL for piece in self.pieces)

    @property
    def added_words(self) -> int:
        return _words(piece for piece in self.pieces if piece.kind == ADDED)

    @property
    def removed_words(self) -> int:
        return _words(piece for piece in self.pieces if piece.kind == REMOVED)


def _words(pieces: Iterable[Piece]) -> int:
    return sum(len(re.findall(r"\w+", piece.text)) for piece in pieces)


def _tokens(text: str) -> list[str]:
    return _TOKENS.findall(text.replace("\r\n", "\n"))


# A word-by-word comparison weighs every word of one text against the other: up to len(a) ×
# len(b) steps, minutes for two texts of 20 000 characters made to defeat it. Within this budget
# a text is compared word by word; a longer one is compared paragraph by paragraph first, and
# word by word within each changed run of paragraphs while the budget lasts (a run beyond it is
# shown removed and added whole). Real sections, of tens of paragraphs, are compared in full.
BUDGET = 1_000_000


def text_diff(old: str, new: str) -> list[Piece]:
    """The pieces of `new` compared with `old`: kept text, removed text, added text (a replaced
    run of words is shown removed, then added). Neighbouring pieces of one kind are merged."""
    pieces: list[Piece] = []
    before, after = _tokens(old), _tokens(new)
    if len(before) * len(after) <= BUDGET:
        _word_pieces(pieces, before, after)
    else:
        _paragraph_pieces(pieces, old.replace("\r\n", "\n"), new.replace("\r\n", "\n"))
    return pieces


def _add(pieces: list[Piece], kind: str, text: str) -> None:
    if not text:
        return
    if pieces and pieces[-1].kind == kind:
        pieces[-1] = Piece(kind, pieces[-1].text + text)
    else:
        pieces.append(Piece(kind, text))


def _word_pieces(pieces: list[Piece], before: list[str], after: list[str]) -> None:
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in _joined(matcher.get_opcodes(), before):
        if op == "equal":
            _add(pieces, EQUAL, "".join(before[a1:a2]))
            continue
        if op in ("replace", "delete"):
            _add(pieces, REMOVED, "".join(before[a1:a2]))
        if op in ("replace", "insert"):
            _add(pieces, ADDED, "".join(after[b1:b2]))


def _paragraph_pieces(pieces: list[Piece], old: str, new: str) -> None:
    lines_a, lines_b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    if len(lines_a) * len(lines_b) > BUDGET:
        _add(pieces, REMOVED, old)
        _add(pieces, ADDED, new)
        return
    budget = BUDGET
    matcher = difflib.SequenceMatcher(a=lines_a, b=lines_b, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        removed, added = "".join(lines_a[a1:a2]), "".join(lines_b[b1:b2])
        if op == "equal":
            _add(pieces, EQUAL, removed)
            continue
        words_a, words_b = _tokens(removed), _tokens(added)
        if len(words_a) * len(words_b) <= budget:
            budget -= len(words_a) * len(words_b)
            _word_pieces(pieces, words_a, words_b)
        else:
            _add(pieces, REMOVED, removed)
            _add(pieces, ADDED, added)


Opcode = tuple[str, int, int, int, int]


def _joined(opcodes: Sequence[Opcode], before: list[str]) -> list[Opcode]:
    """Two changes with only a space between them read as one: "i veckan" replaced by "varje
    vecka", not "i" by "varje" and "veckan" by "vecka"."""
    joined: list[Opcode] = []
    for opcode in opcodes:
        if (
            len(joined) >= 2
            and opcode[0] != "equal"
            and joined[-1][0] == "equal"
            and joined[-2][0] != "equal"
            and all(
                token.isspace() and "\n" not in token
                for token in before[joined[-1][1] : joined[-1][2]]
            )
        ):
            joined.pop()
            first = joined.pop()
            joined.append(("replace", first[1], opcode[2], first[3], opcode[4]))
            continue
        joined.append(opcode)
    return joined


def sections_diff(
    *, sections: list[tuple[str, str]], old: dict[str, str], new: dict[str, str]
) -> list[SectionDiff]:
    """Every section (key, title, in the document's order) compared between two states."""
    return [
        SectionDiff(key, title, text_diff(old.get(key, ""), new.get(key, "")))
        for key, title in sections
    ]
