"""Pages of the teams app: teams, the live meeting page, polls, decisions, minutes, the log."""

from __future__ import annotations

import mimetypes
import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from leadership import edits
from leadership.htmx import HtmxHttpRequest, is_partial
from leadership.htmx import apply_form_errors as _apply_form_errors
from leadership.models import AuditEntry, Membership, School, User
from leadership.permissions import is_principal, school_object_view, school_view
from leadership.tasks import site_url
from leadership.uploads import refused_uploads, upload_limit

from . import selectors, services
from .forms import (
    ActionEditForm,
    ActionItemForm,
    AgendaItemForm,
    AgendaProposalForm,
    CancelForm,
    DecisionForm,
    DecisionSearchForm,
    LeadDecisionForm,
    MeetingForm,
    MemberForm,
    MinutesForm,
    MinutesRuleForm,
    PollForm,
    ProposalAcceptForm,
    ProposalAmendForm,
    ProposalAnswerForm,
    ProposalDeclineForm,
    ProposalOpenForm,
    RescheduleForm,
    RuleForm,
    SeatForm,
    TeamForm,
    VoteForm,
)
from .ics import meeting_ics
from .models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    AgendaProposal,
    Meeting,
    MeetingStatus,
    MinutesRule,
    MinutesStatus,
    Poll,
    Proposal,
    ProposalState,
    Team,
    TeamMember,
)
from .permissions import (
    can_run_meeting,
    can_see_all_teams,
    can_view_meeting,
    can_view_team,
    can_view_teams,
    can_vote,
    is_member,
)

# --- what the pages load ---------------------------------------------------------------

TEAMS = Team.objects.select_related("school__district", "school_year")
MEETINGS = Meeting.objects.select_related(
    "team__school__district", "team__school_year", "current_item"
)


def _runs(user, meeting: Meeting) -> bool:
    return can_run_meeting(user, meeting.team)


def _votes(user, meeting: Meeting) -> bool:
    return can_vote(user, meeting.team)


