"""Check digits and formats: published examples, numbers built here, and OCR misreadings the
validators must correct or refuse."""
from datetime import date

import pytest

from ocr_core.checks.credit_code import (
    correct_credit_code,
    credit_code_check_char,
    credit_code_valid,
    organization_code_check_char,
    organization_code_valid,
    registration_number_check_digit,
    registration_number_valid,
)
from ocr_core.checks.dates import normalize_date, normalize_period
from ocr_core.checks.id_number import correct_id_number, id_birth, id_check_digit, id_number_valid, id_sex
from ocr_core.checks.luhn import luhn_check_digit, luhn_valid
from ocr_core.checks.mrz import expand_mrz_date, mrz_check_digit, parse_td3
from ocr_core.checks.vin import correct_vin, vin_check_digit, vin_check_digit_ok

TODAY = date(2025, 6, 1)


def make_id(region: str, birth: str, sequence: str) -> str:
    first17 = region + birth + sequence
    return first17 + id_check_digit(first17)


# --- Resident ID number ----------------------------------------------------------------------

# GB 11643-1999's own example. By hand: 1*7+1*9+0*10+1*5+0*8+5*4+1*2+9*1+4*6+9*3+1*7+2*9+3*10
# +1*5+0*8+0*4+2*2 = 167; 167 mod 11 = 2; "10X98765432"[2] = X.
PUBLISHED_ID = "11010519491231002X"


def test_published_id_numbers_are_valid():
    assert id_check_digit(PUBLISHED_ID[:17]) == "X"
    assert id_number_valid(PUBLISHED_ID, TODAY)
    assert id_birth(PUBLISHED_ID) == "19491231"
    assert id_sex(PUBLISHED_ID) == "女"
    # The standard's second example, born on the earliest day we accept.
    assert id_number_valid("440524188001010014", TODAY)
    assert id_sex("440524188001010014") == "男"


def test_built_id_numbers_are_valid():
    for region, birth, seq in [("330106", "19900307", "123"), ("810000", "20010228", "456"),
                               ("830000", "19751111", "002"), ("650102", "20000229", "997")]:
        assert id_number_valid(make_id(region, birth, seq), TODAY)


@pytest.mark.parametrize("num", [
    "11010519491231002Y",   # check character not a digit or X
    "110105194912310021",   # wrong check digit
    "11010519491231002",    # 17 characters
    "00010519491231002" + id_check_digit("00010519491231002"),   # no such province
    "72010519491231002" + id_check_digit("72010519491231002"),   # no such province
    "11010519490230002" + id_check_digit("11010519490230002"),   # 30 February
    "11010520300101002" + id_check_digit("11010520300101002"),   # born in the future
    "11010518791231002" + id_check_digit("11010518791231002"),   # before 1880
    "11010519491231002x",   # lower-case x is a reading, not a number
])
def test_invalid_id_numbers(num):
    assert not id_number_valid(num, TODAY)


def test_foreign_permanent_resident_id_follows_the_same_rules():
    num = make_id("911840", "19850612", "001")   # 9, Beijing 11, nationality 840
    assert id_number_valid(num, TODAY)
    assert not id_number_valid(make_id("900840", "19850612", "001"), TODAY)


@pytest.mark.parametrize("reading", [
    "1101O519491231002X",        # O for 0
    "11010519491231OO2x",        # O for 0, lower-case x
    "110105 19491231 002X",      # spaces between groups
    "１１０１０５１９４９１２３１００２Ｘ",  # full width
    "I10105I949I23I002X",        # I for 1
    "11010519491231002K",        # K for X
])
def test_ocr_letters_in_id_number_are_read_as_digits(reading):
    assert correct_id_number(reading, today=TODAY) == PUBLISHED_ID


def test_single_lookalike_digit_is_fixed_when_only_one_fix_fits():
    # 9 read as 7 in the birth year: of all look-alike swaps only 7->9 there fits.
    assert correct_id_number("11010579491231002X", today=TODAY) == PUBLISHED_ID


def test_ambiguous_correction_returns_none():
    # 0 read as 6 in the region code: swaps in several places restore the check digit.
    assert correct_id_number("11016519491231002X", today=TODAY) is None


