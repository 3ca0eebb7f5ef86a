"""Readings tidied as Chinese is printed, whichever engine made them."""
import pytest

from ocr_core.chinese_text import tidy_text


@pytest.mark.parametrize("raw, tidy", [
    ("统一 社会 信用 代码 91330100MA27XYZ12K", "统一社会信用代码91330100MA27XYZ12K"),
    ("名 称 : 杭州 云 智 科技 有限 公司", "名称：杭州云智科技有限公司"),
    ("有限 责任 公司 ( 自然人 投资 )", "有限责任公司（自然人投资）"),
    ("2019 年 05 月 12 日", "2019年05月12日"),
    # PP-OCR on blurred photos: ASCII marks between a number and Chinese text.
    ("截止时间为2016-05-27,名额有限。", "截止时间为2016-05-27，名额有限。"),
    ("付款方式:银行转账,开户行:中国银行", "付款方式：银行转账，开户行：中国银行"),
    ("上午8:00,地点:616会议室", "上午8:00，地点：616会议室"),
    # Latin text keeps its ASCII marks and single spaces.
    ("Email: a.b@example.com  Tel: +86 571", "Email: a.b@example.com Tel: +86 571"),
    ("Invoice No. 12, issued", "Invoice No. 12, issued"),
    ("", ""),
])
def test_tidy_text(raw, tidy):
    assert tidy_text(raw) == tidy
