"""Glossary files: TSV, CSV and TBX, merging, and every bad input as one InputError line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mtqa.errors import InputError
from mtqa.glossary import load_glossaries, load_glossary, merge_glossaries
from tests.conftest import SAMPLE


def write(tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def load_error(path, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        load_glossary(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    assert str(path) in message
    return message


def by_source(glossary):
    return {e.source: e for e in glossary.entries}


# --- TSV / CSV -----------------------------------------------------------------------------------------


def test_sample_tsv():
    glossary = load_glossary(SAMPLE / "glossary.tsv")
    entries = by_source(glossary)
    assert len(glossary) == 24
    assert entries["双碳"].target == "dual carbon"
    assert entries["双碳"].forbidden == ("double carbon",)
    assert "dual carbon goals" in entries["双碳"].note  # quotes inside a TSV note are kept, not parsed
    assert entries["中国节能"].forbidden == ("China Energy Conservation",)
    assert entries["省委书记"].forbidden == ()
    assert entries["双碳"].line == 2
    assert glossary.path == str(SAMPLE / "glossary.tsv")


def test_tsv_several_forbidden_alternatives_comments_and_optional_columns(tmp_path):
    path = write(
        tmp_path,
        "g.tsv",
        "\ufeffTarget\tSource\tForbidden\n"  # any column order and case; a BOM is not part of the name
        "# a comment line\n"
        "dual carbon|dual-carbon goals\t双碳\tdouble carbon | twin carbon\n"
        "\n"
        "Governor\t省长\t\n",
    )
    entries = by_source(load_glossary(path))
    assert entries["双碳"].target == "dual carbon"
    assert entries["双碳"].alternatives == ("dual-carbon goals",)
    assert entries["双碳"].forbidden == ("double carbon", "twin carbon")
    assert entries["省长"].note == ""
    assert entries["省长"].line == 5


def test_csv_with_quoted_commas(tmp_path):
    path = write(
        tmp_path,
        "g.csv",
        'source,target,forbidden,note\n'
        '中国节能环保集团有限公司,'
        '"China Energy Conservation and Environmental Protection Group Co., Ltd.",,\n'
        '中国节能,CECEP,China Energy Conservation|CEC,"short name, after first mention"\n',
    )
    entries = by_source(load_glossary(path))
    assert entries["中国节能环保集团有限公司"].target.endswith("Group Co., Ltd.")
    assert entries["中国节能"].forbidden == ("China Energy Conservation", "CEC")
    assert entries["中国节能"].note == "short name, after first mention"


def test_forbid_only_entry_has_no_target(tmp_path):
    path = write(tmp_path, "g.tsv", "source\ttarget\tforbidden\n央地\t\tcentral region\n")
    entry = load_glossary(path).entries[0]
    assert entry.target == "" and entry.forbidden == ("central region",)


@pytest.mark.parametrize("missing", ["source", "target"])
def test_missing_column_is_named(tmp_path, missing):
    columns = [c for c in ("source", "target", "forbidden") if c != missing]
    path = write(tmp_path, "g.tsv", "\t".join(columns) + "\n" + "\t".join(["x"] * len(columns)) + "\n")
    assert f"'{missing}' column" in load_error(path)


def test_headerless_file_names_the_missing_column(tmp_path):
    path = write(tmp_path, "g.tsv", "双碳\tdual carbon\n")
    assert "missing the 'source' column" in load_error(path)


def test_empty_source_term_gives_the_line(tmp_path):
    path = write(tmp_path, "g.tsv", "source\ttarget\n双碳\tdual carbon\n\tGovernor\n")
    assert "line 3: empty source term" in load_error(path)


def test_row_without_target_or_forbidden(tmp_path):
    path = write(tmp_path, "g.csv", "source,target,forbidden\n双碳,,\n")
    assert "line 2" in load_error(path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"  \n\n", "whitespace"),
        (b"source\ttarget\tforbidden\tnote\n", "no entries"),
        (b"source\ttarget\n# only a comment\n", "no entries"),
        (b"\x00\x01\x02PK\x03\x04" * 50, "binary"),
        (bytes(range(1, 256)) * 3, "cannot decode"),
    ],
)
def test_bad_files(tmp_path, content, expected):
    path = write(tmp_path, "g.tsv", content)
    assert expected in load_error(path)


def test_missing_file_and_directory(tmp_path):
    assert "no such file" in load_error(tmp_path / "nope.tsv")
    assert "directory" in load_error(tmp_path)


def test_one_line_gb18030_tsv_is_refused_not_guessed_and_read_with_the_flag(tmp_path):
    # Four characters are too little evidence: Big5 and EUC-JIS readings look as clean as the GB18030 one.
    path = write(tmp_path, "g.tsv", "source\ttarget\n辽沈战役\tLiaoshen Campaign\n".encode("gb18030"))
    with pytest.raises(InputError, match=r"cannot tell.*gb18030 '辽沈战役'.*--glossary-encoding"):
        load_glossary(path)
    assert load_glossary(path, encoding="gb18030").entries[0].source == "辽沈战役"


def test_gbk_glossary_that_is_valid_utf8_is_refused(tmp_path):
    # "双碳" in GBK is CB AB CC BC: valid UTF-8 for "˫̼"; read so, the term would never match anything.
    path = write(tmp_path, "g.tsv", "source\ttarget\n双碳\tdual carbon\n".encode("gbk"))
    with pytest.raises(InputError, match="utf-8 '˫̼', gb18030 '双碳'") as info:
        load_glossary(path)
    assert "\n" not in str(info.value)


def test_gb18030_glossary_of_several_terms_is_detected(tmp_path):
    text = "source\ttarget\n" + "".join(
        line + "\n" for line in (SAMPLE / "glossary.tsv").read_text(encoding="utf-8").split("\n")[1:8]
        if line.strip()
    )
    path = write(tmp_path, "g.tsv", text.encode("gb18030"))
    assert [e.source for e in load_glossary(path).entries][:2] == ["双碳", "中国节能环保集团有限公司"]


def test_glossary_with_undecodable_bytes_is_an_input_error(tmp_path):
    path = write(tmp_path, "g.tsv", b"source\ttarget\n\xff\xfe\x80\x81\tcafe\n")
    with pytest.raises(InputError, match=r"cannot decode.*--glossary-encoding"):
        load_glossary(path)


# --- merging -------------------------------------------------------------------------------------------


def test_merge_first_target_wins_and_others_become_alternatives(tmp_path):
    header = "source\ttarget\tforbidden\n"
    project = write(tmp_path, "project.tsv", header + "中国节能\tCECEP\tChina Energy Conservation\n")
    general = write(
        tmp_path, "general.tsv",
        header + "中国节能\tChina Energy Conservation Group\tCECEP\n" + "沈阳\tShenyang\t\n",
    )
    merged = load_glossaries([project, general])
    entries = by_source(merged)
    assert len(merged) == 2
    assert entries["中国节能"].target == "CECEP"
    assert entries["中国节能"].alternatives == ("China Energy Conservation Group",)
    # A rendering one file accepts is never forbidden by the merge.
    assert entries["中国节能"].forbidden == ("China Energy Conservation",)
    assert merged.path == f"{project}, {general}"


def test_merge_of_one_is_identity():
    glossary = load_glossary(SAMPLE / "glossary.tsv")
    assert merge_glossaries([glossary]).entries == glossary.entries


# --- TBX -----------------------------------------------------------------------------------------------

TBX_BASIC = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE martif SYSTEM "TBXBasiccoreStructV02.dtd">
<martif type="TBX-Basic" xml:lang="en-US">
  <martifHeader><fileDesc><sourceDesc><p>test</p></sourceDesc></fileDesc></martifHeader>
  <text><body>
    <termEntry id="c1">
      <descrip type="definition">carbon peak and carbon neutrality</descrip>
      <langSet xml:lang="zh-CN"><tig><term>双碳</term></tig></langSet>
      <langSet xml:lang="en-US">
        <tig><term>double carbon</term>
             <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig>
        <tig><term>dual carbon</term>
             <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig>
        <tig><term>dual-carbon goals</term>
             <termNote type="administrativeStatus">admittedTerm-admn-sts</termNote></tig>
        <tig><term>twin carbon</term>
             <termNote type="administrativeStatus">supersededTerm-admn-sts</termNote></tig>
      </langSet>
    </termEntry>
    <termEntry id="c2">
      <langSet xml:lang="zh"><ntig><termGrp><term>辽沈战役</term></termGrp></ntig></langSet>
      <langSet xml:lang="en"><ntig><termGrp><term>Liaoshen Campaign</term></termGrp></ntig>
        <ntig><termGrp><term>Liaoshen Battle</term>
          <termNote type="normativeAuthorization">deprecatedTerm</termNote></termGrp></ntig></langSet>
    </termEntry>
    <termEntry id="c3">
      <langSet xml:lang="de"><tig><term>Gouverneur</term></tig></langSet>
      <langSet xml:lang="en"><tig><term>Governor</term></tig></langSet>
    </termEntry>
  </body></text>
</martif>
"""

