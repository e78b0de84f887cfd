"""The family's community pages in the third language, on a phone: a Vietnamese-speaking
parent writes to the school, reads the thread, and looks for help in the partner directory.
No English word of the family side's catalogue shows besides names; axe on every page."""

import re

from playwright.sync_api import expect

from community.models import Conversation, Partner, PartnerService, PartnerText
from tests.e2e.test_community import phones  # noqa: F401 (fixture)
from tests.e2e.test_family_third_language import assert_all_vietnamese

VI_HELP = "Thực phẩm miễn phí mỗi thứ Bảy cho các gia đình."
VI_HOURS = "Thứ Bảy, 9 giờ đến 12 giờ"
# The names of file formats, written the same in every language.
FORMATS = ["PDF", "PNG", "JPEG", "Word", "Excel", "PowerPoint", "CSV"]


def test_messages_and_the_partner_directory_in_vietnamese_on_a_phone(
    phones,  # noqa: F811
    axe_check,
    world,
):
    school = world.school
    school.languages = ["en", "es", "vi"]
    school.save(update_fields=["languages"])
    family = world.family
    family.preferred_language = "vi"
    family.full_name = "Lan Nguyen"
    family.save(update_fields=["preferred_language", "full_name"])
    partner = Partner.objects.create(
        district=school.district, school=school, name="Oak Food Bank", phone="555-0100"
    )
    PartnerText.objects.create(partner=partner, language="en", description="Free food.")
    PartnerText.objects.create(partner=partner, language="vi", description=VI_HELP, hours=VI_HOURS)
    PartnerService.objects.create(partner=partner, kind="food")
    names = [
        school.name,
        family.full_name,
        family.get_short_name(),
        family.email,
        "Accord",
        *FORMATS,
    ]

    tab = phones(family)
    assert tab.viewport_size["width"] == 390
    tab.goto(f"/schools/{school.slug}/messages/")
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Tin nhắn gửi")
    assert_all_vietnamese(tab, axe_check, *names)

    tab.get_by_label("Một câu hỏi").check()
    tab.get_by_label("Tiêu đề").fill("Trạm xe buýt")
    tab.get_by_label("Tin nhắn của quý vị").fill("Xe buýt dừng ở đâu vào tuần tới?")
    tab.get_by_role("button", name="Gửi tin nhắn").click()
    expect(tab.get_by_role("heading", level=1, name="Trạm xe buýt")).to_be_visible()
    expect(tab.get_by_role("status")).to_contain_text("Tin nhắn của quý vị đã được gửi")
    assert_all_vietnamese(tab, axe_check, *names)
    assert Conversation.objects.filter(family=family, subject="Trạm xe buýt").exists()

    tab.goto(f"/schools/{school.slug}/partners/")
    expect(tab.get_by_role("heading", level=1)).to_have_text(
        re.compile("Hỗ trợ từ các đối tác cộng đồng")
    )
    expect(tab.get_by_text(VI_HELP)).to_be_visible()
    expect(tab.get_by_text(VI_HOURS)).to_be_visible()
    assert_all_vietnamese(tab, axe_check, *names, partner.name, partner.phone)

    tab.get_by_role("link", name=f"Yêu cầu hỗ trợ từ {partner.name}").click()
    expect(tab.get_by_role("button", name="Gửi yêu cầu của tôi")).to_be_visible()
    assert_all_vietnamese(tab, axe_check, *names, partner.name)
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
