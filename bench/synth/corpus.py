"""Realistic Chinese back-office text (addresses, companies, names, dates,
money, numbers with valid check digits, clauses), built from component lists."""
from __future__ import annotations

import datetime as dt
import math
import random
import re

from ocr_core.checks.credit_code import credit_code_check_char, organization_code_check_char
from ocr_core.checks.id_number import id_check_digit
from ocr_core.checks.vin import vin_check_digit

# --- places ----------------------------------------------------------------

# (province, city, short city name, telephone area code, ((district, GB/T 2260 code), ...)).
# Municipalities have no province: their addresses start with the city.
REGIONS: tuple[tuple[str, str, str, str, tuple[tuple[str, str], ...]], ...] = (
    ("", "北京市", "北京", "010", (("朝阳区", "110105"), ("海淀区", "110108"), ("东城区", "110101"), ("西城区", "110102"), ("丰台区", "110106"))),
    ("", "上海市", "上海", "021", (("浦东新区", "310115"), ("徐汇区", "310104"), ("静安区", "310106"), ("黄浦区", "310101"), ("闵行区", "310112"))),
    ("", "天津市", "天津", "022", (("和平区", "120101"), ("南开区", "120104"), ("河西区", "120103"))),
    ("", "重庆市", "重庆", "023", (("渝中区", "500103"), ("江北区", "500105"), ("南岸区", "500108"))),
    ("浙江省", "杭州市", "杭州", "0571", (("西湖区", "330106"), ("上城区", "330102"), ("拱墅区", "330105"), ("滨江区", "330108"), ("余杭区", "330110"))),
    ("浙江省", "宁波市", "宁波", "0574", (("海曙区", "330203"), ("江北区", "330205"))),
    ("江苏省", "南京市", "南京", "025", (("鼓楼区", "320106"), ("玄武区", "320102"), ("秦淮区", "320104"))),
    ("江苏省", "苏州市", "苏州", "0512", (("姑苏区", "320508"), ("吴中区", "320506"), ("相城区", "320507"))),
    ("广东省", "广州市", "广州", "020", (("天河区", "440106"), ("越秀区", "440104"), ("海珠区", "440105"), ("白云区", "440111"))),
    ("广东省", "深圳市", "深圳", "0755", (("南山区", "440305"), ("福田区", "440304"), ("罗湖区", "440303"), ("宝安区", "440306"))),
    ("四川省", "成都市", "成都", "028", (("武侯区", "510107"), ("锦江区", "510104"), ("青羊区", "510105"), ("金牛区", "510106"))),
    ("湖北省", "武汉市", "武汉", "027", (("洪山区", "420111"), ("江汉区", "420103"), ("武昌区", "420106"))),
    ("山东省", "济南市", "济南", "0531", (("历下区", "370102"), ("市中区", "370103"))),
    ("山东省", "青岛市", "青岛", "0532", (("市南区", "370202"), ("市北区", "370203"))),
    ("福建省", "厦门市", "厦门", "0592", (("思明区", "350203"), ("湖里区", "350206"))),
    ("福建省", "福州市", "福州", "0591", (("鼓楼区", "350102"), ("台江区", "350103"))),
    ("湖南省", "长沙市", "长沙", "0731", (("岳麓区", "430104"), ("天心区", "430103"))),
    ("陕西省", "西安市", "西安", "029", (("雁塔区", "610113"), ("碑林区", "610103"), ("未央区", "610112"))),
    ("河南省", "郑州市", "郑州", "0371", (("金水区", "410105"), ("二七区", "410103"), ("中原区", "410102"))),
    ("安徽省", "合肥市", "合肥", "0551", (("蜀山区", "340104"), ("包河区", "340111"), ("庐阳区", "340103"))),
    ("辽宁省", "沈阳市", "沈阳", "024", (("和平区", "210102"), ("沈河区", "210103"))),
    ("辽宁省", "大连市", "大连", "0411", (("中山区", "210202"), ("沙河口区", "210204"))),
    ("河北省", "石家庄市", "石家庄", "0311", (("长安区", "130102"), ("桥西区", "130104"))),
)

