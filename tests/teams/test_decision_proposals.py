"""Proposals decided between meetings, by the charter's method and quorum."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from leadership.models import OutboxTask
from teams import selectors, services
from teams.models import (
    AgendaItem,
    Decision,
    DecisionModel,
    DecisionRule,
    Proposal,
    ProposalAnswer,
    ProposalState,
)
from teams.tasks import close_due_proposals
from tests.teams import factories as f


def open_proposal(world, ilt, area="staffing", model=DecisionModel.CONSENT, quorum=0, **extra):
    DecisionRule.objects.get_or_create(
        team=ilt.team, area=area, defaults={"model": model, "who_decides": "ILT", "quorum": quorum}
    )
    return services.proposal_open(
        team=ilt.team,
        actor=extra.pop("actor", world.teacher_leader),
        area=area,
        title="Recess duty rota",
        text="Two adults on the yard at every recess.",
        closes_at=extra.pop("closes_at", timezone.now() + timedelta(days=2)),
    )


def answer(proposal, user, value, **extra):
    return services.proposal_answer(proposal=proposal, user=user, value=value, **extra)


# --- opening ---------------------------------------------------------------------------


def test_a_proposal_in_an_area_the_charter_does_not_cover_is_refused(world, ilt):
    with pytest.raises(ValidationError) as error:
        services.proposal_open(
            team=ilt.team,
            actor=world.teacher_leader,
            area="uniforms",
            title="Uniforms",
            text="Blue.",
            closes_at=timezone.now() + timedelta(days=1),
        )
    assert "has no decision area “uniforms”" in error.value.message_dict["area"][0]
    assert not Proposal.objects.exists()


def test_a_proposal_whose_quorum_the_team_cannot_reach_is_refused(world, ilt):
    with pytest.raises(ValidationError) as error:
        open_proposal(world, ilt, area="hiring", quorum=5)
    assert "need a quorum of 5 members, and the team has 3" in error.value.messages[0]
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("days", [-1, 31])
def test_a_deadline_in_the_past_or_too_far_is_refused(world, ilt, days):
    with pytest.raises(ValidationError) as error:
        open_proposal(world, ilt, closes_at=timezone.now() + timedelta(days=days))
    assert "closes_at" in error.value.message_dict
    assert not Proposal.objects.exists()


def test_only_members_open_proposals(world, ilt):
    with pytest.raises(ValidationError) as error:
        open_proposal(world, ilt, actor=world.staff)
    assert str(services.PROPOSAL_ONLY_MEMBERS) in error.value.messages


# --- answering -------------------------------------------------------------------------


def test_answers_by_non_members_twice_or_after_the_deadline_are_refused(world, ilt):
    proposal = open_proposal(world, ilt, closes_at=timezone.now() + timedelta(hours=2))
    with pytest.raises(ValidationError) as error:
        answer(proposal, world.staff, "consent")
    assert str(services.PROPOSAL_ONLY_MEMBERS) in error.value.messages
    answer(proposal, world.family, "consent")
    with pytest.raises(ValidationError) as error:
        answer(proposal, world.family, "object", objection="Changed my mind")
    assert str(services.PROPOSAL_ANSWERED) in error.value.messages
    with pytest.raises(ValidationError) as error:
        answer(proposal, world.teacher_leader, "maybe")
    assert "value" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        answer(proposal, world.teacher_leader, "object")
    assert str(services.PROPOSAL_OBJECTION_NEEDED) in error.value.message_dict["objection"]
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        with pytest.raises(ValidationError) as error:
            answer(proposal, world.teacher_leader, "consent")
        assert "Answers to this proposal closed at" in error.value.messages[0]
    assert ProposalAnswer.objects.count() == 1


def test_under_consent_an_objection_blocks_until_amended_then_everyone_consents(
    world, ilt, django_capture_on_commit_callbacks
):
    world.family.preferred_language = "es"
    world.family.save()
    proposal = open_proposal(world, ilt)
    answer(proposal, world.principal, "consent")
    answer(proposal, world.teacher_leader, "consent")
    answer(proposal, world.family, "object", objection="Not on Fridays")
    proposal.refresh_from_db()
    # Everyone answered, but the objection keeps it open so that it can be amended.
    assert proposal.state == ProposalState.OPEN
    services.proposal_amend(
        proposal=proposal, actor=world.teacher_leader, text="Two adults, except on Fridays."
    )
    proposal.refresh_from_db()
    assert proposal.round == 2
    assert [p.pk for p in selectors.open_proposals_for(world.family)] == [proposal.pk]
    answer(proposal, world.principal, "consent")
    answer(proposal, world.teacher_leader, "consent", comment="Fine by me")
    with django_capture_on_commit_callbacks(execute=True):
        answer(proposal, world.family, "consent")
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.DECIDED and proposal.outcome == "adopted"
    decision = Decision.objects.get()
    assert decision.proposal == proposal and decision.meeting is None
    assert decision.model_used == DecisionModel.CONSENT and decision.present == 3
    assert decision.tally["counts"] == {"consent": 3, "object": 0}
    assert list(selectors.open_proposals_for(world.family)) == []


@pytest.mark.django_db(transaction=True)
def test_the_outcome_is_mailed_once_to_each_member_in_their_language(world):
    ilt = f.ilt_for(world)
    world.family.preferred_language = "es"
    world.family.save()
    proposal = open_proposal(world, ilt, area="schedule", model=DecisionModel.MAJORITY)
    answer(proposal, world.principal, "yes")
    answer(proposal, world.teacher_leader, "yes")
    answer(proposal, world.family, "no")
    assert Proposal.objects.get().outcome == "adopted"
    by_person = {message.to[0]: message for message in mail.outbox}
    assert len(mail.outbox) == 3 and len(by_person) == 3
    assert "decided: Recess duty rota" in by_person[world.principal.email].subject
    assert "decidió: Recess duty rota" in by_person[world.family.email].subject
    # The announcement again (a retried task) sends nothing more.
    from teams.tasks import announce_proposal_outcome

    announce_proposal_outcome(proposal.pk)
    assert len(mail.outbox) == 3


def test_at_the_deadline_the_outcome_is_stated_with_the_same_checks(
    world, ilt, django_capture_on_commit_callbacks
):
    proposal = open_proposal(world, ilt, area="schedule", model=DecisionModel.MAJORITY, quorum=2)
    answer(proposal, world.principal, "yes")
    lapsing = open_proposal(world, ilt, area="budget2", model=DecisionModel.MAJORITY, quorum=2)
    answer(lapsing, world.family, "no")
    answer(proposal, world.family, "no")
    answer(proposal, world.teacher_leader, "abstain")
    # Everyone answered a majority vote: stated at once (1 yes, 1 no: not adopted).
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.DECIDED and proposal.outcome == "rejected"
    later = timezone.now() + timedelta(days=3)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        assert close_due_proposals() == 1
    lapsing.refresh_from_db()
    assert lapsing.state == ProposalState.LAPSED
    assert "need 2 answers; 1 members answered" in lapsing.outcome_note
    assert not Decision.objects.filter(proposal=lapsing).exists()
    assert OutboxTask.objects.filter(task="teams.tasks.announce_proposal_outcome").count() == 2


def test_where_the_lead_decides_members_give_input_then_the_lead_decides(world, ilt):
    proposal = open_proposal(world, ilt, area="hiring", model=DecisionModel.LEADER_AFTER_INPUT)
    answer(proposal, world.family, "input", comment="Please include a parent on the panel")
    with pytest.raises(ValidationError):
        services.proposal_lead_decide(proposal=proposal, actor=world.principal, outcome="adopted")
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        assert services.proposal_close_due(proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.AWAITING_LEAD
    services.proposal_lead_decide(
        proposal=proposal, actor=world.principal, outcome="adopted", rationale="With a parent."
    )
    decision = Decision.objects.get(proposal=proposal)
    assert decision.model_used == DecisionModel.LEADER_AFTER_INPUT and decision.present == 1


def test_a_review_date_puts_a_review_item_on_the_first_meeting_after_it(world, ilt):
    m = f.live_meeting(ilt)
    soon = f.meeting(ilt.team, days=3)
    later = f.meeting(ilt.team, days=20)
    services.decision_record(
        item=m.current_item,
        actor=world.principal,
        rule=ilt.schedule,
        model_used="majority",
        text="Data meetings on Thursdays",
        outcome="adopted",
        review_on=timezone.localdate() + timedelta(days=10),
    )
    review = AgendaItem.objects.get(review_of__isnull=False)
    assert review.meeting == later and review.title == "Review: Data meetings on Thursdays"
    assert not soon.items.exists()
    # A meeting scheduled in between later takes nothing: the review item is placed once.
    services.meeting_schedule(
        team=ilt.team, actor=world.principal, starts_at=timezone.now() + timedelta(days=12)
    )
    assert AgendaItem.objects.filter(review_of__isnull=False).count() == 1


# --- pages -----------------------------------------------------------------------------


def test_a_member_answers_from_the_proposal_page(world, ilt, client_for):
    proposal = open_proposal(world, ilt)
    client = client_for(world.family)
    url = reverse("teams:proposal_detail", kwargs={"slug": "lincoln", "pk": proposal.pk})
    page = client.get(url).content.decode()
    assert "Recess duty rota" in page and "Consent (no objections)" in page
    refused = client.post(url + "answer/", {"value": "object"})
    assert "Say what you object to" in refused.content.decode()
    assert not ProposalAnswer.objects.exists()
    client.post(url + "answer/", {"value": "object", "objection": "Not on Fridays"})
    page = client.get(url).content.decode()
    assert "Not on Fridays" in page and "Your answer: object" in page


def test_the_team_page_opens_a_proposal_and_refuses_an_uncovered_area(world, ilt, client_for):
    client = client_for(world.teacher_leader)
    url = reverse("teams:proposal_open", kwargs={"slug": "lincoln", "pk": ilt.team.pk})
    closes = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    data = {"area": "uniforms", "title": "Uniforms", "text": "Blue", "closes_at": closes}
    refused = client.post(url, data)
    assert "has no decision area “uniforms”" in refused.content.decode()
    opened = client.post(url, data | {"area": "budget"}, follow=True)
    assert "The proposal is open for answers." in opened.content.decode()
    assert Proposal.objects.get().rule == ilt.budget


def test_proposal_page_queries(world, ilt, client_for, django_assert_num_queries):
    proposal = open_proposal(world, ilt)
    answer(proposal, world.principal, "consent", comment="Yes")
    answer(proposal, world.teacher_leader, "object", objection="Fridays")
    client = client_for(world.family)
    url = reverse("teams:proposal_detail", kwargs={"slug": "lincoln", "pk": proposal.pk})
    # the session with the user and roles, the proposal with its team and area, seats, answers with
    # who gave them, members; the same with more answers
    with django_assert_num_queries(6):
        page = client.get(url).content.decode()
    assert "Fridays" in page
