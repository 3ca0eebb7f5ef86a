"""The data page of a Chinese ordinary passport (TD3, 125 × 88 mm): the
visual zone in Chinese and English, and the two 44-character machine
readable lines with their ICAO 9303 check digits."""
from __future__ import annotations

import datetime as dt
import random

from bench.synth import corpus
from bench.synth.documents.card import Canvas, DocumentSample, font, guilloche, mono_font, portrait, rgb
from bench.synth.documents.idcard import citizen
from bench.synth.truth import Distortion
from ocr_core.checks.mrz import mrz_check_digit

PAGE_MM = (125.0, 88.0)
PAGE_WIDTH = 1250
SCALE = PAGE_WIDTH / PAGE_MM[0]
PAGE_HEIGHT = round(PAGE_MM[1] * SCALE)
MRZ_LENGTH = 44
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
PROVINCES = (
    ("北京", "BEIJING"), ("天津", "TIANJIN"), ("河北", "HEBEI"), ("山西", "SHANXI"), ("内蒙古", "NEI MONGOL"),
    ("辽宁", "LIAONING"), ("吉林", "JILIN"), ("黑龙江", "HEILONGJIANG"), ("上海", "SHANGHAI"), ("江苏", "JIANGSU"),
    ("浙江", "ZHEJIANG"), ("安徽", "ANHUI"), ("福建", "FUJIAN"), ("江西", "JIANGXI"), ("山东", "SHANDONG"),
    ("河南", "HENAN"), ("湖北", "HUBEI"), ("湖南", "HUNAN"), ("广东", "GUANGDONG"), ("广西", "GUANGXI"),
    ("海南", "HAINAN"), ("重庆", "CHONGQING"), ("四川", "SICHUAN"), ("贵州", "GUIZHOU"), ("云南", "YUNNAN"),
    ("西藏", "XIZANG"), ("陕西", "SHAANXI"), ("甘肃", "GANSU"), ("青海", "QINGHAI"), ("宁夏", "NINGXIA"),
    ("新疆", "XINJIANG"),
)
# The office named on the page changed when the National Immigration Administration was founded.
NIA_FOUNDED = dt.date(2018, 4, 2)


def mrz_lines(*, doc_type: str, country: str, surname: str, given: str, number: str, nationality: str,
              birth: dt.date, sex: str, expiry: dt.date, personal: str) -> tuple[str, str]:
    """The two TD3 lines of 44 characters."""
    names = f"{surname}<<{given}".replace(" ", "<")
    line0 = f"{doc_type:<<2}{country}{names}"[:MRZ_LENGTH].ljust(MRZ_LENGTH, "<")
    num = number.ljust(9, "<")
    personal = personal.ljust(14, "<")
    body = (f"{num}{mrz_check_digit(num)}{nationality}{birth:%y%m%d}{mrz_check_digit(f'{birth:%y%m%d}')}{sex}"
            f"{expiry:%y%m%d}{mrz_check_digit(f'{expiry:%y%m%d}')}{personal}{mrz_check_digit(personal)}")
    composite = body[0:10] + body[13:20] + body[21:43]
    line1 = body + mrz_check_digit(composite)
    assert len(line0) == len(line1) == MRZ_LENGTH   # noqa: S101 - a construction invariant
    return line0, line1


def viz_date(d: dt.date) -> str:
    """E.g. 30 OCT 1986, as the visual zone prints dates."""
    return f"{d.day:02d} {MONTHS[d.month - 1]} {d.year}"


