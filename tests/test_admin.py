"""Django's admin site opens every registered model's list and add pages for a superuser."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.leadership.factories import UserFactory

MODELS = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model in admin.site._registry
    if model._meta.app_label not in {"auth", "sites"}
)


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(("app_label", "model_name"), MODELS)
def test_admin_pages_open(superuser_client, world, app_label, model_name):
    changelist = reverse(f"admin:{app_label}_{model_name}_changelist")
    assert superuser_client.get(changelist).status_code == 200
    assert superuser_client.get(changelist, {"q": "lincoln"}).status_code == 200
    add = superuser_client.get(reverse(f"admin:{app_label}_{model_name}_add"))
    assert add.status_code in (200, 403)  # 403 where the admin forbids adding (the audit trail)


def test_the_admin_knows_the_leadership_models():
    names = {name for label, name in MODELS if label == "leadership"}
    assert {"user", "district", "school", "schoolyear", "membership", "invitation"} <= names