def test_printed_birth_and_sex_break_the_tie():
    assert correct_id_number("11016519491231002X", birth="1949年12月31日", sex="女",
                             today=TODAY) == PUBLISHED_ID


def test_number_disagreeing_with_printed_birth_is_rejected():
    assert correct_id_number(PUBLISHED_ID, birth="1950年1月1日", today=TODAY) is None
    assert correct_id_number(PUBLISHED_ID, sex="男", today=TODAY) is None
    assert correct_id_number(PUBLISHED_ID, birth="19491231", sex="女", today=TODAY) == PUBLISHED_ID


def test_unfixable_id_readings_return_none():
    assert correct_id_number("11010519491231002", today=TODAY) is None     # too short
    assert correct_id_number("1101051949123100AX", today=TODAY) is None    # A is no digit
    # A wrong digit that is no look-alike: MOD 11-2 cannot locate it.
    assert correct_id_number("11010519491231042X", today=TODAY) is None


# --- Luhn ------------------------------------------------------------------------------------

@pytest.mark.parametrize("card", [
    "4111111111111111",       # Visa test number
    "5555555555554444",       # Mastercard test number
    "378282246310005",        # Amex test number
    # By hand: payload 622202020011234567, doubling from its right: 7,5,3,1,0,2,2,2,2 ->
    # 5+1+6+2+0+4+4+4+4 = 30; others 6+4+2+1+0+0+0+2+6 = 21; 51 -> check 9.
    "6222020200112345679",
])
def test_luhn_valid_numbers(card):
    assert luhn_valid(card)
    assert luhn_check_digit(card[:-1]) == card[-1]


@pytest.mark.parametrize("card", ["6222020200112345678", "4111111111111112", "", "4", "4111-1111"])
def test_luhn_invalid_numbers(card):
    assert not luhn_valid(card)


def test_correct_card_number():
    from ocr_core.checks.luhn import as_digits, correct_card_number
    assert as_digits("6222 O2O2 0011-2345 679") == "6222020200112345679"
    assert correct_card_number("6222 0202 0011 2345 679") == "6222020200112345679"
    assert correct_card_number("4111 1111 1111 1111") == "4111111111111111"
    # Too short or too long for a bank card, or not digits: no number.
    assert correct_card_number("4111 1111 1111 111") is None
    assert correct_card_number("6222 0202 0011 2345 6790") is None
    assert correct_card_number("6222 0202 0011 2345 67A") is None
    # A single slip is corrected when one look-alike alone makes Luhn hold (a 7 read for a 1)...
    assert correct_card_number("4111 1111 1111 1171") == "4111111111111111"
    # ...and refused rather than guessed when several do: 5555 5555 5555 4449 becomes valid
    # with its 9 read back as 4, but also with any of five 5s read as 3.
    assert correct_card_number("5555 5555 5555 4449") is None


def test_vin_requires_check_digit_by_region():
    from ocr_core.checks.vin import vin_requires_check_digit
    assert vin_requires_check_digit("LSVFF66R8C2116280") and vin_requires_check_digit("1M8GDM9AXKP042788")
    assert not vin_requires_check_digit("WVWZZZ1JZXW000001") and not vin_requires_check_digit("")


# --- VIN -------------------------------------------------------------------------------------

# By hand: values 1,4,8,7,4,4,9,1,-,2,7,0,4,2,7,8,8 times weights 8,7,6,5,4,3,2,10,0,9,8,7,6,5,
# 4,3,2 = 351; 351 mod 11 = 10 -> X.
NA_VIN = "1M8GDM9AXKP042788"
# Built here: a Chinese-style VIN (WMI L..); its check digit goes in position 9.
CN_VIN = "LSVAM4187C2184847"


def test_vins_with_check_digits():
    assert vin_check_digit(NA_VIN) == "X"
    assert vin_check_digit_ok(NA_VIN)
    cn = CN_VIN[:8] + vin_check_digit(CN_VIN) + CN_VIN[9:]
    assert vin_check_digit_ok(cn)


def test_vin_without_check_digit_is_still_well_formed():
    european = "WVWZZZ1JZXW000001"
    assert not vin_check_digit_ok(european)
    assert correct_vin(european) == european
    assert correct_vin(european, require_check_digit=True) is None


