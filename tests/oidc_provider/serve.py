"""Run the test OpenID Connect provider: migrate its SQLite database, register Accord as a
client and the people of the scenario, then serve on the given port (no autoreload).

    OIDC_PORT, OIDC_DB, OIDC_RSA_PRIVATE_KEY, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET,
    OIDC_REDIRECT_URI, OIDC_PEOPLE (JSON: [{"username", "email", "password", "first_name"}])
"""

import json
import os

import django


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    for person in json.loads(os.environ["OIDC_PEOPLE"]):
        user = User(
            username=person["username"],
            email=person["email"],
            first_name=person.get("first_name", ""),
        )
        user.set_password(person["password"])
        user.save()
    Application.objects.create(
        name="Accord",
        client_id=os.environ["OIDC_CLIENT_ID"],
        client_secret=os.environ["OIDC_CLIENT_SECRET"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=os.environ["OIDC_REDIRECT_URI"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    call_command(
        "runserver", f"127.0.0.1:{os.environ['OIDC_PORT']}", use_reloader=False, verbosity=0
    )


if __name__ == "__main__":
    main()
