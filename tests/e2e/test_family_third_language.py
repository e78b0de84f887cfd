"""The whole family side in the third language, on a phone: a Vietnamese-speaking parent picks
Tiếng Việt before signing in, signs in with the e-mailed code, sees the school's events and
RSVPs with an interpreter and childcare. Every page is in Vietnamese: no English word of the
family side's catalogue shows besides names. axe on every page."""

import functools
import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from engagement.models import EventTranslation, Rsvp, RsvpStatus
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_family_sign_in import code_from
from tests.engagement.factories import EventFactory
from tests.test_translations import catalogue_of, entries, is_family_facing, sources

VI_TITLE = "Đêm toán học gia đình"
VI_PLACE = "Thư viện, cửa phía đông"
VI_NOTES = "Lối vào không có bậc thang ở đường Oak."

# Words a Vietnamese page may hold although the English catalogue has them too: the product's
# name, "email", which Vietnamese writes as a loanword, the calendar file's extension and the
# sample sign-in code.
ALLOWED = {"accord", "email", "ics", "kxqt", "mbrw"}


@functools.cache
def english_words() -> frozenset[str]:
    """Every word of three letters or more of the family side's English messages."""
    words = set()
    for block, msgid, _translations in entries(catalogue_of("vi").read_text(encoding="utf-8")):
        if msgid and any(is_family_facing(path) for path in sources(block)):
            text = re.sub(r"%\(\w+\)s", " ", msgid)
            words |= {word.lower() for word in re.findall(r"[A-Za-z]{3,}", text)}
    return frozenset(words - ALLOWED)


# What a person sees and a screen reader says, without the language switch (whose options name
# each language in itself, "English" among them) and without links' addresses.
VISIBLE_TEXT = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll("select#language-select, script, style").forEach((n) => n.remove());
  const labelled = "[aria-label], [placeholder], [title], input[type=submit]";
  const said = [...document.querySelectorAll(labelled)]
    .filter((n) => !n.closest("#language-select"))
    .map((n) => [n.getAttribute("aria-label"), n.getAttribute("placeholder"),
                 n.getAttribute("title"), n.value].filter(Boolean).join(" "));
  return body.innerText + "\\n" + said.join("\\n") + "\\n" + document.title;
}"""


@pytest.fixture
def phone(browser, transactional_db, live_server):
    """A phone-sized context, built the way tests/e2e/conftest.py builds `page`."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-US",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    errors = []
    tab.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    tab.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    yield tab
    context.close()
    if errors:
        pytest.fail("Console errors in the browser:\n" + "\n".join(errors), pytrace=False)


@pytest.fixture
def vietnamese_school(world):
    world.school.languages = ["en", "es", "vi"]
    world.school.vision_statement = "Every child reads."
    world.school.vision_translations = {"vi": "Mọi trẻ em đều đọc sách."}
    world.school.save()
    return world.school


@pytest.fixture
def event(vietnamese_school):
    event = EventFactory(
        school=vietnamese_school,
        capacity=20,
        interpretation_languages=["vi", "es"],
        location="Library, east door",
        accessibility_notes="Step-free entrance on Oak St.",
    )
    EventTranslation.objects.create(
        event=event,
        language="vi",
        title=VI_TITLE,
        description="Trò chơi và câu đố cho cả gia đình.",
        location=VI_PLACE,
        accessibility_notes=VI_NOTES,
    )
    return event


@pytest.fixture
def parent(family):
    """A parent whose account, made by the roster, says nothing of Vietnamese yet."""
    family.set_unusable_password()
    family.full_name = "Lan Nguyen"
    family.preferred_language = settings.LANGUAGE_CODE
    family.save()
    return family


def assert_all_vietnamese(tab, axe_check, *names: str) -> None:
    expect(tab.locator("html")).to_have_attribute("lang", "vi")
    text = tab.evaluate(VISIBLE_TEXT)
    for name in names:
        text = text.replace(name, " ")
    text = re.sub(r"https?://\S+", " ", text)
    english = sorted({w for w in re.findall(r"[A-Za-z]{3,}", text) if w.lower() in english_words()})
    assert not english, f"English on {tab.url}: {english}\n---\n{text}"
    axe_check(tab)


