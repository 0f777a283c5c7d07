"""Arabic search keys: the one normalisation used when indexing and when searching.

``search_key(text)`` folds the spelling variants a reader may type or a source may use
into one form, word by word, and leaves everything else (spaces, punctuation, Latin
letters, ASCII digits) as it is, so a text and its key have the same whitespace-separated
words in the same order. The reader's query goes through the same rules in
``docs/assets/javascripts/search.js`` (``searchKey``); tests/test_arabic_js.py checks that
both give the same keys.

The rules are those of Larkey's "light10" normalisation, plus a few more clitics:

- marks: the harakat, tanwin, shadda, sukun, dagger alef and Quranic marks are removed, and
  so are tatweel (kashida) and invisible format characters (ZWNJ, ZWJ, bidi marks);
- letters: أ إ آ ٱ → ا, ة → ه, ى → ي (and the Persian ی → ي, ک → ك that some keyboards
  type), Arabic-Indic digits → ASCII digits;
- clitics, repeated while a rule applies: the conjunctions و ف (when three letters stay),
  the article ال / لل (when two stay), the prepositions ب ك ل (when four stay). So
  «والحكومة», «للحكومة», «الحكومه» and «حكومة» all become «حكومه».

Clitic stripping is done the same way on both sides, so a wrong strip (e.g. «برلمان» →
«رلمان») costs no recall: both the text and the query get the same key. The minimum
lengths keep short words («بين», «كتاب», «لكن») whole.

Never NFKC: only the characters listed here change (the source text itself is never
modified; the key is a separate string).
"""

from __future__ import annotations

import functools

import regex

# Removed outright: Arabic marks (Quranic signs U+0610-061A, harakat and tanwin
# U+064B-065F, dagger alef U+0670, Quranic annotation signs U+06D6-06ED except the
# letters among them), tatweel U+0640, and invisible format characters.
REMOVED = (
    "\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06DC\u06DF-\u06E4\u06E7\u06E8\u06EA-\u06ED"
    "\u0640"
    "\u00AD\u061C\u200B-\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF"
)
# One letter for another.
LETTERS = {
    "\u0623": "\u0627",  # أ → ا
    "\u0625": "\u0627",  # إ → ا
    "\u0622": "\u0627",  # آ → ا
    "\u0671": "\u0627",  # ٱ (wasla) → ا
    "\u0629": "\u0647",  # ة → ه
    "\u0649": "\u064A",  # ى → ي
    "\u06CC": "\u064A",  # ی (Persian yeh) → ي
    "\u06A9": "\u0643",  # ک (keheh) → ك
}
for _i in range(10):
    LETTERS[chr(0x0660 + _i)] = str(_i)  # ٠-٩
    LETTERS[chr(0x06F0 + _i)] = str(_i)  # ۰-۹

_REMOVED_RE = regex.compile(f"[{REMOVED}]+")
_LETTERS_TABLE = str.maketrans(LETTERS)
# An Arabic word after folding: a run of Arabic letters (hamza to yeh, and the
# extended letters U+066E-06D3, U+06FA-06FF).
_WORD_RE = regex.compile("[\u0621-\u063A\u0641-\u064A\u066E-\u066F\u0671-\u06D3\u06D5\u06FA-\u06FF]+")

CONJUNCTIONS = ("\u0648", "\u0641")            # و ف
ARTICLES = ("\u0627\u0644", "\u0644\u0644")    # ال لل
PREPOSITIONS = ("\u0628", "\u0643", "\u0644")  # ب ك ل
MIN_AFTER_CONJUNCTION = 3
MIN_AFTER_ARTICLE = 2
MIN_AFTER_PREPOSITION = 4


def fold(text: str) -> str:
    """Remove marks, tatweel and format characters; unify letter variants and digits."""
    return _REMOVED_RE.sub("", text).translate(_LETTERS_TABLE)


def _strip_once(word: str) -> str:
    for prefix in CONJUNCTIONS:
        if word.startswith(prefix) and len(word) - 1 >= MIN_AFTER_CONJUNCTION:
            return word[1:]
    for prefix in ARTICLES:
        if word.startswith(prefix) and len(word) - 2 >= MIN_AFTER_ARTICLE:
            return word[2:]
    for prefix in PREPOSITIONS:
        if word.startswith(prefix) and len(word) - 1 >= MIN_AFTER_PREPOSITION:
            return word[1:]
    return word


def strip_clitics(word: str) -> str:
    """Remove leading clitics from a folded Arabic word until no rule applies."""
    while True:
        shorter = _strip_once(word)
        if shorter == word:
            return word
        word = shorter


def search_key(text: str) -> str:
    """The search form of ``text``: folded, each Arabic word without its leading clitics."""
    return _WORD_RE.sub(lambda m: strip_clitics(m.group()), fold(text))


@functools.lru_cache(maxsize=1 << 18)
def _word_key(word: str) -> str:
    return search_key(word) or word


def search_keys(words: list[str]) -> list[str]:
    """``search_key`` of each word; a word whose key would be empty keeps its own form.

    Cached per word: a corpus repeats its words (a 10,000-document corpus has millions of
    words but a vocabulary of some hundred thousand)."""
    return [_word_key(word) for word in words]
