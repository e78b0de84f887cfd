"""Interpretation languages were typed as English names ("Spanish"); they are now codes ("es"),
so that each reader sees them named in their own language. Names that match no known
language are left as typed and shown as they are."""

from django.db import migrations

CODES = {
    "spanish": "es",
    "español": "es",
    "vietnamese": "vi",
    "mandarin": "cmn",
    "mandarin chinese": "cmn",
    "chinese": "cmn",
    "cantonese": "yue",
    "korean": "ko",
    "arabic": "ar",
    "haitian creole": "ht",
    "somali": "so",
    "russian": "ru",
    "portuguese": "pt",
    "tagalog": "tl",
    "french": "fr",
    "american sign language": "ase",
    "asl": "ase",
    "english": "en",
}
NAMES = {
    "es": "Spanish",
    "vi": "Vietnamese",
    "cmn": "Mandarin Chinese",
    "yue": "Cantonese",
    "ko": "Korean",
    "ar": "Arabic",
    "ht": "Haitian Creole",
    "so": "Somali",
    "ru": "Russian",
    "pt": "Portuguese",
    "tl": "Tagalog",
    "fr": "French",
    "ase": "American Sign Language",
    "en": "English",
}


def _convert(apps, mapping, key) -> None:
    Event = apps.get_model("engagement", "Event")
    Rsvp = apps.get_model("engagement", "Rsvp")
    for event in Event.objects.exclude(interpretation_languages=[]).iterator():
        languages = [mapping.get(key(value), value) for value in event.interpretation_languages]
        if languages != event.interpretation_languages:
            event.interpretation_languages = languages
            event.save(update_fields=["interpretation_languages"])
    for value in set(
        Rsvp.objects.exclude(interpretation_language="").values_list(
            "interpretation_language", flat=True
        )
    ):
        new = mapping.get(key(value), value)
        if new != value:
            Rsvp.objects.filter(interpretation_language=value).update(interpretation_language=new)


def to_codes(apps, schema_editor) -> None:
    _convert(apps, CODES, lambda value: value.strip().casefold())


def to_names(apps, schema_editor) -> None:
    _convert(apps, NAMES, lambda value: value)


class Migration(migrations.Migration):
    dependencies = [("engagement", "0001_initial")]

    operations = [migrations.RunPython(to_codes, to_names)]