def _message(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


def _form_error(request, form, error: ValidationError) -> None:
    """Put the error on the form; a refusal of the whole action also goes to the messages,
    since the form may be gone from the page (a meeting closed meanwhile)."""
    _apply_form_errors(form, error)
    if not hasattr(error, "error_dict"):
        messages.error(request, _message(error))


# --- teams ----------------------------------------------------------------------------


def _team_list(request, school: School, form: TeamForm | None = None) -> HttpResponse:
    can_create = is_principal(request.user, school)
    context = {
        "school": school,
        "teams": selectors.teams_for(user=request.user, school=school),
        "form": (form or TeamForm()) if can_create else None,
    }
    return render(request, "teams/team_list.html", context)


@login_required
@require_safe
@school_view(can_view_teams)
def team_list(request: HtmxHttpRequest, school: School) -> HttpResponse:
    return _team_list(request, school)


@login_required
@require_POST
@school_view(is_principal)
def team_create(request: HtmxHttpRequest, school: School) -> HttpResponse:
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            team = services.team_create(school=school, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("The team was created. Add its members and charter."))
            return redirect(team)
    return _team_list(request, school, form)


def _team_context(request, team: Team, form: MeetingForm | None = None, **forms) -> dict:
    user = request.user
    members = selectors.team_members(team)
    runs = can_run_meeting(user, team)
    full_view = runs or is_member(user, team) or can_see_all_teams(user, team.school)
    rules = list(team.decision_rules.all())
    context = {
        "school": team.school,
        "team": team,
        "members": members,
        "former_members": selectors.former_members(team) if full_view else [],
        "seats": selectors.seat_status(team, members),
        "rules": rules,
        "conflict": forms.get("conflict"),
        "meetings": list(selectors.team_meetings(team, published_only=not full_view)),
        "overdue": list(selectors.overdue_actions(team)) if runs else [],
        "can_run": runs,
        "form": form or (MeetingForm() if runs else None),
    }
    context["can_propose"] = is_member(user, team)
    if context["can_propose"]:
        context["proposal_form"] = forms.get("proposal_form") or AgendaProposalForm()
    context["decision_proposals"] = selectors.team_open_proposals(team) if full_view else []
    if context["can_propose"] and rules:
        context["open_form"] = forms.get("open_form") or ProposalOpenForm(rules=rules)
    proposals = selectors.team_proposals(team, user=user, runs=runs)
    context["proposals"] = proposals
    if runs:
        meetings = selectors.open_meetings(team)
        context["open_meetings"] = meetings
        for proposal in proposals:
            if proposal.status == "pending":
                answer = forms.get("answer")
                if answer and answer[0] == proposal.pk:
                    proposal.accept_form, proposal.decline_form = answer[1], answer[2]
                else:
                    proposal.accept_form = ProposalAcceptForm(meetings=meetings, proposal=proposal)
                    proposal.decline_form = ProposalDeclineForm(proposal=proposal)
        context["minutes_rule_form"] = forms.get("minutes_rule_form") or MinutesRuleForm(
            initial={"minutes_rule": team.minutes_rule}
        )
        context.update(
            member_form=forms.get("member_form") or MemberForm(people=_team_people(team)),
            rule_form=forms.get("rule_form")
            or RuleForm(initial={"version": services.charter_version(team, rules)}),
            seat_form=forms.get("seat_form") or SeatForm(),
        )
    return context


@login_required
@require_safe
@school_object_view(TEAMS, "school", can_view_team, seat_holders=True)
def team_detail(request: HtmxHttpRequest, team: Team) -> HttpResponse:
    return render(request, "teams/team_detail.html", _team_context(request, team))


@login_required
@require_POST
@school_object_view(TEAMS, "school", can_run_meeting)
def meeting_schedule(request: HtmxHttpRequest, team: Team) -> HttpResponse:
    # The form reads the wall-clock time in the district's time zone (the loader switched to
    # it), not the server's.
    form = MeetingForm(request.POST)
    valid = form.is_valid()
    if valid:
        try:
            meetings = services.meeting_schedule(team=team, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(
                request,
                _("%(count)s meeting(s) scheduled.") % {"count": len(meetings)},
            )
            return redirect(meetings[0])
    return render(request, "teams/team_detail.html", _team_context(request, team, form=form))


def _team_people(team: Team) -> list[tuple[int, str]]:
    seen: dict[int, str] = {}
    for membership in Membership.objects.active().filter(school=team.school).select_related("user"):
        seen.setdefault(membership.user_id, str(membership.user))
    return list(seen.items())


@login_required
@require_POST
@school_object_view(TEAMS, "school", can_run_meeting)
def member_add(request: HtmxHttpRequest, team: Team) -> HttpResponse:
    form = MemberForm(request.POST, people=_team_people(team))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.member_add(
                team=team, actor=request.user, user=User.objects.get(pk=data.pop("user")), **data
            )
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("The member was saved."))
            return redirect(team.get_absolute_url() + "#members-heading")
    return render(request, "teams/team_detail.html", _team_context(request, team, member_form=form))


@login_required
@require_POST
@school_object_view(TEAMS, "school", can_run_meeting)
def member_remove(request: HtmxHttpRequest, team: Team, member_pk: int) -> HttpResponse:
    member = get_object_or_404(TeamMember.objects.select_related("user"), pk=member_pk, team=team)
    try:
        services.member_remove(member=member, actor=request.user)
    except ValidationError as error:
        messages.error(request, _message(error))
    else:
        messages.success(
            request,
            _("%(name)s no longer sits on the team; their part in its history is kept.")
            % {"name": member.user},
        )
    return redirect(team.get_absolute_url() + "#members-heading")


@login_required
@require_POST
@school_object_view(TEAMS, "school", can_run_meeting)
def rule_save(request: HtmxHttpRequest, team: Team) -> HttpResponse:
    form = RuleForm(request.POST)
    conflict = None
    if form.is_valid():
        try:
            services.rule_save(team=team, actor=request.user, **form.cleaned_data)
        except edits.StaleEdit as stale:
            line = stale.current  # this area's line as saved now, or a new one
            saved = {"area": line.area} | (
                {"model": line.model, "who_decides": line.who_decides, "quorum": line.quorum}
                if line.pk
                else {}
            )
            conflict = edits.show_conflict(form, stale, saved, place=team.school)
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("The charter was saved."))
            return redirect(team.get_absolute_url() + "#charter-heading")
    context = _team_context(request, team, rule_form=form, conflict=conflict)
    return render(request, "teams/team_detail.html", context)


@login_required
@require_POST
@school_object_view(TEAMS, "school", can_run_meeting)
def seat_set(request: HtmxHttpRequest, team: Team) -> HttpResponse:
    form = SeatForm(request.POST)
    if form.is_valid():
        try:
            services.seat_set(team=team, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("The seats were saved."))
            return redirect(team.get_absolute_url() + "#seats-heading")
    return render(request, "teams/team_detail.html", _team_context(request, team, seat_form=form))


# --- agenda items members put forward -------------------------------------------------


def _sees_prereads(user, team: Team) -> bool:
    return is_member(user, team) or can_see_all_teams(user, team.school)