@pytest.mark.parametrize("vin", ["1M8GDM9AXKP04278", "1M8GDM9AXKP0427880", "1M8GDM9AXKPO42788",
                                 "1M8GDM9AXKPI42788", "1M8GDM9AXKPQ42788", "1m8gdm9axkp042788"])
def test_malformed_vins(vin):
    assert not vin_check_digit_ok(vin)


def test_correct_vin():
    assert correct_vin("1M8GDM9AXKPO42788") == NA_VIN        # O is never in a VIN
    assert correct_vin("1m8 gdm9ax kp042788") == NA_VIN      # case and spaces
    assert correct_vin("1M8GDM9AXKPO4Z7B8") == NA_VIN        # the last four are digits
    assert correct_vin("1M3GDM9AXKP042788") == NA_VIN        # 8 read as 3: the only fix
    assert correct_vin("1M8GDM9AKKP042788") == NA_VIN        # the check X read as K
    # M read as N: N->M and 1->7 both restore the check digit, so nothing is changed.
    assert correct_vin("1N8GDM9AXKP042788") == "1N8GDM9AXKP042788"
    assert correct_vin("1N8GDM9AXKP042788", require_check_digit=True) is None
    assert correct_vin("1M8GDM9AXKP0427") is None
    # A European VIN carries no check digit: leave it as read.
    assert correct_vin("WVWZZZ1JZXW000001") == "WVWZZZ1JZXW000001"
    assert correct_vin("WVWZZZ1JZXW000001", require_check_digit=True) is None


# --- Credit code and registration number -----------------------------------------------------

# By hand: 9*1+1*3+3*9+5*27+0*19+1*26+0*16+0*17+M(21)*20+0*29+0*25+0*13+1*8+0*24+0*10
# +Y(30)*30+4*28 = 1640; 1640 mod 31 = 28; 31-28 = 3.
CREDIT_CODE = "91350100M000100Y43"


def test_credit_codes():
    assert credit_code_check_char(CREDIT_CODE[:17]) == "3"
    assert organization_code_check_char("M000100Y") == "4"
    assert credit_code_valid(CREDIT_CODE)
    # Its organisation code: M(22)*3+1*5+Y(34)*2 = 139; 139 mod 11 = 7; 11-7 = 4.
    assert organization_code_valid(CREDIT_CODE[8:17])
    built = "91330100MA27XYW12"
    assert credit_code_valid(built + credit_code_check_char(built))


@pytest.mark.parametrize("code", [
    "91350100M000100Y44",   # wrong check
    "91350100M000100Y4",    # 17 characters
    "913501O0M000100Y43",   # O not in the alphabet
    "913501A0M000100Y4" + credit_code_check_char("913501A0M000100Y4"),  # letter in the region
    "B1350100M000100Y4" + credit_code_check_char("B1350100M000100Y4"),  # no such authority
])
def test_invalid_credit_codes(code):
    assert not credit_code_valid(code)


def test_correct_credit_code():
    assert correct_credit_code("9135O1OOMOOO1OOY43") == CREDIT_CODE   # O for 0
    assert correct_credit_code("91350I00M000I00Y43") == CREDIT_CODE   # I for 1
    assert correct_credit_code("91 3501 00M000100Y43") == CREDIT_CODE
    assert correct_credit_code("91350100M000100Y4") is None
    # 0 read as 6 in the region code: the only look-alike swap that restores the check.
    assert correct_credit_code("91350106M000100Y43") == CREDIT_CODE
    # 0 read as 8 in the organisation code: four swaps pass mod 31, one also passes GB 11714.
    assert correct_credit_code("91350100M800100Y43") == CREDIT_CODE
    # 1 read as 7 in the region code: three swaps pass both checks.
    assert correct_credit_code("91350700M000100Y43") is None


def test_registration_numbers():
    # By hand, MOD 11,10: p=10; each digit d: p = ((p+d) mod 10 or 10)*2 mod 11 -> 5 after 14
    # digits; check = (11-5) mod 10 = 6, and (5+6) mod 10 = 1 as the standard requires.
    assert registration_number_check_digit("14000010002828") == "6"
    assert registration_number_valid("140000100028286")
    assert not registration_number_valid("140000100028287")
    assert not registration_number_valid("14000010002828")
    assert not registration_number_valid("91350100M000100Y43")


