"""Every write of the engagement app: events, RSVPs with capacity and waitlist, check-in, feedback.

Capacity is held by the database: `Event.seats_taken` only moves through conditional UPDATEs
(`_take_seats`), and a check constraint keeps it at or below `capacity`. Two families pressing
RSVP for the last seat at once both run the UPDATE; PostgreSQL serialises them on the row and
re-checks the condition, so one gets the seat and the other is waitlisted.

Waitlist policy: strictly first come, first served, whole parties only. When seats free up the
waitlist is promoted in order; when the next party does not fit, promotion stops there (nobody
behind it jumps the queue) and the seats stay free until more free up or that party gets
smaller. While anyone is waiting, a new RSVP joins the end of the waitlist.

Lock order: every write that touches RSVPs (submit, cancel, promotion, check-in, the event's
own edits) locks the event row first, then RSVPs in id order. One order means no deadlock
between them; `retry_on_conflict` reruns a transaction that PostgreSQL aborts anyway.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leadership import audit, edits, outbox, versions
from leadership.db import retry_on_conflict
from leadership.prepared import Prepared
from leadership.updates import model_update

from .models import (
    MAX_ADULTS,
    MAX_CHILDREN,
    CalendarFeed,
    CheckIn,
    Event,
    EventStatus,
    EventTranslation,
    Feedback,
    MessageKind,
    Rsvp,
    RsvpStatus,
    new_feed_token,
)
from .permissions import is_family_at

NOT_YOUR_SCHOOL = _("This event is not at one of your children's schools.")
EVENT_CANCELLED = _("This event was cancelled, so it no longer takes RSVPs.")
EVENT_NOT_OPEN = _("This event is not open for RSVPs.")
DEADLINE_PASSED = _("The RSVP deadline for this event has passed.")
PARTY_TOO_BIG = _(
    "Your party of %(party)s does not fit: %(left)s seat(s) are left. Choose a smaller party "
    "or join the waitlist."
)
PARTY_BIGGER_THAN_EVENT = _(
    "This event has %(capacity)s seats in all; a party of %(party)s cannot fit."
)
BAD_ADULTS = _("Come with between 1 and %(max)s adults.")
BAD_CHILDREN = _("Bring between 0 and %(max)s children.")
BAD_CHILDCARE = _("Childcare can be for at most the children you bring.")
RSVP_ALREADY_CANCELLED = _("This RSVP is already cancelled.")
TITLE_REQUIRED = _("Give the event a title in the school's main language.")
PLACE_REQUIRED = _("Give a place, an online link, or both.")
DEADLINE_AFTER_START = _("The RSVP deadline must be before the event starts.")
CAPACITY_BELOW_TAKEN = _("%(taken)s seats are already taken; the event cannot have fewer.")
ONLY_DRAFT_PUBLISHES = _("Only a draft can be published.")
ALREADY_CANCELLED = _("This event is already cancelled.")
NOT_ATTENDED = _("Only families who came to the event can give feedback.")
FEEDBACK_TOO_EARLY = _("Feedback opens when the event is over.")
ALREADY_CHECKED_IN = _("%(name)s is already checked in.")
BAD_RATING = _("Choose a rating from 1 to 5.")
NOT_GOING = _("Only families who are going can be checked in; add others as walk-ins.")

EVENT_FIELDS = [
    "kind",
    "status",
    "starts_at",
    "ends_at",
    "location",
    "online_link",
    "capacity",
    "rsvp_deadline",
    "interpretation_languages",
    "offers_childcare",
    "offers_transport",
    "offers_food",
    "accessibility_notes",
]
# What the event's edit form changes (publishing and cancelling move the status).
EVENT_EDIT_FIELDS = [name for name in EVENT_FIELDS if name != "status"]
RSVP_FIELDS = [
    "status",
    "adults",
    "children",
    "interpretation_language",
    "childcare_count",
    "accessibility_needs",
]


def _notify(rsvp_ids: Iterable[int], kind: str) -> None:
    for pk in rsvp_ids:
        outbox.enqueue("engagement.tasks.send_rsvp_message", pk, str(kind))


# --- events ---------------------------------------------------------------------------


def _save_texts(event: Event, texts: dict[str, tuple[str, ...]]) -> None:
    """`texts` maps a language to (title, description) or (title, description, place,
    accessibility notes); a blank place or note in a language means the event's own."""
    default = event.school.default_language
    if not (texts.get(default) or ("", ""))[0].strip():
        raise ValidationError({f"title_{default}": TITLE_REQUIRED})
    for language, values in texts.items():
        title, description, location, notes = (*(v.strip() for v in values), "", "")[:4]
        if not title:
            EventTranslation.objects.filter(event=event, language=language).delete()
            continue
        EventTranslation.objects.update_or_create(
            event=event,
            language=language,
            defaults={
                "title": title,
                "description": description,
                "location": location,
                "accessibility_notes": notes,
            },
        )


