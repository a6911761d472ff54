"""The model cache: prepared means verified, a damaged cache is rebuilt once or reported with the command that
fixes it. Every test works on a cache in a temporary MTQA_CACHE, never on the user's own."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from mtqa.errors import ModelUnavailableError
from mtqa.score.lm import prepare as prep
from mtqa.score.lm.prepare import DONE, MANIFEST, WEIGHTS, cache_problems, model_info, prepare


def _fake_conversion(calls: list[Path], fail: bool = False):
    """Stands in for the minute-long GGUF conversion: writes a small checkpoint with the real file names
    (safetensors writes its file owner-only, as the real conversion does)."""

    def convert(model_package, work: Path, gguf_dir: Path, status) -> None:
        calls.append(work)
        if fail:
            raise OSError("no space left on device")
        from safetensors.numpy import save_file

        save_file({"weight": np.arange(4096, dtype=np.float32)}, str(work / WEIGHTS))
        (work / "config.json").write_text('{"model_type": "fake"}\n', encoding="utf-8")
        (work / "tokenizer.json").write_text('{"version": "1.0"}\n', encoding="utf-8")

    return convert


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MTQA_CACHE", str(tmp_path))
    calls: list[Path] = []
    monkeypatch.setattr(prep, "_convert", _fake_conversion(calls))
    path = prepare(tmp_path, quiet=True)
    calls.clear()
    return path, calls


def _flip_last_byte(file: Path) -> None:
    data = bytearray(file.read_bytes())
    data[-1] ^= 0xFF
    file.write_bytes(bytes(data))


def test_preparation_records_sizes_and_checksums_and_one_file_mode(cache):
    path, _ = cache
    manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest["files"]) == {WEIGHTS, "config.json", "tokenizer.json"}
    weights = manifest["files"][WEIGHTS]
    assert weights["size"] == (path / WEIGHTS).stat().st_size and len(weights["sha256"]) == 64
    modes = {stat.S_IMODE((path / name).stat().st_mode) for name in (*manifest["files"], MANIFEST)}
    assert len(modes) == 1  # the weights are no longer owner-only while the rest follows the umask
    info = model_info(path.parent.parent, verify=True)
    assert info.prepared and info.verified and not info.problems


def test_truncated_weights_are_not_prepared_and_info_names_the_fix(cache):
    path, _ = cache
    with open(path / WEIGHTS, "r+b") as file:
        file.truncate(100)
    info = model_info(path.parent.parent)
    assert not info.prepared and info.problems and info.problems[0].startswith(WEIGHTS)
    from mtqa.commands.model import command

    result = CliRunner().invoke(command, ["info"])
    assert result.exit_code == 0
    assert "DAMAGED" in result.output and "run: mtqa model prepare" in result.output
    assert "prepared," not in result.output
    data = json.loads(CliRunner().invoke(command, ["info", "--json"]).output)
    assert data["prepared"] is False and data["problems"]


def test_a_truncated_weights_file_is_found_by_its_header_without_a_manifest(cache):
    path, _ = cache
    (path / MANIFEST).write_text("{}", encoding="utf-8")  # as prepared by an mtqa that recorded nothing
    assert cache_problems(path) == []
    with open(path / WEIGHTS, "r+b") as file:
        file.truncate((path / WEIGHTS).stat().st_size - 10)
    assert "header describes" in cache_problems(path)[0]


def test_a_damaged_cache_is_rebuilt_once_by_the_next_use(cache, capsys):
    path, calls = cache
    with open(path / WEIGHTS, "r+b") as file:
        file.truncate(100)
    assert prepare(path.parent.parent) == path
    assert len(calls) == 1
    assert "damaged" in capsys.readouterr().err
    assert model_info(path.parent.parent, verify=True).prepared
    prepare(path.parent.parent)
    assert len(calls) == 1  # sound again: not converted a second time


def test_same_size_damage_shows_in_the_checksum_and_model_prepare_rebuilds_it(cache):
    path, calls = cache
    _flip_last_byte(path / WEIGHTS)
    assert model_info(path.parent.parent).prepared  # the cheap check on every load cannot see it
    info = model_info(path.parent.parent, verify=True)
    assert not info.prepared and "checksum" in info.problems[0]
    from mtqa.commands.model import command

    result = CliRunner().invoke(command, ["info", "--verify"])
    assert "DAMAGED" in result.output
    result = CliRunner().invoke(command, ["prepare", "-q"])
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
    assert model_info(path.parent.parent, verify=True).prepared
    again = CliRunner().invoke(command, ["prepare"])
    assert "already prepared (checksums verified)" in again.output and len(calls) == 1


def test_a_failed_rebuild_is_one_line_naming_the_command(cache, monkeypatch):
    path, calls = cache
    with open(path / WEIGHTS, "r+b") as file:
        file.truncate(100)
    monkeypatch.setattr(prep, "_convert", _fake_conversion(calls, fail=True))
    with pytest.raises(ModelUnavailableError, match="run: mtqa model prepare --force") as error:
        prepare(path.parent.parent, quiet=True)
    assert "\n" not in str(error.value)
    assert len(calls) == 1


def test_check_with_a_broken_cache_exits_2_with_one_line(cache, monkeypatch, tmp_path, capsys):
    from mtqa.cli import main

    path, calls = cache
    with open(path / WEIGHTS, "r+b") as file:
        file.truncate(100)
    monkeypatch.setattr(prep, "_convert", _fake_conversion(calls, fail=True))
    source, target = tmp_path / "s.zh.txt", tmp_path / "t.en.txt"
    source.write_text("郝鹏主持会议。\n", encoding="utf-8")
    target.write_text("Hao Peng chaired the meeting.\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(source), str(target), "--aligner", "length", "--model", "-q"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "mtqa model prepare" in err[0] and "internal error" not in err[0]


@pytest.mark.model
def test_real_model_loads_after_its_damaged_copy_is_rebuilt(tmp_path, monkeypatch):
    """A copy of the prepared cache with a config damaged in place (same size: only the checksum sees it)
    fails to load, is rebuilt once (the conversion stood in for by copying the real files) and scores."""
    real = model_info()
    if not real.prepared:
        pytest.skip("the model is not prepared")
    from mtqa.score.lm.gemma import GemmaModel

    copy = tmp_path / "models" / real.cache_path.name
    shutil.copytree(real.cache_path, copy, ignore=shutil.ignore_patterns("unigram-logprobs.pt"))
    prep._write_manifest(copy, {"conversion": prep.CONVERSION_VERSION})
    calls = []

    def convert(model_package, work, gguf_dir, status):
        calls.append(work)
        names = (WEIGHTS, "config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json")
        for name in names:
            shutil.copy(real.cache_path / name, work / name)

    monkeypatch.setattr(prep, "_convert", convert)
    config = copy / "config.json"
    config.write_text("X" * config.stat().st_size, encoding="utf-8")
    assert (copy / DONE).exists() and not cache_problems(copy)
    model = GemmaModel(tmp_path, quiet=True, threads=1)
    model.load()
    assert len(calls) == 1 and not cache_problems(copy, full=True)
    assert len(model.token_ids("Hello world")) >= 2
    assert os.access(copy / WEIGHTS, os.R_OK)