# --- Passport MRZ ----------------------------------------------------------------------------

def make_td3(surname: str, given: str, number: str, nationality: str, birth: str, sex: str,
             expiry: str, personal: str, kind: str = "PO", country: str = "CHN") -> tuple[str, str]:
    names = surname + "<<" + given.replace(" ", "<")
    line0 = (kind + country + names).ljust(44, "<")
    number, personal = number.ljust(9, "<"), personal.ljust(14, "<")
    personal_check = "<" if set(personal) == {"<"} else mrz_check_digit(personal)
    body = (number + mrz_check_digit(number) + nationality + birth + mrz_check_digit(birth) + sex
            + expiry + mrz_check_digit(expiry) + personal + personal_check)
    composite = body[0:10] + body[13:20] + body[21:43]
    return line0, body + mrz_check_digit(composite)


def test_mrz_check_digit():
    # ICAO 9303's example: 520727 -> 5*7+2*3+0*1+7*7+2*3+7*1 = 103 -> 3.
    assert mrz_check_digit("520727") == "3"
    assert mrz_check_digit("L898902C<") == "3"       # ICAO's specimen document number
    assert mrz_check_digit("<<<<<<<<<<<<<<") == "0"


def test_built_td3_parses_with_all_checks():
    line0, line1 = make_td3("ZHAO", "BING SHI", "E20354558", "CHN", "861030", "M", "230501",
                            "MNPELOLIOKLPA9")
    mrz = parse_td3(line0, line1)
    assert mrz is not None and mrz.all_checks_ok
    assert (mrz.type, mrz.country, mrz.surname, mrz.given_names) == ("PO", "CHN", "ZHAO",
                                                                     "BING SHI")
    assert (mrz.passport_no, mrz.nationality, mrz.birth_date, mrz.sex, mrz.expiry_date,
            mrz.personal_number) == ("E20354558", "CHN", "861030", "M", "230501",
                                     "MNPELOLIOKLPA9")
    assert (mrz.line0, mrz.line1) == (line0, line1)


def test_td3_recovers_from_ocr_confusions():
    line0, line1 = make_td3("ZHAO", "BING SHI", "E20354558", "CHN", "861030", "M", "230501",
                            "MNPELOLIOKLPA9")
    # Digits for letters in names, letters for digits in dates and checks, fillers read as K,
    # the line short by its trailing fillers, spaces between the groups of line 2.
    assert line1 == "E203545582CHN8610304M2305019MNPELOLIOKLPA934"
    read0 = "P0CHN2HA0<<8INGKSH1<<<KK<<<<<<<<<<<<<<"
    read1 = "E2O3S4SS8Z CHN 8GIO3O4M 23OSOI9 MNPELOLIOKLPA9 3A"
    mrz = parse_td3(read0, read1)
    assert mrz is not None
    # 'K' inside the name stays a letter: only the trailing run is filler.
    assert mrz.given_names == "BINGKSHI"
    fixed0 = read0.replace("K", "<")
    mrz = parse_td3(fixed0, read1)
    assert mrz is not None and mrz.all_checks_ok
    assert (mrz.line0, mrz.line1) == (line0, line1)


def test_td3_with_empty_personal_number_and_lost_filler():
    line0, line1 = make_td3("SMITH", "ANNA MARIA", "123456789", "GBR", "900101", "F", "300101",
                            "", kind="P<", country="GBR")
    mrz = parse_td3(line0, line1)
    assert mrz is not None and mrz.all_checks_ok and mrz.personal_number == ""
    # Guillemets for fillers, two fillers lost inside the personal number, 8 for B in GBR.
    read1 = line1[:10] + "G8R" + line1[13:28] + "««««<<<<<<" + line1[42:]
    mrz = parse_td3(line0.replace("<<<<", "«<<"), read1)
    assert mrz is not None and mrz.all_checks_ok
    assert (mrz.line0, mrz.line1) == (line0, line1)


