"""model_update: the one way update services change a row."""

import pytest
from django.core.exceptions import ValidationError

from leadership.models import School
from leadership.updates import model_update


def test_only_the_named_fields_are_written(world):
    school = School.objects.get(pk=world.school.pk)
    school.name = "Changed in memory only"
    instance, changed = model_update(
        instance=school, fields=["vision_statement"], data={"vision_statement": "All read."}
    )
    assert changed and instance is school
    stored = School.objects.get(pk=school.pk)
    assert stored.vision_statement == "All read."
    assert stored.name == world.school.name  # not listed, so not saved


def test_nothing_is_written_when_nothing_changes(world, django_assert_num_queries):
    school = School.objects.get(pk=world.school.pk)
    with django_assert_num_queries(0):
        _, changed = model_update(
            instance=school, fields=["name"], data={"name": world.school.name}
        )
    assert changed is False


def test_a_field_not_listed_is_refused(world):
    school = School.objects.get(pk=world.school.pk)
    with pytest.raises(TypeError, match="slug"):
        model_update(instance=school, fields=["name"], data={"name": "x", "slug": "y"})
    assert School.objects.get(pk=school.pk).slug == world.school.slug


def test_an_invalid_value_is_refused_and_not_saved(world):
    school = School.objects.get(pk=world.school.pk)
    with pytest.raises(ValidationError) as error:
        model_update(instance=school, fields=["name"], data={"name": "x" * 201})
    assert "name" in error.value.error_dict
    assert School.objects.get(pk=school.pk).name == world.school.name


def test_the_check_runs_on_the_row_as_it_would_be_saved(world):
    school = School.objects.get(pk=world.school.pk)
    seen = []
    model_update(
        instance=school,
        fields=["vision_statement"],
        data={"vision_statement": "New."},
        check=lambda s: seen.append(s.vision_statement),
    )
    assert seen == ["New."]
