"""The narrative's own numbers: changes it states ("较去年减少199.05万元，下降3.78%") and the
figures it states for subjects that the tables also print ("“三公”经费预算数为18.34万元")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cached_property

from pipeline.model import Block, StatedChange
from pipeline.recognise import templates

# Subject as written -> subject as recorded. Matched longest first; text is compared with
# white space removed, quotation marks kept.
SUBJECTS = {
    "公务用车购置及运行费": "公务用车购置及运行费",
    "公务用车购置及运行维护费": "公务用车购置及运行费",
    "公务用车运行维护费": "公务用车运行费",
    "公务车购置及运行费": "公务用车购置及运行费",
    "公务用车购置费": "公务用车购置费",
    "公务用车购置支出": "公务用车购置费",
    "公务用车购置预算支出": "公务用车购置费",
    "公务用车运行费": "公务用车运行费",
    "公务车用车运行费": "公务用车运行费",
    "因公出国（境）费": "因公出国（境）费",
    "因公出国(境)费": "因公出国（境）费",
    "公务接待费": "公务接待费",
    "“三公”经费": "“三公”经费",
    "\"三公\"经费": "“三公”经费",
    "三公经费": "“三公”经费",
    "机关运行经费": "机关运行经费",
    "会议费": "会议费",
    "委托业务费": "委托业务费",
    "培训费": "培训费",
    "一般公共预算拨款": "一般公共预算拨款",
    "一般公共预算当年拨款": "一般公共预算拨款",
    "政府性基金拨款": "政府性基金拨款",
    "政府性基金预算拨款": "政府性基金拨款",
    "国有资本经营预算拨款": "国有资本经营预算拨款",
    "财政拨款收入": "财政拨款收入",
    "一般公共预算收入": "一般公共预算收入",
    "一般公共预算财政拨款收入": "一般公共预算拨款",
    "政府性基金预算财政拨款收入": "政府性基金拨款",
    "财政专户管理资金": "财政专户管理资金",
    "财政拨款支出": "财政拨款支出",
    "一般公共预算财政拨款支出": "一般公共预算支出",
    "一般公共预算拨款支出": "一般公共预算支出",
    "一般公共预算支出": "一般公共预算支出",
    "政府性基金预算财政拨款支出": "政府性基金预算支出",
    "政府性基金预算支出": "政府性基金预算支出",
    "基本支出": "基本支出",
    "单位预留机动经费": "单位预留机动经费",
    "项目支出": "项目支出",
    "收入": "收入",
    "支出": "支出",
    # 收入、支出预算总计…各减少: one change stated for both
    "收入、支出预算总计": "收入、支出",
    "收入支出总计": "收入、支出",
    "收入支出预算总计": "收入、支出",
    "收支总计": "收入、支出",
    "收支预算总计": "收入、支出",
    "收、支预算总计": "收入、支出",
    "收、支总计": "收入、支出",
    "财政拨款收、支总计": "财政拨款收入、财政拨款支出",
    "财政拨款收支总计": "财政拨款收入、财政拨款支出",
    "财政拨款收入支出总计": "财政拨款收入、财政拨款支出",
    "政府采购": "政府采购",
}
# 政府采购 by 品目大类 of the national catalogue: 政府采购货物(类), 拟采购货物, 货物类采购
SUBJECTS |= {written.format(category): f"政府采购{category}"
             for category in templates()["vocabulary"]["procurement_categories"]
             for written in ("政府采购{}类", "政府采购{}", "拟采购{}", "{}类采购")}
_SUBJECT = re.compile("|".join(re.escape(s) for s in sorted(SUBJECTS, key=len, reverse=True)))
_NAME = r"(?:[^，。“”（(]|[（(](?!类|款|项)[^）)，。]{1,4}[）)])"  # 政府办公厅（室）及…
_QUOTED_ITEM = re.compile(r"[“\"]([^”\"]{2,80}?（(?:类|款|项)）)[”\"]")
# a sentence that opens on a 类/款/项 line (（七）国有资本经营预算支出（类）…（项）支出 32,640
# 万元) or on a line named with its code (1.行政运行（2010501）2,542.46万元)
_LINE_ITEM = re.compile(r"(?:\d+[．.、](?!\d)|[（(][一二三四五六七八九十\d]+[)）]"
                        r"|[一二三四五六七八九十]+、)?(" + _NAME + r"{2,30}（(?:类|款)）"
                        r"(?:" + _NAME + r"{0,30}（(?:款|项)）)*(?:支出)?"
                        r"|" + _NAME + r"{2,30}[（(]\d{3,7}[）)])")  # or by its code
_CODE_FIRST = re.compile(r"(?<![\d.,])(?P<code>\d{7}|\d{5}|\d{3})(?![万元个人台辆年月日])"
                         r"(?P<name>[\u4e00-\u9fff]{2,20})(?=[，,。；;（(])")
_LINE_NAMED = re.compile(r"（(?:类|款|项)）")  # a paragraph about one 类/款/项 line
# a sentence that opens on its own line and figure: “6.年末结转和结余 7494.06 万元，…”
_HEADLINE = re.compile(r"\s*(?:\d+[．.、]|[（(][一二三四五六七八九十\d]+[)）])?\s*"
                       r"(?P<name>(?:(?![较比与])[\u4e00-\u9fff“”]){2,20}?)\s*(?:为|是)?\s*"
                       r"(?P<n>\d[\d,]*(?:\.\d+)?)\s*万元")
_CHANGE = re.compile(
    r"(?P<cmp>较|比|与)(?P<base>(?:[^，,。；;增减持（(]|(?<=\d),(?=\d{3})|[（(][^）)]{0,12}[）)])"
    r"{0,24}?)"
    r"(?:相比)?[，,]?(?P<named>" + _SUBJECT.pattern + r")?各?"
    r"(?P<dir>增加|减少|增长|下降|上升|变化(?=0(?:\.0+)?万元)|(?<!基本)持平|(?<!不)相同|(?<!不)一致|无变化|不变)"
    r"(?:(?P<chg>\d[\d,]*(?:\.\d+)?)万元|(?P<pct1>\d+(?:\.\d+)?)%)?"
    r"(?:[，,]?(?:增长|下降|上升|减少|降低|增幅|减幅|降幅|涨幅)了?(?:为)?(?P<pct>\d+(?:\.\d+)?)%)?"
)
_FIGURE = re.compile(r"(?P<subject>" + _SUBJECT.pattern + r")(?:\d{4}年度?)?"
                     r"(?:预算|决算|支出|收入|数|为|共计|共|合计|总计|总金额|总额|金额|资金|安排|财政拨款)*(?P<n>\d[\d,]*(?:\.\d+)?)万元")
_ANY_FIGURE = re.compile(r"(?P<n>\d[\d,]*(?:\.\d+)?)万元")
# the share a figure is of a named whole, right after it: “，占本年支出预算的25.59%”
_WHOLE_OF = re.compile(r"^(?:本年|全年|当年|年度|部门|单位|总)+")  # 占本年支出, 占总支出
_SHARE = re.compile(r"[，,]?约?占(?P<of>[^，,。；;%\d]{1,20}?)(?:的)?(?:比重|比例)?(?:为)?"
                    r"(?P<pct>\d+(?:\.\d+)?)%")
_BASE_FIGURE = re.compile(r"(?:执行数|决算数|上年|去年)[为是]?$")
_BASE_STATED = re.compile(r"(?:执行数|决算数)[为是](?P<n>\d[\d,]*(?:\.\d+)?)万元")
_DOWN = {"减少", "下降", "降低"}
_SAME = {"持平", "相同", "一致", "无变化", "不变"}  # 与上年预算数相同: a change of 0
_EARLIER = re.compile(r"\d{4}年|上年|去年|上一年|同期")
_SENTENCE_END = re.compile(r"[。；;]")
_GENERIC = {"收入", "支出"}
_ALL_FUNDS = {"收入", "支出", "基本支出", "项目支出", "财政拨款支出", "财政拨款收入",
              "一般公共预算支出", "政府性基金预算支出"}
# words that narrow such a subject to a part: a funds source, or a kind of spending
# (政府性基金预算财政拨款支出, “三公”经费财政拨款支出)
_FUNDS_SCOPE = re.compile(
    r"(?:财政拨款|一般公共预算|政府性基金(?:预算)?|国有资本经营预算|经费|[”\"])$")
_OTHER_FUNDS = re.compile(r"政府性基金|国有资本经营")
_BEFORE_GENERIC = set("门年度本的位")  # 部门收入, 2026年度收入, 本单位支出


@dataclass(frozen=True)
class StatedFigure:
    subject: str
    amount_wan: Decimal
    quote: str
    location: str
    share_of: str = ""  # the subject of “占本年支出的 25.59%”, recorded as SUBJECTS names it
    share_pct: Decimal | None = None
    budget: bool = False  # called 预算 (“支出预算为…”): in a 决算, the year's budget, not actuals


@dataclass(frozen=True)
class _Paragraph:
    block: Block
    text: str  # white space removed
    index: list[int]  # position of each kept character in block.text
    section: str  # the squashed text of the section before this paragraph
    previous: str = ""  # the squashed text of the paragraph before, in the same section
    places: tuple[tuple[int, str], ...] = ()  # (offset in block.text, where) of joined parts

    def where(self, at: int) -> str:
        """The place (page, line) of the character at `at` of the squashed text."""
        offset = self.index[at] if at < len(self.index) else len(self.block.text)
        return next((w for start, w in reversed(self.places) if start <= offset),
                    self.block.where)

    def quote(self, start: int, end: int) -> str:
        return self.block.text[self.index[start]:self.index[end - 1] + 1] if end > start else ""

    @cached_property
    def ends(self) -> list[int]:
        """Where the paragraph's sentences end; a 。 or ； inside brackets ends none."""
        return [m.end() for m in _SENTENCE_END.finditer(self.text)
                if not _inside(self.text, m.start())]

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        """The sentence around text[start:end]."""
        begin = max((e for e in self.ends if e <= start), default=0)
        return begin, min((e for e in self.ends if e > end), default=len(self.text))


