import pytest

from mention_insight.insight.redact import Redactor, redact


@pytest.mark.parametrize(
    "text, expected",
    [
        ("see https://example.org/a?b=1 now", "see [url] now"),
        ("mail me at jo.smith+x@example.com please", "mail me at [email] please"),
        ("@NPT_Didsbury ask @rob_cycles_m20 about it", "@NPT_Didsbury ask @[user] about it"),
        ("ring me on 07700 900417 after 5", "ring me on [phone] after 5"),
        ("landline 0161 496 0734.", "landline [phone]."),
        ("or +44 7700 900286", "or [phone]"),
        ("crime ref 06/118342/26? Three weeks", "[ref]? Three weeks"),
        ("Reported to the council (ref MCC-448120)", "Reported to the council ([ref])"),
        ("I live at 14 Elmsworth Road on my own", "I live at [address] on my own"),
        ("neighbour at no. 12 saw it", "neighbour at [address] saw it"),
        ("Thank you PC Sarah Whitworth and PCSO Okoro", "Thank you PC [name] and PCSO [name]"),
        ("my elderly neighbour Dave Kowalski is scared", "my elderly neighbour [name] is scared"),
        ("Hi Deirdre, we will call", "Hi [name], we will call"),
        ("Kids on Wilmslow Road again", "Kids on Wilmslow Road again"),
    ],
)
def test_each_kind_of_personal_data_is_replaced(text, expected):
    assert redact(text, keep_handles=["NPT_Didsbury"]) == expected


def test_known_names_and_their_surnames_are_replaced():
    r = Redactor(names=["Michael Blackwood", "Kate Linley"])
    assert r("It was kate linley who saw Irene Blackwood at the shop") == "It was [name] who saw [name] at the shop"


def test_the_pc_title_stays_when_no_name_follows():
    assert redact("The PC who came was lovely") == "The PC who came was lovely"


def test_empty_text_is_returned_as_is():
    assert redact("") == ""
