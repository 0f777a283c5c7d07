"""Strict YAML loading: text stays text, every refusal names its line and column."""

import pytest

from build_tools.diagnostics import Diagnostics
from build_tools.yamlstrict import YList, YMap, YScalar, decode_utf8, load_yaml


def load(text: str):
    diagnostics = Diagnostics()
    node = load_yaml(text, "f.yml", diagnostics)
    return node, diagnostics


def only_error(diagnostics: Diagnostics):
    assert len(diagnostics.errors) == 1, [d.format() for d in diagnostics]
    return diagnostics.errors[0]


@pytest.mark.parametrize("value", ["no", "yes", "off", "0755", "1:20", "2021-01-01", "1.0e+3", "~", "null", "true"])
def test_yaml_1_1_implicit_types_stay_text(value):
    node, diagnostics = load(f"key: {value}\n")
    assert not diagnostics.items
    assert isinstance(node, YMap)
    scalar = node.get("key")
    assert isinstance(scalar, YScalar) and scalar.value == value


def test_values_carry_line_and_column():
    node, _ = load("a:\n  - x: 1\n    y: \"نص\"\n")
    item = node.get("a").items[0]
    assert (item.get("y").loc.line, item.get("y").loc.column) == (3, 8)
    assert item.keys["y"].line == 3 and item.keys["y"].column == 5
    assert str(item.get("x").loc) == "f.yml:2:8"


def test_duplicate_key_is_an_error_at_the_second_key():
    node, diagnostics = load("a: no\nb: 1\na: yes\n")
    error = only_error(diagnostics)
    assert (error.code, error.location.line, error.location.column) == ("duplicate-key", 3, 1)
    assert "first given at line 1, column 1" in error.message
    assert node is None


def test_anchor_and_alias_are_refused_with_position():
    _, diagnostics = load("a: &x [1, 2]\nb: *x\n")
    codes = [(d.code, d.location.line, d.location.column) for d in diagnostics.errors]
    assert codes == [("yaml-anchor", 1, 4), ("yaml-anchor", 2, 4)]


def test_billion_laughs_is_refused_quickly():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]")
    node, diagnostics = load("\n".join(lines) + "\n")
    assert node is None and diagnostics.has_errors()


def test_merge_key_is_refused():
    _, diagnostics = load("a:\n  <<: {b: 1}\n")
    error = only_error(diagnostics)
    assert (error.code, error.location.line, error.location.column) == ("yaml-merge-key", 2, 3)


def test_explicit_tag_is_refused():
    _, diagnostics = load("a: !!python/object:os.system ls\n")
    error = only_error(diagnostics)
    assert error.code == "yaml-tag" and error.location.line == 1


def test_syntax_error_has_position_and_hint():
    _, diagnostics = load("a: [1, 2\nb: 3\n")
    error = only_error(diagnostics)
    assert error.code == "yaml-syntax"
    assert error.location.line >= 1 and error.location.column >= 1
    assert error.hint


def test_multiple_documents_are_refused():
    _, diagnostics = load("a: 1\n---\nb: 2\n")
    assert only_error(diagnostics).code == "yaml-multiple-documents"


def test_nesting_limit():
    text = "a: " + "[" * 40 + "]" * 40 + "\n"
    _, diagnostics = load(text)
    assert only_error(diagnostics).code == "yaml-too-deep"


def test_lists_and_quoted_empty_strings():
    node, diagnostics = load("a: [\"\", x]\n")
    assert not diagnostics.items
    items = node.get("a")
    assert isinstance(items, YList)
    assert items.items[0].value == "" and items.items[0].quoted


def test_decode_reports_bad_byte_position():
    diagnostics = Diagnostics()
    assert decode_utf8("a: 1\nb: \xff\n".encode("latin-1"), "f.yml", diagnostics) is None
    error = only_error(diagnostics)
    assert (error.code, error.location.line, error.location.column) == ("not-utf8", 2, 4)


def test_decode_refuses_byte_order_mark():
    diagnostics = Diagnostics()
    assert decode_utf8("\ufeffa: 1\n".encode("utf-8"), "f.yml", diagnostics) is None
    assert only_error(diagnostics).code == "byte-order-mark"


def test_unquoted_value_cut_by_a_comment_is_noted():
    node, diagnostics = load("quote: دوزيم #نشرت\nprefix: بـ   \nsummary: \"a #b\"\n")
    assert not diagnostics.items
    assert node.get("quote").value == "دوزيم" and node.get("quote").cut == "comment"
    assert node.get("prefix").value == "بـ" and node.get("prefix").cut == "trailing-space"
    assert node.get("summary").cut == ""


def test_tab_indentation_gets_a_tab_hint():
    _, diagnostics = load("a:\n\t- b\n")
    error = only_error(diagnostics)
    assert error.code == "yaml-syntax" and "tabs" in error.hint


def test_control_character_column_counts_characters_not_bytes():
    _, diagnostics = load("a: \"مغرب\"\nb: xy\x07z\n")
    error = only_error(diagnostics)
    assert (error.location.line, error.location.column) == (2, 6)
    assert "U+0007" in error.message
