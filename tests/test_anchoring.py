"""Anchoring: quotes become code-point spans, or an error that shows the place."""

import pytest

from build_tools.anchoring import TextIndex, describe_difference, resolve_anchor
from build_tools.diagnostics import Diagnostics, Location
from build_tools.model import ALL, Anchor, Span

TEXT = ("تعيش مواقع التواصل، حربا بين “أنونيموس المغرب” و”قوات الردع المغربية” الموالية للحكومة المغربية.\n"
        "\u00a0\n"
        "قرصنة موقع وزارة التشغيل المغربية، حسب بيان “أنونيموس المغرب”.\n"
        "مُحَمَّد والحكومة.")
LOC = Location("a.yml", 3, 5)


def resolve(**kwargs):
    diagnostics = Diagnostics()
    anchor = Anchor(loc=LOC, quote_loc=LOC, **kwargs)
    result = resolve_anchor(anchor, TextIndex(TEXT, "t.txt"), diagnostics, "the mention")
    return result, diagnostics


def spans(result):
    return [(s.start, s.end) for s in result.spans]


def test_exact_unique_quote():
    result, diagnostics = resolve(quote="قوات الردع المغربية")
    assert result.ok and not diagnostics.items
    start = TEXT.index("قوات الردع")
    assert spans(result) == [(start, start + len("قوات الردع المغربية"))]


def test_offsets_are_code_points_after_astral_characters():
    text = "😀 كلمة"
    diagnostics = Diagnostics()
    result = resolve_anchor(Anchor(loc=LOC, quote="كلمة"), TextIndex(text, "t"), diagnostics, "x")
    assert spans(result) == [(2, 6)]          # UTF-16 would say 3


def test_ambiguous_quote_lists_every_place():
    result, diagnostics = resolve(quote="أنونيموس المغرب")
    assert not result.ok
    [error] = diagnostics.errors
    assert error.code == "anchor-ambiguous"
    assert error.location == LOC
    assert "occurs 2 times" in error.message
    assert error.detail[0].startswith("occurrence 1 at t.txt:1:")
    assert error.detail[1].startswith("occurrence 2 at t.txt:3:")
    assert "occurrence: N" in error.hint


def test_occurrence_picks_one_and_all_picks_every():
    second, _ = resolve(quote="أنونيموس المغرب", occurrences=(2,))
    assert spans(second) == [(TEXT.rindex("أنونيموس المغرب"), TEXT.rindex("أنونيموس المغرب") + 15)]
    every, diagnostics = resolve(quote="أنونيموس المغرب", occurrences=ALL)
    assert len(every.spans) == 2 and not diagnostics.items


def test_occurrence_beyond_the_count():
    result, diagnostics = resolve(quote="أنونيموس المغرب", occurrences=(3,))
    assert not result.ok
    assert diagnostics.errors[0].code == "anchor-occurrence"
    assert "occurs only 2 times" in diagnostics.errors[0].message


def test_prefix_and_suffix_select_the_place():
    result, diagnostics = resolve(quote="المغربية", prefix="للحكومة ", suffix=".")
    assert result.ok and not diagnostics.items
    start = TEXT.index("للحكومة المغربية") + len("للحكومة ")
    assert spans(result) == [(start, start + len("المغربية"))]


def test_context_that_never_matches_lists_the_occurrences():
    result, diagnostics = resolve(quote="المغربية", prefix="xyz")
    assert diagnostics.errors[0].code == "anchor-context"
    assert len(diagnostics.errors[0].detail) == 3   # three occurrences of the word


def test_range_from_start_to_end():
    result, diagnostics = resolve(start="قرصنة موقع", end="حسب بيان")
    assert result.ok and not diagnostics.items
    begin = TEXT.index("قرصنة موقع")
    assert spans(result) == [(begin, TEXT.index("حسب بيان") + len("حسب بيان"))]


def test_range_end_before_start_is_reported():
    result, diagnostics = resolve(start="قرصنة موقع", end="تعيش")
    assert diagnostics.errors[0].code == "anchor-range"


def test_not_found_shows_closest_text_and_the_differing_character():
    # ة written as ه: the classic mistake.
    result, diagnostics = resolve(quote="قوات الردع المغربيه")
    assert not result.ok
    [error] = diagnostics.errors
    assert error.code == "anchor-not-found"
    assert error.location == LOC
    assert any("closest text, at t.txt:1:" in line and "[قوات الردع المغربية]" in line for line in error.detail)
    assert any("U+0647 ARABIC LETTER HEH" in line and "U+0629 ARABIC LETTER TEH MARBUTA" in line
               for line in error.detail)


def test_not_found_names_a_no_break_space():
    text = "وقد اتهم البيان “المخابرات المغربية” \u00a0بنشر خبر"
    diagnostics = Diagnostics()
    resolve_anchor(Anchor(loc=LOC, quote="المغربية”  بنشر"), TextIndex(text, "t"), diagnostics, "x")
    assert any("NO-BREAK SPACE" in line for line in diagnostics.errors[0].detail)


def test_quote_that_splits_a_letter_from_its_diacritic():
    word = TEXT[TEXT.index("مُحَمَّد"):TEXT.index("مُحَمَّد") + len("مُحَمَّد")]
    result, diagnostics = resolve(quote=word[:-1])     # everything but the final letter: fine
    assert result.ok and not diagnostics.items
    cut = word.index("م", 1) + 1                       # right after the second meem, before its marks
    result, diagnostics = resolve(quote=word[:cut])
    assert not result.ok
    [error] = diagnostics.errors
    assert error.code == "anchor-splits-letter"
    assert f"U+{ord(word[cut]):04X}" in error.message


def test_line_and_column_are_code_points():
    index = TextIndex(TEXT, "t.txt")
    offset = TEXT.index("قرصنة")
    assert index.line_col(offset) == (3, 1)
    assert index.line_col(TEXT.index("مُحَمَّد")) == (4, 1)


def test_describe_difference_is_empty_for_equal_strings():
    assert describe_difference("نص", "نص") == []