TBX_V3 = """<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
  <tbxHeader><fileDesc><sourceDesc><p>v3</p></sourceDesc></fileDesc></tbxHeader>
  <text><body>
    <conceptEntry id="c1">
      <langSec xml:lang="zh"><termSec><term>央地</term></termSec></langSec>
      <langSec xml:lang="en">
        <termSec><term>central region</term>
          <termNote type="administrativeStatus">notRecommended</termNote></termSec>
        <termSec><term>central and local</term>
          <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec>
      </langSec>
    </conceptEntry>
  </body></text>
</tbx>
"""


def test_tbx_basic_with_deprecated_terms(tmp_path):
    glossary = load_glossary(write(tmp_path, "g.tbx", TBX_BASIC))
    entries = by_source(glossary)
    assert set(entries) == {"双碳", "辽沈战役"}  # the de/en concept has no zh term
    carbon = entries["双碳"]
    assert carbon.target == "dual carbon"
    assert carbon.alternatives == ("dual-carbon goals",)
    assert carbon.forbidden == ("double carbon", "twin carbon")
    assert carbon.note == "carbon peak and carbon neutrality"
    campaign = entries["辽沈战役"]
    assert campaign.target == "Liaoshen Campaign"  # no status: an acceptable rendering
    assert campaign.forbidden == ("Liaoshen Battle",)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        ("deprecatedTerm-admn-sts", "forbidden"), ("supersededTerm-admn-sts", "forbidden"),
        ("notRecommended", "forbidden"), ("deprecated", "forbidden"), ("obsolete", "forbidden"),
        ("preferredTerm-admn-sts", "target"), ("standardizedTerm", "target"),
        ("admittedTerm-admn-sts", "alternative"), ("somethingElse", "alternative"),
    ],
)
def test_tbx_status_values(tmp_path, status, kind):
    tbx = (
        '<martif type="TBX"><text><body><termEntry>'
        '<langSet xml:lang="zh"><tig><term>省长</term></tig></langSet>'
        '<langSet xml:lang="en">'
        f'<tig><term>Province Head</term><termNote type="administrativeStatus">{status}</termNote></tig>'
        '<tig><term>Governor</term>'
        '<termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig>'
        "</langSet></termEntry></body></text></martif>"
    )
    entry = load_glossary(write(tmp_path, "g.tbx", tbx)).entries[0]
    # Preferred terms come before admitted ones whatever their order in the file.
    expected = {
        "forbidden": ("Governor", (), ("Province Head",)),
        "target": ("Province Head", ("Governor",), ()),
        "alternative": ("Governor", ("Province Head",), ()),
    }[kind]
    assert (entry.target, entry.alternatives, entry.forbidden) == expected