ROAD_NAMES = (
    "中山", "解放", "人民", "建设", "文三", "文一", "学院", "长江", "黄河", "新华", "和平", "光明",
    "东风", "胜利", "延安", "天目山", "科技", "工业", "滨江", "环城", "湖滨", "高新", "江南", "金融",
    "世纪", "友谊", "青年", "复兴", "朝阳", "南京", "北京", "上海", "广州", "花园", "创业", "城南",
)
ROAD_SUFFIXES = ("路", "路", "路", "街", "大道", "东路", "西路", "南路", "北路", "中路")
BUILDINGS = ("国际大厦", "金融大厦", "科技大厦", "世纪大厦", "中心大厦", "商务中心", "创业大厦", "广场", "科技园", "产业园")


def region(rng: random.Random) -> tuple[str, str, str, str, tuple[str, str]]:
    """(province, city, short city, area code, (district, district code))."""
    province, city, short, area, districts = rng.choice(REGIONS)
    return province, city, short, area, rng.choice(districts)


def road(rng: random.Random) -> str:
    return rng.choice(ROAD_NAMES) + rng.choice(ROAD_SUFFIXES)


def street_address(rng: random.Random) -> str:
    """The part after the district: road, number and, often, building and room."""
    number = f"{rng.randint(1, 999)}号"
    style = rng.random()
    if style < 0.3:
        floor = rng.randint(2, 28)
        tail = f"{rng.choice(BUILDINGS)}{floor}层{floor}{rng.randint(1, 20):02d}室"
    elif style < 0.55:
        tail = f"{rng.randint(1, 12)}幢{rng.randint(1, 18)}{rng.randint(1, 9):02d}室"
    elif style < 0.7:
        tail = f"{rng.randint(1, 20)}号楼{rng.randint(1, 4)}单元{rng.randint(1, 18)}{rng.randint(1, 4):02d}室"
    elif style < 0.8:
        tail = rng.choice("ABCD") + f"座{rng.randint(3, 25)}{rng.randint(1, 20):02d}室"
    else:
        tail = ""
    return road(rng) + number + tail


def address(rng: random.Random, *, province: bool | None = None) -> str:
    """A full postal address, e.g. 浙江省杭州市西湖区文三路90号科技大厦12层1205室."""
    prov, city, _, _, (district, _) = region(rng)
    with_province = rng.random() < 0.6 if province is None else province
    return (prov if with_province else "") + city + district + street_address(rng)


# --- companies -------------------------------------------------------------

BRANDS = (
    "华信", "瑞达", "恒通", "宏远", "金盛", "天成", "博远", "中科", "新锐", "永安", "嘉禾", "东方",
    "长城", "华夏", "信达", "明德", "德信", "正和", "同创", "联合", "优品", "智云", "云海", "星火",
    "蓝天", "绿洲", "安泰", "鼎盛", "海纳", "汇通", "众诚", "立达", "康华", "美达", "万通", "百川",
    "天宇", "光华", "宏图", "金桥", "银河", "卓越", "远航", "启明", "盛世", "和信", "普华", "中联",
)
INDUSTRIES = (
    "科技", "信息技术", "网络科技", "软件", "贸易", "实业", "电子", "建筑工程", "物流", "餐饮管理",
    "文化传媒", "医疗器械", "食品", "机械设备", "环保科技", "商贸", "投资管理", "企业管理咨询",
    "电子商务", "广告", "装饰工程", "家具", "服装", "进出口", "物业管理", "汽车服务",
)
COMPANY_SUFFIXES = ("有限公司", "有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司")


