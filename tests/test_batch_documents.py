"""``mtqa batch --documents``: rows grouped by doc, aligned as documents, results handed back per row."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mtqa.batch.documents import DocumentProcessor, group_documents, run_documents
from mtqa.batch.rows import BatchSettings, RowProcessor
from mtqa.cli import main
from mtqa.pipeline import default_aligner
from tests.batch_helper import fake_scorer

ROOT = Path(__file__).resolve().parent.parent
FAKE = ["--scorer-factory", "tests.batch_helper:fake_scorer"]
GLOSSARY = ROOT / "samples" / "liaoning-cecep" / "glossary.tsv"


def _row(row_id: str, doc: str, source: str, target: str) -> dict:
    return {"id": row_id, "doc": doc, "source": source, "target": target}


ROWS = [
    # A dropped line: its source sentence has no counterpart anywhere in the document's translation.
    _row("m1", "meeting", "会议在北京举行。", "The meeting was held in Beijing."),
    _row("m2", "meeting", "代表们讨论了气候变化和能源安全。", ""),
    _row("m3", "meeting", "会议将于周五结束。", "The meeting will end on Friday."),
    # A merged line: c2's target translates c2 and c3, so c3's empty target is no omission.
    _row("c1", "cecep", "中国节能推进双碳目标。", "CECEP pursues the double carbon goals."),
    _row("c2", "cecep", "公司去年投资了三十亿元。",
         "The company invested 3 billion yuan last year and built two new plants in Liaoning."),
    _row("c3", "cecep", "公司在辽宁新建了两座工厂。", ""),
]


def run(*args: object) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main(["batch", *map(str, args)])
    return exit_info.value.code


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_documents_show_dropped_and_merged_lines_per_row(tmp_path):
    out = tmp_path / "out.jsonl"
    assert run(write_jsonl(tmp_path / "in.jsonl", ROWS), "-o", out, "--documents", "-g", GLOSSARY, *FAKE) == 0
    rows = {row["id"]: row for row in read_jsonl(out)}
    assert list(rows) == [row["id"] for row in ROWS] and all(row["error"] is None for row in rows.values())
    assert "|align:encoder@" in rows["m1"]["signature"]  # aligned, unlike pre-segmented pairs

    omissions = [(row_id, f["source_span"]["text"]) for row_id, row in rows.items() for f in row["findings"]
                 if f["check"] == "alignment" and "omission" in f["message"]]
    assert omissions == [("m2", ROWS[1]["source"])]  # the dropped line, at its row; c3 was merged, not lost

    # Spans are offsets into the row's own texts.
    term = [f for f in rows["c1"]["findings"] if f["check"] == "terminology"]
    assert len(term) == 1 and term[0]["target_span"]["text"] == "double carbon"
    start = term[0]["target_span"]["start"]
    assert ROWS[3]["target"][start:term[0]["target_span"]["end"]] == "double carbon"

    # c2 and c3 are one bead (2-1): the same scores; the dropped m2 has none (a 1-0 bead is not scored).
    assert rows["c3"]["estimate"] is not None and rows["c3"]["estimate"] == rows["c2"]["estimate"]
    assert rows["m2"]["estimate"] is None and rows["m1"]["estimate"] is not None


def test_rows_that_cannot_form_a_document_are_error_rows(tmp_path):
    rows = [*ROWS[:3],
            {"id": "loose", "source": "没有文档。", "target": "No document."},
            {"id": "late", "doc": "meeting", "source": "再次出现。", "target": "Again."}]
    out = tmp_path / "out.jsonl"
    assert run(write_jsonl(tmp_path / "in.jsonl", rows), "-o", out, "--documents", *FAKE) == 0
    got = {row["id"]: row["error"] for row in read_jsonl(out)}
    assert got["m1"] is None
    assert "no doc" in got["loose"]
    assert "contiguous" in got["late"]


def test_documents_on_ray_is_refused(tmp_path, capsys):
    source = write_jsonl(tmp_path / "in.jsonl", ROWS)
    assert run(source, "-o", tmp_path / "o.jsonl", "--documents", "--executor", "ray", *FAKE) == 2
    assert "local executor" in capsys.readouterr().err


def test_resume_inside_a_document_checks_it_whole_and_writes_only_the_rest(tmp_path):
    records = [json.dumps(row, ensure_ascii=False) for row in ROWS]
    processor = DocumentProcessor(RowProcessor(fake_scorer(), BatchSettings()), default_aligner())
    complete: list[dict] = []
    run_documents(group_documents(iter(records)), processor, complete.extend, 0, lambda n: None)
    # Killed after 4 rows: inside the second document (c1 written, c2 and c3 not).
    rest: list[dict] = []
    advanced: list[int] = []
    run_documents(group_documents(iter(records)), processor, rest.extend, 4, advanced.append)
    assert rest == complete[4:] and sum(advanced) == 2
