"""Contact details read by what a line says rather than by a label: phone numbers (mobile or
landline, fax left out), e-mail addresses, postal addresses, company names, departments,
job titles and personal names, as printed on business cards that have no fixed layout."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ocr_core.engines.base import TextLine

CJK = r"\u4e00-\u9fff"
# A run of digits as phones are printed: 138 1234 5678, 0571-85212345, +86 13812345678, (0571)85212345.
_NUMBER = re.compile(r"\+?\(?\d[\d\s\-()（）]{5,}\d")
MOBILE = re.compile(r"1[3-9]\d{9}")
# Area code (010, 0571, ...) and a 7 or 8 digit number; 400/800 service numbers.
LANDLINE = re.compile(r"0[1-9]\d{1,2}\d{7,8}|[48]00\d{7}")
_FAX_LABEL = re.compile(r"传真|fax|(?:^|[^a-z])f\s*[:：.]?\s*$", re.IGNORECASE)
EMAIL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_MAIL_LABEL = re.compile(r"^(?:e-?mail|mail)[:：]?", re.IGNORECASE)
_IGNORED = re.compile(r"www\.|https?:|网址|邮编|邮政编码|web\s*[:：]|QQ|微信", re.IGNORECASE)
_ADDRESS_LABEL = re.compile(r"^(?:地址|通讯地址|公司地址|办公地址|add(?:ress|r)?\.?)\s*[:：]?\s*", re.IGNORECASE)
# The rest of a wrapped address: building, floor, room (A座1205室).
_ADDRESS_TAIL = re.compile(rf"(?=.*(?:号|楼|室|座|层|栋|幢|单元|大厦|广场|园))[{CJK}0-9A-Za-z\-#()（）]+")
ADDRESS_WORDS = re.compile(r"省|市|区|县|镇|乡|村|路|街|道|巷|号|楼|室|座|层|大厦|广场|园")
COMPANY = re.compile(r"公司|集团|控股|有限|股份|银行|事务所|研究院|Co\.|Ltd|Inc\.|Corporation|Group", re.IGNORECASE)
DEPARTMENT = re.compile(rf"[{CJK}]+(?:事业部|部|中心|办公室|事业群)$")
# Job titles: a role word, often after a qualifier (销售经理, 高级工程师, 副总经理, 首席执行官).
TITLE = re.compile(
    r"(?:(?:高级|资深|首席|常务|执行|副|总|区域|销售|市场|技术|项目|客户|财务|设计|行政|人事|运营|产品|研发|"
    r"业务|部门|工程|商务|采购|质量|生产)*"
    r"(?:总经理|经理|总监|工程师|主任|总裁|董事长|董事|主管|执行官|设计师|顾问|专员|助理|秘书|会计师|律师|"
    r"合伙人|代表|院长|所长|厂长|店长|教授|主席))|(?<![A-Za-z])(?:CEO|CTO|CFO|COO|CMO|VP)(?![A-Za-z])")
# A name in Latin letters as an English-first card prints it: two or three words, each
# capitalised or in capitals (Xiaodong Li, LI Xiaodong, Mary-Ann Chen).
LATIN_NAME = re.compile(r"[A-Z][A-Za-z'\-]+(?: [A-Z][A-Za-z'\-]+){1,2}")
# A title in Latin letters: one to four words of letters, none of them a number or an address.
_LATIN_TITLE = re.compile(r"[A-Za-z][A-Za-z&'\-]*(?: [A-Za-z&][A-Za-z&'\-]*){0,3}")
# A title or a department in Chinese without a role word this module knows: a few
# characters, no digit, no punctuation.
_CJK_TITLE = re.compile(f"[{CJK}]{{2,10}}")
# Where a card prints a small icon instead of a label (a dot, a square, a phone), OCR reads a
# symbol before the value.
_ICON = re.compile(r"^[^\w(（+]+")
# Pieces of one line set apart: "市场部 | 经理", "张伟  销售经理".
_SEPARATOR = re.compile(rf"\s*[|｜/]\s*|(?<=[{CJK}])\s+(?=[{CJK}])")
# The commonest surnames (about 90 % of the population): a 2-4 character line that starts
# with one of them is a name rather than a slogan or a brand.
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康"
    "施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成"
    "苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费"
    "卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")


# Name candidates in type at least this share of the largest one's size are the name's
# rivals; a title stands in type at most this share of the name's.
_NAME_SIZE = 0.75
_TITLE_SIZE = 0.85
_TITLE_PROB = 0.8


@dataclass(frozen=True)
class ContactItem:
    """One value found on a line: which field it belongs to, its text, and the line's index."""

    kind: str      # company, department, title, tel_cell, tel_work, addr, email, name
    text: str
    line: int