# a line cut mid-sentence, or on the name of a budget line before its figure
_CUT_END = re.compile(r"(?:[\u4e00-\u9fff\d,，、]|（(?:类|款|项)）)$")
_LISTED = re.compile(  # a line that opens a new item: 1. | （一） | 一、
    r"^(?:\d+[.．、](?!\d)|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、)")


def _inside(text: str, at: int) -> bool:
    """text[at] stands inside brackets opened before it in its paragraph."""
    return text.count("（", 0, at) + text.count("(", 0, at) > \
        text.count("）", 0, at) + text.count(")", 0, at)


def _closed(text: str, start: int, at: int) -> bool:
    """text[start] stands inside brackets that close before `at`: an aside (（公务用车购置费
    0万元…）比上年减少…) whose subjects are not the sentence's."""
    depth = 0
    for ch in text[start:at]:
        depth += (ch in "（(") - (ch in "）)")
        if depth < 0:
            return True
    return False


def _joined(blocks: list[Block]) -> list[tuple[Block, tuple[tuple[int, str], ...]]]:
    """A paragraph cut mid-sentence, by a page break or a line the layout ended early
    (…；项目 | 支出 106,512.00 万元，占 26.3%。), joined with its rest; each part keeps its
    place."""
    out: list[tuple[Block, tuple[tuple[int, str], ...]]] = []
    for block in blocks:
        last, places = out[-1] if out else (None, ())
        if last is not None and block.kind == last.kind == "paragraph" and \
                _CUT_END.search(last.text.strip()) and not _LISTED.match(block.text.strip()):
            out[-1] = (replace(last, text=last.text + block.text),
                       (*places, (len(last.text), block.where)))
        else:
            out.append((block, ((0, block.where),)))
    return out


