"""build_tools.arabic: the search key shared by the index and the query."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from build_tools.arabic import LETTERS, REMOVED, fold, search_key, search_keys, strip_clitics

SEED_KEY = "حكومه"


@pytest.mark.parametrize("variant", [
    "الحكومة", "حكومة", "الحكومه", "حكومه",
    "الحُكُومَة", "الْحُكُومَةُ", "الحـكـومة",              # harakat, tatweel
    "والحكومة", "للحكومة", "فالحكومة", "بالحكومة", "كالحكومة", "وبالحكومة", "وللحكومة",
    "لحكومة",                                                 # ل + noun
])
def test_variants_of_one_word_share_a_key(variant):
    assert search_key(variant) == SEED_KEY


@pytest.mark.parametrize("a, b", [
    ("أعلنت", "اعلنت"), ("إسم", "اسم"), ("آخر", "اخر"), ("ٱلله", "الله"),   # alef / hamza
    ("مدينة", "مدينه"),                                                     # taa marbuta
    ("مستوى", "مستوي"), ("مصطفى", "مصطفي"), ("على", "علي"),                 # alef maqsura
    ("بالمغرب", "المغرب"), ("بالمغرب", "مغرب"), ("والمغرب", "المغرب"),      # prefixes
    ("بمواقع", "مواقع"), ("فقال", "قال"), ("وقال", "قال"), ("كالبرق", "البرق"),
    ("٢٠", "20"), ("۲۰", "20"),                                             # digits
    ("فارسی", "فارسي"), ("کتاب", "كتاب"),                                   # Persian letters
    ("حرب\u200cالكترونية", "حربالكترونيه"),                                 # ZWNJ removed
])
def test_pairs_share_a_key(a, b):
    assert search_key(a) == search_key(b)


def test_clitics_are_stripped_until_none_is_left():
    """A fixpoint: whatever a rule strips from a word, the word and its stripped form
    have the same key (so «البرلمان» and «برلمان» meet even though ب is then stripped
    too); the cost is conflation of a few rare words, never a miss."""
    assert search_key("البرلمان") == search_key("برلمان") == search_key("والبرلمان")
    assert search_key("الكترونية") == search_key("إلكترونية") == search_key("والإلكترونية")


@pytest.mark.parametrize("word", ["بين", "كتاب", "لكن", "ليس", "بلد", "فيس", "وقت", "الا", "لله"])
def test_short_words_keep_their_first_letter(word):
    assert search_key(word) == word


def test_the_seed_phrases():
    assert search_key("حركة 20 فبراير") == "حركه 20 " + search_key("فبراير")
    assert search_key("“أنونيموس المغرب”") == "“انونيموس مغرب”"
    assert search_key("حـرب إلكترونية") == "حرب " + search_key("الكترونيه")


def test_latin_and_digits_are_left_alone():
    text = "Anonymous Morocco, 20 February 2012 — café (NadorToday) e.g. x_y"
    assert search_key(text) == text


def test_words_and_whitespace_are_kept_in_place():
    text = "وقد اتهم  البيان\n“المخابرات المغربية” بنشر"
    assert search_key(text) == "وقد اتهم  بيان\n“مخابرات مغربيه” بنشر"


def test_search_keys_never_empties_a_word():
    assert search_keys(["ـ", "َ", "والحكومة", "!"]) == ["ـ", "َ", SEED_KEY, "!"]


def test_fold_and_strip_clitics_separately():
    assert fold("الحُكُومَة") == "الحكومه"
    assert strip_clitics("والحكومه") == SEED_KEY


# --- properties -----------------------------------------------------------------

ARABIC_LETTERS = [chr(c) for c in range(0x0621, 0x063B)] + [chr(c) for c in range(0x0641, 0x064B)]
MARKS = [chr(c) for c in range(0x064B, 0x0653)] + ["\u0670", "\u0640"]
VARIANT_CHARS = list(LETTERS)
ARABIC_TEXT = st.text(
    alphabet=st.sampled_from(ARABIC_LETTERS + MARKS + VARIANT_CHARS + list(" \n،.؟!«»“”-0123456789")),
    max_size=60,
)
ANY_TEXT = st.text(max_size=60)
LATIN_OR_DIGITS = st.text(alphabet=string.ascii_letters + string.digits + string.punctuation + " \n", max_size=60)


@settings(max_examples=400)
@given(st.one_of(ARABIC_TEXT, ANY_TEXT))
def test_idempotent(text):
    assert search_key(search_key(text)) == search_key(text)


@given(LATIN_OR_DIGITS)
def test_latin_digits_and_punctuation_unchanged(text):
    assert search_key(text) == text


@given(st.one_of(ARABIC_TEXT, ANY_TEXT))
def test_no_variant_survives(text):
    key = search_key(text)
    for char in LETTERS:
        assert char not in key
    for char in MARKS:
        assert char not in key


@given(ARABIC_TEXT)
def test_whitespace_words_stay_aligned(text):
    """The index relies on this: word i of the key is the key of word i of the text."""
    words = text.split()
    keys = search_keys(words)
    assert len(keys) == len(words)
    assert all(key and not any(c.isspace() for c in key) for key in keys)


@given(st.lists(st.sampled_from(ARABIC_LETTERS), min_size=3, max_size=8).map("".join),
       st.sampled_from(["", "و", "ف", "ال", "وال", "بال", "فال", "كال", "لل", "ول"]),
       st.lists(st.sampled_from(MARKS), max_size=3))
def test_marks_and_variant_letters_never_change_the_key(stem, prefix, marks):
    """A word, with harakat sprinkled in and each variant letter swapped, has one key."""
    word = prefix + stem
    marked = word[0] + "".join(marks) + word[1:]
    assert search_key(marked) == search_key(word)
    for plain, variants in (("ا", "أإآٱ"), ("ه", "ة"), ("ي", "ىی")):
        for variant in variants:
            assert search_key(word.replace(plain, variant)) == search_key(word)


def test_every_removed_range_is_well_formed():
    # A reversed range in the character class would raise at import; this documents
    # that the removed characters are all invisible or marks.
    import unicodedata
    import regex
    for code in range(0x0600, 0x0700):
        char = chr(code)
        if regex.fullmatch(f"[{REMOVED}]", char):
            assert unicodedata.category(char) in ("Mn", "Lm", "Cf"), hex(code)