def test_the_whole_family_side_in_vietnamese_on_a_phone(
    phone, mailbox, axe_check, world, vietnamese_school, event, parent
):
    assert {"sign", "event", "children", "interpretation"} <= english_words()
    names = [
        vietnamese_school.name,
        parent.full_name,
        parent.get_short_name(),
        parent.email,
        "Accord",
    ]

    phone.goto("/")
    phone.locator("#language-select").select_option("vi")
    phone.locator(".language-form button[type=submit]").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Cùng lãnh đạo nhà trường, tại một nơi"
    )
    assert_all_vietnamese(phone, axe_check, *names)

    phone.get_by_role("link", name="Gửi mã đăng nhập qua email cho tôi").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Đăng nhập bằng mã")
    assert_all_vietnamese(phone, axe_check, *names)
    phone.get_by_label("Địa chỉ email").fill(parent.email)
    phone.get_by_role("button", name="Gửi mã qua email cho tôi").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Nhập mã đăng nhập của quý vị")
    assert_all_vietnamese(phone, axe_check, *names)
    message = mailbox[-1]
    assert "Mã đăng nhập của quý vị" in message.subject
    code = code_from(message)
    mail_text = (message.subject + "\n" + message.body).replace(code, " ").replace("testserver", "")
    for name in names:
        mail_text = mail_text.replace(name, " ")
    assert not {w for w in re.findall(r"[A-Za-z]{3,}", mail_text) if w.lower() in english_words()}
    phone.get_by_label("Mã đăng nhập").fill(code)
    phone.get_by_role("button", name="Đăng nhập", exact=True).click()

    # The family page: the school's vision and its event, in Vietnamese.
    expect(phone).to_have_url(re.compile(r"/family/$"))
    expect(phone.get_by_text("Mọi trẻ em đều đọc sách.")).to_be_visible()
    assert_all_vietnamese(phone, axe_check, *names, VI_TITLE)
    parent.refresh_from_db()
    assert parent.preferred_language == "vi"

    phone.get_by_role("link", name="Tất cả sự kiện").click()
    expect(phone.get_by_role("heading", name="Sự kiện sắp tới")).to_be_visible()
    expect(phone.get_by_role("cell", name="Chưa xác nhận")).to_be_visible()
    assert_all_vietnamese(phone, axe_check, *names, VI_TITLE)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    phone.get_by_role("link", name=VI_TITLE).click()
    expect(phone.get_by_role("heading", level=1, name=VI_TITLE)).to_be_visible()
    expect(phone.get_by_text(VI_PLACE)).to_be_visible()
    expect(phone.get_by_text(VI_NOTES)).to_be_visible()
    expect(phone.get_by_text("Thông dịch: tiếng Việt, tiếng Tây Ban Nha")).to_be_visible()
    assert_all_vietnamese(phone, axe_check, *names, VI_TITLE)

    form = phone.locator("#rsvp-form")
    form.get_by_label("Người lớn").fill("2")
    form.get_by_label("Trẻ em").fill("1")
    form.get_by_label("Cần thông dịch").select_option(label="tiếng Việt")
    form.get_by_label("Số trẻ cần giữ").fill("1")
    form.get_by_label("Nhu cầu hỗ trợ tiếp cận").fill("Cần chỗ đậu xe gần cửa.")
    form.get_by_role("button", name="Xác nhận tham dự").click()

    status = phone.locator("#rsvp-status")
    expect(status).to_contain_text("Quý vị sẽ tham dự")
    expect(status).to_contain_text("Thông dịch: tiếng Việt")
    expect(phone.get_by_role("button", name="Lưu thay đổi xác nhận tham dự")).to_be_visible()
    assert_all_vietnamese(phone, axe_check, *names, VI_TITLE)
    rsvp = Rsvp.objects.get(event=event, family=parent)
    assert (rsvp.status, rsvp.party_size, rsvp.interpretation_language, rsvp.childcare_count) == (
        RsvpStatus.GOING,
        3,
        "vi",
        1,
    )
    assert rsvp.accessibility_needs == "Cần chỗ đậu xe gần cửa."

    # Back on the family page the RSVP shows; nothing is wider than the phone.
    phone.goto("/family/")
    expect(phone.locator(".event-item", has_text=VI_TITLE).locator(".badge-ok")).to_have_text(
        "Quý vị sẽ tham dự"
    )
    assert_all_vietnamese(phone, axe_check, *names, VI_TITLE)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