def phone_numbers(text: str) -> list[tuple[str, str]]:
    """The phone numbers of a line as (tel_cell | tel_work, digits), in order. A number whose
    label says fax (传真, Fax, F:) is left out; postcodes and other digit runs are not phones."""
    found, start = [], 0
    for match in _NUMBER.finditer(text):
        label, start = text[start:match.start()], match.end()
        if _FAX_LABEL.search(label):
            continue
        digits = re.sub(r"\D", "", match.group(0))
        if len(digits) == 13 and digits.startswith("86"):
            digits = digits[2:]  # +86 country code
        if MOBILE.fullmatch(digits):
            found.append(("tel_cell", digits))
        elif LANDLINE.fullmatch(digits):
            found.append(("tel_work", digits))
    return found


def emails(text: str) -> list[str]:
    """The e-mail addresses of a line, without an `Email` label OCR ran into the address. In
    an address otherwise in lower case a capital I is the l it looks like in sans-serif type."""
    found = [_MAIL_LABEL.sub("", m.group(0)) or m.group(0) for m in EMAIL.finditer(text.replace(" ", ""))]
    return [mail.replace("I", "l") if not re.search("[A-HJ-Z]", mail) else mail for mail in found]


def segments(text: str) -> list[str]:
    """A line cut where the card sets things apart (a bar, a gap between Chinese words); a name
    spaced out letter by letter (张 伟) stays whole."""
    parts = [p for p in _SEPARATOR.split(text.strip()) if p]
    if len(parts) > 1 and all(len(p) == 1 for p in parts):
        return ["".join(parts)]
    return parts


def classify_segment(text: str) -> list[tuple[str, str]]:
    """What one piece of a line is: [(field, value)], empty when it is none of the card's
    fields (a pinyin name, a web address, a postcode)."""
    text = _ICON.sub("", text.strip())
    compact = "".join(text.split())
    if not compact or _IGNORED.search(text):
        return []
    label = _ADDRESS_LABEL.match(compact)
    if label and len(compact) > label.end():
        return [("addr", compact[label.end():])]
    if COMPANY.search(compact):
        return [("company", compact if re.search(f"[{CJK}]", compact) else " ".join(text.split()))]
    if DEPARTMENT.fullmatch(compact):
        return [("department", compact)]
    title = TITLE.search(compact)
    if title:
        rest = (compact[:title.start()] + compact[title.end():]).strip()
        # What stands beside the title on its line: the name, or the department.
        return [("title", title.group(0))] + (classify_segment(rest) if rest else [])
    cjk = len(re.findall(f"[{CJK}]", compact))
    if cjk >= 6 and len(ADDRESS_WORDS.findall(compact)) >= 2 and re.search(r"\d", compact):
        return [("addr", compact)]
    if re.fullmatch(f"[{CJK}·]{{2,4}}", compact):
        return [("name", compact)]
    return []


def classify_lines(lines: list[TextLine]) -> list[ContactItem]:
    """Every value on the card's lines, in reading order. Phones and e-mails are found
    anywhere on a line (a row may hold a phone and a fax); any other line is one value, or
    a few set apart on it. Names are candidates here: `pick_name` chooses one."""
    items = _spaced_names(lines)
    for index, line in enumerate(lines):
        latin = " ".join(_ICON.sub("", line.text.strip()).split())
        if LATIN_NAME.fullmatch(latin):
            # A candidate only: a pinyin line under a Chinese name is smaller than the name.
            items.append(ContactItem("name", latin, index))
            continue
        phones, mails = phone_numbers(line.text), emails(line.text)
        if phones or mails:
            items += [ContactItem(kind, value, index) for kind, value in phones]
            items += [ContactItem("email", value, index) for value in mails]
            continue
        for part in segments(line.text):
            items += [ContactItem(kind, value, index) for kind, value in classify_segment(part)]
    return _join_wrapped_addresses(lines, items)