def _check_event(event: Event) -> None:
    _check_event_rules(event)
    event.full_clean()


def _check_event_rules(event: Event) -> None:
    """The rules a form cannot see: a place, the deadline before the start, seats already taken."""
    errors = {}
    if not event.location.strip() and not event.online_link.strip():
        errors["location"] = PLACE_REQUIRED
    if event.rsvp_deadline and event.rsvp_deadline > event.starts_at:
        errors["rsvp_deadline"] = DEADLINE_AFTER_START
    if event.capacity is not None and event.capacity < event.seats_taken:
        errors["capacity"] = CAPACITY_BELOW_TAKEN % {"taken": event.seats_taken}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def event_create(*, school, actor, texts: dict[str, tuple[str, ...]], **fields) -> Event:
    """A draft event. `texts` maps a language code to (title, description[, place, notes])."""
    fields["interpretation_languages"] = list(fields.get("interpretation_languages") or [])
    event = Event(school=school, created_by=actor, status=EventStatus.DRAFT, **fields)
    _check_event(event)
    event.save()
    _save_texts(event, texts)
    audit.record(
        actor=actor,
        action="event.create",
        obj=event,
        school=school,
        after=audit.snapshot(event, EVENT_FIELDS),
    )
    versions.mark_changed(school=school)
    return event


def event_version(event: Event) -> str:
    """The version of an event its edit form carries: its fields and its texts per language."""
    texts = {
        t.language: [t.title, t.description, t.location, t.accessibility_notes]
        for t in event.translations.all()
    }
    return edits.version_of(event, EVENT_EDIT_FIELDS, texts=texts)


@retry_on_conflict
@transaction.atomic
def event_update(
    *,
    event: Event,
    actor,
    texts: dict[str, tuple[str, ...]],
    version: str | None = None,
    **fields,
) -> Event:
    """Change an event, unless someone saved it since the form's `version` (StaleEdit)."""
    event = Event.objects.select_for_update(of=("self",)).select_related("school").get(pk=event.pk)
    edits.refuse_if_stale(event, version, event_version(event))
    before = audit.snapshot(event, EVENT_FIELDS)
    grew = fields.get("capacity", event.capacity) > event.capacity
    if "interpretation_languages" in fields:
        fields["interpretation_languages"] = list(fields["interpretation_languages"] or [])
    model_update(instance=event, fields=EVENT_EDIT_FIELDS, data=fields, check=_check_event_rules)
    _save_texts(event, texts)
    audit.record(
        actor=actor,
        action="event.update",
        obj=event,
        school=event.school,
        before=before,
        after=audit.snapshot(event, EVENT_FIELDS),
    )
    versions.mark_changed(school=event.school)
    if grew:
        waitlist_promote(event=event)
    return event


@transaction.atomic
def event_publish(*, event: Event, actor) -> Event:
    event = Event.objects.select_for_update(of=("self",)).select_related("school").get(pk=event.pk)
    if event.status != EventStatus.DRAFT:
        raise ValidationError(ONLY_DRAFT_PUBLISHES)
    event.status = EventStatus.PUBLISHED
    event.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="event.publish",
        obj=event,
        school=event.school,
        before={"status": EventStatus.DRAFT},
        after={"status": event.status},
    )
    versions.mark_changed(school=event.school)
    return event


@retry_on_conflict
@transaction.atomic
def event_cancel(*, event: Event, actor) -> Event:
    """Cancel the event and tell every family that RSVP'd (going or waiting), in its language."""
    event = Event.objects.select_for_update(of=("self",)).select_related("school").get(pk=event.pk)
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(ALREADY_CANCELLED)
    before = {"status": event.status}
    event.status = EventStatus.CANCELLED
    event.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="event.cancel",
        obj=event,
        school=event.school,
        before=before,
        after={"status": event.status},
    )
    versions.mark_changed(school=event.school)
    notify = event.rsvps.filter(status__in=[RsvpStatus.GOING, RsvpStatus.WAITLISTED])
    _notify(notify.values_list("pk", flat=True), MessageKind.CANCELLED)
    return event


# --- calendar links -------------------------------------------------------------------


