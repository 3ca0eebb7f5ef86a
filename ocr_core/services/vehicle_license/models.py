"""Chinese vehicle model codes (GB 9417) and vehicle types (GA 802): what a licence's 品牌型号 and
车辆类型 may hold, to check a reading and correct the reader's usual slips by the brand beside it."""
from __future__ import annotations

import re

# The enterprise codes each brand's makers registered (企业名称代号), by the Chinese brand the
# licence prints before the model code (大众汽车牌SVW7180LE1). A brand not here keeps its code as read.
MAKER_CODES: dict[str, tuple[str, ...]] = {
    "大众": ("SVW", "FV"), "桑塔纳": ("SVW",), "帕萨特": ("SVW",), "斯柯达": ("SVW",), "捷达": ("FV",),
    "奥迪": ("FV", "SVW"), "丰田": ("TV", "GTM"), "本田": ("HG", "GHA", "DHW"), "日产": ("DFL",),
    "别克": ("SGM",), "雪佛兰": ("SGM",), "凯迪拉克": ("SGM",), "哈弗": ("CC",), "长城": ("CC",),
    "比亚迪": ("BYD",), "吉利": ("MR", "JL", "HQ"), "长安": ("SC",), "奇瑞": ("SQR",), "现代": ("BH",),
    "五菱": ("LZW",), "宝骏": ("LZW",), "红旗": ("CA",), "解放": ("CA",), "江淮": ("HFC",),
}
# Vehicle types a licence prints (GA 802), longest first so a reading holding one finds the whole.
VEHICLE_TYPES: tuple[str, ...] = tuple(sorted({
    *(size + kind for size in ("大型", "中型", "小型", "微型")
      for kind in ("普通客车", "双层客车", "卧铺客车", "铰接客车", "越野客车", "专用客车", "轿车", "面包车")),
    *(size + kind for size in ("重型", "中型", "轻型", "微型")
      for kind in ("普通货车", "厢式货车", "封闭货车", "罐式货车", "平板货车", "集装厢车", "自卸货车",
                   "特殊结构货车", "仓栅式货车", "半挂牵引车", "全挂牵引车", "专项作业车")),
    "小型旅居车", "大型专用校车", "中型专用校车", "小型专用校车", "低速货车", "三轮汽车", "普通正三轮摩托车",
    "普通二轮摩托车", "轻便二轮摩托车", "轻便正三轮摩托车", "普通侧三轮摩托车",
}, key=len, reverse=True))
# A model code: the maker's letters, the category digit, two of the main parameter, the product's
# number, then what the maker adds.
_MODEL_CODE = re.compile(r"[A-Z]{2,4}[1-9]\d{3}[A-Za-z0-9]*")
# Letters the reader gives for a digit where the grammar wants one.
_AS_DIGIT = str.maketrans("OQDIlZSBG", "000112586")


def vehicle_type(text: str) -> str | None:
    """The listed type a reading holds (车辆美型小型轿车车 holds 小型轿车); None if it holds none."""
    return next((kind for kind in VEHICLE_TYPES if kind in text), None)


def model_fits(model: str) -> bool:
    """Whether a brand and model (丰田牌TV7250Luxury) has a model code of the grammar's form."""
    return bool(_MODEL_CODE.fullmatch(_code_of(model)[1]))


def correct_model(model: str) -> str:
    """`model` with its code's maker letters set to the one its brand registered that they are
    one slip from (比亚迪牌BVD7152… → BYD), and the category and main parameter's digits after
    them read as digits; as read (without spaces) where the brand is not known or the letters
    fit none of its codes."""
    brand, code = _code_of(model)
    codes = next((codes for name, codes in MAKER_CODES.items() if name in brand), ())
    if not codes or not code:
        return brand + code
    letters = re.match(r"[A-Z]*", code).group(0)
    # The letters begin with a registered code (a digit after it read as a letter: SVWI180), or
    # are one misread letter from exactly one.
    known = next((maker for maker in codes if letters.startswith(maker) and len(letters) - len(maker) <= 1), None)
    if known is None:
        near = [maker for maker in codes if _one_slip(letters, maker)]
        if len(near) != 1:
            return brand + code
        known, code = near[0], near[0] + code[len(letters):]
    digits = code[len(known):len(known) + 4].translate(_AS_DIGIT)
    if not re.fullmatch(r"[1-9]\d{3}", digits):
        # A digit dropped or misread beyond the usual slips: the letters alone are put right.
        return brand + code
    return brand + known + digits + code[len(known) + 4:]


def _code_of(model: str) -> tuple[str, str]:
    """A model split into its brand (through 牌) and its code, spaces dropped."""
    model = model.replace(" ", "")
    at = model.rfind("牌") + 1
    return model[:at], model[at:]


def _one_slip(read: str, code: str) -> bool:
    """Whether `read` is `code` with one letter misread (same length)."""
    return len(read) == len(code) and sum(a != b for a, b in zip(read, code)) == 1
