"""Every write of the community app: conversations between a family and its school.

A family starts a conversation; the school's staff answer in it and the family is told by
e-mail (one per answer, through the outbox, marked sent with `claim_send`), with a signed
link that opens the conversation without a password. Each person may send at most
COMMUNITY_MESSAGES_PER_HOUR messages an hour, so nobody can use the school to flood a
family's mailbox.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engagement.models import EventStatus, Rsvp, RsvpStatus
from leadership import audit, edits, outbox, versions
from leadership.models import STAFF_ROLES, Membership, Role
from leadership.permissions import is_district_admin, is_school_staff
from leadership.updates import model_update
from leadership.uploads import check_file

from .models import (
    MAX_ANNOUNCEMENT,
    MAX_BODY,
    MAX_FILES,
    MAX_HELP_DETAILS,
    MAX_SUBJECT,
    MAX_TITLE,
    Announcement,
    AnnouncementText,
    Announcer,
    Attachment,
    Conversation,
    ConversationStatus,
    Coordinator,
    Delivery,
    FamilyAudience,
    HelpRequest,
    HelpStatus,
    Message,
    Partner,
    PartnerService,
    PartnerText,
    ServiceKind,
    Topic,
)
from .permissions import (
    can_announce,
    can_answer,
    can_choose_announcers,
    can_choose_coordinators,
    can_manage_partners,
    can_write_to_school,
    is_coordinator,
)

NOT_A_FAMILY = _("Only a family of this school can write to it here.")
NOT_IN_CONVERSATION = _("This conversation is between another family and the school.")
BODY_REQUIRED = _("Write your message.")
BODY_TOO_LONG = _("Keep the message to %(max)s characters; it has %(count)s.")
SUBJECT_REQUIRED = _("Say in a few words what it is about.")
SUBJECT_TOO_LONG = _("Keep the subject to %(max)s characters.")
BAD_TOPIC = _("Choose what the message is about.")
CONVERSATION_CLOSED = _(
    "This conversation is closed, so it takes no more messages. Start a new one if you need to."
)
ALREADY_CLOSED = _("This conversation is already closed.")
TOO_MANY_FILES = _("Attach at most %(max)s files to one message.")
TOO_MANY_MESSAGES = _(
    "You have sent %(count)s messages in the last hour, the most allowed. Please wait a "
    "little before sending another."
)

NOTIFY = "community.tasks.send_reply_notice"


def messages_per_hour() -> int:
    return int(getattr(settings, "COMMUNITY_MESSAGES_PER_HOUR", 30))


def _check_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": BODY_REQUIRED})
    if len(body) > MAX_BODY:
        raise ValidationError({"body": BODY_TOO_LONG % {"max": MAX_BODY, "count": len(body)}})
    return body


def _check_files(files) -> list:
    files = list(files)
    if len(files) > MAX_FILES:
        raise ValidationError({"files": TOO_MANY_FILES % {"max": MAX_FILES}})
    for upload in files:
        try:
            check_file(upload, kind="message_file")
        except ValidationError as error:
            raise ValidationError({"files": error.messages}) from None
    return files


def _check_rate(actor) -> None:
    """Refuse a message past the sender's hourly allowance (read from the messages
    themselves, so it holds across servers and restarts)."""
    limit = messages_per_hour()
    since = timezone.now() - timedelta(hours=1)
    sent = Message.objects.filter(author=actor, created_at__gte=since).count()
    if sent >= limit:
        raise ValidationError(TOO_MANY_MESSAGES % {"count": sent})


def _add_message(*, conversation: Conversation, actor, body: str, files, from_family: bool):
    message = Message(conversation=conversation, author=actor, from_family=from_family, body=body)
    message.full_clean()
    message.save()
    for upload in files:
        attachment = Attachment(message=message, original_name=upload.name[:255], size=upload.size)
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
    return message


@transaction.atomic
def conversation_start(
    *, actor, school, topic: str, subject: str, body: str, files=()
) -> Conversation:
    """A family writes to its school. Nothing is stored unless all of it is right."""
    if not can_write_to_school(actor, school):
        raise ValidationError(NOT_A_FAMILY)
    errors = {}
    if topic not in Topic.values:
        errors["topic"] = BAD_TOPIC
    subject = (subject or "").strip()
    if not subject:
        errors["subject"] = SUBJECT_REQUIRED
    elif len(subject) > MAX_SUBJECT:
        errors["subject"] = SUBJECT_TOO_LONG % {"max": MAX_SUBJECT}
    try:
        body = _check_body(body)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    files = _check_files(files)
    _check_rate(actor)
    now = timezone.now()
    conversation = Conversation(
        school=school,
        family=actor,
        topic=topic,
        subject=subject,
        created_at=now,
        last_message_at=now,
    )
    conversation.full_clean()
    conversation.save()
    _add_message(conversation=conversation, actor=actor, body=body, files=files, from_family=True)
    audit.record(
        actor=actor,
        action="conversation.start",
        obj=conversation,
        school=school,
        after={"topic": topic, "subject": subject},
    )
    versions.mark_changed(school=school)
    return conversation


@transaction.atomic
def message_reply(*, actor, conversation: Conversation, body: str, files=()) -> Message:
    """The family or a staff member of the school writes in the conversation. A staff answer
    sets the conversation waiting for the family and e-mails the family; a family's answer
    opens it again for the school."""
    school = conversation.school
    from_family = conversation.family_id == actor.pk
    if not from_family and not can_answer(actor, conversation):
        raise ValidationError(NOT_IN_CONVERSATION)
    body = _check_body(body)
    files = _check_files(files)
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if conversation.is_closed:
        raise ValidationError(CONVERSATION_CLOSED)
    _check_rate(actor)
    message = _add_message(
        conversation=conversation, actor=actor, body=body, files=files, from_family=from_family
    )
    before = audit.snapshot(conversation, ["status", "assigned_to"])
    conversation.last_message_at = message.created_at
    fields = ["last_message_at", "status"]
    if from_family:
        conversation.status = ConversationStatus.OPEN
    else:
        conversation.status = ConversationStatus.WAITING
        if conversation.first_reply_at is None:
            conversation.first_reply_at = message.created_at
            fields.append("first_reply_at")
        if conversation.assigned_to_id is None:
            conversation.assigned_to = actor
            fields.append("assigned_to")
        outbox.enqueue(NOTIFY, message.pk)
    conversation.save(update_fields=fields)
    audit.record(
        actor=actor,
        action="conversation.reply",
        obj=conversation,
        school=school,
        before=before,
        after=audit.snapshot(conversation, ["status", "assigned_to"]),
    )
    versions.mark_changed(school=school)
    return message


@transaction.atomic
def conversation_close(*, actor, conversation: Conversation) -> Conversation:
    """The family or the school's staff close a conversation: it takes no more messages."""
    school = conversation.school
    if conversation.family_id != actor.pk and not is_school_staff(actor, school):
        raise ValidationError(NOT_IN_CONVERSATION)
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if conversation.is_closed:
        raise ValidationError(ALREADY_CLOSED)
    before = audit.snapshot(conversation, ["status"])
    conversation.status = ConversationStatus.CLOSED
    conversation.closed_at = timezone.now()
    conversation.save(update_fields=["status", "closed_at"])
    audit.record(
        actor=actor,
        action="conversation.close",
        obj=conversation,
        school=school,
        before=before,
        after={"status": conversation.status},
    )
    versions.mark_changed(school=school)
    return conversation