def calendar_feeds_for(*, school_ids: Iterable[int], person=None) -> dict[int, CalendarFeed]:
    """The calendar link of each school (or the person's own link there), made the first time
    it is asked for: one query once they exist. Issuing a random link changes none of the
    school's data and no cached page shows it, so it is neither audited nor version-marked;
    replacing one is (calendar_feed_rotate)."""
    school_ids = list(school_ids)
    mine = CalendarFeed.objects.filter(school_id__in=school_ids, person=person)
    feeds = {feed.school_id: feed for feed in mine}
    missing = [pk for pk in school_ids if pk not in feeds]
    if missing:
        # Two first requests at once: the unique constraints keep one row; both read it.
        CalendarFeed.objects.bulk_create(
            [CalendarFeed(school_id=pk, person=person) for pk in missing], ignore_conflicts=True
        )
        feeds.update((feed.school_id, feed) for feed in mine.filter(school_id__in=missing))
    return feeds


@transaction.atomic
def calendar_feed_rotate(*, school, actor, person=None) -> CalendarFeed:
    """A new token for the school's calendar link (or the person's own one): the old link
    answers 404 from the moment this commits. The audit entry never holds a token."""
    feed = calendar_feeds_for(school_ids=[school.pk], person=person)[school.pk]
    feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    feed, _changed = model_update(
        instance=feed,
        fields=["token", "created_at"],
        data={"token": new_feed_token(), "created_at": timezone.now()},
    )
    audit.record(
        actor=actor,
        action="calendar_feed.rotate",
        obj=feed,
        school=school,
        after={"person": person.pk if person else None},
    )
    versions.mark_changed(school=school)
    return feed


# --- RSVPs ----------------------------------------------------------------------------


def _lock_event(event_id: int, *, school=None) -> Event:
    """The event row, locked for this transaction: the first lock of every RSVP write.

    NO KEY UPDATE, the lock the seats' UPDATE takes anyway: rows that only point at the
    event (a walk-in's check-in) are not held up by it."""
    if school is None:
        events = Event.objects.select_for_update(no_key=True, of=("self",))
        return events.select_related("school").get(pk=event_id)
    event = _EVENT_LOCKED.first(pk=event_id)
    if event is None:
        raise Event.DoesNotExist
    event.school = school
    return event


# The reads of every RSVP sent, compiled once (leadership.prepared).
_EVENT_LOCKED = Prepared(
    lambda pk: Event.objects.select_for_update(no_key=True, of=("self",)).filter(pk=pk).order_by()
)
_RSVP_LOCKED = Prepared(
    lambda event, family: (
        Rsvp.objects.select_for_update(of=("self",))
        .filter(event=event, family=family)
        .order_by("pk")[:1]
    )
)


def _take_seats(event_id: int, seats: int) -> bool:
    """Hold `seats` more seats if they are free; one conditional UPDATE, atomic in the database."""
    if seats <= 0:
        return True
    updated = Event.objects.filter(pk=event_id, seats_taken__lte=F("capacity") - seats).update(
        seats_taken=F("seats_taken") + seats
    )
    return updated == 1


def _release_seats(event_id: int, seats: int) -> None:
    if seats > 0:
        Event.objects.filter(pk=event_id).update(seats_taken=F("seats_taken") - seats)


def _check_party(*, adults: int, children: int, childcare_count: int) -> None:
    errors = {}
    if not 1 <= adults <= MAX_ADULTS:
        errors["adults"] = BAD_ADULTS % {"max": MAX_ADULTS}
    if not 0 <= children <= MAX_CHILDREN:
        errors["children"] = BAD_CHILDREN % {"max": MAX_CHILDREN}
    if childcare_count < 0 or (not errors and childcare_count > children):
        errors["childcare_count"] = BAD_CHILDCARE
    if errors:
        raise ValidationError(errors)


def _check_open(event: Event, family) -> None:
    if not is_family_at(family, event.school):
        raise ValidationError(NOT_YOUR_SCHOOL)
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(EVENT_CANCELLED)
    if event.status != EventStatus.PUBLISHED:
        raise ValidationError(EVENT_NOT_OPEN)
    if not event.rsvp_open:
        raise ValidationError(DEADLINE_PASSED)