def company_name(rng: random.Random) -> str:
    """E.g. 杭州瑞达信息技术有限公司; sometimes a branch (…有限公司西湖分公司)."""
    _, _, short, _, (district, _) = region(rng)
    name = short + rng.choice(BRANDS) + rng.choice(INDUSTRIES) + rng.choice(COMPANY_SUFFIXES)
    if rng.random() < 0.08:
        name += district[:-1] + "分公司" if len(district) == 3 else "分公司"
    return name


BANKS = ("中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "交通银行", "招商银行", "中信银行", "兴业银行", "中国民生银行", "平安银行")


def bank_branch(rng: random.Random) -> str:
    """E.g. 中国工商银行杭州西湖支行."""
    _, _, short, _, (district, _) = region(rng)
    place = district[:-1] if len(district) == 3 else rng.choice(ROAD_NAMES)
    return rng.choice(BANKS) + short + place + "支行"


def bank_account(rng: random.Random) -> str:
    """A 16 or 19 digit account, grouped by four as printed on documents."""
    digits = "62" + "".join(rng.choice("0123456789") for _ in range(rng.choice((14, 17))))
    return " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))


# --- people ----------------------------------------------------------------

# Hanyu pinyin (no tones) so that e-mail addresses can match the person's name.
SURNAMES = {
    "王": "wang", "李": "li", "张": "zhang", "刘": "liu", "陈": "chen", "杨": "yang", "黄": "huang",
    "赵": "zhao", "吴": "wu", "周": "zhou", "徐": "xu", "孙": "sun", "马": "ma", "朱": "zhu", "胡": "hu",
    "郭": "guo", "何": "he", "高": "gao", "林": "lin", "罗": "luo", "郑": "zheng", "梁": "liang",
    "谢": "xie", "宋": "song", "唐": "tang", "许": "xu", "韩": "han", "冯": "feng", "邓": "deng",
    "曹": "cao", "彭": "peng", "曾": "zeng", "肖": "xiao", "田": "tian", "董": "dong", "袁": "yuan",
    "潘": "pan", "蒋": "jiang", "蔡": "cai", "余": "yu", "杜": "du", "叶": "ye", "程": "cheng",
    "苏": "su", "魏": "wei", "吕": "lv", "丁": "ding", "任": "ren", "沈": "shen", "姚": "yao",
    "卢": "lu", "姜": "jiang", "崔": "cui", "钟": "zhong", "谭": "tan", "陆": "lu", "汪": "wang",
    "范": "fan", "金": "jin", "石": "shi", "廖": "liao", "贾": "jia", "夏": "xia", "方": "fang",
    "白": "bai", "邹": "zou", "孟": "meng", "熊": "xiong", "秦": "qin", "邱": "qiu", "江": "jiang",
    "尹": "yin", "薛": "xue", "段": "duan", "雷": "lei", "侯": "hou", "龙": "long", "史": "shi",
    "陶": "tao", "贺": "he", "顾": "gu", "毛": "mao", "郝": "hao", "龚": "gong", "邵": "shao",
    "万": "wan", "钱": "qian", "严": "yan", "武": "wu", "戴": "dai", "孔": "kong", "汤": "tang",
}
GIVEN_CHARS = {
    "伟": "wei", "芳": "fang", "娜": "na", "敏": "min", "静": "jing", "丽": "li", "强": "qiang",
    "磊": "lei", "军": "jun", "洋": "yang", "勇": "yong", "艳": "yan", "杰": "jie", "娟": "juan",
    "涛": "tao", "明": "ming", "超": "chao", "秀": "xiu", "霞": "xia", "平": "ping", "刚": "gang",
    "英": "ying", "华": "hua", "玉": "yu", "萍": "ping", "红": "hong", "建": "jian", "文": "wen",
    "辉": "hui", "力": "li", "国": "guo", "峰": "feng", "宇": "yu", "浩": "hao", "鹏": "peng",
    "俊": "jun", "凯": "kai", "晨": "chen", "雪": "xue", "琳": "lin", "婷": "ting", "欣": "xin",
    "佳": "jia", "子": "zi", "涵": "han", "轩": "xuan", "博": "bo", "雨": "yu", "思": "si",
    "远": "yuan", "志": "zhi", "海": "hai", "燕": "yan", "晓": "xiao", "东": "dong", "丹": "dan",
    "成": "cheng", "斌": "bin", "亮": "liang", "健": "jian", "云": "yun", "春": "chun", "梅": "mei",
    "新": "xin", "彬": "bin", "飞": "fei", "宁": "ning", "兰": "lan", "慧": "hui", "嘉": "jia",
    "颖": "ying", "洁": "jie", "阳": "yang", "瑞": "rui", "然": "ran", "一": "yi", "天": "tian",
    "安": "an", "乐": "le", "永": "yong", "立": "li", "德": "de", "振": "zhen", "庆": "qing",
    "玲": "ling", "秋": "qiu", "冬": "dong", "鸣": "ming", "松": "song", "贵": "gui", "荣": "rong",
}
_SURNAME_LIST = tuple(SURNAMES)
_GIVEN_LIST = tuple(GIVEN_CHARS)


def person_name(rng: random.Random) -> str:
    """A common surname and a one or two character given name, e.g. 李晓东."""
    given = "".join(rng.choice(_GIVEN_LIST) for _ in range(1 if rng.random() < 0.35 else 2))
    return rng.choice(_SURNAME_LIST) + given


def pinyin(name: str) -> str:
    """Pinyin of a name made by `person_name`, e.g. 李晓东 -> li xiaodong."""
    return SURNAMES[name[0]] + " " + "".join(GIVEN_CHARS[c] for c in name[1:])


EMAIL_DOMAINS = ("163.com", "126.com", "sina.com", "foxmail.com", "example.com", "example.com.cn")


def email(rng: random.Random, name: str | None = None) -> str:
    """An address matching `name` when given, e.g. li.xiaodong@163.com."""
    surname, given = pinyin(name or person_name(rng)).split(" ")
    if rng.random() < 0.15:
        return f"{rng.randint(100000, 999999999)}@qq.com"
    local = rng.choice((f"{surname}.{given}", f"{given}.{surname}", f"{surname}{given}", f"{given[0]}{surname}"))
    if rng.random() < 0.3:
        local += str(rng.randint(1, 99))
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"


# --- dates -----------------------------------------------------------------

def date(rng: random.Random, start: int = 2015, end: int = 2024) -> dt.date:
    first = dt.date(start, 1, 1).toordinal()
    return dt.date.fromordinal(rng.randint(first, dt.date(end, 12, 31).toordinal()))


def date_cn(rng: random.Random, when: dt.date | None = None) -> str:
    """E.g. 2019年05月12日."""
    d = when or date(rng)
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


def date_iso(rng: random.Random, when: dt.date | None = None) -> str:
    """E.g. 2019-05-12."""
    return (when or date(rng)).isoformat()


# --- money -----------------------------------------------------------------

def amount(rng: random.Random, low: float = 10.0, high: float = 2_000_000.0) -> int:
    """An amount in cents, spread over orders of magnitude; often round, as prices are."""
    value = 10 ** rng.uniform(math.log10(low), math.log10(high))
    kind = rng.random()
    if kind < 0.3:
        step = 10 ** max(0, len(str(int(value))) - 2)  # two significant digits: 12000.00
        return int(value // step * step) * 100
    if kind < 0.55:
        return int(value) * 100
    return int(value * 100)


def money_figures(cents: int) -> str:
    """E.g. ¥12,345.60."""
    return f"¥{cents // 100:,}.{cents % 100:02d}"


_DIGITS_UPPER = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_GROUP_UNITS = ("", "万", "亿", "万亿")


def money_words(cents: int, prefix: str = "人民币") -> str:
    """The capitalised amount of cheques and invoices, e.g. 人民币壹万贰仟叁佰肆拾伍元陆角整.

    Follows 《支付结算办法》: one 零 for a run of zeros inside the number, 整 after
    元 or 角 when there are no 分, and 壹拾 (never a bare 拾) for the tens.
    """
    if cents < 0:
        raise ValueError("negative amount")
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    out = prefix
    if yuan:
        digits = str(yuan)
        pending_zero = False
        for i, ch in enumerate(digits):
            pos = len(digits) - 1 - i
            small, group = pos % 4, pos // 4
            if ch == "0":
                pending_zero = True
            else:
                if pending_zero:
                    out += "零"
                    pending_zero = False
                out += _DIGITS_UPPER[int(ch)] + _SMALL_UNITS[small]
            # A group unit is written when its group of four digits is not all zeros.
            if small == 0 and group and digits[max(0, i - 3): i + 1].strip("0"):
                out += _GROUP_UNITS[group]
        out += "元"
    if not jiao and not fen:
        return out + ("整" if yuan else "零元整")
    if jiao:
        out += _DIGITS_UPPER[jiao] + "角"
    elif yuan:
        out += "零"
    return out + (_DIGITS_UPPER[fen] + "分" if fen else "整")


# --- numbers ---------------------------------------------------------------

MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
                   "155", "156", "158", "159", "176", "177", "180", "181", "186", "187", "188", "189", "199")


def mobile(rng: random.Random) -> str:
    """E.g. 13812345678 or 138-1234-5678."""
    n = rng.choice(MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))
    return n if rng.random() < 0.75 else f"{n[:3]}-{n[3:7]}-{n[7:]}"


