"""Benchmark: `mtqa scan` on a synthetic localisation repository of 10,000 strings (PO and JSON).

Builds the repository in a temporary directory, runs the scan cold (empty cache), changes 10 strings
(5 in a PO file, 5 in a JSON file) and runs it again; prints both wall times and the peak RSS of each run.
Each run is a fresh `python -m mtqa scan` process, as a pre-commit hook or a CI step would start it, so
the times include interpreter start-up and imports.

    python benchmarks/l10n_repo.py [--strings 10000] [--model]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# (Chinese, English) building blocks: strings are assembled from them so that every one is different.
VERBS = [("打开", "Open"), ("删除", "Delete"), ("保存", "Save"), ("上传", "Upload"), ("下载", "Download"),
         ("分享", "Share"), ("复制", "Copy"), ("移动", "Move"), ("重命名", "Rename"), ("导出", "Export")]
NOUNS = [("文件", "files"), ("照片", "photos"), ("联系人", "contacts"), ("消息", "messages"),
         ("文件夹", "folders"), ("笔记", "notes"), ("视频", "videos"), ("任务", "tasks")]
PLACES = [("到云端", "to the cloud"), ("到本机", "to this device"), ("到收藏夹", "to Favorites"),
          ("到共享空间", "to the shared space"), ("到回收站", "to the trash")]
GLOSSARY = (
    "source\ttarget\tforbidden\tnote\n"
    "收藏夹\tFavorites\tCollection\t\n"
    "二维码\tQR code\ttwo-dimensional code\t\n"
)


def make_pair(index: int, rng: random.Random) -> tuple[str, str]:
    verb_zh, verb_en = rng.choice(VERBS)
    noun_zh, noun_en = rng.choice(NOUNS)
    place_zh, place_en = rng.choice(PLACES)
    count = index + 2  # a different number in every string keeps every string unique
    kind = index % 4
    if kind == 0:
        return f"{verb_zh}{count}个{noun_zh}{place_zh}", f"{verb_en} {count} {noun_en} {place_en}"
    if kind == 1:
        return (f"{{name}}，要{verb_zh}这{count}个{noun_zh}吗？",
                f"{{name}}, {verb_en.lower()} these {count} {noun_en}?")
    if kind == 2:
        return f"已{verb_zh}%d个{noun_zh}（共{count}个）", f"{verb_en}d %d {noun_en} (of {count})"
    return f"<b>{verb_zh}</b>{noun_zh}：第{count}项", f"<b>{verb_en}</b> {noun_en}: item {count}"


def po_entry(source: str, target: str) -> str:
    return f'msgid "{source}"\nmsgstr "{target}"\n\n'


def build(root: Path, strings: int) -> tuple[list[Path], list[Path]]:
    rng = random.Random(7)
    pairs = [make_pair(i, rng) for i in range(strings)]
    half = strings // 2
    po_files, json_targets = [], []
    per_po = 250
    for start in range(0, half, per_po):
        path = root / "locale" / "en" / "LC_MESSAGES" / f"module{start // per_po:02d}.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        header = 'msgid ""\nmsgstr ""\n"Language: en\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        path.write_text(header + "".join(po_entry(s, t) for s, t in pairs[start : min(start + per_po, half)]),
                        encoding="utf-8")
        po_files.append(path)
    per_json = 500
    for start in range(half, strings, per_json):
        name = f"page{(start - half) // per_json:02d}.json"
        chunk = pairs[start : start + per_json]
        for locale, side in (("zh", 0), ("en", 1)):
            path = root / "i18n" / locale / name
            path.parent.mkdir(parents=True, exist_ok=True)
            data = {f"section{k // 50}": {} for k in range(len(chunk))}
            for k, pair in enumerate(chunk):
                data[f"section{k // 50}"][f"key{k}"] = pair[side]
            path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
            if locale == "en":
                json_targets.append(path)
    (root / "glossary.tsv").write_text(GLOSSARY, encoding="utf-8")
    (root / "mtqa.toml").write_text('source_lang = "zh"\n', encoding="utf-8")
    return po_files, json_targets


def change_strings(po_file: Path, json_file: Path) -> None:
    """Edit 5 translations in a PO file and 5 in a JSON file (10 changed strings)."""
    lines = po_file.read_text(encoding="utf-8").split("\n")
    edited = 0
    for i, line in enumerate(lines):
        if line.startswith('msgstr "') and line != 'msgstr ""' and edited < 5:
            lines[i] = line[:-1] + ' (edited)"'
            edited += 1
    po_file.write_text("\n".join(lines), encoding="utf-8")
    data = json.loads(json_file.read_text(encoding="utf-8"))
    for k in range(5):
        data["section0"][f"key{k}"] += " (edited)"
    json_file.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def run_measured(root: Path, cache: Path, model: bool) -> dict:
    """One scan in a child process; wall time and that child's peak RSS (from wait4)."""
    command = [sys.executable, "-m", "mtqa", "scan", ".", "--cache-dir", str(cache), "-f", "json",
               "--model" if model else "--no-model"]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=root, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode not in (0, 1):
            raise SystemExit(f"scan failed ({process.returncode}): {err.read().decode()[-2000:]}")
        summary = json.loads(out.read())["summary"]
    return {"seconds": seconds, "peak_rss_mb": usage.ru_maxrss / 1024, "summary": summary}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--strings", type=int, default=10_000)
    parser.add_argument("--model", action="store_true", help="also score with the neural model")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mtqa-l10n-bench-") as tmp:
        root = Path(tmp) / "repo"
        po_files, json_targets = build(root, args.strings)
        cache = Path(tmp) / "cache"
        cold = run_measured(root, cache, args.model)
        change_strings(po_files[min(3, len(po_files) - 1)], json_targets[min(2, len(json_targets) - 1)])
        warm = run_measured(root, cache, args.model)
        print(f"repository: {args.strings} strings in {len(po_files)} PO files and {len(json_targets)} JSON "
              f"file pairs; model {'on' if args.model else 'off'}; {os.cpu_count()} CPUs")
        for name, run in (("cold", cold), ("10 changed", warm)):
            s = run["summary"]
            print(f"{name:>10}: {run['seconds']:6.2f} s wall, peak RSS {run['peak_rss_mb']:6.0f} MB, "
                  f"{s['strings']} strings, {s['checked']} checked, {s['cached']} from cache, "
                  f"findings {s['findings']}")


if __name__ == "__main__":
    main()