def _passport_number(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return "E" + "".join(rng.choice("0123456789") for _ in range(8))
    return "E" + rng.choice("ABCDEFGHJKLMN") + "".join(rng.choice("0123456789") for _ in range(7))


def _personal_number(rng: random.Random) -> str:
    """The optional data: 13 letters and a digit, like the reference's MNPELOLIOKLPA9."""
    letters = "".join(rng.choice("ABCDEFGHIJKLMNOP") for _ in range(13))
    return letters + mrz_check_digit(letters)


def passport(seed: int, *, distortion: Distortion | None = None) -> DocumentSample:
    """A passport data page from its seed alone."""
    person = citizen(random.Random(seed))
    rng = random.Random(f"passport-{seed}")
    surname = corpus.SURNAMES[person.name[0]].upper()
    given = "".join(corpus.GIVEN_CHARS[ch] for ch in person.name[1:]).upper()
    birth_place = rng.choice(PROVINCES)
    issue_place = birth_place if rng.random() < 0.7 else rng.choice(PROVINCES)
    born16 = dt.date(person.birth.year + 16, 1, 1)
    issued = corpus.date(rng, max(2012, min(born16.year - 10, 2024)), 2024)
    years = 5 if (issued - person.birth).days < 16 * 365.25 else 10
    expiry = _add_years(issued, years) - dt.timedelta(days=1)
    number = _passport_number(rng)
    personal = _personal_number(rng)
    sex = "F" if person.female else "M"
    line0, line1 = mrz_lines(doc_type="PO", country="CHN", surname=surname, given=given, number=number,
                             nationality="CHN", birth=person.birth, sex=sex, expiry=expiry, personal=personal)
    authority = "国家移民管理局" if issued >= NIA_FOUNDED else "公安部出入境管理局"

    mm = lambda v: v * SCALE                               # noqa: E731
    jitter = lambda v, a=0.8: mm(v + rng.uniform(-a, a))  # noqa: E731
    base = rgb((238, 236, 228), rng, 5)
    canvas = Canvas(PAGE_WIDTH, PAGE_HEIGHT, guilloche(
        PAGE_WIDTH, PAGE_HEIGHT, rng, base, (rgb((222, 200, 205), rng, 8), rgb((200, 220, 230), rng, 8)), 0.22))
    ink = rgb((20, 20, 26), rng, 8)
    label_colour = rgb((70, 70, 80), rng, 10)
    head = font(mm(3.4), bold=True)
    canvas.text(jitter(8.0), jitter(9.0, 0.4), "中华人民共和国", head, ink, spacing=mm(0.8))
    canvas.text(jitter(8.0), jitter(14.0, 0.4), "PEOPLE'S REPUBLIC OF CHINA", font(mm(2.6)), ink)
    canvas.text(jitter(92.0, 1.0), jitter(11.5, 0.4), "护照 PASSPORT", font(mm(3.2), bold=True), ink)

    face = portrait(canvas, (round(jitter(7.0, 0.6)), round(jitter(20.0, 0.8)),
                             round(mm(7.0 + 32.0)), round(mm(20.0 + 42.0))), rng, background=(242, 242, 240))
    canvas.mark("face", face)

    label = font(mm(rng.uniform(1.9, 2.2)))
    value = font(mm(rng.uniform(2.9, 3.2)), bold=rng.random() < 0.5)
    latin = font(mm(rng.uniform(2.9, 3.2)))
    col = [jitter(44.0, 0.8), jitter(68.0, 0.8), jitter(90.0, 0.8)]
    row = jitter(21.0, 0.6)
    step = jitter(6.7, 0.2)
    gap = mm(rng.uniform(3.3, 3.7))                      # label baseline to value baseline

    def cell(x: float, y: float, caption: str, text: str, field: str | None, fnt=value) -> float:
        canvas.text(x, y, caption, label, label_colour)
        return canvas.text(x, y + gap, text, fnt, ink, field=field)[2]

    cell(col[0], row, "类型/Type", "P", None, latin)
    cell(col[1], row, "国家码/Country Code", "CHN", "country", latin)
    cell(col[2], row, "护照号/Passport No.", number, "passport_no", latin)
    row += step
    end = cell(col[0], row, "姓名/Name", person.name, "name_cn")
    canvas.text(end + mm(rng.uniform(3.0, 5.0)), row + gap, f"{surname}, {given}", latin, ink, field="name")
    row += step
    cell(col[0], row, "性别/Sex", f"{person.sex}/{sex}", "sex")
    cell(col[1] - mm(6), row, "国籍/Nationality", "中国/CHINESE", "src_country")
    cell(col[2], row, "出生日期/Date of birth", viz_date(person.birth), "birth_date", latin)
    row += step
    cell(col[0], row, "出生地点/Place of birth", f"{birth_place[0]}/{birth_place[1]}", "birth_place")
    cell(col[2], row, "签发日期/Date of issue", viz_date(issued), "issue_date", latin)
    row += step
    cell(col[0], row, "签发地点/Place of issue", f"{issue_place[0]}/{issue_place[1]}", "issue_place")
    cell(col[2], row, "有效期至/Date of expiry", viz_date(expiry), "expiry_date", latin)
    row += step
    cell(col[0], row, "签发机关/Authority", authority, "authority")

    mrz = mono_font(round(mm(2.54) / 0.602))            # 10 characters per inch, as ICAO 9303 sets
    mrz_x = jitter(6.0, 0.6)
    mrz_row = jitter(77.0, 0.4)
    canvas.text(mrz_x, mrz_row, line0, mrz, ink, field="line0")
    canvas.text(mrz_x, mrz_row + mm(rng.uniform(5.6, 6.2)), line1, mrz, ink, field="line1")

    fields = {
        "type": line0[:2], "country": "CHN", "src_country": "CHN", "passport_no": number,
        "name": f"{surname}.{given}", "name_cn": person.name, "sex": sex,
        "birth_date": f"{person.birth:%Y%m%d}", "birth_day": f"{person.birth:%y%m%d}",
        "birth_place": birth_place[0], "issue_date": f"{issued:%Y%m%d}", "issue_place": issue_place[0],
        "expiry_date": f"{expiry:%Y%m%d}", "expiry_day": f"{expiry:%y%m%d}", "authority": authority,
        "person_id": personal, "line0": line0, "line1": line1,
    }
    return canvas.finish("passport", fields, distortion, seed)


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:   # 29 February
        return d.replace(year=d.year + years, day=28)
