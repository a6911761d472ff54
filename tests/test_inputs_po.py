"""PO files gettext would reject are input errors (issue 14): ``msgfmt -c`` semantics where polib is lenient.

Each case is one that polib 1.x reads without complaint (or reads wrong) and msgfmt refuses. When msgfmt is
installed, the last test confirms that it agrees on every fixture.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from mtqa.errors import InputError
from mtqa.formats.po import read
from tests.test_cli_errors import assert_one_line_error, run_mtqa

HEADER = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
          '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n')

# name → (entries after the header, expected message part); line numbers count the 5 header lines.
BAD = {
    "unterminated": ('msgid "Login"\nmsgstr "登录\n', "line 7: end of line within a string"),
    "unquoted": ('msgid Login\nmsgstr "登录"\n', "line 6: expected a quoted string, found 'Login'"),
    "bad-escape": ('msgid "Login\\q"\nmsgstr "登录"\n', "line 6: invalid escape sequence '\\\\q'"),
    "no-msgstr": ('msgid "Login"\n\nmsgid "Logout"\nmsgstr "退出"\n', "line 6: missing 'msgstr' section"),
    "duplicate": ('msgid "Login"\nmsgstr "登录"\n\nmsgid "Login"\nmsgstr "登入"\n',
                  "line 9: duplicate message definition (first defined at line 6)"),
    "too-few-plurals": ('msgid "file"\nmsgid_plural "files"\nmsgstr[0] "文件"\n',
                        "line 6: 1 plural form(s), but the header says nplurals=2"),
    "too-many-plurals": ('msgid "f"\nmsgid_plural "fs"\nmsgstr[0] "a"\nmsgstr[1] "b"\nmsgstr[2] "c"\n',
                         "line 6: 3 plural form(s)"),
    "text-after-string": ('msgid "Login"\nmsgstr "登录" junk\n', "line 7: text after the closing quote"),
    "unknown-keyword": ('msgid "Login"\nmsgstrx "登录"\n', "line 7: keyword 'msgstrx' unknown"),
    "newline-mismatch": ('msgid "Line\\n"\nmsgstr "行"\n', "line 6: 'msgid' and 'msgstr' do not both end"),
    "msgstr-without-msgid": ('msgctxt "menu"\nmsgstr "登录"\n', "line 7: 'msgstr' without a 'msgid'"),
}


def write(tmp_path, name: str, text: str, header: str = HEADER):
    path = tmp_path / f"{name}.po"
    path.write_text(header + text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(BAD))
def test_po_that_msgfmt_rejects_is_an_input_error(tmp_path, name):
    body, expected = BAD[name]
    path = write(tmp_path, name, body)
    with pytest.raises(InputError) as info:
        read(path)
    message = str(info.value)
    assert message.startswith(f"{path}: malformed PO file: ") and expected in message, message
    assert "\n" not in message


def test_plural_entries_need_a_plural_forms_header(tmp_path):
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    path = write(tmp_path, "p", 'msgid "f"\nmsgid_plural "fs"\nmsgstr[0] "a"\nmsgstr[1] "b"\n', header)
    with pytest.raises(InputError, match="header has no 'Plural-Forms"):
        read(path)


def test_header_charset_contradicting_the_bytes_is_refused(tmp_path):
    path = tmp_path / "gbk.po"
    path.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=GBK\\n"\n\nmsgid "Login"\n'
                    'msgstr "登录"\n', encoding="utf-8")
    with pytest.raises(InputError, match="declares charset=GBK, but the file is UTF-8"):
        read(path)


def test_header_charset_is_used_to_decode(tmp_path):
    # Two characters are too few for detection; the header says what they are, as it does for gettext.
    path = tmp_path / "gbk.po"
    path.write_bytes('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=GBK\\n"\n\nmsgid "Login"\n'
                     'msgstr "登录"\n'.encode("gbk"))
    assert [u.target for u in read(path).units] == ["登录"]


def test_valid_po_still_reads_with_context_plurals_fuzzy_and_obsolete(tmp_path):
    body = ('msgctxt "menu"\nmsgid "Open"\nmsgstr "打开"\n\n'
            'msgid "file"\nmsgid_plural "files"\nmsgstr[0] "文件"\nmsgstr[1] "文件"\n\n'
            '#, fuzzy\nmsgid "Line\\n"\nmsgstr "行"\n\n'
            '#~ msgid "Old"\n#~ msgstr "旧"\n'
            'msgid "Tab\\there \\"quoted\\" \\\\"\n"continued"\nmsgstr "制表\\t"\n"续"\n')
    units = read(write(tmp_path, "ok", body)).units
    assert [(u.key, u.target) for u in units] == [
        ("menu\x04Open", "打开"), ("file[0]", "文件"), ("file[1]", "文件"),
        ('Tab\there "quoted" \\continued', "制表\t续")]


def test_template_needs_no_plural_count(tmp_path):
    header = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=CHARSET\\n"\n'
              '"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"\n\n')
    path = tmp_path / "messages.pot"
    path.write_text(header + 'msgid "f"\nmsgid_plural "fs"\nmsgstr[0] ""\nmsgstr[1] ""\n', encoding="utf-8")
    assert read(path).empty_targets == 2


def test_cli_exit_2_and_file_untouched(tmp_path):
    path = write(tmp_path, "unterminated", BAD["unterminated"][0])
    before = path.read_bytes()
    result = run_mtqa("check", path, "--no-model")
    assert_one_line_error(result, str(path), "malformed PO file: line 7: end of line within a string")
    assert path.read_bytes() == before


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt (apt: gettext) not installed")
def test_msgfmt_agrees_on_every_fixture(tmp_path):
    verdicts = {}
    for name, (body, _) in [*BAD.items(), ("valid", ('msgid "Login"\nmsgstr "登录"\n', ""))]:
        path = write(tmp_path, name, body)
        msgfmt = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True)
        try:
            read(path)
            ours = True
        except InputError:
            ours = False
        verdicts[name] = (msgfmt.returncode == 0, ours)
    assert all(gettext == ours for gettext, ours in verdicts.values()), verdicts
    assert verdicts["valid"] == (True, True)
