"""A link opened twice at the same moment is still used once (row lock, PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from leadership import services
from leadership.models import Membership, Role, User
from tests.leadership.factories import InvitationFactory


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_accepts_make_one_person_and_one_role(world):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    invitation = InvitationFactory(school=world.school, role=Role.FAMILY, email="twice@example.org")
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def accept():
        try:
            start.wait()
            services.invitation_accept(invitation=invitation, full_name="Twice")
            outcomes.append("accepted")
        except services.InvitationUnusable as error:
            outcomes.append(f"refused: {error.state}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["accepted", "refused: accepted"]
    assert User.objects.filter(email="twice@example.org").count() == 1
    assert Membership.objects.filter(user__email="twice@example.org", role=Role.FAMILY).count() == 1