def test_passport_number_chosen_by_its_check_digit():
    line0, line1 = make_td3("WANG", "JING", "E20354558", "CHN", "861030", "M", "230501", "")
    # The O in the number could be a letter; only the digit makes the check digit hold.
    mrz = parse_td3(line0, "E2O354558" + line1[9:])
    assert mrz.passport_no == "E20354558" and mrz.passport_no_ok
    # G and 6 weigh the same mod 10: the letters-then-digits shape decides.
    line0, line1 = make_td3("WANG", "JING", "E20354556", "CHN", "861030", "M", "230501", "")
    mrz = parse_td3(line0, "E2035455G" + line1[9:])
    assert mrz.passport_no == "E20354556" and mrz.all_checks_ok


def test_reference_sample_lines():
    # The reference's sample: its number is masked ("E20354xxxx" in the answer), so the number
    # and composite checks fail while the dates and personal number hold.
    mrz = parse_td3("P0CHNWANG<<JING<<<<<<<<<<<<<<<<<<<<<<<<<<",
                    "E203545580CHN8610304M2305019MNPELOLIOKLPA938")
    assert mrz is not None
    # ICAO allows a letter or '<' after P: the '0' is the letter O of Chinese ordinary passports.
    assert mrz.type == "PO" and mrz.country == "CHN"
    assert (mrz.surname, mrz.given_names) == ("WANG", "JING")
    assert mrz.passport_no == "E20354558" and mrz.nationality == "CHN"
    assert (mrz.birth_date, mrz.sex, mrz.expiry_date) == ("861030", "M", "230501")
    assert mrz.personal_number == "MNPELOLIOKLPA9"
    assert mrz.birth_date_ok and mrz.expiry_date_ok and mrz.personal_number_ok
    assert not mrz.passport_no_ok and not mrz.composite_ok
    assert len(mrz.line0) == 44
    assert expand_mrz_date(mrz.birth_date, "birth", TODAY) == "19861030"
    assert expand_mrz_date(mrz.expiry_date, "expiry", TODAY) == "20230501"


def test_not_a_td3():
    assert parse_td3("", "") is None
    assert parse_td3("I<CHNWANG<<JING", "E203545580CHN8610304M2305019MNPELOLIOKLPA938") is None
    assert parse_td3("P<CHNWANG<<JING", "E203545580CHN86103") is None


@pytest.mark.parametrize("yymmdd, kind, expected", [
    ("861030", "birth", "19861030"),
    ("240101", "birth", "20240101"),
    ("250602", "birth", "19250602"),     # tomorrow in 2025 is not a birth date
    ("300101", "expiry", "20300101"),
    ("450601", "expiry", "20450601"),    # 20 years ahead
    ("450602", "expiry", "19450602"),
    ("991231", "expiry", "19991231"),
    ("990231", "birth", None),
    ("86103<", "birth", None),
])
def test_expand_mrz_date(yymmdd, kind, expected):
    assert expand_mrz_date(yymmdd, kind, TODAY) == expected


# --- Dates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("2019年05月12日", "20190512"),
    ("2019年5月2日", "20190502"),
    ("2019.05.12", "20190512"),
    ("2019-05-12", "20190512"),
    ("2019/5/12", "20190512"),
    ("20190512", "20190512"),
    ("2019 年 05 月 12 日", "20190512"),
    ("２０１９年５月１２日", "20190512"),
    ("2O19.O5.12", "20190512"),
    ("出生 1986年10月30日", "19861030"),
    ("2019年02月30日", None),
    ("20191301", None),
    ("长期", None),
    ("", None),
])
def test_normalize_date(text, expected):
    assert normalize_date(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("2015.03.01-2035.03.01", ("20150301", "20350301")),
    ("2015.03.01至2035.03.01", ("20150301", "20350301")),
    ("2015年03月01日至2035年03月01日", ("20150301", "20350301")),
    ("2015-03-01-2035-03-01", ("20150301", "20350301")),
    ("2015.03.01-长期", ("20150301", "长期")),
    ("有效期限 2015.03.01 - 2035.O3.01", ("20150301", "20350301")),
    ("2015.03.01", ("20150301", None)),
    ("", (None, None)),
])
def test_normalize_period(text, expected):
    assert normalize_period(text) == expected