# --- announcements --------------------------------------------------------------------

NOT_ANNOUNCER = _("Only the principal, and staff the principal allows, write announcements.")
NO_AUDIENCE = _("Choose who receives it: families, staff, or both.")
EVENT_REQUIRED = _("Choose the event whose families receive it.")
EVENT_NOT_HERE = _("Choose one of this school's published events.")
MISSING_TEXT = _(
    "Write the announcement in every language of the school before sending: %(languages)s "
    "is missing. Nobody receives a message in a language that is not theirs."
)
TITLE_TOO_LONG = _("Keep the title to %(max)s characters.")
TEXT_TOO_LONG = _("Keep the text to %(max)s characters; it has %(count)s.")
NOBODY_TO_SEND_TO = _("Nobody would receive it: the audience you chose has no one in it yet.")
TOO_MANY_ANNOUNCEMENTS = _(
    "You have sent %(count)s announcements today, the most allowed. Send the next one tomorrow."
)
NOT_STAFF_HERE = _("Only a staff member of this school can be allowed to write announcements.")

FAN_OUT = "community.tasks.announcement_fan_out"


def announcements_per_day() -> int:
    return int(getattr(settings, "COMMUNITY_ANNOUNCEMENTS_PER_DAY", 10))


def _language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


def _check_texts(school, texts: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """Every language of the school, each with a title and a text, within the caps."""
    errors: dict[str, list] = {}
    clean = {}
    missing = []
    for code in school.languages:
        title, body = texts.get(code) or ("", "")
        title, body = (title or "").strip(), (body or "").strip()
        if not title or not body:
            missing.append(code)
            continue
        if len(title) > MAX_TITLE:
            errors.setdefault(f"title_{code}", []).append(TITLE_TOO_LONG % {"max": MAX_TITLE})
        if len(body) > MAX_ANNOUNCEMENT:
            errors.setdefault(f"body_{code}", []).append(
                TEXT_TOO_LONG % {"max": MAX_ANNOUNCEMENT, "count": len(body)}
            )
        clean[code] = (title, body)
    if missing:
        names = ", ".join(_language_name(code) for code in missing)
        errors.setdefault("__all__", []).append(MISSING_TEXT % {"languages": names})
    if errors:
        raise ValidationError(errors)
    return clean


def _recipients(school, *, families: str, event, to_staff: bool) -> list:
    """(person id, preferred language) of everyone it goes to, each once."""
    people: dict[int, str] = {}
    members = Membership.objects.active().filter(school=school, user__is_active=True)
    if families == FamilyAudience.ALL:
        rows = members.filter(role=Role.FAMILY).values_list("user_id", "user__preferred_language")
        people.update(rows)
    elif families == FamilyAudience.EVENT:
        rows = Rsvp.objects.filter(
            event=event, status=RsvpStatus.GOING, family__is_active=True
        ).values_list("family_id", "family__preferred_language")
        people.update(rows)
    if to_staff:
        rows = members.filter(role__in=STAFF_ROLES).values_list(
            "user_id", "user__preferred_language"
        )
        people.update(rows)
    return sorted(people.items())


@transaction.atomic
def announcement_send(
    *,
    actor,
    school,
    families: str,
    to_staff: bool,
    texts: dict[str, tuple[str, str]],
    event=None,
) -> Announcement:
    """Write to families and/or staff in every language of the school, and send: each person
    receives it once, in their language (or the school's main one), by e-mail in batches
    and on their page. Refused whole, with nothing stored or sent, when anything is wrong."""
    if not can_announce(actor, school):
        raise ValidationError(NOT_ANNOUNCER)
    if families not in FamilyAudience.values:
        families = FamilyAudience.NONE
    if families == FamilyAudience.NONE and not to_staff:
        raise ValidationError({"families": NO_AUDIENCE})
    if families == FamilyAudience.EVENT:
        if event is None:
            raise ValidationError({"event": EVENT_REQUIRED})
        if event.school_id != school.pk or event.status != EventStatus.PUBLISHED:
            raise ValidationError({"event": EVENT_NOT_HERE})
    else:
        event = None
    texts = _check_texts(school, texts)
    since = timezone.now() - timedelta(days=1)
    sent = Announcement.objects.filter(author=actor, school=school, sent_at__gte=since).count()
    if sent >= announcements_per_day():
        raise ValidationError(TOO_MANY_ANNOUNCEMENTS % {"count": sent})
    people = _recipients(school, families=families, event=event, to_staff=to_staff)
    if not people:
        raise ValidationError(NOBODY_TO_SEND_TO)
    announcement = Announcement(
        school=school, author=actor, families=families, event=event, to_staff=to_staff
    )
    announcement.full_clean()
    announcement.save()
    AnnouncementText.objects.bulk_create(
        [
            AnnouncementText(announcement=announcement, language=code, title=title, body=body)
            for code, (title, body) in texts.items()
        ]
    )
    offered = set(school.languages)
    Delivery.objects.bulk_create(
        [
            Delivery(
                announcement=announcement,
                person_id=person_id,
                language=language if language in offered else school.default_language,
            )
            for person_id, language in people
        ],
        batch_size=1000,
    )
    outbox.enqueue(FAN_OUT, announcement.pk)
    audit.record(
        actor=actor,
        action="announcement.send",
        obj=announcement,
        school=school,
        after={
            "families": families,
            "event": event.pk if event else None,
            "to_staff": to_staff,
            "recipients": len(people),
            "title": texts[school.default_language][0],
        },
    )
    versions.mark_changed(school=school)
    return announcement


def announcement_open(*, announcement: Announcement, person) -> bool:
    """The person read the announcement on its page: counted once. True the first time."""
    opened = Delivery.objects.filter(
        announcement=announcement, person=person, opened_at__isnull=True
    ).update(opened_at=timezone.now())
    if opened:
        versions.mark_changed(school=announcement.school)
    return bool(opened)


@transaction.atomic
def announcer_set(*, actor, school, person, allowed: bool) -> None:
    """The principal allows a staff member to write announcements, or no longer."""
    if not can_choose_announcers(actor, school):
        raise ValidationError(NOT_ANNOUNCER)
    if allowed:
        if (
            not Membership.objects.active()
            .filter(school=school, user=person, role__in=STAFF_ROLES)
            .exists()
        ):
            raise ValidationError({"person": NOT_STAFF_HERE})
        Announcer.objects.get_or_create(school=school, user=person, defaults={"granted_by": actor})
    else:
        Announcer.objects.filter(school=school, user=person).delete()
    person.__dict__.pop("_accord_announcer_of", None)
    audit.record(
        actor=actor,
        action="announcer.allow" if allowed else "announcer.remove",
        obj=school,
        school=school,
        after={"person": person.pk},
    )
    versions.mark_changed(school=school)


# --- community partners, coordinators and requests for help ----------------------------

NOT_PARTNER_KEEPER = _("Only the principal and the community-school coordinators keep partners.")
DISTRICT_WIDE_ADMIN = _("Only a district admin adds a partner for every school of the district.")
PARTNER_DESCRIPTION_REQUIRED = _("Say what help it gives, in the school's main language.")
PARTNER_KIND_REQUIRED = _("Choose at least one kind of help it gives.")
PARTNER_REACH_REQUIRED = _("Give at least one way to reach it: phone, e-mail, website or address.")
EVENT_NOT_OF_SCHOOL = _("An event it co-hosts must be one of this school's events.")
UNKNOWN_LANGUAGE = _("Choose languages from the list; write any others in words.")
NOT_COORDINATOR = _("Only the school's community-school coordinators handle requests for help.")
HELP_OWN_FAMILY = _("You can ask for help for your own family only.")
HELP_BAD_KIND = _("Choose what you need help with.")
HELP_TOO_LONG = _("Keep it to %(max)s characters; it has %(count)s.")
HELP_PARTNER_ELSEWHERE = _("Choose one of the partners of your school.")
HELP_ALREADY_CLOSED = _("This request is already closed.")
HELP_BAD_STATUS = _("Choose the request's new status.")
TOO_MANY_REQUESTS = _(
    "You have asked for help %(count)s times in the last hour, the most allowed. The "
    "coordinator will be in touch; please wait before asking again."
)
NOT_STAFF_FOR_COORDINATOR = _("Only a staff member of this school can be its coordinator.")
HELP_NOTICE = "community.tasks.send_help_notice"
HELP_REQUESTS_PER_HOUR = 5

PARTNER_FIELDS = [
    "name",
    "phone",
    "email",
    "website",
    "address",
    "cost",
    "languages",
    "other_languages",
]


def _check_partner(partner: Partner, *, school, texts, kinds, events) -> tuple[dict, list]:
    """The rules of a partner as it would be saved: (its texts per language, its kinds), or a
    ValidationError naming every field at fault."""
    errors: dict[str, list] = {}
    offered = {code for code, _name in settings.LANGUAGES}
    if any(code not in offered for code in partner.languages or []):
        errors.setdefault("languages", []).append(UNKNOWN_LANGUAGE)
    if not any((partner.phone, partner.email, partner.website, partner.address)):
        errors.setdefault("phone", []).append(PARTNER_REACH_REQUIRED)
    kinds = sorted(set(kinds or []))
    if not kinds or any(kind not in ServiceKind.values for kind in kinds):
        errors.setdefault("kinds", []).append(PARTNER_KIND_REQUIRED)
    default = school.default_language
    clean_texts = {}
    for code, (description, hours) in (texts or {}).items():
        description, hours = (description or "").strip(), (hours or "").strip()
        if description:
            clean_texts[code] = (description, hours)
    if default not in clean_texts:
        errors.setdefault(f"description_{default}", []).append(PARTNER_DESCRIPTION_REQUIRED)
    if any(event.school_id != school.pk for event in events):
        errors.setdefault("events", []).append(EVENT_NOT_OF_SCHOOL)
    try:
        partner.full_clean()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return clean_texts, kinds


def partner_version(partner: Partner) -> str:
    """The version a partner's edit form carries: its fields, texts, kinds and events."""
    texts = {t.language: [t.description, t.hours] for t in partner.texts.all()}
    kinds = sorted(service.kind for service in partner.services.all())
    events = sorted(event.pk for event in partner.events.all())
    return edits.version_of(partner, PARTNER_FIELDS, texts=texts, kinds=kinds, events=events)


def _may_keep(actor, school, partner: Partner) -> None:
    """A district-wide partner is the district admins'; a school's is its keepers'."""
    if partner.school_id is None:
        if not is_district_admin(actor, partner.district_id):
            raise ValidationError(DISTRICT_WIDE_ADMIN)
    elif not can_manage_partners(actor, school) or partner.school_id != school.pk:
        raise ValidationError(NOT_PARTNER_KEEPER)


@transaction.atomic
def partner_create(
    *,
    actor,
    school,
    district_wide: bool = False,
    texts: dict[str, tuple[str, str]],
    kinds: list[str],
    events=(),
    **fields,
) -> Partner:
    """Add a partner to the school's directory, or (a district admin) to every school's."""
    if not can_manage_partners(actor, school):
        raise ValidationError(NOT_PARTNER_KEEPER)
    if district_wide and not is_district_admin(actor, school.district_id):
        raise ValidationError(DISTRICT_WIDE_ADMIN)
    partner = Partner(
        district_id=school.district_id,
        school=None if district_wide else school,
        created_by=actor,
        **{name: value for name, value in fields.items() if name in PARTNER_FIELDS},
    )
    events = list(events)
    clean_texts, kinds = _check_partner(
        partner, school=school, texts=texts, kinds=kinds, events=events
    )
    partner.save()
    PartnerText.objects.bulk_create(
        [
            PartnerText(partner=partner, language=code, description=text, hours=hours)
            for code, (text, hours) in clean_texts.items()
        ]
    )
    PartnerService.objects.bulk_create([PartnerService(partner=partner, kind=k) for k in kinds])
    partner.events.set(events)
    audit.record(
        actor=actor,
        action="partner.create",
        obj=partner,
        school=school,
        after=audit.snapshot(partner, PARTNER_FIELDS) | {"kinds": kinds},
    )
    if district_wide:
        versions.mark_changed(district=school.district_id)
    else:
        versions.mark_changed(school=school)
    return partner


@transaction.atomic
def partner_update(
    *,
    actor,
    school,
    partner: Partner,
    texts: dict[str, tuple[str, str]],
    kinds: list[str],
    events=(),
    version: str | None = None,
    **fields,
) -> Partner:
    """Change a partner of the directory, unless someone saved it since the form's `version`
    (StaleEdit). Whether it is the school's or the whole district's stays as it was."""
    partner = Partner.objects.select_for_update().get(pk=partner.pk, is_active=True)
    _may_keep(actor, school, partner)
    edits.refuse_if_stale(partner, version, partner_version(partner))
    before = audit.snapshot(partner, PARTNER_FIELDS) | {
        "kinds": sorted(service.kind for service in partner.services.all())
    }
    events = list(events)
    data = {name: value for name, value in fields.items() if name in PARTNER_FIELDS}
    if "languages" in data:
        data["languages"] = list(data["languages"] or [])
    checked = {}

    def check(candidate: Partner) -> None:
        checked["texts"], checked["kinds"] = _check_partner(
            candidate, school=school, texts=texts, kinds=kinds, events=events
        )

    model_update(instance=partner, fields=PARTNER_FIELDS, data=data, check=check)
    clean_texts, kinds = checked["texts"], checked["kinds"]
    PartnerText.objects.filter(partner=partner).exclude(language__in=list(clean_texts)).delete()
    for code, (description, hours) in clean_texts.items():
        PartnerText.objects.update_or_create(
            partner=partner, language=code, defaults={"description": description, "hours": hours}
        )
    PartnerService.objects.filter(partner=partner).exclude(kind__in=kinds).delete()
    have = set(PartnerService.objects.filter(partner=partner).values_list("kind", flat=True))
    PartnerService.objects.bulk_create(
        [PartnerService(partner=partner, kind=kind) for kind in kinds if kind not in have]
    )
    if partner.school_id is not None:  # a district-wide partner's events stay as they were
        partner.events.set(events)
    audit.record(
        actor=actor,
        action="partner.update",
        obj=partner,
        school=school,
        before=before,
        after=audit.snapshot(partner, PARTNER_FIELDS) | {"kinds": kinds},
    )
    if partner.school_id is None:
        versions.mark_changed(district=partner.district_id)
    else:
        versions.mark_changed(school=school)
    return partner


@transaction.atomic
def partner_remove(*, actor, school, partner: Partner) -> Partner:
    """Take a partner out of the directory (its past requests keep their history)."""
    _may_keep(actor, school, partner)
    Partner.objects.filter(pk=partner.pk).update(is_active=False)
    audit.record(actor=actor, action="partner.remove", obj=partner, school=school)
    if partner.school_id is None:
        versions.mark_changed(district=partner.district_id)
    else:
        versions.mark_changed(school=school)
    return partner


@transaction.atomic
def coordinator_set(*, actor, school, person, allowed: bool) -> None:
    """The principal names a staff member the school's community-school coordinator, or no
    longer."""
    if not can_choose_coordinators(actor, school):
        raise ValidationError(NOT_ANNOUNCER)
    if allowed:
        if (
            not Membership.objects.active()
            .filter(school=school, user=person, role__in=STAFF_ROLES)
            .exists()
        ):
            raise ValidationError({"person": NOT_STAFF_FOR_COORDINATOR})
        Coordinator.objects.get_or_create(
            school=school, user=person, defaults={"granted_by": actor}
        )
    else:
        Coordinator.objects.filter(school=school, user=person).delete()
    person.__dict__.pop("_accord_coordinator_of", None)
    audit.record(
        actor=actor,
        action="coordinator.name" if allowed else "coordinator.remove",
        obj=school,
        school=school,
        after={"person": person.pk},
    )
    versions.mark_changed(school=school)


@transaction.atomic
def help_request_create(
    *, actor, school, family, kind: str, details: str = "", partner: Partner | None = None
) -> HelpRequest:
    """A family asks, privately, for help: it reaches the coordinators (by e-mail, saying
    only that a family asked and for what kind of help) and nobody else."""
    if family.pk != actor.pk:
        raise ValidationError(HELP_OWN_FAMILY)
    if not can_write_to_school(actor, school):
        raise ValidationError(NOT_A_FAMILY)
    errors = {}
    if kind not in ServiceKind.values:
        errors["kind"] = HELP_BAD_KIND
    details = (details or "").strip()
    if len(details) > MAX_HELP_DETAILS:
        errors["details"] = HELP_TOO_LONG % {"max": MAX_HELP_DETAILS, "count": len(details)}
    if partner is not None and not (
        partner.is_active
        and partner.district_id == school.district_id
        and partner.school_id in (None, school.pk)
    ):
        errors["partner"] = HELP_PARTNER_ELSEWHERE
    if errors:
        raise ValidationError(errors)
    since = timezone.now() - timedelta(hours=1)
    count = HelpRequest.objects.filter(family=actor, created_at__gte=since).count()
    if count >= HELP_REQUESTS_PER_HOUR:
        raise ValidationError(TOO_MANY_REQUESTS % {"count": count})
    request = HelpRequest(school=school, family=actor, kind=kind, details=details, partner=partner)
    request.full_clean()
    request.save()
    outbox.enqueue(HELP_NOTICE, request.pk)
    # The audit names the kind only: what the family wrote stays between it and the
    # coordinators.
    audit.record(actor=actor, action="help.ask", obj=request, school=school, after={"kind": kind})
    versions.mark_changed(school=school)
    return request


@transaction.atomic
def help_request_update(*, actor, request: HelpRequest, status: str) -> HelpRequest:
    """A coordinator moves a request on: being arranged, or closed."""
    school = request.school
    if not is_coordinator(actor, school):
        raise ValidationError(NOT_COORDINATOR)
    if status not in HelpStatus.values:
        raise ValidationError({"status": HELP_BAD_STATUS})
    request = HelpRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == HelpStatus.CLOSED:
        raise ValidationError(HELP_ALREADY_CLOSED)
    before = audit.snapshot(request, ["status", "handled_by"])
    request.status = status
    request.handled_by = actor
    request.closed_at = timezone.now() if status == HelpStatus.CLOSED else None
    request.save(update_fields=["status", "handled_by", "closed_at"])
    audit.record(
        actor=actor,
        action="help.update",
        obj=request,
        school=school,
        before=before,
        after=audit.snapshot(request, ["status", "handled_by"]),
    )
    versions.mark_changed(school=school)
    return request
