"""Shared by the alignment tests: the bundled sample as segmented documents, and what its alignment is."""

from __future__ import annotations

from mtqa.data import Document
from mtqa.languages import get_language
from mtqa.segment import segment_document


def sample_documents(sample_dir):
    source_text = (sample_dir / "source.zh.txt").read_text(encoding="utf-8")
    target_text = (sample_dir / "translation.en.txt").read_text(encoding="utf-8")
    source, target = Document(source_text, "zh"), Document(target_text, "en")
    source.segments = segment_document(source_text, get_language("zh"))
    target.segments = segment_document(target_text, get_language("en"))
    return source, target


def assert_sample_alignment(pairs, source, target):
    """No omission; every article sentence aligned; all page furniture unaligned; Song Xin is one 1-2 bead."""
    assert not [p for p in pairs if p.source_segments and not p.target_segments]
    aligned_target = {k for p in pairs if p.source_segments for k in p.target_segments}
    # The article runs from the real headline to the last sentence, with the "See also" block inside it;
    # everything else is page furniture.
    first = next(k for k, s in enumerate(target.segments) if s.text.startswith("Liaoning Province held"))
    last = next(k for k, s in enumerate(target.segments) if s.text.startswith("Relevant comrades"))
    article = {k for k in range(first, last + 1)
               if not target.segments[k].text.startswith(("See also", "Aluminum_Sina"))}
    assert aligned_target == article
    song_xin = next(p for p in pairs if "Strengthen cooperation in governance" in p.target_text(target))
    assert song_xin.kind == "1-2" and song_xin.target_text(target).startswith("He said that CECEP")