@upload_limit("evidence")
@login_required
@require_POST
@school_object_view(TEAMS, "school", is_member)
def proposal_create(request: HtmxHttpRequest, team: Team) -> HttpResponse:
    form = AgendaProposalForm(request.POST, request.FILES, refused=refused_uploads(request))
    if form.is_valid():
        try:
            services.agenda_proposal_create(team=team, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(
                request,
                _("Your item was put forward. The facilitator will accept it or tell you why not."),
            )
            return redirect(team.get_absolute_url() + "#proposals-heading")
    context = _team_context(request, team, proposal_form=form)
    return render(request, "teams/team_detail.html", context)


def _proposal(team: Team, proposal_pk: int) -> AgendaProposal:
    return get_object_or_404(
        AgendaProposal.objects.select_related("proposed_by"), pk=proposal_pk, team=team
    )


@login_required
@require_POST
@school_object_view(TEAMS, "school", can_run_meeting)
def proposal_accept(request: HtmxHttpRequest, team: Team, proposal_pk: int) -> HttpResponse:
    proposal = _proposal(team, proposal_pk)
    meetings = selectors.open_meetings(team)
    form = ProposalAcceptForm(request.POST, meetings=meetings, proposal=proposal)
    if form.is_valid():
        meeting = next(m for m in meetings if m.pk == form.cleaned_data["meeting"])
        try:
            services.agenda_proposal_accept(proposal=proposal, actor=request.user, meeting=meeting)
        except ValidationError as error:
            _form_error(request, form, error)
        else:
            messages.success(
                request,
                _("“%(title)s” is on the agenda of the meeting of %(when)s.")
                % {
                    "title": proposal.title,
                    "when": formats.date_format(
                        timezone.localtime(meeting.starts_at), "DATETIME_FORMAT"
                    ),
                },
            )
            return redirect(team.get_absolute_url() + "#proposals-heading")
    decline = ProposalDeclineForm(proposal=proposal)
    context = _team_context(request, team, answer=(proposal.pk, form, decline))
    return render(request, "teams/team_detail.html", context)


@login_required
@require_POST
@school_object_view(TEAMS, "school", can_run_meeting)
def proposal_decline(request: HtmxHttpRequest, team: Team, proposal_pk: int) -> HttpResponse:
    proposal = _proposal(team, proposal_pk)
    form = ProposalDeclineForm(request.POST, proposal=proposal)
    if form.is_valid():
        try:
            services.agenda_proposal_decline(
                proposal=proposal, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _form_error(request, form, error)
        else:
            messages.success(
                request,
                _("“%(title)s” was declined; %(name)s sees your reason.")
                % {"title": proposal.title, "name": proposal.proposed_by},
            )
            return redirect(team.get_absolute_url() + "#proposals-heading")
    accept = ProposalAcceptForm(meetings=selectors.open_meetings(team), proposal=proposal)
    context = _team_context(request, team, answer=(proposal.pk, accept, form))
    return render(request, "teams/team_detail.html", context)


@login_required
@require_safe
@school_object_view(TEAMS, "school", _sees_prereads)
def proposal_file(request: HtmxHttpRequest, team: Team, proposal_pk: int) -> HttpResponse:
    """A pre-read is served only here, after the permission check; never from /media/."""
    proposal = _proposal(team, proposal_pk)
    if not proposal.file:
        raise Http404
    try:
        handle = proposal.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = mimetypes.guess_type(proposal.file_name)[0] or "application/octet-stream"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=os.path.basename(proposal.file_name),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- proposals decided between meetings -----------------------------------------------

PROPOSALS = Proposal.objects.select_related(
    "team__school__district", "team__school_year", "rule", "opened_by"
)


def _sees_proposal(user, proposal: Proposal) -> bool:
    return is_member(user, proposal.team) or can_see_all_teams(user, proposal.team.school)


def _answers_proposal(user, proposal: Proposal) -> bool:
    return is_member(user, proposal.team)


def _decides_proposal(user, proposal: Proposal) -> bool:
    return can_run_meeting(user, proposal.team)


@login_required
@require_POST
@school_object_view(TEAMS, "school", is_member)
def proposal_open(request: HtmxHttpRequest, team: Team) -> HttpResponse:
    form = ProposalOpenForm(request.POST, rules=list(team.decision_rules.all()))
    if form.is_valid():
        try:
            proposal = services.proposal_open(team=team, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_error(request, form, error)
        else:
            messages.success(request, _("The proposal is open for answers."))
            return redirect(proposal)
    return render(request, "teams/team_detail.html", _team_context(request, team, open_form=form))


def _proposal_context(request, proposal: Proposal, **forms) -> dict:
    user = request.user
    answers = selectors.proposal_answers(proposal)
    mine = next((a for a in answers if a.member.user_id == user.pk), None)
    member = is_member(user, proposal.team)
    runs = can_run_meeting(user, proposal.team)
    open_now = proposal.state == ProposalState.OPEN and proposal.closes_at > timezone.now()
    context = {
        "proposal": proposal,
        "team": proposal.team,
        "school": proposal.team.school,
        "rule": proposal.rule,
        "answers": answers,
        "counts": services.proposal_counts(proposal, answers),
        "choices": services.proposal_choices(proposal.rule.model),
        "member_count": len(selectors.team_members(proposal.team)),
        "mine": mine,
        "can_answer": member and open_now and mine is None,
        "answer_error": forms.get("answer_error"),
        "open_now": open_now,
        "decision": getattr(proposal, "decision", None) if proposal.state == "decided" else None,
    }
    if open_now and (proposal.opened_by_id == user.pk or runs):
        context["amend_form"] = forms.get("amend_form") or ProposalAmendForm(
            initial={"text": proposal.text}
        )
    if runs and proposal.state == ProposalState.AWAITING_LEAD:
        context["lead_form"] = forms.get("lead_form") or LeadDecisionForm()
    return context


def _render_proposal(request, proposal: Proposal, **forms) -> HttpResponse:
    response = render(
        request, "teams/proposal_detail.html", _proposal_context(request, proposal, **forms)
    )
    return _stay(request, response)


@login_required
@require_safe
@school_object_view(PROPOSALS, "team__school", _sees_proposal)
def proposal_detail(request: HtmxHttpRequest, proposal: Proposal) -> HttpResponse:
    return _render_proposal(request, proposal)


@login_required
@require_POST
@school_object_view(PROPOSALS, "team__school", _answers_proposal)
def proposal_answer(request: HtmxHttpRequest, proposal: Proposal) -> HttpResponse:
    form = ProposalAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_answer(proposal=proposal, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            return _render_proposal(request, proposal, answer_error=_message(error))
        messages.success(request, _("Your answer was recorded."))
        return redirect(proposal.get_absolute_url() + "#answers-heading")
    return _render_proposal(request, proposal, answer_error=_("Choose one of the answers offered."))


@login_required
@require_POST
@school_object_view(PROPOSALS, "team__school", _answers_proposal)
def proposal_amend(request: HtmxHttpRequest, proposal: Proposal) -> HttpResponse:
    form = ProposalAmendForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_amend(proposal=proposal, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_error(request, form, error)
        else:
            messages.success(
                request, _("The proposal was amended. Members answer the new version.")
            )
            return redirect(proposal)
    return _render_proposal(request, proposal, amend_form=form)


@login_required
@require_POST
@school_object_view(PROPOSALS, "team__school", _decides_proposal)
def proposal_decide(request: HtmxHttpRequest, proposal: Proposal) -> HttpResponse:
    form = LeadDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_lead_decide(
                proposal=proposal, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _form_error(request, form, error)
        else:
            messages.success(request, _("The decision was recorded and the team is told."))
            return redirect(proposal)
    return _render_proposal(request, proposal, lead_form=form)


# --- the meeting page -----------------------------------------------------------------


def _live_context(request, meeting: Meeting, items: list[AgendaItem] | None = None) -> dict:
    user = request.user
    if items is None:
        items = selectors.meeting_items(meeting)
    my_member = TeamMember.objects.active().filter(team_id=meeting.team_id, user=user).first()
    polls = []
    for item in items:
        for poll in item.polls.all():
            my_vote = next(
                (v for v in poll.votes.all() if my_member and v.member_id == my_member.pk), None
            )
            polls.append(
                {
                    "poll": poll,
                    "item": item,
                    "tally": services.poll_tally(poll),
                    "mine": my_vote,
                    "objections": [v for v in poll.votes.all() if v.objection],
                }
            )
    current = next((i for i in items if i.pk == meeting.current_item_id), None)
    runs = _runs(user, meeting)
    return {
        "meeting": meeting,
        "team": meeting.team,
        "school": meeting.team.school,
        "items": items,
        "current": current,
        "polls": polls,
        "decisions": [d for i in items for d in i.decisions.all()],
        "actions": [a for i in items for a in i.actions.all()]
        + list(meeting.action_items.filter(item__isnull=True).select_related("owner")),
        "present_count": meeting.attendance.filter(present=True).count(),
        "can_vote": my_member is not None,
        "can_run": runs,
        # Followers read the minutes here, in the region every follower's page refreshes
        # (those who run the meeting edit them in the agenda, until they are approved).
        "minutes_here": not runs
        or meeting.minutes_status == MinutesStatus.APPROVED
        or meeting.status == MeetingStatus.CANCELLED,
        "has_minutes": any(item.notes for item in items),
        "etag": _live_etag(meeting, user),
    }


def _live_etag(meeting: Meeting, user) -> str:
    # Per user (their own vote shows) and per language; the meeting row's stamp does the rest.
    stamp = f"{meeting.updated_at.timestamp():.6f}"
    return f'"m{meeting.pk}-{stamp}-u{user.pk}-{get_language()}"'


def _meeting_context(request, meeting: Meeting, **forms) -> dict:
    items = selectors.meeting_items(meeting)
    context = _live_context(request, meeting, items)
    runs = _runs(request.user, meeting)
    context["can_run"] = runs
    context["conflict"] = forms.pop("conflict", None)
    context["start_check"] = forms.pop("start_check", None)
    if runs:
        members = selectors.team_members(meeting.team)
        attendance = {a.member_id: a.present for a in meeting.attendance.all()}
        context.update(
            members=[(m, attendance.get(m.pk)) for m in members],
            item_form=forms.get("item_form") or AgendaItemForm(),
            poll_form=forms.get("poll_form") or PollForm(),
            decision_form=forms.get("decision_form")
            or DecisionForm(
                meeting=meeting,
                items=items,
                initial={"item": meeting.current_item_id},
            ),
            action_form=forms.get("action_form") or ActionItemForm(members=members),
        )
        if meeting.status == MeetingStatus.SCHEDULED:
            context["reschedule_form"] = forms.get("reschedule_form") or RescheduleForm(
                initial={
                    "starts_at": timezone.localtime(meeting.starts_at),
                    "duration_minutes": meeting.duration_minutes,
                    "location": meeting.location,
                }
            )
            context["cancel_form"] = forms.get("cancel_form") or CancelForm()
        for item in items:
            if forms.get("minutes_item") == item.pk:
                item.minutes_form = forms["minutes_form"]
            else:
                item.minutes_form = MinutesForm(
                    initial={"notes": item.notes, "version": item.version}
                )
        previous = selectors.previous_meeting(meeting)
        if (
            previous
            and previous.status == MeetingStatus.HELD
            and previous.minutes_status == MinutesStatus.DRAFT
            and meeting.status != MeetingStatus.SCHEDULED
        ):
            context["previous_to_approve"] = previous
        context["minutes_approval"] = _minutes_approval(meeting)
    if meeting.minutes_status == MinutesStatus.APPROVED:
        context["history"] = _minutes_history(meeting, items)
    return context


def _minutes_approval(meeting: Meeting) -> tuple[bool, str] | None:
    """Whether this meeting's minutes can be approved now, and why (or why not), by the rule."""
    if meeting.minutes_status == MinutesStatus.APPROVED or meeting.status in (
        MeetingStatus.SCHEDULED,
        MeetingStatus.CANCELLED,
    ):
        return None
    at_close = meeting.team.minutes_rule == MinutesRule.AT_CLOSE
    if meeting.status == MeetingStatus.IN_PROGRESS:
        why = (
            _("The team approves minutes when the meeting closes: close it to approve these.")
            if at_close
            else _("The team approves minutes at its next meeting, once that meeting has started.")
        )
        return False, why
    if at_close:
        return True, _(
            "The team approves minutes when the meeting closes: these can be approved now."
        )
    if services.next_started(meeting):
        return True, _("The team's next meeting has started: these minutes can be approved.")
    return False, _(
        "The team approves minutes at its next meeting; they can be approved once it has started."
    )


@login_required
@require_POST
@school_object_view(TEAMS, "school", can_run_meeting)
def minutes_rule_set(request: HtmxHttpRequest, team: Team) -> HttpResponse:
    form = MinutesRuleForm(request.POST)
    if form.is_valid():
        services.minutes_rule_set(team=team, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The rule for approving minutes was saved."))
        return redirect(team.get_absolute_url() + "#minutes-rule-heading")
    context = _team_context(request, team, minutes_rule_form=form)
    return render(request, "teams/team_detail.html", context)


def _minutes_history(meeting: Meeting, items: list[AgendaItem]):
    ids = [str(i.pk) for i in items]
    return AuditEntry.objects.filter(
        school=meeting.team.school_id,
        object_type__in=["teams.agendaitem", "teams.meeting"],
        action__in=["minutes.save", "minutes.approve"],
        object_id__in=[*ids, str(meeting.pk)],
    ).select_related("actor")[:200]


def _stay(request, response: HttpResponse) -> HttpResponse:
    """A page rendered in answer to a boosted form (errors, a question): htmx would put the
    form's POST-only address in the address bar, and a reload would answer 405. Keep the
    address of the page the form was on."""
    if request.htmx:
        response["HX-Push-Url"] = "false"
    return response


def _render_meeting(request, meeting: Meeting, status: int = 200, **forms) -> HttpResponse:
    response = render(
        request,
        "teams/meeting_detail.html",
        _meeting_context(request, meeting, **forms),
        status=status,
    )
    return _stay(request, response)


def _done(request, meeting: Meeting, message: str | None = None, anchor: str = "") -> HttpResponse:
    if message:
        messages.success(request, message)
    return redirect(meeting.get_absolute_url() + anchor)


def _refused(request, meeting: Meeting, error: ValidationError) -> HttpResponse:
    messages.error(request, _message(error))
    return redirect(meeting.get_absolute_url())


@login_required
@require_safe
@vary_on_headers("HX-Request")
@school_object_view(MEETINGS, "team__school", can_view_meeting, seat_holders=True)
def meeting_detail(request: HtmxHttpRequest, meeting: Meeting) -> HttpResponse:
    return _render_meeting(request, meeting)


@login_required
@require_safe
@school_object_view(MEETINGS, "team__school", can_view_meeting, one_query=True, seat_holders=True)
def meeting_live(request: HtmxHttpRequest, meeting: Meeting) -> HttpResponse:
    """The live region, polled every few seconds by everyone on the meeting page.

    Polling with an ETag rather than server-sent events: gunicorn's sync workers hold one
    worker per open connection, so SSE would take a worker per follower for the whole
    meeting. Here each poll costs one indexed read of the meeting row: the ETag is its
    `updated_at` (every write that the page shows moves it on) plus the user, and an
    unchanged page answers 304 with no body, on which htmx keeps what it shows.
    """
    etag = _live_etag(meeting, request.user)
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        response = render(
            request, "teams/meeting_detail.html#live", _live_context(request, meeting)
        )
    response["ETag"] = etag
    # The page's script sends If-None-Match itself; the browser cache must not answer for it.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
@school_object_view(MEETINGS, "team__school", _runs)
def meeting_start(request: HtmxHttpRequest, meeting: Meeting) -> HttpResponse:
    try:
        services.meeting_start(
            meeting=meeting, actor=request.user, other_day=request.POST.get("other_day") == "1"
        )
    except ValidationError as error:
        if error.code == "other_day":
            # Ask once more, on the page, rather than start a meeting of another day unseen.
            return _render_meeting(request, meeting, start_check=_message(error))
        return _refused(request, meeting, error)
    return _done(request, meeting, _("The meeting has started."))


@login_required
@require_POST
@school_object_view(MEETINGS, "team__school", _runs)
def meeting_reschedule(request: HtmxHttpRequest, meeting: Meeting) -> HttpResponse:
    form = RescheduleForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_reschedule(meeting=meeting, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_error(request, form, error)
        else:
            return _done(
                request,
                meeting,
                _("The meeting was moved. The members are told, with an updated calendar entry."),
            )
    return _render_meeting(request, meeting, reschedule_form=form)


@login_required
@require_POST
@school_object_view(MEETINGS, "team__school", _runs)
def meeting_cancel(request: HtmxHttpRequest, meeting: Meeting) -> HttpResponse:
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_cancel(meeting=meeting, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_error(request, form, error)
        else:
            return _done(request, meeting, _("The meeting was cancelled. The members are told."))
    return _render_meeting(request, meeting, cancel_form=form)


@login_required
@require_POST
@school_object_view(MEETINGS, "team__school", _runs)
def meeting_close(request: HtmxHttpRequest, meeting: Meeting) -> HttpResponse:
    try:
        services.meeting_close(meeting=meeting, actor=request.user)
    except ValidationError as error:
        return _refused(request, meeting, error)
    return _done(
        request, meeting, _("The meeting is closed. Its minutes stay a draft until approved.")
    )


@login_required
@require_POST
@school_object_view(MEETINGS, "team__school", _runs)
def meeting_attendance(request: HtmxHttpRequest, meeting: Meeting) -> HttpResponse:
    member_id = request.POST.get("member", "")
    member = get_object_or_404(
        TeamMember, pk=int(member_id) if member_id.isdigit() else 0, team=meeting.team
    )
    try:
        services.attendance_mark(
            meeting=meeting,
            member=member,
            present=request.POST.get("present") == "1",
            actor=request.user,
        )
    except ValidationError as error:
        return _refused(request, meeting, error)
    return _done(request, meeting, anchor="#attendance")


@login_required
@require_POST
@school_object_view(MEETINGS, "team__school", _runs)
def agenda_item_add(request: HtmxHttpRequest, meeting: Meeting) -> HttpResponse:
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        try:
            services.agenda_item_add(meeting=meeting, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_error(request, form, error)
        else:
            return _done(request, meeting, _("The item was added to the agenda."), "#agenda")
    return _render_meeting(request, meeting, item_form=form)


def _item(meeting: Meeting, item_pk: int) -> AgendaItem:
    return get_object_or_404(AgendaItem, pk=item_pk, meeting=meeting)


@login_required
@require_POST
@school_object_view(MEETINGS, "team__school", _runs)
def agenda_item_move(request: HtmxHttpRequest, meeting: Meeting, item_pk: int) -> HttpResponse:
    item = _item(meeting, item_pk)
    try:
        services.agenda_item_move(
            item=item, actor=request.user, direction=request.POST.get("direction", "down")
        )
    except ValidationError as error:
        return _refused(request, meeting, error)
    return _done(request, meeting, anchor="#agenda")


@login_required
@require_POST
@school_object_view(MEETINGS, "team__school", _runs)
def agenda_item_current(request: HtmxHttpRequest, meeting: Meeting, item_pk: int) -> HttpResponse:
    item = _item(meeting, item_pk)
    try:
        services.current_item_set(item=item, actor=request.user)
    except ValidationError as error:
        return _refused(request, meeting, error)
    return _done(request, meeting, _("Now on: %(title)s") % {"title": item.title}, "#agenda")


@login_required
@require_POST
@school_object_view(MEETINGS, "team__school", _runs)
def minutes_save(request: HtmxHttpRequest, meeting: Meeting, item_pk: int) -> HttpResponse:
    item = _item(meeting, item_pk)
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            services.minutes_save(
                item=item,
                actor=request.user,
                notes=form.cleaned_data["notes"],
                version=form.cleaned_data["version"],
            )
        except services.StaleMinutes as stale:
            # Keep the user's text, take the saved version as the new base: the next save is
            # a deliberate merge, and the other person's text is shown beside it.
            saved = {"notes": stale.current.notes}
            conflict = edits.show_conflict(form, stale, saved, place=meeting.team.school)
            conflict.where = item.pk
            return _render_meeting(
                request, meeting, minutes_form=form, minutes_item=item.pk, conflict=conflict
            )
        except ValidationError as error:
            _form_error(request, form, error)
        else:
            return _done(request, meeting, _("The minutes were saved."), f"#item-{item.pk}")
    return _render_meeting(request, meeting, minutes_form=form, minutes_item=item.pk)


@login_required
@require_POST
@school_object_view(MEETINGS, "team__school", _runs)
def minutes_approve(request: HtmxHttpRequest, meeting: Meeting) -> HttpResponse:
    try:
        services.minutes_approve(meeting=meeting, actor=request.user)
    except ValidationError as error:
        return _refused(request, meeting, error)
    messages.success(request, _("The minutes were approved."))
    following = (
        Meeting.objects.filter(team=meeting.team, starts_at__gt=meeting.starts_at)
        .order_by("starts_at")
        .first()
    )
    return redirect((following or meeting).get_absolute_url())


@login_required
@require_POST
@school_object_view(MEETINGS, "team__school", _runs)
def agenda_send(request: HtmxHttpRequest, meeting: Meeting) -> HttpResponse:
    try:
        services.agenda_send(meeting=meeting, actor=request.user)
    except ValidationError as error:
        return _refused(request, meeting, error)
    return _done(request, meeting, _("The agenda is on its way to the members."))


@login_required
@require_POST
@school_object_view(MEETINGS, "team__school", _runs)
def poll_open(request: HtmxHttpRequest, meeting: Meeting) -> HttpResponse:
    form = PollForm(request.POST)
    if form.is_valid():
        item = meeting.current_item or meeting.items.order_by("order", "id").first()
        if item is None:
            form.add_error(None, _("Add an agenda item first."))
        else:
            try:
                services.poll_open(item=item, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                _form_error(request, form, error)
            else:
                return _done(request, meeting, _("The poll is open."), "#live")
    return _render_meeting(request, meeting, poll_form=form)


@login_required
@require_POST
@school_object_view(MEETINGS, "team__school", _runs)
def poll_close(request: HtmxHttpRequest, meeting: Meeting, poll_pk: int) -> HttpResponse:
    poll = get_object_or_404(Poll.objects.select_related("item"), pk=poll_pk, item__meeting=meeting)
    try:
        services.poll_close(poll=poll, actor=request.user)
    except ValidationError as error:
        return _refused(request, meeting, error)
    return _done(request, meeting, _("The poll is closed."), "#live")


@login_required
@require_POST
@school_object_view(MEETINGS, "team__school", _votes, seat_holders=True)
def poll_vote(request: HtmxHttpRequest, meeting: Meeting, poll_pk: int) -> HttpResponse:
    poll = get_object_or_404(Poll.objects.select_related("item"), pk=poll_pk, item__meeting=meeting)
    form = VoteForm(request.POST)
    error_text = None
    if form.is_valid():
        try:
            services.vote_cast(poll=poll, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            error_text = _message(error)
    else:
        error_text = _("Choose one of the answers offered.")
    if is_partial(request):
        context = _live_context(request, meeting)
        context["vote_error"] = error_text
        context["vote_saved"] = error_text is None
        return render(request, "teams/meeting_detail.html#live", context)
    if error_text:
        messages.error(request, error_text)
    else:
        messages.success(request, _("Your answer was recorded."))
    return redirect(meeting.get_absolute_url() + "#live")


@login_required
@require_POST
@school_object_view(MEETINGS, "team__school", _runs)
def decision_record(request: HtmxHttpRequest, meeting: Meeting) -> HttpResponse:
    items = selectors.meeting_items(meeting)
    form = DecisionForm(request.POST, meeting=meeting, items=items)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.decision_record(
                item=data["item"],
                actor=request.user,
                rule=data["rule"],
                # "How it was decided" is the area's method, not asked again.
                model_used=data["rule"].model,
                text=data["text"],
                outcome=data["outcome"],
                rationale=data["rationale"],
                poll=data["poll"],
                review_on=data["review_on"],
            )
        except ValidationError as error:
            _form_error(request, form, error)
        else:
            return _done(request, meeting, _("The decision was recorded."), "#live")
    return _render_meeting(request, meeting, decision_form=form)


@login_required
@require_POST
@school_object_view(MEETINGS, "team__school", _runs)
def action_item_create(request: HtmxHttpRequest, meeting: Meeting) -> HttpResponse:
    members = selectors.team_members(meeting.team)
    form = ActionItemForm(request.POST, members=members)
    if form.is_valid():
        data = form.cleaned_data
        owner = next(m.user for m in members if m.user_id == data["owner"])
        try:
            services.action_item_create(
                meeting=meeting,
                actor=request.user,
                title=data["title"],
                owner=owner,
                due=data["due"],
                item=meeting.current_item,
            )
        except ValidationError as error:
            _form_error(request, form, error)
        else:
            return _done(request, meeting, _("The action item was recorded."), "#live")
    return _render_meeting(request, meeting, action_form=form)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@school_object_view(MEETINGS, "team__school", _runs)
def action_item_edit(request: HtmxHttpRequest, meeting: Meeting, action_pk: int) -> HttpResponse:
    """Edit or reassign an action item (its owner, its due date, its wording)."""
    action = get_object_or_404(
        ActionItem.objects.select_related("owner"), pk=action_pk, meeting=meeting
    )
    members = selectors.team_members(meeting.team)
    conflict = None
    if request.method == "POST":
        form = ActionEditForm(request.POST, members=members)
        if form.is_valid():
            data = form.cleaned_data
            owner = next(m.user for m in members if m.user_id == data["owner"])
            try:
                services.action_item_update(
                    action=action,
                    actor=request.user,
                    title=data["title"],
                    owner=owner,
                    due=data["due"],
                    version=data["version"],
                )
            except edits.StaleEdit as stale:
                current = stale.current
                saved = {"title": current.title, "owner": current.owner_id, "due": current.due}
                conflict = edits.show_conflict(form, stale, saved, place=meeting.team.school)
            except ValidationError as error:
                _apply_form_errors(form, error)
            else:
                messages.success(request, _("The action item was saved."))
                return redirect(meeting.get_absolute_url() + "#live")
    else:
        form = ActionEditForm(
            members=members,
            initial={
                "title": action.title,
                "owner": action.owner_id,
                "due": action.due,
                "version": services.action_version(action),
            },
        )
    context = {
        "meeting": meeting,
        "team": meeting.team,
        "school": meeting.team.school,
        "action": action,
        "form": form,
        "conflict": conflict,
    }
    return render(request, "teams/action_edit.html", context)


@login_required
@require_POST
@school_object_view(MEETINGS, "team__school", can_view_meeting)
def action_item_done(request: HtmxHttpRequest, meeting: Meeting, action_pk: int) -> HttpResponse:
    action = get_object_or_404(
        ActionItem.objects.select_related("team__school"), pk=action_pk, meeting=meeting
    )
    if not (action.owner_id == request.user.pk or _runs(request.user, meeting)):
        raise PermissionDenied
    services.action_item_set_status(action=action, actor=request.user, status=ActionStatus.DONE)
    messages.success(request, _("“%(title)s” is done.") % {"title": action.title})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = meeting.team.school.get_absolute_url()
    return redirect(target)


# --- files and printouts --------------------------------------------------------------


@login_required
@require_safe
@school_object_view(MEETINGS, "team__school", can_view_meeting, seat_holders=True)
def meeting_ics_file(request: HtmxHttpRequest, meeting: Meeting) -> HttpResponse:
    body = meeting_ics(meeting, url=site_url(meeting.get_absolute_url()))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@login_required
@require_safe
@school_object_view(MEETINGS, "team__school", can_view_meeting, seat_holders=True)
def meeting_print(request: HtmxHttpRequest, meeting: Meeting) -> HttpResponse:
    items = selectors.meeting_items(meeting)
    attendance = meeting.attendance.select_related("member__user")
    context = {
        "meeting": meeting,
        "team": meeting.team,
        "school": meeting.team.school,
        "items": items,
        "attendance": attendance,
        "actions": list(meeting.action_items.select_related("owner")),
        "history": _minutes_history(meeting, items)
        if meeting.minutes_status == MinutesStatus.APPROVED
        else [],
    }
    return render(request, "teams/meeting_print.html", context)


@login_required
@require_safe
@school_view(can_view_teams)
def decision_log(request: HtmxHttpRequest, school: School) -> HttpResponse:
    form = DecisionSearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    decisions = selectors.decision_log(user=request.user, school=school, query=query)[:200]
    return render(
        request,
        "teams/decision_log.html",
        {"school": school, "form": form, "decisions": decisions, "query": query},
    )
