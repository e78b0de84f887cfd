"""The school read by its slug from SQL built once is the school the ORM reads, field for
field, with its district."""

import pytest
from django.forms.models import model_to_dict

from leadership import lookups
from leadership.models import School

from .factories import SchoolFactory


@pytest.mark.django_db
def test_the_school_and_its_district_are_the_orm_s(django_assert_num_queries):
    made = SchoolFactory(languages=["en", "es"], vision_translations={"es": "Visión"})
    expected = School.objects.select_related("district").get(slug=made.slug)
    with django_assert_num_queries(1):
        school = lookups.school_with_district(made.slug)
    assert model_to_dict(school) == model_to_dict(expected)
    assert school.updated_at == expected.updated_at and school.updated_at.tzinfo is not None
    assert school.languages == ["en", "es"] and school.vision_translations == {"es": "Visión"}
    assert model_to_dict(school.district) == model_to_dict(expected.district)
    assert school.district.languages == expected.district.languages
    assert not school._state.adding and school._state.db == "default"
    assert school.district.staff_password_sign_in is expected.district.staff_password_sign_in


@pytest.mark.django_db
def test_an_unknown_slug_is_no_school():
    SchoolFactory(slug="lincoln")
    assert lookups.school_with_district("lincol") is None
    assert lookups.school_with_district("lincoln'; --") is None