def paragraphs(blocks: list[Block]) -> Iterator[_Paragraph]:
    """The narrative's paragraphs, each with its section and the paragraph before."""
    section = previous = ""
    for block, places in _joined(blocks):
        if block.kind == "heading":
            section = previous = ""
        if block.kind != "paragraph":
            continue
        kept = [(i, ch) for i, ch in enumerate(block.text) if not ch.isspace()]
        text = "".join(ch for _, ch in kept)
        yield _Paragraph(block, text, [i for i, _ in kept], section, previous, places)
        section += text
        previous = text


def decimal_of(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _is_subject(text: str, start: int, subject: str) -> bool:
    """收入 / 支出 alone are subjects only where they are not the tail of another term; an
    all-funds subject narrowed by a funds word before it (财政拨款基本支出) is another figure."""
    if subject in _ALL_FUNDS and _FUNDS_SCOPE.search(text, 0, start) or \
            text.endswith("涉及", 0, start):  # 涉及一般公共预算支出 0 万元: the evaluated part
        return False
    if subject in _GENERIC:  # 没有使用政府性基金预算拨款安排的支出: that fund's, not the total
        opened = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
        if _OTHER_FUNDS.search(text, opened, start):
            return False
    return subject not in _GENERIC or start == 0 or text[start - 1] in _BEFORE_GENERIC \
        or text.endswith(("部门预算", "单位预算", "当年预算"), 0, start) \
        or bool(_SENTENCE_END.match(text[start - 1]))


def _subjects(text: str, start: int, end: int) -> list[re.Match[str]]:
    return [m for m in _SUBJECT.finditer(text, start, end)
            if _is_subject(text, m.start(), m.group())]


def figures(blocks: list[Block]) -> list[StatedFigure]:
    """Every 'subject … N万元' the narrative states, in order."""
    found = []
    for p in paragraphs(blocks):
        for match in _FIGURE.finditer(p.text):
            if _is_subject(p.text, match.start(), match.group("subject")):
                begin, stop = p.sentence(match.start(), match.end())
                if match.group("subject") in _GENERIC and _LINE_NAMED.search(p.text, 0,
                                                                              match.start()):
                    continue  # 1.其他支出（类）…（项）。本年支出…: that line's, not the total
                topic = _subjects(p.text, begin, match.start())
                if match.group("subject") in _GENERIC and any(
                        SUBJECTS[t.group()] not in _GENERIC for t in topic):
                    continue  # “三公”经费…预算为76.43万元，…支出决算为46.21万元: not the total
                if topic and SUBJECTS[topic[0].group()] == "机关运行经费" != \
                        SUBJECTS[match.group("subject")]:
                    continue  # 机关运行经费…其中会议费: its economic items, not the 会议费 table's
                share = _SHARE.match(p.text, match.end())
                of = _WHOLE_OF.sub("", share.group("of")) if share else ""
                whole = next(iter(_subjects(of, 0, len(of))), None)
                found.append(StatedFigure(SUBJECTS[match.group("subject")],
                                          decimal_of(match.group("n")), p.quote(begin, stop),
                                          p.where(match.start("n")),
                                          SUBJECTS[whole.group()] if whole and share else "",
                                          decimal_of(share.group("pct")) if whole and share
                                          else None,
                                          "预算" in p.text[match.end("subject"):match.start("n")]))
    return found


def stated_changes(doc_id: str, blocks: list[Block]) -> list[StatedChange]:
    """Each change the narrative states, with its subject, amount, signed change and percent."""
    changes: list[StatedChange] = []
    for p in paragraphs(blocks):
        stated_in: set[int] = set()  # sentences (by start) that state a change with a figure
        for match in _CHANGE.finditer(p.text):
            figured = any(match.group(g) for g in ("chg", "pct", "pct1"))
            begin, stop = p.sentence(match.start(), match.end())
            if not figured and (match.group("dir") not in _SAME or begin in stated_in):
                continue  # "有所减少", or "增加0万元，…与上年持平": no (other) stated change
            if not _EARLIER.search(match.group("base") or ""):
                continue  # "决算数与预算数持平" compares within the year, not with an earlier one
            if figured:
                stated_in.add(begin)
            subject = _subject_of(p, begin, match.start())
            named = match.group("named")  # 与上年相比，财政拨款支出增加…: named after 相比
            if named:
                subject = SUBJECTS[named], _stated_amount(p.section + p.text[:match.start()],
                                                          SUBJECTS[named])
            if subject is None:
                continue
            name, amount = subject
            clause = p.text[max(p.text.rfind("，", begin, match.start()), begin):match.start()]
            if "口径" in p.text[begin:stop] or "扣除" in clause:
                amount = None  # compared on a restated scope: the year's amount is not the base
            sign = Decimal(-1) if match.group("dir") in _DOWN else Decimal(1)
            change = None if match.group("chg") is None else sign * decimal_of(match.group("chg"))
            if match.group("dir") in _SAME:
                change = Decimal(0)
            pct_text = match.group("pct") or match.group("pct1")
            pct = None if pct_text is None else sign * Decimal(pct_text)
            base = _BASE_STATED.search(p.text, begin, match.start()) or \
                _ANY_FIGURE.search(match.group("base") or "")  # 比2025年年初预算数45557.68万元
            changes += [StatedChange(doc_id, one, amount, change, pct,
                                     _compared_to(match.group("base") or ""),
                                     p.quote(begin, stop), p.where(match.start()),
                                     decimal_of(base.group("n")) if base else None)
                        for one in name.split("、")]
    return changes


# a figure and the 其中 that breaks it down: “7,062.8万元，其中：…”
BREAKDOWN = re.compile(r"(?P<n>\d[\d,]*(?:\.\d+)?)万元[，,]?其中[：:，,]?")


def _subject_of(p: _Paragraph, begin: int, at: int) -> tuple[str, Decimal | None] | None:
    """The subject of a change at `at` and its stated amount: the last subject named in its
    sentence; else the 类/款/项 line the paragraph is about; else the topic (first subject)
    of the sentence before, in this paragraph or the one before (“…1.35万元。比上年持平”)."""
    found = [m for m in _subjects(p.text, begin, at) if not _closed(p.text, m.start(), at)]
    among = BREAKDOWN.search(p.text, begin, at)
    if among and _ANY_FIGURE.search(p.text, among.end(), at):
        whole = [m for m in found if m.start() < among.start()]  # X万元，其中：A…、B…，较上年
        if whole:  # the change is the total's, not its last part's
            return SUBJECTS[whole[-1].group()], decimal_of(among.group("n"))
    if found:
        subject = SUBJECTS[found[-1].group()]
        return subject, _stated_amount(p.section + p.text[:at], subject)
    own = _HEADLINE.match(p.text, begin, at)
    if own and not _item(p.text, begin, at):  # “6.年末结转和结余 7494.06 万元，…比…”
        return own.group("name"), decimal_of(own.group("n"))
    item = _item(p.text, 0, at) or (None if begin else _item(p.previous, 0, len(p.previous)))
    if item is not None:
        headline = _ANY_FIGURE.match(item.string, item.end())
        amount = decimal_of(headline.group("n")) if headline else _nearest_amount(p.text[begin:at])
        return item.group(1), amount
    coded = list(_CODE_FIRST.finditer(p.text, begin, at))
    if coded:  # 项级支出科目为2014099其他信访事务支出，…比…: a line named by its code first
        line = coded[-1]
        return f"{line.group('name')}（{line.group('code')}）", _nearest_amount(
            p.text[line.end():at])
    figure = _ANY_FIGURE.search(p.text, begin, at)
    if figure and _names_own(p.text[begin:figure.start()]):
        return None  # the sentence states its own figure for a subject not known: not guessed
    before = p.text[:begin] if begin else p.previous
    last = _SENTENCE_END.split(before.rstrip("。；;"))[-1] if before else ""
    topic = _subjects(last, 0, len(last))
    if not topic:
        return None
    subject = SUBJECTS[topic[0].group()]
    if figure:  # “2026年预算数98万元，较…增加”: the sentence's own figure is the amount
        return subject, decimal_of(figure.group("n"))
    return subject, _stated_amount(p.section + p.text[:at], subject)


_FILLER = re.compile(
    r"(?:预算|决算|数|为|是|财政拨款|安排|支出|收入|共计|合计|总额|金额|[，,：:])+$")
_WHEN = re.compile(r"(?:\d{4}年度?|本年度?|当年|今年|年初)$")


def _names_own(before: str) -> bool:
    """The words before a sentence's figure name a subject of their own (委托业务费财政拨款
    预算 1,391.68 万元), not only its year and kind (2026年预算数98万元)."""
    head = _FILLER.sub("", before)
    return bool(re.search(r"[\u4e00-\u9fff”]$", head)) and not _WHEN.search(head)


def _item(text: str, begin: int, at: int) -> re.Match[str] | None:
    """The 类/款/项 line named last in text[begin:at]: in quotes anywhere, or opening a
    sentence."""
    starts = [begin] + [m.end() for m in _SENTENCE_END.finditer(text, begin, at)]
    found = list(_QUOTED_ITEM.finditer(text, begin, at)) + [
        m for start in starts if (m := _LINE_ITEM.match(text, start, at))]
    return max(found, key=lambda m: m.start(), default=None)


def _stated_amount(before: str, subject: str) -> Decimal | None:
    """The last figure stated for the subject before the change, within its section."""
    last = None
    for match in _FIGURE.finditer(before):
        if SUBJECTS[match.group("subject")] == subject and \
                _is_subject(before, match.start(), match.group("subject")):
            last = decimal_of(match.group("n"))
    return last


def _nearest_amount(before: str) -> Decimal | None:
    """The figure closest before the change that is not the prior year's ("执行数为1.48万元")."""
    for match in reversed(list(_ANY_FIGURE.finditer(before))):
        if not _BASE_FIGURE.search(before[:match.start()]):
            return decimal_of(match.group("n"))
    return None


def _compared_to(base: str) -> str:
    """上年 (last year's budget), 上年执行数 / 上年决算数 (actuals), or the year named."""
    base = re.sub(r"[（(][^）)]*[）)]", "", base).replace("去年", "上年")
    year = re.search(r"\d{4}年", base)
    if "执行" in base or "决算" in base:
        return (year.group() if year else "上年") + ("执行数" if "执行" in base else "决算数")
    if year:
        return year.group() + ("预算" if "预算" in base else "")
    return "上年预算" if "预算" in base else "上年"
