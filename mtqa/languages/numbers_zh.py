"""Numbers, dates and percentages in Chinese text, normalised so that they compare with other languages.

Arabic digits (half- or full-width, with thousands separators and decimals) always count; 万/亿 multiply
them (3.5万 → 35000, 1.2亿 → 120000000). Chinese numerals (三, 十二, 二〇二三, 两千) count only where they
are clearly quantities — after 第 or 百分之, before a measure word, a unit or 年/月/日, or as a pure-numeral
token such as 二〇二三 — because the same characters also occur in ordinary words (统一, 进一步, 一道,
十分, 千方百计). A bare 一 is left out except in dates and ordinals: 一个/一项 usually becomes "a"/"an".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from itertools import pairwise

import cn2an

from mtqa.languages import NumberMention
from mtqa.languages.numbers_en import (
    clock_spans,
    clock_times,
    glued_to_a_word,
    is_measurement,
    iso_dates,
)

# Full-width digits and signs map one-to-one onto ASCII, so offsets into the normalised text stay valid.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．％，：", "0123456789.%,:")

_CN_DIGITS = "零〇一二两三四五六七八九"
_CN_ALL = _CN_DIGITS + "十百千万亿"
_MULTIPLIER = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}

_NUMBER = re.compile(
    r"(?P<pre>第|百分之)?"
    r"(?:(?P<arabic>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:\s?[余多]?(?P<mult>[百千万亿]{1,2}))?"
    rf"|(?P<cn>[{_CN_ALL}]+(?:点[{_CN_DIGITS}]+)?))"
)
# "3至5万", "2023—2025年", "三至五年": the first number of a range borrows the unit of the second.
_RANGE_JOINER = r"\s*[至到~～\-—–－]\s*"
_RANGE_TAIL = re.compile(rf"{_RANGE_JOINER}[\d{_CN_ALL}.,]+")
# Spaces some sources put between a number and its unit ("37 %", "1989 年11 月").
_SPACES = " \u00a0\u2009\u3000"

# Measure words and units after which a Chinese numeral is a quantity. Deliberately not here: 分 (十分 =
# "very"), 期 (二期 = "Phase II"), 点 (一点 = "a little"; hours are handled below), 方 (四方 = "the
# Quartet", 双方), 道 (五道梁 is a place, 一道 "together"), 级 (二级市场 "secondary market"), 代.
_MEASURES = (
    "个百分点", "百分点", "小时", "分钟", "季度", "千瓦", "兆瓦", "公里", "千米", "平方", "立方", "公顷",
    "公斤", "美元", "欧元", "英镑", "港元", "日元", "方面", "年代", "英里", "英尺", "英寸", "海里", "加仑",
    "盎司", "磅", "厘米", "毫米", "毫升", "千克",
    "个", "项", "位", "名", "人", "次", "条", "家", "座", "所", "种", "类", "件", "台", "辆", "架", "艘",
    "吨", "元", "块", "米", "里", "亩", "克", "斤", "天", "周", "岁", "倍", "批", "场", "届", "轮", "份",
    "张", "本", "部", "篇", "章", "层", "栋", "套", "只", "头", "户", "片", "处", "股", "笔", "例",
    "宗", "大", "年", "月", "日", "号", "后", "时", "%", "两",
)
# 点 is an hour after a time-of-day word or before 半/整/钟/N分 (凌晨四点半, 下午3点); elsewhere (一点,
# 三点建议) it is "a little" or "point".
_HOUR_BEFORE = ("凌晨", "上午", "下午", "晚上", "早上", "中午", "傍晚", "夜里", "晚", "早")
_HOUR_POINT = re.compile(rf"点(?:[半整钟]|[\d{_CN_ALL}]+分)")
# N成 is N × 10 % (两成 = 20 %) unless 成 starts a word (成员 member, 成为 become, 成立, 成本 …).
_TENTHS = re.compile(r"成(?![员为立功本果熟就长交绩分效型片])")
# N成新 ("N-tenths new", 七成新 = well used, 九成新 = almost new) grades the wear of a thing: a translation
# says "showed signs of wear" as often as "70 percent new", so the value may match but is not required.


def _tenths_kind(after: str) -> str:
    return "approximate" if after.startswith("成新") else "percent"


# Words of approximation that may sit between a number and its measure word (三十多个, 十余家).
_APPROX_AFTER = "多余来"
_APPROX_SCALE = re.compile(r"[多余](?P<mult>[百千万亿]{1,2})")
# Vague numbers: 数十 ("dozens"), 几百 ("hundreds"), not a value a translation has to keep.
_VAGUE_BEFORE = "数几"
# 亿 alone after these means "(over) a hundred million": 上亿元, 超亿.
_BARE_YI_BEFORE = "上过超破逾近"
# SI prefix 千 belongs to the unit, not the number: 20万千瓦 is 200,000 kW.
_KILO_UNITS = "瓦克米"
# Digits glued to letters (A320, iPhone14) are a name (see numbers_en.glued_to_a_word); after a hyphen
# (COVID-19, J-20) they are a number on both sides of a translation (火星17 ↔ Hwasong-17).
_LATIN_AFTER = re.compile(r"[A-Za-z]+")


# Words whose numerals are not numbers although a measure word follows them: 环顾四周 "looked around" (but
# 四周后 "four weeks later"), 四处 "everywhere" (but 有四处 "there are four places"), 万一 "in case", idioms
# (七零八落 "scattered", 十万八千里 "miles away", 三番五次 "again and again", 三天两头 "all the time"),
# 三轮车 "tricycle", 两头 "both ends" (but 两头牛 "two cows"). A lexicon rather than a word segmenter:
# on the evaluation sources jieba also cut 二十大, 百人, 零点 and 近两年来 out of the numbers
# (docs/checks.md).
_NOT_NUMBERS = re.compile(
    "|".join((
        r"(?<![期续去近前后约每这头第])四周(?!后|前|内|以来|之|左右|时间|的时间|多|以上|里|来|年|半)",
        r"(?<![有共这那另第])四处",
        rf"(?<![{_CN_ALL}])万一(?![{_CN_ALL}])",
        r"七零八落", r"十万八千里", r"三番[五两]次", r"三天两头", r"三头六臂", r"三年五载", r"十有[八九]",
        r"三轮车",
        r"两头(?=[，。、；！？,.;!?的都])",
    ))
)


# A height or length in metres and centimetres the Chinese way: 一米六零 / 一米六 / 1米75 is 1.60 / 1.6 /
# 1.75 m (read apart, 一 is dropped as "a" and 六零 becomes a bare 60).
_METRES_AND_TENTHS = re.compile(
    rf"(?P<m>[一两二三123])米(?P<cm>[{_CN_DIGITS}]{{1,2}}|\d{{1,2}})(?![\d{_CN_ALL}米厘毫])"
)


def _metres_and_tenths(normal: str, original: str) -> list[NumberMention]:
    found = []
    for match in _METRES_AND_TENTHS.finditer(normal):
        metres = _cn_value(match.group("m")) if not match.group("m").isdigit() else float(match.group("m"))
        digits = "".join(str(int(_cn_value(c) or 0)) if not c.isdigit() else c for c in match.group("cm"))
        if metres is None:
            continue
        value = float(f"{int(metres)}.{digits}")
        found.append(NumberMention(value, "number", match.start(), match.end(),
                                   original[match.start() : match.end()], unit="m"))
    return found


@dataclass
class _Raw:
    mention: NumberMention
    # Product of the multipliers written after the number (万 → 10000), for ranges such as 3至5万.
    factor: float


def extract_numbers(text: str) -> list[NumberMention]:
    normal = text.translate(_FULL_WIDTH)
    found: list[_Raw] = []
    dates = iso_dates(normal) + clock_times(normal)
    heights = _metres_and_tenths(normal, text)
    taken = [(d.start, d.end) for d in dates + heights] + clock_spans(normal)
    taken += [word.span() for word in _NOT_NUMBERS.finditer(normal)]
    position = 0
    while True:
        match = _NUMBER.search(normal, position)
        if match is None:
            break
        if any(start <= match.start() < end for start, end in taken):
            position = match.end()
            continue
        raws = _read(normal, text, match)
        run = match.group("cn") or ""
        if not raws and len(run) > 1 and run[0] == "一" and not match.group("pre"):
            # The run may have swallowed the end of a word before it (统一 + 三年 → "一三年"): retry after
            # that 一.
            position = match.start() + 1
            continue
        found.extend(raws)
        # Past a multiplier read after the run (三十多万): it is part of this number, not one of its own.
        position = max([match.end()] + [raw.mention.end for raw in raws])
    numbers = _mark_days(_join_ranges(_half_hours(normal, text, found), normal), normal)
    numbers = [_with_unit(mention, normal) for mention in _counts_of_lists(numbers, normal)]
    dates = [replace(d, text=text[d.start : d.end]) for d in dates]
    return sorted(numbers + dates + heights, key=lambda mention: mention.start)


def _read(normal: str, original: str, match: re.Match[str]) -> tuple[_Raw, ...]:
    pre = match.group("pre") or ""
    start, end = match.start(), match.end()
    if match.group("arabic"):
        if glued_to_a_word(normal[: match.start("arabic")]):
            return ()  # part of a name or model number (A320, COVID-19): the names check owns it
        latin = _LATIN_AFTER.match(normal, end)
        if latin and not is_measurement(match.group("arabic"), latin.group()):
            return ()  # 5G, 3D, 4K
        value = float(match.group("arabic").replace(",", ""))
        multipliers = match.group("mult") or ""
        # 千 of 千瓦 is the unit's kilo (20万千瓦 = 200,000 kW); 百 of 百分点 belongs to "percentage point".
        if (multipliers.endswith("千") and normal[end : end + 1] in _KILO_UNITS) or (
            multipliers.endswith("百") and normal[end : end + 1] == "分"
        ):
            multipliers = multipliers[:-1]
            end -= 1
            if not multipliers:
                end = match.end("arabic")
        factor = 1.0
        for char in multipliers:
            factor *= _MULTIPLIER[char]
        after, end = _after(normal, end)
        if value == 1 and factor == 1 and after.startswith("倍"):
            return ()  # 增长1倍 is "doubled"
        value *= factor
        kind = _kind(value, after, pre, digits=len(match.group("arabic")))
        value = value % 100 if kind == "decade" else value
        if kind == "number" and _TENTHS.match(after):
            value, kind = value * 10, _tenths_kind(after)
        return (_Raw(NumberMention(value, kind, start, end, original[start:end]), factor),)

    run = match.group("cn")
    if len(run) > 1 and run.endswith("两") and run[-2] in "十百千万":
        # 五十两 is fifty taels (两, the old unit of silver and weight), not 52: 两 is a numeral only before
        # a measure word or 千/百/万.
        run, end = run[:-1], end - 1
    after, end = _after(normal, end)
    # 三十多万 "over 300,000", 一百多亿 "over ten billion": the multiplier after 多/余 scales the number.
    scaled = _APPROX_SCALE.match(after)
    scale = 1.0
    if scaled and any(char in _CN_DIGITS or char == "十" for char in run):
        for char in scaled.group("mult"):
            scale *= _MULTIPLIER[char]
        end += scaled.end()
        after = after[scaled.end() :]
    if normal[match.start() - 1 : match.start()] in tuple(_VAGUE_BEFORE) and not pre:
        return ()
    before = normal[: match.start()]
    measure_after = (
        _measure_after(after)
        or bool(_TENTHS.match(after))
        or (after.startswith("点") and (before.endswith(_HOUR_BEFORE) or bool(_HOUR_POINT.match(after))))
        # 三时十分 "3:10"; 有时十分狭窄 "at times very narrow" has no hour before 十分.
        or (after.startswith("分") and bool(re.search(rf"[\d{_CN_ALL}][时点]$", before)))
        or (run in ("零", "〇") and after.startswith("点"))  # 零点: midnight
    )
    has_digit = any(char in _CN_DIGITS for char in run)
    pure_digits = all(char in _CN_DIGITS for char in run)
    if run == "亿":
        if match.start() > 0 and normal[match.start() - 1] in _BARE_YI_BEFORE:
            return (_Raw(NumberMention(1e8, "number", start, end, original[start:end]), 1e8),)
        return ()
    if not has_digit and not run.startswith("十"):
        # 百人 (100 people) and 千亿元 (100 billion yuan, or "hundreds of billions") are counts; 千方百计,
        # 万众一心, 百年 ("a century"), 千家万户 are words.
        counted = run in ("百", "千", "万") and after.startswith(("人", "名", "余人", "多人"))
        if not counted and not (run.endswith("亿") and measure_after):
            return ()
    approximate = _approximate(run)
    if approximate is not None:
        # 三四个, 十五六个, 一万六七千: "three or four" — both values, neither one required.
        if not (measure_after or pre):
            return ()
        low, high = (_cn_value(variant) for variant in approximate)
        if low is None or high is None:
            return ()
        text = original[start:end]
        return _Raw(NumberMention(low, "approximate", start, end, text), 1.0), _Raw(
            NumberMention(high, "approximate", start, end, text), 1.0
        )
    if pure_digits and len(run) > 1:
        # 二〇二三 and 八零(后) are numeral tokens.
        if not ("〇" in run or "零" in run or (len(run) == 4 and after.startswith("年"))):
            return ()
    elif not pre and not measure_after and not _compound(run):
        return ()
    if run == "一" and not _first_of_the_calendar(before, after):
        # 一个/一项/一年 usually become "a"/"an"/"a year", 第一 "first", "initial", "top" or "leading";
        # 一道, 一流 are words, 前一日 "the day before".
        return ()
    if (run == "两" and after.startswith("人")) or (run == "二" and after.startswith("次")):
        return ()  # 两人 "the couple", "both", "they"; 二次 "secondary", "a second round"
    if run in ("零", "〇") and not after.startswith(("点", "时")):
        return ()  # 零部件 "parts", 零售 "retail"; 零点 is midnight
    value = _cn_value(run)
    if value is None:
        return ()
    value *= scale
    kind = _kind(value, after, pre, digits=len(run) if pure_digits else 0)
    if kind == "month" and "两" in run:
        kind = "number"  # 两月 is "two months" (一两月 "a month or two"); February is 二月
    value = value % 100 if kind == "decade" else value
    if after.startswith(("年半", "个半")):
        value += 0.5  # 两年半: two and a half years
    if kind == "number" and _TENTHS.match(after):
        value, kind = value * 10, _tenths_kind(after)
    factor = scale if scale > 1 else 1e8 if run.endswith("亿") else 1e4 if run.endswith("万") else 1.0
    return (_Raw(NumberMention(value, kind, start, end, original[start:end]), factor),)


# Units of length and weight after a number, by their symbol in ``UNIT_SCALES``.
_UNIT_WORDS = {
    "公斤": "kg", "千克": "kg", "kg": "kg", "斤": "jin", "磅": "lb", "厘米": "cm", "cm": "cm", "毫米": "mm",
    "mm": "mm", "公里": "km", "千米": "km", "km": "km", "米": "m", "英尺": "ft", "英寸": "in", "英里": "mi",
    "里": "li",
}
_UNIT_AFTER = re.compile(
    rf"[{_SPACES}]*[多余]?(?P<unit>{'|'.join(sorted(_UNIT_WORDS, key=len, reverse=True))})(?![A-Za-z])"
)


def _with_unit(mention: NumberMention, normal: str) -> NumberMention:
    unit = _UNIT_AFTER.match(normal, mention.end)
    if unit is None or mention.kind != "number":
        return mention
    return replace(mention, unit=_UNIT_WORDS[unit.group("unit")])


def _compound(run: str) -> bool:
    """三百, 两千, 一万, 三十亿: a digit times 百/千/万/亿 is a number even without a measure word after it
    (十 alone is not: 十二五 is a plan's name)."""
    return any(char in _CN_DIGITS for char in run) and any(char in "百千万亿" for char in run)


def _first_of_the_calendar(before: str, after: str) -> bool:
    """一月 (January) after a year or before a day, 一日/一号 (the 1st) after a month."""
    if after.startswith("月"):
        return before.endswith("年") or bool(re.match(rf"月份|月[\d{_CN_ALL}]+[日号]", after))
    return after.startswith(("日", "号")) and before.endswith("月")


def _half_hours(normal: str, original: str, found: list[_Raw]) -> list[_Raw]:
    """四点半 is 4:30: the 半 after an hour is thirty minutes."""
    halves = []
    for raw in found:
        end = raw.mention.end
        if normal.startswith("点半", end) or normal.startswith("时半", end):
            half = NumberMention(30.0, "number", end + 1, end + 2, original[end + 1 : end + 2])
            halves.append(_Raw(half, 1))
    return sorted(found + halves, key=lambda raw: raw.mention.start)


# The clause a number sits in: text since the last clause break.
_CLAUSE_BREAK = re.compile(r"[，。；：！？,;:!?（）()“”\"\n]")


def _counts_of_lists(mentions: list[NumberMention], normal: str) -> list[NumberMention]:
    """江苏、浙江、辽宁3省 and 安山和安闾两个工业区 count the items just listed; a translation that lists them
    ("Jiangsu, Zhejiang and Liaoning provinces") keeps the count implicitly. Such a count may match a
    number of the target but is never required."""
    result = []
    for mention in mentions:
        clause = _CLAUSE_BREAK.split(normal[: mention.start])[-1]
        items = clause.count("、") + 1 + (1 if re.search(r"[和及与]", clause) else 0)
        # Only lists of names: "12个项目和2个基地" counts things, not the items listed before it.
        listed_names = not re.search(rf"[\d{_CN_ALL}]", clause)
        if mention.kind == "number" and items >= 2 and mention.value == items and listed_names:
            mention = replace(mention, kind="approximate")
        result.append(mention)
    return result


def _after(normal: str, end: int) -> tuple[str, int]:
    """The text after a number with spaces skipped, and the mention's end (past a % sign)."""
    rest = normal[end:]
    after = rest.lstrip(_SPACES)
    if after.startswith("%"):
        end += len(rest) - len(after) + 1
    return after, end


def _approximate(run: str) -> tuple[str, str] | None:
    """Two neighbouring digits in ascending order (三四, 六七) make a run approximate in a compound number
    or a short one; in a four-digit year (二〇二三) they are just digits. Returns the two readings
    (五六百 → 五百, 六百; 一万六七千 → 一万六千, 一万七千)."""
    if not (len(run) <= 3 or any(char in "十百千万亿" for char in run)):
        return None
    order = "一二三四五六七八九"
    for index, (a, b) in enumerate(pairwise(run)):
        if a in order and b in order and order.index(b) == order.index(a) + 1:
            return run[:index] + a + run[index + 2 :], run[:index] + b + run[index + 2 :]
    return None


def _join_ranges(found: list[_Raw], normal: str) -> list[NumberMention]:
    mentions = [raw.mention for raw in found]
    for index in range(len(found) - 1):
        first, second = found[index], found[index + 1]
        if not re.fullmatch(_RANGE_JOINER, normal[first.mention.end : second.mention.start]):
            continue
        value, kind = first.mention.value, first.mention.kind
        if first.factor == 1 and second.factor > 1 and value * second.factor <= second.mention.value:
            value *= second.factor  # 12至14万 = 120,000 to 140,000
        if kind == "number" and second.mention.kind != "number":
            kind = _kind(value, _SUFFIX_OF_KIND.get(second.mention.kind, ""), "", digits=len(str(int(value))))
        mentions[index] = replace(first.mention, value=value, kind=kind)
    return mentions


# What a range's first number would have been followed by to get the second one's kind.
_SUFFIX_OF_KIND = {"percent": "%", "year": "年", "month": "月", "day": "日", "decade": "年代"}


def _cn_value(run: str) -> float | None:
    if run[0] in "百千万亿":
        run = "一" + run  # 百亿 = 一百亿
    try:
        return float(cn2an.cn2an(run, "normal"))
    except (ValueError, KeyError, IndexError):
        return None


def _measure_after(after: str) -> bool:
    tail = _RANGE_TAIL.match(after)
    rest = after[tail.end() :] if tail else after
    rest = rest.lstrip(_APPROX_AFTER).lstrip(_SPACES)
    return rest.startswith(_MEASURES)


def _kind(value: float, after: str, pre: str, *, digits: int) -> str:
    """``digits``: how many digits the number was written with when it was a plain digit string."""
    if pre == "百分之" or after.startswith(("%", "个百分点", "百分点")):
        return "percent"
    if pre == "第":
        return "ordinal"
    integer = value == int(value)
    if integer and (after.startswith("年代") or (after.startswith("后") and digits == 2)):
        return "decade"  # 90年代, 1990年代, 90后 ("post-90s"): compared by the decade's two digits
    if after.startswith("年") and integer and digits == 4 and value >= 1000:
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