@retry_on_conflict
@transaction.atomic
def rsvp_submit(
    *,
    event: Event,
    family,
    adults: int,
    children: int = 0,
    interpretation_language: str = "",
    childcare_count: int = 0,
    accessibility_needs: str = "",
    join_waitlist: bool = True,
) -> Rsvp:
    """Say a family is coming, or change how many come and what they need.

    A party that fits takes its seats; one that does not is waitlisted (if `join_waitlist`)
    or refused. A family already going that asks for more seats than are free keeps its
    RSVP as it was and is told so.

    The event is read again under its lock (the first lock, see the module's lock order);
    its school, when the caller already loaded it, is kept rather than read again (only the
    event's row is locked either way). The seats themselves are held by the conditional
    UPDATE.
    """
    _check_party(adults=adults, children=children, childcare_count=childcare_count)
    school = event.school if Event.school.is_cached(event) else None
    event = _lock_event(event.pk, school=school)
    _check_open(event, family)
    party = adults + children
    if party > event.capacity:
        raise ValidationError(
            {"adults": PARTY_BIGGER_THAN_EVENT % {"capacity": event.capacity, "party": party}}
        )

    rsvp = _RSVP_LOCKED.first(event=event.pk, family=family.pk)
    before = audit.snapshot(rsvp, RSVP_FIELDS) if rsvp else {}
    if rsvp is None:
        rsvp = Rsvp(event=event, family=family)
    was = rsvp.status if rsvp.pk else None
    old_party = rsvp.party_size if was == RsvpStatus.GOING else 0

    if was == RsvpStatus.GOING:
        delta = party - old_party
        if delta > 0 and not _take_seats(event.pk, delta):
            event.refresh_from_db(fields=["seats_taken"])
            raise ValidationError(
                {"adults": PARTY_TOO_BIG % {"party": party, "left": event.seats_left + old_party}}
            )
        _release_seats(event.pk, -delta)
        status = RsvpStatus.GOING
    else:
        waiting = (
            Rsvp.objects.filter(event=event, status=RsvpStatus.WAITLISTED)
            .exclude(pk=rsvp.pk)
            .exists()
        )
        if not waiting and _take_seats(event.pk, party):
            status = RsvpStatus.GOING
        elif join_waitlist:
            status = RsvpStatus.WAITLISTED
        else:
            event.refresh_from_db(fields=["seats_taken"])
            raise ValidationError(
                {"adults": PARTY_TOO_BIG % {"party": party, "left": event.seats_left}}
            )

    rsvp.status = status
    rsvp.adults, rsvp.children = adults, children
    rsvp.interpretation_language = interpretation_language.strip()
    rsvp.childcare_count = childcare_count
    rsvp.accessibility_needs = accessibility_needs.strip()
    kept = (rsvp.language, rsvp.waitlisted_at)
    rsvp.language = family.preferred_language
    if status == RsvpStatus.WAITLISTED and was != RsvpStatus.WAITLISTED:
        rsvp.waitlisted_at = timezone.now()
    elif status == RsvpStatus.GOING:
        rsvp.waitlisted_at = None
    after = audit.snapshot(rsvp, RSVP_FIELDS)
    # The same RSVP sent again (a double click, "Save changes" with nothing changed) writes
    # nothing: no seats moved above, and a row, an audit entry and a new version of the
    # school's data for no change would only cost every page that caches on that version.
    unchanged = was is not None and after == before and (rsvp.language, rsvp.waitlisted_at) == kept
    if not unchanged:
        # The event and the family are rows in hand: no need to query that they exist.
        rsvp.full_clean(
            exclude=["event", "family"], validate_unique=False, validate_constraints=False
        )
        rsvp.save()
        audit.record(
            actor=family,
            action="rsvp.submit",
            obj=rsvp,
            school=event.school,
            before=before,
            after=after,
        )
        versions.mark_changed(school=event.school)
    if party < old_party or was == RsvpStatus.WAITLISTED:
        # Seats freed, or the head of the waitlist got smaller: let the waitlist move.
        # Already in this transaction: no savepoint needed around the promotion.
        promoted = _promote(event)
        if rsvp in promoted:
            # Only a promotion changes this RSVP after its save above.
            rsvp.refresh_from_db()
            rsvp._just_promoted = True
    return rsvp


@retry_on_conflict
@transaction.atomic
def rsvp_cancel(*, rsvp: Rsvp, actor) -> Rsvp:
    event = _lock_event(rsvp.event_id)
    rsvp = Rsvp.objects.select_for_update(of=("self",)).get(pk=rsvp.pk)
    rsvp.event = event
    if rsvp.status == RsvpStatus.CANCELLED:
        raise ValidationError(RSVP_ALREADY_CANCELLED)
    was = rsvp.status
    rsvp.status = RsvpStatus.CANCELLED
    rsvp.waitlisted_at = None
    rsvp.save(update_fields=["status", "waitlisted_at", "updated_at"])
    audit.record(
        actor=actor,
        action="rsvp.cancel",
        obj=rsvp,
        school=rsvp.event.school,
        before={"status": was},
        after={"status": rsvp.status},
    )
    versions.mark_changed(school=rsvp.event.school)
    if was == RsvpStatus.GOING:
        _release_seats(rsvp.event_id, rsvp.party_size)
    if was in (RsvpStatus.GOING, RsvpStatus.WAITLISTED):
        # Seats freed, or the head of the waitlist left and the next party may fit.
        _promote(rsvp.event)
    return rsvp