def _join_wrapped_addresses(lines: list[TextLine], items: list[ContactItem]) -> list[ContactItem]:
    """An address that wraps: the line right under an address, in the same type, that is the
    rest of one (科技大厦12层1205室, 1205室; no label, no province or city of its own) joins it."""
    by_line: dict[int, list[ContactItem]] = {}
    for item in items:
        by_line.setdefault(item.line, []).append(item)
    for index, line in enumerate(lines[:-1]):
        heads = [item for item in by_line.get(index, []) if item.kind == "addr"]
        below, rest = lines[index + 1], by_line.get(index + 1, [])
        text = "".join(below.text.split())
        if not heads or any(item.kind != "addr" for item in rest) or not _ADDRESS_TAIL.fullmatch(text):
            continue
        if _IGNORED.search(text) or re.search("省|市", text) or not _under(line, below):
            continue
        joined = ContactItem("addr", heads[-1].text + text, index)
        items = [joined if item is heads[-1] else item for item in items if item not in rest]
        by_line[index + 1] = [joined]   # a third row may continue it in turn
    return items


def _under(upper: TextLine, lower: TextLine) -> bool:
    """Whether `lower` is the next row of `upper`'s paragraph: type of the same size, a line's gap."""
    height = upper.quad.thickness
    gap = lower.quad.bounds()[1] - upper.quad.bounds()[3]
    return 0.7 < lower.quad.thickness / height < 1.4 and -0.2 * height < gap < 1.2 * height


def _spaced_names(lines: list[TextLine]) -> list[ContactItem]:
    """Names spaced out so wide (丁　婷) that the line finder left one character per line: runs
    of 2-4 lone characters side by side on one row, of one size, become a name candidate."""
    found, run = [], []
    for index, line in enumerate(lines + [TextLine("", lines[-1].quad, 0.0)] if lines else []):
        text = line.text.strip()
        lone = len(text) == 1 and re.fullmatch(f"[{CJK}]", text) is not None
        if lone and run and _beside(lines[run[-1]], line):
            run.append(index)
            continue
        if 2 <= len(run) <= 4:
            found.append(ContactItem("name", "".join(lines[i].text.strip() for i in run), run[0]))
        run = [index] if lone else []
    return found


def _beside(left: TextLine, right: TextLine) -> bool:
    """Whether `right` follows `left` on its row, in type of the same size, within three characters."""
    height = left.quad.thickness
    return (abs(right.quad.center[1] - left.quad.center[1]) < 0.3 * height
            and 0.8 < right.quad.thickness / height < 1.25
            and 0 <= right.quad.bounds()[0] - left.quad.bounds()[2] < 3 * height)


def pick_name(items: list[ContactItem], heights: list[float]) -> ContactItem | None:
    """The person's name among the candidates: a card sets the name in its largest type, so
    among the candidates in type nearly as large as the largest one, one in Chinese that
    starts with a common surname, then the largest."""
    names = [item for item in items if item.kind == "name"]
    if not names:
        return None
    largest = max(heights[item.line] for item in names)
    large = [item for item in names if heights[item.line] >= _NAME_SIZE * largest]
    return max(large, key=lambda item: (item.text[0] in SURNAMES, heights[item.line]))


def titles_by_place(lines: list[TextLine], items: list[ContactItem], name: ContactItem) -> list[ContactItem]:
    """Titles found by where they stand rather than by a role word: a line that is none of
    the card's other fields, in smaller type than the name, beside it on its row or on one of
    the two rows right under it, shaped as a title in the name's script (an English name's
    title is in English; under a Chinese name an English line is its pinyin)."""
    if name.line >= len(lines):
        return []
    used = {item.line for item in items if item.kind != "name"} | {name.line}
    head = lines[name.line].quad
    height = head.thickness
    left, top, right, bottom = head.bounds()
    beside = [i for i, line in enumerate(lines) if abs(line.quad.center[1] - head.center[1]) < 0.4 * height
              and (line.quad.bounds()[0] > right or line.quad.bounds()[2] < left)]
    below = sorted((i for i, line in enumerate(lines) if i not in beside
                    and 0 <= line.quad.bounds()[1] - bottom + 0.2 * height < 4 * height),
                   key=lambda i: lines[i].quad.bounds()[1])
    latin = LATIN_NAME.fullmatch(name.text) is not None
    found = []
    for index in beside + below[:2]:
        line = lines[index]
        # A title is read with confidence; a speck or a logo's edge under the name is not.
        if index in used or line.quad.thickness > _TITLE_SIZE * height or line.prob < _TITLE_PROB:
            continue
        text = " ".join(_ICON.sub("", line.text.strip()).split())
        if latin and _LATIN_TITLE.fullmatch(text) and not re.search("[@.]", text):
            found.append(ContactItem("title", text, index))
        elif not latin and _CJK_TITLE.fullmatch(text.replace(" ", "")):
            found.append(ContactItem("title", text.replace(" ", ""), index))
    return found
