"""The contrast generator (``mtqa.contrast``): one known error per damaged copy, deterministic by seed."""

from __future__ import annotations

import re

import pytest

from mtqa.contrast import KINDS, damage, damage_all

TEXT = (
    "In 2019, the company opened three factories in Shenyang, and its exports to Germany rose by 12 percent, "
    "while the government said it would support the new plan."
)


def test_every_kind_applies_to_a_rich_sentence_and_changes_it():
    copies = {d.kind: d for d in damage_all(TEXT, seed=3)}
    assert set(copies) == set(KINDS)
    for d in copies.values():
        assert d.text != TEXT


def test_deterministic_for_a_seed_and_varies_across_seeds():
    first = [d.text for d in damage_all(TEXT, seed=1)]
    assert first == [d.text for d in damage_all(TEXT, seed=1)]
    others = {tuple(d.text for d in damage_all(TEXT, seed=s)) for s in range(2, 12)}
    assert len(others) > 1


def test_omission_drops_one_clause_and_keeps_the_rest():
    for seed in range(10):
        d = damage(TEXT, "omission", seed=seed)
        assert d is not None and d.removed
        assert len(d.text) < len(TEXT)
        assert d.removed.strip(" ,.") not in d.text
        assert d.text.endswith(".")
        assert d.span[0] == d.span[1]  # the cut point


def test_addition_inserts_an_unrelated_clause_at_its_span():
    d = damage(TEXT, "addition", seed=5)
    assert d.text[d.span[0] : d.span[1]] == d.inserted
    assert d.text.replace(d.inserted, "") == TEXT


def test_number_changes_a_number_and_only_that():
    d = damage(TEXT, "number", seed=0)
    assert d.removed != d.inserted and any(ch.isdigit() for ch in d.removed)
    assert d.text[d.span[0] : d.span[1]] == d.inserted
    assert d.text[: d.span[0]] == TEXT[: d.span[0]]
    words = damage("Two men and five women arrived.", "number", seed=0)
    assert words is not None and words.removed.lower() in ("two", "five")
    assert damage("No one came to the meeting.", "number", seed=0) is None


def test_entity_swaps_a_name_or_a_glossary_term():
    d = damage(TEXT, "entity", seed=2)
    assert d.removed in ("Shenyang", "Germany") and d.inserted not in TEXT
    term = damage("We met CECEP staff.", "entity", terms=[("CECEP", "China Energy Conservation")])
    assert term.text == "We met China Energy Conservation staff."
    # A capital at the start of a sentence is not a name.
    assert damage("Yesterday it rained.", "entity") is None


def test_negation_adds_or_removes_a_negation():
    assert damage("The plan was approved.", "negation").text == "The plan was not approved."
    assert damage("The plan was not approved.", "negation").text == "The plan was approved."


def test_swap_exchanges_two_content_words_keeping_length():
    d = damage(TEXT, "swap", seed=4)
    assert d.text != TEXT and len(d.text) == len(TEXT)
    assert sorted(re.findall(r"\w+", d.text)) == sorted(re.findall(r"\w+", TEXT))
    first, second = d.removed.split(" … ")
    assert d.text[d.span[0] :].startswith(second) and d.text[: d.span[1]].endswith(first)


def test_kinds_that_cannot_apply_give_none():
    assert damage("Hello.", "omission") is None
    assert damage("Hello there.", "number") is None


def test_unknown_kind_is_an_error():
    with pytest.raises(ValueError):
        damage(TEXT, "typo")