def test_tbx_languages_are_parameters(tmp_path):
    path = write(tmp_path, "g.tbx", TBX_BASIC)
    reverse = by_source(load_glossary(path, source_lang="en", target_lang="zh"))
    # Every English term of the concept, deprecated ones included, can occur in an English source.
    assert {"dual carbon", "double carbon", "Liaoshen Battle"} <= set(reverse)
    assert reverse["double carbon"].target == "双碳"
    german = load_glossary(path, source_lang="de", target_lang="en")
    assert [(e.source, e.target) for e in german.entries] == [("Gouverneur", "Governor")]


def test_tbx_v3_namespaced_term_sections(tmp_path):
    entry = load_glossary(write(tmp_path, "g.tbx", TBX_V3)).entries[0]
    assert (entry.source, entry.target, entry.forbidden) == ("央地", "central and local", ("central region",))


def test_tbx_without_the_language_pair(tmp_path):
    path = write(tmp_path, "g.tbx", TBX_BASIC)
    assert "no term entries with both fr and en" in load_error(path, source_lang="fr", target_lang="en")


def test_tbx_entity_bomb_is_refused(tmp_path):
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE martif [\n <!ENTITY a "aaaaaaaaaa">\n'
        + "".join(f' <!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n' for i in range(8))
        + ']>\n<martif><text><body><termEntry><langSet xml:lang="zh"><tig><term>&i;</term></tig></langSet>'
        "</termEntry></body></text></martif>\n"
    )
    message = load_error(write(tmp_path, "bomb.tbx", bomb))
    assert "refused" in message and "entities" in message


