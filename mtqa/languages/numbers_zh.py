"""Numbers, dates and percentages in Chinese text, normalised so that they compare with other languages.

Arabic digits (half- or full-width, with thousands separators and decimals) always count; 万/亿 multiply
them (3.5万 → 35000, 1.2亿 → 120000000). Chinese numerals (三, 十二, 二〇二三, 两千) count only where they
are clearly quantities — after 第 or 百分之, before a measure word, a unit or 年/月/日, or as a pure-numeral
token such as 二〇二三 — because the same characters also occur in ordinary words (统一, 进一步, 一道,
十分, 千方百计). A bare 一 is left out except in dates and ordinals: 一个/一项 usually becomes "a"/"an".
"""

from __future__ import annotations

import re

import cn2an

from mtqa.languages import NumberMention
from mtqa.languages.numbers_en import LATIN_UNITS

# Full-width digits and signs map one-to-one onto ASCII, so offsets into the normalised text stay valid.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．％，", "0123456789.%,")

_CN_DIGITS = "零〇一二两三四五六七八九"
_CN_ALL = _CN_DIGITS + "十百千万亿"
_MULTIPLIER = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}

_NUMBER = re.compile(
    r"(?P<pre>第|百分之)?"
    r"(?:(?P<arabic>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<mult>[百千万亿]{1,2})?"
    rf"|(?P<cn>[{_CN_ALL}]+(?:点[{_CN_DIGITS}]+)?))"
)

# Measure words and units after which a Chinese numeral is a quantity. Deliberately not here: 分 (十分 =
# "very"), 期 (二期 = "Phase II"), 点 (一点 = "a little"), 成 (三成 = 30 %, rare in news), 代.
_MEASURES = (
    "个百分点", "百分点", "小时", "分钟", "季度", "千瓦", "兆瓦", "公里", "千米", "平方", "立方", "公顷",
    "公斤", "美元", "欧元", "英镑", "港元", "日元", "方面",
    "个", "项", "位", "名", "人", "次", "条", "家", "座", "所", "种", "类", "件", "台", "辆", "架", "艘",
    "吨", "元", "块", "米", "里", "亩", "克", "斤", "天", "周", "岁", "倍", "批", "场", "届", "轮", "份",
    "张", "本", "部", "篇", "章", "层", "栋", "套", "只", "头", "户", "片", "处", "道", "股", "笔", "例",
    "宗", "方", "大", "年", "月", "日", "号", "%",
)
# Words of approximation that may sit between a number and its measure word (三十多个, 十余家).
_APPROX_AFTER = "多余来"
# Vague numbers: 数十 ("dozens"), 几百 ("hundreds"), not a value a translation has to keep.
_VAGUE_BEFORE = "数几"
# 亿 alone after these means "(over) a hundred million": 上亿元, 超亿.
_BARE_YI_BEFORE = "上过超破逾近"
# SI prefix 千 belongs to the unit, not the number: 20万千瓦 is 200,000 kW.
_KILO_UNITS = "瓦克米"
_LATIN_BEFORE = re.compile(r"[A-Za-z]-?$")
_LATIN_AFTER = re.compile(r"[A-Za-z]+")


def extract_numbers(text: str) -> list[NumberMention]:
    normal = text.translate(_FULL_WIDTH)
    mentions: list[NumberMention] = []
    position = 0
    while True:
        match = _NUMBER.search(normal, position)
        if match is None:
            break
        mention = _read(normal, text, match)
        run = match.group("cn") or ""
        if mention is None and len(run) > 1 and run[0] == "一" and not match.group("pre"):
            # The run may have swallowed the end of a word before it (统一 + 三年 → "一三年"): retry after
            # that 一.
            position = match.start() + 1
            continue
        if mention is not None:
            mentions.append(mention)
        position = match.end()
    return _mark_days(mentions, normal)


