"""The Spanish catalogue is complete: every message translated, none left fuzzy."""

import re
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "es" / "LC_MESSAGES" / "django.po"


def entries(text: str):
    for block in text.split("\n\n"):
        if "msgid" not in block:
            continue
        msgid = "".join(
            re.findall(r'^(?:msgid|msgid_plural)? ?"(.*)"$', block.split("msgstr")[0], re.M)
        )
        msgstrs = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block + "\n", re.M)
        yield block, msgid, ["".join(re.findall(r'"(.*)"', s)) for s in msgstrs]


def test_every_spanish_message_is_translated_and_none_is_fuzzy():
    text = CATALOGUE.read_text(encoding="utf-8")
    problems = []
    for block, msgid, translations in entries(text):
        if not msgid:
            continue  # the header
        if "#, fuzzy" in block or "fuzzy," in block:
            problems.append(f"fuzzy: {msgid[:60]}")
        elif not translations or not all(translations):
            problems.append(f"untranslated: {msgid[:60]}")
    assert not problems, "\n".join(problems)
    assert CATALOGUE.with_suffix(".mo").exists(), "run `make messages` to compile the catalogue"