@retry_on_conflict
@transaction.atomic
def waitlist_promote(*, event: Event) -> list[Rsvp]:
    """Move waiting parties to going, in order, whole parties only; stop at the first that
    does not fit. Each promoted family is told by e-mail after the commit."""
    return _promote(event)


def _promote(event: Event) -> list[Rsvp]:
    """`waitlist_promote`, inside a transaction that the caller holds."""
    # The row lock makes concurrent promotions of one event run one after the other (a
    # caller that holds it already takes it again at no cost).
    event = _lock_event(event.pk)
    if event.status != EventStatus.PUBLISHED:
        return []
    promoted = []
    # Locked in id order (the lock order), then walked in the waitlist's order.
    waiting = sorted(
        Rsvp.objects.select_for_update(of=("self",))
        .filter(event=event, status=RsvpStatus.WAITLISTED)
        .order_by("id"),
        key=lambda r: (r.waitlisted_at is None, r.waitlisted_at or event.created_at, r.pk),
    )
    for rsvp in waiting:
        if not _take_seats(event.pk, rsvp.party_size):
            break
        rsvp.status = RsvpStatus.GOING
        rsvp.waitlisted_at = None
        rsvp.save(update_fields=["status", "waitlisted_at", "updated_at"])
        audit.record(
            actor=None,
            action="rsvp.promote",
            obj=rsvp,
            school=event.school,
            before={"status": RsvpStatus.WAITLISTED},
            after={"status": RsvpStatus.GOING},
        )
        versions.mark_changed(school=event.school)
        promoted.append(rsvp)
    if promoted:
        _notify([r.pk for r in promoted], MessageKind.PROMOTED)
    return promoted


# --- the door -------------------------------------------------------------------------


@retry_on_conflict
@transaction.atomic
def check_in_rsvp(*, rsvp: Rsvp, actor) -> CheckIn:
    # Event first, then the RSVP: a family cancelling at the door cannot cross the check-in.
    event = _lock_event(rsvp.event_id)
    rsvp = Rsvp.objects.select_for_update(of=("self",)).select_related("family").get(pk=rsvp.pk)
    rsvp.event = event
    if rsvp.status != RsvpStatus.GOING:
        raise ValidationError(NOT_GOING)
    try:
        with transaction.atomic():
            check_in = CheckIn.objects.create(
                event_id=rsvp.event_id, rsvp=rsvp, party_size=rsvp.party_size, checked_in_by=actor
            )
    except IntegrityError:
        raise ValidationError(ALREADY_CHECKED_IN % {"name": rsvp.family}) from None
    audit.record(actor=actor, action="checkin.create", obj=check_in, school=rsvp.event.school)
    versions.mark_changed(school=rsvp.event.school)
    return check_in


@transaction.atomic
def check_in_walk_in(*, event: Event, actor, name: str, party_size: int) -> CheckIn:
    check_in = CheckIn(event=event, name=name.strip(), party_size=party_size, checked_in_by=actor)
    check_in.full_clean(exclude=["rsvp"])
    check_in.save()
    audit.record(
        actor=actor,
        action="checkin.walk_in",
        obj=check_in,
        school=event.school,
        after={"name": check_in.name, "party_size": check_in.party_size},
    )
    versions.mark_changed(school=event.school)
    return check_in


# --- feedback -------------------------------------------------------------------------


@transaction.atomic
def feedback_submit(*, event: Event, family, rating: int, comment: str = "") -> Feedback:
    if not event.has_ended:
        raise ValidationError(FEEDBACK_TOO_EARLY)
    if not CheckIn.objects.filter(event=event, rsvp__family=family).exists():
        raise ValidationError(NOT_ATTENDED)
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": BAD_RATING})
    feedback, _created = Feedback.objects.update_or_create(
        event=event, family=family, defaults={"rating": rating, "comment": comment.strip()[:2000]}
    )
    versions.mark_changed(school_ids=[event.school_id])
    return feedback
