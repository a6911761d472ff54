"""Long inputs: the pieces that used to grow with the square of the document (issue 14, "Scale")."""

from __future__ import annotations

import random

import numpy as np

from mtqa.align.cost import StructureTerms, build_features
from mtqa.data import Document, Segment
from mtqa.languages import get_language
from mtqa.languages.en import split_sentences

ZH, EN = get_language("zh"), get_language("en")


def _segments(texts: list[str]) -> list[Segment]:
    out, offset = [], 0
    for k, text in enumerate(texts):
        out.append(Segment(k, offset, offset + len(text), text, k // 3))
        offset += len(text) + 1
    return out


def _dense_anchors(source, target, a: int, b: int, i: int, js: np.ndarray) -> np.ndarray:
    """The anchor term as it was computed from dense (segments × vocabulary) count matrices."""
    size = 1 + max([k for keys in source.anchor_keys + target.anchor_keys for k in keys], default=0)

    def counts(side, start: int, stop: int) -> np.ndarray:
        row = np.zeros(size)
        for segment in range(start, stop):
            for key in side.anchor_keys[segment]:
                row[key] += 1
        return row

    src = counts(source, i - a, i)
    out = []
    for j in js:
        tgt = counts(target, j - b, j)
        shared = np.minimum(src, tgt).sum()
        total = src.sum() + tgt.sum()
        out.append((2 * shared / max(total, 1) if total > 0 else 0.0) * min(shared, 3))
    return np.array(out)


def test_sparse_anchor_term_equals_the_dense_computation():
    rng = random.Random(3)
    numbers = ["3", "5", "12", "2024", "7.5", "100"]
    source_texts = [f"第{rng.choice(numbers)}条，共{rng.choice(numbers)}人。" if rng.random() < 0.7
                    else "没有数字。" for _ in range(40)]
    target_texts = [f"Item {rng.choice(numbers)} has {rng.choice(numbers)} people." if rng.random() < 0.7
                    else "No numbers here." for _ in range(45)]
    src, tgt = build_features(_segments(source_texts), _segments(target_texts), ZH, EN)
    terms = StructureTerms(src, tgt)
    assert src.anchor_positions, "the fixture must produce anchors"
    for a, b in ((1, 1), (2, 1), (1, 3), (4, 1)):
        for i in range(a, 41):
            js = np.arange(b, 46)
            assert np.allclose(terms.anchors(a, b, i, js), _dense_anchors(src, tgt, a, b, i, js))


def test_line_col_matches_counting_from_the_start():
    text = "first line\nsecond\n\nfourth line here\n" * 50
    document = Document(text, "en")
    for offset in range(0, len(text) + 1, 7):
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        assert document.line_col(offset) == (line, column)


def test_one_sentence_lines_skip_the_splitter_but_keep_their_sentences():
    # No sentence end before the tail: one sentence, closing quote included.
    assert split_sentences('He said: "We will win."') == [(0, 23)]
    assert split_sentences("A headline without a full stop") == [(0, 30)]
    assert split_sentences("   ") == []
    # Sentence ends inside: the splitter decides (abbreviations stay, real ends split).
    text = "The U.S. economy grew 2.5 percent. Officials were pleased."
    pieces = [text[s:e].strip() for s, e in split_sentences(text)]
    assert pieces == ["The U.S. economy grew 2.5 percent.", "Officials were pleased."]


def test_best_matches_near_the_diagonal_equal_the_full_comparison():
    from mtqa.align.encoder_aligner import similarity_stats

    rng = np.random.default_rng(0)
    source = rng.normal(size=(3000, 32)).astype(np.float32)
    target = source + 0.3 * rng.normal(size=source.shape).astype(np.float32)  # segment k translates k
    source /= np.linalg.norm(source, axis=1, keepdims=True)
    target /= np.linalg.norm(target, axis=1, keepdims=True)
    windowed = similarity_stats(source, target, 0.05, 0.3, chunk=256, window=64)
    full = similarity_stats(source, target, 0.05, 0.3, window=10**9)
    assert np.array_equal(windowed.best_for_source, full.best_for_source)
    assert np.array_equal(windowed.best_for_target, full.best_for_target)
    assert windowed.anchors == full.anchors and len(full.anchors) > 2900


def test_check_refuses_a_document_over_the_document_limit_before_any_work(tmp_path, sample_dir):
    """Over MAX_DOCUMENT_BYTES a text pair would run for many minutes: one line, exit 2, nothing loaded."""
    import subprocess
    import sys
    import time

    from mtqa.textio import MAX_DOCUMENT_BYTES

    big = tmp_path / "big.en.txt"
    with open(big, "wb") as handle:  # sparse: the size alone decides
        handle.truncate(MAX_DOCUMENT_BYTES + 1)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mtqa", "check", str(sample_dir / "source.zh.txt"), str(big), "--no-model"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert "too large (4 MB; the limit is 4 MB)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert time.perf_counter() - started < 60
