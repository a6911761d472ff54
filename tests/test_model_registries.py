"""Aligners, scorers and language models are created by name through registries; nothing is hard-wired
(formats and renderers: tests/test_registries.py)."""

from __future__ import annotations

import pytest

import mtqa
from mtqa.align import available_aligners, create_aligner, register_aligner
from mtqa.errors import MtqaError
from mtqa.score import available_scorers, create_scorer, register_scorer
from mtqa.score.lm import available_models, create_model
from tests.fake_model import FakeLanguageModel


def test_built_in_names_are_registered():
    assert {"auto", "encoder", "length"} <= set(available_aligners())
    assert "neural" in available_scorers()
    assert "gemma3-270m" in available_models()


@pytest.mark.parametrize("create", [create_aligner, create_scorer, create_model])
def test_an_unknown_name_is_a_one_line_error_listing_the_known_ones(create):
    with pytest.raises(MtqaError, match=r"unknown .*'nope' \(choose .+\)"):
        create("nope")


def test_the_neural_scorer_takes_the_model_its_caller_holds():
    model = FakeLanguageModel({"郝鹏": ("Hao", "Peng")})
    scorer = create_scorer("neural", model=model, quiet=True)
    assert scorer.model is model
    report = mtqa.check("郝鹏主持会议。", "Hao Peng chaired the meeting.", source_lang="zh", target_lang="en",
                        aligner=create_aligner("length"), scorer=scorer)
    assert report.summary.adequacy is not None


def test_registered_aligner_and_scorer_are_used_by_check():
    calls = []

    class OneToOne:
        name = "one-to-one"

        def align(self, source, target, source_language, target_language, glossary=None):
            from mtqa.align import make_pairs

            calls.append("align")
            n = min(len(source.segments), len(target.segments))
            return make_pairs([((k,), (k,)) for k in range(n)], source.segments, target.segments)

    class Silent:
        name = "silent"

        def score(self, source, target, pairs, source_language, target_language):
            calls.append("score")
            return {}

    register_aligner("test-one-to-one")(lambda **options: OneToOne())
    register_scorer("test-silent")(lambda *, quiet, required, **options: Silent())
    mtqa.check("郝鹏主持会议。", "Hao Peng chaired the meeting.", source_lang="zh", target_lang="en",
               aligner=create_aligner("test-one-to-one"), scorer=create_scorer("test-silent"))
    assert calls == ["align", "score"]
