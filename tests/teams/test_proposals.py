"""Members put items forward for the agenda; the facilitator accepts or declines with a reason."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leadership.models import AuditEntry
from teams import selectors, services
from teams.models import AgendaItem, AgendaProposal, MeetingStatus, ProposalStatus
from tests.teams import factories as f

PDF = b"%PDF-1.4\n% a pre-read\n"


def team_url(ilt, name="team_detail", **extra):
    kwargs = {"slug": ilt.team.school.slug, "pk": ilt.team.pk, **extra}
    return reverse(f"teams:{name}", kwargs=kwargs)


def test_a_member_puts_an_item_forward_with_a_pre_read_file(world, ilt, client_for):
    client = client_for(world.teacher_leader)
    response = client.post(
        team_url(ilt, "proposal_create"),
        {
            "title": "Recess duty rota",
            "details": "Two classes are alone at 10:15.",
            "kind": "decide",
            "minutes_wanted": 15,
            "link": "",
            "upload": SimpleUploadedFile("rota.pdf", PDF, content_type="application/pdf"),
        },
        follow=True,
    )
    assert "Your item was put forward." in response.content.decode()
    proposal = AgendaProposal.objects.get()
    assert proposal.proposed_by == world.teacher_leader
    assert proposal.status == ProposalStatus.PENDING and proposal.file_name == "rota.pdf"
    download = client.get(team_url(ilt, "proposal_file", proposal_pk=proposal.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action="agenda_proposal.create").count() == 1


@pytest.mark.parametrize(
    "name,content",
    [("rota.exe", b"MZ\x90\x00"), ("rota.pdf", b"MZ not a pdf"), ("notes.txt", b"\x00\xff" * 2000)],
)
def test_a_pre_read_that_is_not_what_it_says_is_refused(world, ilt, client_for, name, content):
    client = client_for(world.teacher_leader)
    response = client.post(
        team_url(ilt, "proposal_create"),
        {
            "title": "Rota",
            "kind": "discuss",
            "minutes_wanted": 10,
            "upload": SimpleUploadedFile(name, content),
        },
    )
    assert response.status_code == 200
    assert "is not a file the team can open here" in response.content.decode()
    assert not AgendaProposal.objects.exists()


def test_only_members_put_items_forward(world, ilt):
    with pytest.raises(ValidationError) as error:
        services.agenda_proposal_create(team=ilt.team, actor=world.staff, title="Rota")
    assert str(services.PROPOSAL_NOT_MEMBER) in error.value.messages
    assert not AgendaProposal.objects.exists()


def test_the_facilitator_accepts_an_item_into_a_meeting(world, ilt, client_for):
    proposal = f.proposal(ilt, minutes_wanted=15, link="https://example.org/rota")
    meeting = f.meeting(ilt.team)
    client = client_for(world.principal)
    response = client.post(
        team_url(ilt, "proposal_accept", proposal_pk=proposal.pk),
        {"meeting": meeting.pk},
        follow=True,
    )
    assert "is on the agenda of the meeting of" in response.content.decode()
    item = AgendaItem.objects.get(meeting=meeting)
    assert item.title == "Recess duty rota" and item.minutes_allotted == 15
    assert item.presenter == str(world.teacher_leader)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED and proposal.item == item
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "https://example.org/rota" in page and "Put forward by" in page
    # Answered once: a second answer is refused, nothing changes.
    with pytest.raises(ValidationError) as error:
        services.agenda_proposal_decline(proposal=proposal, actor=world.principal, reason="No")
    assert str(services.PROPOSAL_DECIDED) in error.value.messages
    assert AgendaProposal.objects.get().status == ProposalStatus.ACCEPTED


def test_an_item_goes_only_to_an_open_meeting_of_its_team(world, ilt):
    proposal = f.proposal(ilt)
    held = f.held_meeting(ilt)
    with pytest.raises(ValidationError) as error:
        services.agenda_proposal_accept(proposal=proposal, actor=world.principal, meeting=held)
    assert str(services.PROPOSAL_WRONG_MEETING) in error.value.message_dict["meeting"]
    assert not AgendaItem.objects.exists()
    assert AgendaProposal.objects.get().status == ProposalStatus.PENDING


def test_a_declined_item_shows_its_reason_to_the_member(world, ilt, client_for):
    proposal = f.proposal(ilt)
    client = client_for(world.principal)
    refused = client.post(
        team_url(ilt, "proposal_decline", proposal_pk=proposal.pk), {"reason": ""}
    )
    assert refused.status_code == 200
    assert "The item was not declined." in refused.content.decode()
    assert AgendaProposal.objects.get().status == ProposalStatus.PENDING
    client.post(
        team_url(ilt, "proposal_decline", proposal_pk=proposal.pk),
        {"reason": "The district sets the rota this year."},
    )
    member_page = client_for(world.teacher_leader).get(team_url(ilt)).content.decode()
    assert "Declined" in member_page
    assert "The district sets the rota this year." in member_page
    # Another member does not see it.
    assert "Recess duty rota" not in client_for(world.family).get(team_url(ilt)).content.decode()


def test_what_waits_for_the_proposer(world, ilt):
    f.proposal(ilt, title="Waiting")
    f.proposal(ilt, title="Someone else's", by=world.family)
    titles = [p.title for p in selectors.proposed_items_of(world.teacher_leader)]
    assert titles == ["Waiting"]


def test_the_meeting_page_lists_the_proposer_without_a_query_per_item(
    world, ilt, client_for, django_assert_max_num_queries
):
    meeting = f.meeting(ilt.team, status=MeetingStatus.SCHEDULED)
    for n in range(5):
        proposal = f.proposal(ilt, title=f"Item {n}")
        services.agenda_proposal_accept(proposal=proposal, actor=world.principal, meeting=meeting)
    client = client_for(world.principal)
    client.get(meeting.get_absolute_url())
    with django_assert_max_num_queries(40) as queries:
        client.get(meeting.get_absolute_url())
    before = len(queries)
    for n in range(5, 10):
        proposal = f.proposal(ilt, title=f"Item {n}")
        services.agenda_proposal_accept(proposal=proposal, actor=world.principal, meeting=meeting)
    with django_assert_max_num_queries(before):
        client.get(meeting.get_absolute_url())