def test_tbx_external_entity_is_refused(tmp_path):
    secret = write(tmp_path, "secret.txt", "secret")
    xxe = (
        f'<?xml version="1.0"?>\n<!DOCTYPE martif [<!ENTITY x SYSTEM "file://{secret}">]>\n'
        '<martif><text><body><termEntry><langSet xml:lang="zh"><tig><term>&x;</term></tig></langSet>'
        "</termEntry></body></text></martif>\n"
    )
    message = load_error(write(tmp_path, "xxe.tbx", xxe))
    assert "refused" in message and "secret" not in message.replace(str(tmp_path), "")


def test_malformed_tbx(tmp_path):
    path = write(tmp_path, "g.tbx", "<martif><text><body><termEntry></body></text></martif>")
    assert "malformed XML" in load_error(path)


def test_xml_that_is_not_tbx(tmp_path):
    path = write(tmp_path, "g.xml", "<html><body/></html>")
    assert "not a TBX file" in load_error(path)


def test_bad_glossary_exits_2_with_one_line(tmp_path):
    bad = write(tmp_path, "g.tsv", "source\tforbidden\n双碳\tdouble carbon\n")
    result = subprocess.run(
        [sys.executable, "-m", "mtqa", "check", SAMPLE / "source.zh.txt", SAMPLE / "translation.en.txt",
         "--glossary", bad, "--no-model", "--aligner", "length"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "'target' column" in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_tbx_glossary_through_the_cli(tmp_path):
    import json

    tbx = write(tmp_path, "g.tbx", TBX_BASIC)
    result = subprocess.run(
        [sys.executable, "-m", "mtqa", "check", SAMPLE / "source.zh.txt", SAMPLE / "translation.en.txt",
         "--glossary", tbx, "--no-model", "--aligner", "length", "--format", "json"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    spans = [f["target_span"]["text"] for f in report["findings"]
             if f["check"] == "terminology" and f["severity"] == "major"]
    assert sorted(spans) == ["Liaoshen Battle", "double carbon", "double carbon", "double carbon"]
