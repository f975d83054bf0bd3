"""Capitals in titles: what pandoc's sentence casing may change, and what it must leave.

The house style sets titles in sentence case. The case of a title follows the BibTeX
convention: the style lowers the capitals and braces protect them (``{Pallas}'s cat``), with
one refinement for the many exports (Mendeley, JabRef, typed by hand) whose titles are already
in sentence case without braces: such a title is printed as written, so that "Lisbon" or
"Mongolia" are not lower-cased. A title written in Title Case is sentence-cased by pandoc
(proper nouns then need braces, as in BibTeX). A title with a single capitalised word after the
first ("Cats in Asia", "Wild Cats") cannot be told apart: it is printed as written. Names of
journals, series, conferences and proceedings are proper names: always printed as written.
"""

from __future__ import annotations

import re
from typing import Literal

CaseRule = Literal["sentence", "protect", "as-is"]
COMMAND_RE = re.compile(r"\\([A-Za-z]+|.)")
WORD_RE = re.compile(r"[^\W\d_](?:[\w'’]|-(?=\w))*")

# fmt: off
STOP_WORDS = frozenset({
    "a", "an", "and", "as", "at", "but", "by", "down", "for", "from", "in", "into", "nor",
    "of", "on", "onto", "or", "over", "so", "the", "till", "to", "up", "via", "with", "yet",
})
# fmt: on
"""Words Title Case leaves in lower case (CSL's list): no evidence either way."""

SENTENCE_FIELDS = frozenset(
    {
        "title",
        "subtitle",
        "titleaddon",
        "maintitle",
        "mainsubtitle",
        "maintitleaddon",
        "booktitle",
        "booksubtitle",
        "booktitleaddon",
        "origtitle",
        "shorttitle",
        "issuetitle",
        "issuesubtitle",
    }
)
"""Fields pandoc sentence-cases in English entries."""
NAME_FIELDS = frozenset({"series", "eventtitle", "journal", "journaltitle", "journalsubtitle"})
"""Proper names: printed as written."""
PROCEEDINGS_TYPES = frozenset({"inproceedings", "conference", "proceedings", "mvproceedings"})


def case_rule(field: str, entry_type: str) -> CaseRule:
    """How a field's capitals are treated (see the module docstring)."""
    if field in NAME_FIELDS:
        return "protect"
    if field not in SENTENCE_FIELDS:
        return "as-is"
    if entry_type in PROCEEDINGS_TYPES and (
        entry_type not in ("inproceedings", "conference") or field.startswith(("book", "main"))
    ):
        return "protect"  # the name of the proceedings, of a conference
    return "sentence"


def _words(text: str) -> list[tuple[int, int, bool, bool]]:
    """Words outside command names: (start, end, follows a colon or a full stop, inside
    protecting braces). A brace group right after a command (``\\emph{Felis catus}``) is the
    command's argument, not a protection: pandoc changes the case inside it."""
    words: list[tuple[int, int, bool, bool]] = []
    protecting: list[bool] = []
    at, after_stop, after_command = 0, False, False
    while at < len(text):
        char = text[at]
        if char == "\\":
            match = COMMAND_RE.match(text, at)
            at = match.end() if match else at + 1
            after_command = bool(match and match[1].isalpha())
            continue
        if char == "{":
            protecting.append(not after_command)
        elif char == "}":
            if protecting:
                protecting.pop()
        elif char.isalpha():
            match = WORD_RE.match(text, at)
            end = match.end() if match else at + 1
            words.append((at, end, after_stop, any(protecting)))
            after_stop = after_command = False
            at = end
            continue
        elif char in ":.?!":
            after_stop = True
        if not char.isspace() or char == "}":
            after_command = False
        at += 1
    return words


def looks_title_case(text: str) -> bool:
    """The significant words after the first begin with a capital: "Den-Site Selection Is
    Critical" (pandoc sentence-cases it), not "Occupancy of Otocolobus manul in Mongolia"
    (printed as written)."""
    capitalised = lowered = 0
    for start, end, after_stop, _ in _words(text)[1:]:  # braced words count: "of {Nepal}"
        word = text[start:end]
        if after_stop or len(word) < 2 or word.lower() in STOP_WORDS:
            continue
        if word[0].isupper() and any(c.islower() for c in word):
            capitalised += 1
        elif word[0].islower():
            lowered += 1
    # A lower-case significant word is strong evidence of sentence case: Title Case exports
    # capitalise every one. Printing a title as written is at worst a style slip; lower-casing
    # the proper nouns of a sentence-case title would change what it says.
    return capitalised >= 2 and lowered * 4 <= capitalised


def protect_capitalised_words(text: str) -> str:
    """Brace each capitalised word after the first, so that pandoc keeps it as written."""
    words = [
        (start, end)
        for start, end, _, protected in _words(text)[1:]
        if not protected
        and text[start].isupper()
        and (end - start == 1 or any(c.islower() for c in text[start:end]))
    ]
    for start, end in reversed(words):
        text = f"{text[:start]}{{{text[start:end]}}}{text[end:]}"
    return text