def landline(rng: random.Random, area: str | None = None) -> str:
    """E.g. 0571-85212345, with the area code of a real city."""
    area = area or region(rng)[3]
    return f"{area}-{rng.randint(2, 8)}{rng.randint(0, 9_999_999):07d}"


def phone(rng: random.Random) -> str:
    return mobile(rng) if rng.random() < 0.5 else landline(rng)


def id_number(rng: random.Random, *, birth: dt.date | None = None, female: bool | None = None,
              region_code: str | None = None) -> str:
    """An 18-character citizen ID number with a valid GB 11643 check character."""
    code = region_code or region(rng)[4][1]
    born = birth or date(rng, 1955, 2004)
    seq = rng.randint(0, 99) * 10 + rng.choice((0, 2, 4, 6, 8) if (female if female is not None else rng.random() < 0.5) else (1, 3, 5, 7, 9))
    first17 = f"{code}{born:%Y%m%d}{seq:03d}"
    return first17 + id_check_digit(first17)


def credit_code(rng: random.Random, region_code: str | None = None) -> str:
    """An 18-character unified social credit code of a company (91…), both check characters valid."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    first17 = "91" + (region_code or region(rng)[4][1]) + body + organization_code_check_char(body)
    return first17 + credit_code_check_char(first17)


def invoice_number(rng: random.Random) -> str:
    return f"{rng.randint(0, 99_999_999):08d}"


def invoice_code(rng: random.Random) -> str:
    return f"{rng.randint(1, 6)}{rng.randint(1000, 6599)}{rng.randint(15, 24)}{rng.randint(0, 9_9999):05d}"


def order_number(rng: random.Random) -> str:
    return rng.choice(("DD", "PO", "SO", "")) + date(rng).strftime("%Y%m%d") + f"{rng.randint(0, 999_999):06d}"


def contract_number(rng: random.Random) -> str:
    d = date(rng)
    return rng.choice((f"HT-{d.year}-{d.month:02d}{rng.randint(1, 99):02d}", f"HT{d:%Y%m%d}{rng.randint(1, 99):02d}",
                       f"CG-{d.year}-{rng.randint(1, 999):03d}"))


# --- business text ---------------------------------------------------------

BUSINESS_SCOPE = (
    "计算机软件开发", "技术咨询", "技术服务", "技术转让", "网络工程", "数据处理", "电子产品销售", "办公用品销售",
    "日用百货销售", "五金交电销售", "建筑材料销售", "企业管理咨询", "市场营销策划", "会议及展览服务",
    "广告设计、制作", "货物进出口", "技术进出口", "道路货物运输", "仓储服务（不含危险品）", "餐饮服务",
    "食品销售", "房屋租赁", "物业管理", "机械设备租赁", "服装批发", "文化艺术交流活动策划",
    "信息系统集成服务", "人工智能应用软件开发", "家用电器销售", "医疗器械销售", "汽车零配件销售",
    "环保设备销售", "室内装饰工程施工",
)


def business_scope(rng: random.Random, max_chars: int = 60) -> str:
    """经营范围 style: items separated by ；and ending with 。, within max_chars."""
    items = rng.sample(BUSINESS_SCOPE, len(BUSINESS_SCOPE))
    text = items[0]
    for item in items[1:]:
        if len(text) + 1 + len(item) + 1 > max_chars or rng.random() < 0.15:
            break
        text += "；" + item
    return text + "。"


TOPICS = ("年度审计", "办公用品采购", "设备维修", "安全检查", "系统升级", "员工培训", "年终考核", "合同续签",
          "项目验收", "资产盘点", "消防演练", "信息安全", "数据备份", "场地租赁", "物资采购", "财务报销")
FEES = ("货款", "房屋租金", "押金", "技术服务费", "培训费", "会务费", "物业管理费", "设备维修费")
TASKS = ("年度考核自评", "信息安全培训", "个人信息更新", "健康体检预约", "报销单据提交", "办公用品申领")
DEPARTMENTS = ("办公室", "财务部", "人事部", "行政部", "技术部", "市场部", "综合管理部", "采购部", "法务部")
_CN_NUMBERS = "一二三四五六七八九十"

# Clauses of contracts, notices and receipts. Slots are filled by `_fill`.
CLAUSES = (
    "甲方应于{date}前向乙方支付货款{money}。",
    "乙方应在收到货款后{n}个工作日内开具增值税专用发票。",
    "本合同自双方签字盖章之日起生效，有效期{years}年。",
    "本合同一式两份，甲乙双方各执一份，具有同等法律效力。",
    "如有疑问，请致电{phone}联系{name}。",
    "请各部门于{date}前将相关材料报送至{dept}。",
    "会议时间：{date}上午{hour}:00，地点：{room}会议室。",
    "因系统升级，{date}起暂停办理相关业务。",
    "经双方协商一致，就{topic}事宜达成如下协议：",
    "任何一方违反本合同约定的，应向对方支付违约金{money}。",
    "本通知自发布之日起施行，由{dept}负责解释。",
    "付款方式：银行转账，开户行：{bank}。",
    "如因不可抗力导致合同无法履行，双方互不承担责任。",
    "双方发生争议的，应协商解决；协商不成的，可向{city}仲裁委员会申请仲裁。",
    "今收到{company}交来{fee}{money}。",
    "兹证明{name}同志系我单位正式员工，特此证明。",
    "{name}于{date}参加本公司组织的{topic}培训，考核合格。",
    "请于{date}前携带身份证原件到{dept}办理。",
    "货物验收合格后，乙方应在{n}日内支付剩余款项。",
    "本报价有效期为{n}天，价格含税及运费。",
    "以上数据截至{date}，仅供内部参考。",
    "对检查中发现的问题，相关单位应于{n}日内完成整改。",
    "{cn}、乙方应保证所提供产品的质量符合国家标准。",
    "{cn}、甲方有权对乙方的工作进行监督和检查。",
    "{cn}、乙方不得将本合同项下的权利义务转让给第三方。",
    "根据公司工作安排，现将{topic}有关事项通知如下：",
    "请全体员工于{date}前完成{task}。",
    "本次活动报名截止时间为{date}，名额有限。",
    "我公司已于{date}将{money}汇入贵方账户，请查收。",
    "本月共完成订单{n}笔，销售额{money}，同比增长{pct}%。",
    "如需开具发票，请提供单位名称及纳税人识别号。",
    "办公地点临时调整至{address}。",
    "值班电话：{phone}，值班人：{name}。",
    "保修期自验收合格之日起计算，为期{n}个月。",
    "请妥善保管本收据，遗失不补。",
    "{company}定于{date}召开{topic}工作会议。",
    "现将{topic}的有关情况报告如下：",
    "联系人：{name}，电话：{phone}。",
    "本合同未尽事宜，由双方另行协商并签订补充协议。",
    "乙方应按照甲方要求按时交付货物，并承担运输费用。",
)

# Lines of the "label：value" kind found on forms, letters and receipts.
FIELDS = (
    "地址：{address}", "住所：{address}", "联系人：{name}", "电话：{phone}", "联系电话：{mobile}",
    "传真：{landline}", "日期：{date}", "签订日期：{date_cn}", "金额：{money}", "大写金额：{words}",
    "开户行：{bank}", "账号：{account}", "发票号码：{invoice}", "发票代码：{invoice_code}",
    "订单编号：{order}", "合同编号：{contract}", "统一社会信用代码：{credit}", "身份证号码：{id}",
    "法定代表人：{name}", "注册资本：{capital}万元人民币", "成立日期：{date_cn}", "经办人：{name}",
    "审核人：{name}", "收款单位：{company}", "付款单位：{company}", "甲方：{company}", "乙方：{company}",
    "营业期限：{date_cn}至{date_cn}", "经营范围：{scope}",
    "Tel: {landline}", "Fax: {landline}", "Email: {email}", "Mobile: +86 {mobile_plain}",
    "No. {invoice}", "Invoice No.: INV-{year}-{n5}", "Date: {date_iso}", "Web: www.example.com.cn",
)

TITLES = ("关于{topic}的通知", "{topic}协议", "{topic}情况说明", "收据", "证明", "会议纪要", "采购合同",
          "付款通知书", "{company}", "关于{topic}工作的报告")

_SLOT = re.compile(r"\{(\w+)\}")


def _slot(rng: random.Random, key: str, name: str) -> str:
    makers = {
        "date": lambda: date_cn(rng) if rng.random() < 0.7 else date_iso(rng),
        "date_cn": lambda: date_cn(rng),
        "date_iso": lambda: date_iso(rng),
        "money": lambda: money_figures(amount(rng, 500)) if rng.random() < 0.75 else money_words(amount(rng, 500)),
        "words": lambda: money_words(amount(rng, high=500_000)),
        "n": lambda: str(rng.choice((3, 5, 7, 10, 15, 30))),
        "years": lambda: str(rng.choice((1, 2, 3, 5))),
        "n5": lambda: f"{rng.randint(1, 99999):05d}",
        "year": lambda: str(rng.randint(2015, 2024)),
        "pct": lambda: f"{rng.uniform(1, 40):.1f}",
        "hour": lambda: str(rng.randint(8, 11)),
        "room": lambda: f"{rng.randint(1, 12)}{rng.randint(1, 20):02d}",
        "phone": lambda: phone(rng),
        "mobile": lambda: mobile(rng),
        "mobile_plain": lambda: mobile(rng).replace("-", ""),
        "landline": lambda: landline(rng),
        "name": lambda: name,
        "email": lambda: email(rng, name),
        "dept": lambda: rng.choice(DEPARTMENTS),
        "topic": lambda: rng.choice(TOPICS),
        "fee": lambda: rng.choice(FEES),
        "task": lambda: rng.choice(TASKS),
        "bank": lambda: bank_branch(rng),
        "account": lambda: bank_account(rng),
        "city": lambda: region(rng)[2],
        "company": lambda: company_name(rng),
        "address": lambda: address(rng),
        "cn": lambda: rng.choice(_CN_NUMBERS),
        "invoice": lambda: invoice_number(rng),
        "invoice_code": lambda: invoice_code(rng),
        "order": lambda: order_number(rng),
        "contract": lambda: contract_number(rng),
        "credit": lambda: credit_code(rng),
        "id": lambda: id_number(rng),
        "capital": lambda: str(rng.choice((10, 50, 100, 200, 300, 500, 1000, 5000))),
        "scope": lambda: business_scope(rng, 24),
    }
    return makers[key]()


def _fill(rng: random.Random, template: str) -> str:
    # One person per line, so that a name and its e-mail address agree.
    name = person_name(rng)
    return _SLOT.sub(lambda m: _slot(rng, m.group(1), name), template)


def clause(rng: random.Random) -> str:
    """One sentence of a contract, notice or receipt."""
    return _fill(rng, rng.choice(CLAUSES))


def field_line(rng: random.Random) -> str:
    """One "label：value" line of a form, e.g. 联系电话：13812345678."""
    return _fill(rng, rng.choice(FIELDS))


def title(rng: random.Random) -> str:
    return _fill(rng, rng.choice(TITLES))


def paragraph(rng: random.Random, sentences: int | None = None) -> str:
    """A few clauses run together, as a paragraph of a notice or contract."""
    if sentences is None and rng.random() < 0.1:
        return "经营范围：" + business_scope(rng, 90)
    count = sentences or rng.randint(2, 4)
    parts = [clause(rng) for _ in range(count)]
    # A clause ending with ：announces a list, so it only ends a paragraph.
    return "".join(p[:-1] + "。" if p.endswith("：") and i < count - 1 else p for i, p in enumerate(parts))


def random_line(rng: random.Random, max_chars: int = 30, min_chars: int = 8) -> str:
    """One self-contained line (a form field or a short sentence) of min_chars..max_chars characters."""
    if max_chars < min_chars:
        raise ValueError(f"max_chars {max_chars} is below min_chars {min_chars}")
    for _ in range(100):
        text = field_line(rng) if rng.random() < 0.5 else clause(rng)
        if min_chars <= len(text) <= max_chars:
            return text
    # Nothing fitted (a small max_chars): cut a sentence as a wrapped line would
    # be, though not inside a number or a Latin word.
    text = clause(rng)
    while len(text) < min_chars:
        text += clause(rng)
    cut = max_chars
    while cut > min_chars and cut < len(text) and text[cut - 1] in _WORD_CHARS and text[cut] in _WORD_CHARS:
        cut -= 1
    return text[:cut]


_WORD_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.,:/@%+-_¥")


# --- vehicles ----------------------------------------------------------------

_VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"   # never I, O or Q
# World manufacturer identifiers of makers selling in China.
VIN_MAKERS = ("LSV", "LFV", "LGB", "LHG", "LVS", "LSG", "LBV", "LGX", "LDC", "LZW", "LVH", "LFP")
_VIN_YEARS = "ABCDEFGHJKLMNPRSTVWXY123456789"        # 2010 = A, ..., 2030 = Y; then 2031 = 1


def vin(rng: random.Random, year: int | None = None) -> str:
    """A 17-character vehicle identification number with a valid check character."""
    model_year = year if year is not None else rng.randint(2010, 2024)
    body = (rng.choice(VIN_MAKERS) + "".join(rng.choice(_VIN_CHARS) for _ in range(5)) + "0"
            + _VIN_YEARS[(model_year - 2010) % 30] + rng.choice(_VIN_CHARS) + f"{rng.randint(0, 999999):06d}")
    return body[:8] + vin_check_digit(body) + body[9:]
