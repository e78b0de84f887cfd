"""Services of the leadership app: invitations, the vision statement, the audit trail."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from leadership import services
from leadership.models import AuditEntry, Invitation, Membership, Role, SchoolYear, User
from tests.leadership.factories import InvitationFactory, SchoolYearFactory, UserFactory


def test_invitation_create_queues_one_email_in_the_invitees_language(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            actor=world.principal,
            email=" Maria.Lopez@Example.org ",
            role=Role.FAMILY,
            school=world.school,
            full_name="María López",
            language="es",
        )
    assert invitation.email == "maria.lopez@example.org"
    assert invitation.expires_at > timezone.now() + timedelta(days=13)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["maria.lopez@example.org"]
    assert "Lincoln Elementary" in message.subject
    assert "Hola María López" in message.body
    assert "/invitations/" in message.body
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    assert AuditEntry.objects.filter(
        action="invitation.create", object_id=str(invitation.pk)
    ).exists()


def test_invitation_email_task_sends_once_when_run_twice(world, mailoutbox):
    from leadership.tasks import send_invitation_email

    invitation = InvitationFactory(school=world.school, invited_by=world.principal)
    assert send_invitation_email(invitation.pk) is True
    assert send_invitation_email(invitation.pk) is False
    assert len(mailoutbox) == 1


def test_inviting_someone_who_already_holds_the_role_is_refused(world):
    with pytest.raises(ValidationError) as error:
        services.invitation_create(
            actor=world.principal, email="STAFF@example.org", role=Role.STAFF, school=world.school
        )
    assert error.value.message_dict["email"] == [
        services.ALREADY_MEMBER % {"email": "staff@example.org"}
    ]
    assert not Invitation.objects.exists()


def test_a_second_pending_invitation_for_the_same_role_is_refused(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    # Refused once the first invitation's e-mail has gone (an unsent one is sent again:
    # see tests/leadership/test_outbox.py).
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(
            actor=world.principal, email="new@example.org", role=Role.STAFF, school=world.school
        )
    with pytest.raises(ValidationError) as error:
        services.invitation_create(
            actor=world.principal, email="new@example.org", role=Role.STAFF, school=world.school
        )
    assert error.value.message_dict["email"] == [
        services.ALREADY_INVITED % {"email": "new@example.org"}
    ]
    assert Invitation.objects.count() == 1
    assert len(mailoutbox) == 1


def test_accepting_makes_the_person_and_the_role_and_uses_the_link_up(world):
    invitation = InvitationFactory(
        school=world.school, role=Role.TEACHER_LEADER, email="new@example.org", language="es"
    )
    user, created = services.invitation_accept(
        invitation=invitation, full_name="Ana Ruiz", password="a-long-enough-secret"
    )
    assert created
    assert user.full_name == "Ana Ruiz"
    assert user.preferred_language == "es"
    assert user.check_password("a-long-enough-secret")
    assert Membership.objects.get(user=user).role == Role.TEACHER_LEADER
    assert EmailAddress.objects.get(user=user).verified
    with pytest.raises(services.InvitationUnusable) as error:
        services.invitation_accept(invitation=invitation, full_name="Someone Else")
    assert error.value.state == Invitation.State.ACCEPTED
    assert User.objects.filter(email="new@example.org").count() == 1


def test_a_family_accepts_without_a_password(world):
    invitation = InvitationFactory(school=world.school, role=Role.FAMILY, email="fam@example.org")
    user, created = services.invitation_accept(invitation=invitation, full_name="Kim Family")
    assert created
    assert not user.has_usable_password()


def test_an_existing_person_gains_the_role_and_keeps_their_account(world):
    invitation = InvitationFactory(
        school=world.other_school, role=Role.FAMILY, email="staff@example.org"
    )
    user, created = services.invitation_accept(invitation=invitation)
    assert not created
    assert user == world.staff
    assert set(user.memberships.values_list("role", flat=True)) == {Role.STAFF, Role.FAMILY}


@pytest.mark.parametrize(
    ("change", "state"),
    [
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, Invitation.State.EXPIRED),
        ({"revoked_at": timezone.now()}, Invitation.State.REVOKED),
    ],
)
def test_expired_or_withdrawn_invitations_change_nothing(world, change, state):
    invitation = InvitationFactory(school=world.school, email="late@example.org", **change)
    with pytest.raises(services.InvitationUnusable) as error:
        services.invitation_accept(invitation=invitation, full_name="Late Comer")
    assert error.value.state == state
    assert not User.objects.filter(email="late@example.org").exists()


def test_revoking_twice_is_refused(world):
    invitation = InvitationFactory(school=world.school)
    services.invitation_revoke(invitation=invitation, actor=world.principal)
    with pytest.raises(ValidationError):
        services.invitation_revoke(invitation=invitation, actor=world.principal)


def test_vision_update_is_audited_with_before_and_after(world):
    world.school.vision_statement = "Old words"
    world.school.save()
    services.school_vision_update(
        school=world.school, actor=world.principal, vision_statement="  New words  "
    )
    world.school.refresh_from_db()
    assert world.school.vision_statement == "New words"
    entry = AuditEntry.objects.get(action="school.vision_update")
    assert entry.actor == world.principal
    assert entry.before == {"vision_statement": "Old words", "vision_translations": {}}
    assert entry.after == {"vision_statement": "New words", "vision_translations": {}}


def test_vision_update_refuses_an_over_long_statement_and_keeps_the_old_one(world):
    world.school.vision_statement = "Keep me"
    world.school.save()
    with pytest.raises(ValidationError):
        services.school_vision_update(
            school=world.school, actor=world.principal, vision_statement="x" * 4001
        )
    world.school.refresh_from_db()
    assert world.school.vision_statement == "Keep me"
    assert not AuditEntry.objects.exists()


def test_user_language_set_keeps_the_choice(world):
    services.user_language_set(user=world.family, language="es")
    world.family.refresh_from_db()
    assert world.family.preferred_language == "es"
    with pytest.raises(ValidationError):
        services.user_language_set(user=world.family, language="xx")


def test_the_database_keeps_one_current_school_year_per_district(world):
    SchoolYearFactory(district=world.district, label="2026-27", is_current=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        SchoolYearFactory(district=world.district, label="2027-28", is_current=True)
    assert SchoolYear.objects.filter(district=world.district).count() == 1


def test_the_database_refuses_a_school_role_without_a_school(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=UserFactory(), role=Role.PRINCIPAL, district=world.district)


def test_emails_are_unique_whatever_their_case(db):
    UserFactory(email="one@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="ONE@example.org")