def _read(normal: str, original: str, match: re.Match[str]) -> NumberMention | None:
    pre = match.group("pre") or ""
    after = normal[match.end() :]
    start, end = match.start(), match.end()
    if match.group("arabic"):
        if _LATIN_BEFORE.search(normal[: match.start("arabic")]):
            return None  # part of a name or model number (A320, COVID-19): the names check owns it
        latin = _LATIN_AFTER.match(after)
        if latin and latin.group() not in LATIN_UNITS:
            return None  # 5G, 3D, 4K
        value = float(match.group("arabic").replace(",", ""))
        multipliers = match.group("mult") or ""
        if multipliers.endswith("千") and after[:1] in _KILO_UNITS:
            multipliers = multipliers[:-1]
            end -= 1
            after = normal[end:]
        for char in multipliers:
            value *= _MULTIPLIER[char]
        kind = _kind(value, after, pre, four_digits=len(match.group("arabic")) == 4)
        if after.startswith("%"):
            end += 1
        return NumberMention(value, kind, start, end, original[start:end])

    run = match.group("cn")
    if normal[match.start() - 1 : match.start()] in tuple(_VAGUE_BEFORE) and not pre:
        return None
    measure_after = _measure_after(after)
    has_digit = any(char in _CN_DIGITS for char in run)
    pure_digits = all(char in _CN_DIGITS for char in run)
    if run == "亿":
        if match.start() > 0 and normal[match.start() - 1] in _BARE_YI_BEFORE:
            return NumberMention(1e8, "number", start, end, original[start:end])
        return None
    if not has_digit and not run.startswith("十") and not (run.endswith("亿") and measure_after):
        return None  # 千方百计, 万众一心, 百年 (a century, usually not a number in the English)
    if run[-1] in "万亿" and not measure_after and not pre:
        return None  # 亿万人民 and the like
    if pure_digits and len(run) > 1:
        # 二〇二三 is a numeral token; 三四 / 五六 are approximate ranges ("three or four").
        if not ("〇" in run or "零" in run or (len(run) == 4 and after.startswith("年"))):
            return None
    elif not pre and not measure_after:
        return None
    if run == "一" and not (pre == "第" or after[:1] in "月日号"):
        return None  # 一个/一项/一年 usually becomes "a"/"an"/"a year"; 一道, 一流 are words
    value = _cn_value(run)
    if value is None:
        return None
    kind = _kind(value, after, pre, four_digits=pure_digits and len(run) == 4)
    if after.startswith("%"):
        end += 1
    return NumberMention(value, kind, start, end, original[start:end])


def _cn_value(run: str) -> float | None:
    if run[0] in "百千万亿":
        run = "一" + run  # 百亿 = 一百亿
    try:
        return float(cn2an.cn2an(run, "normal"))
    except (ValueError, KeyError, IndexError):
        return None


def _measure_after(after: str) -> bool:
    rest = after.lstrip(_APPROX_AFTER)
    return rest.startswith(_MEASURES)


def _kind(value: float, after: str, pre: str, *, four_digits: bool) -> str:
    if pre == "百分之" or after.startswith(("%", "个百分点", "百分点")):
        return "percent"
    if pre == "第":
        return "ordinal"
    integer = value == int(value)
    if after.startswith("年") and integer and (four_digits or after.startswith("年代")) and value >= 1000:
        return "year"
    if after.startswith("月") and integer and 1 <= value <= 12:
        return "month"
    if after.startswith("日") and integer and 1 <= value <= 31:
        return "day"
    return "number"


def _mark_days(mentions: list[NumberMention], normal: str) -> list[NumberMention]:
    """3号 is a day only right after a month (4月3号); elsewhere 3号 is "No. 3"."""
    result = []
    for index, mention in enumerate(mentions):
        if (
            mention.kind == "number"
            and normal[mention.end : mention.end + 1] == "号"
            and index > 0
            and mentions[index - 1].kind == "month"
            and mentions[index - 1].end + 1 == mention.start
            and 1 <= mention.value <= 31
        ):
            mention = NumberMention(mention.value, "day", mention.start, mention.end, mention.text)
        result.append(mention)
    return result
