"""Writes what the reader found into one district: its schools, current year and people.

`RosterApplier.write` takes the reader's records (a `RosterExport`) and brings the district
in line with them, in chunks with bulk_create and bulk updates, so the number of queries
grows with the number of chunks, not of rows, all in one transaction (to apply, the caller
holds the district's lock: `lock_district`). Without `apply` it counts what would change
and saves nothing: new rows get placeholder ids (negative), so the counts of a preview are the
counts of the apply.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from leadership import versions
from leadership.models import District, FamilyGrade, Membership, Role, School, SchoolYear, User

from .reader import EMAIL_TAKEN, Person, Report, RosterExport

CHUNK = 2000


def lock_district(district_id: int) -> None:
    """Hold the district's row lock until the transaction ends: two applies of one district
    (a worker's, the command line's, a duplicate delivery of the same task) run one after
    the other, never at once. FOR NO KEY UPDATE, so that rows referring to the district can
    still be inserted meanwhile."""
    list(District.objects.select_for_update(no_key=True).filter(pk=district_id).values("pk"))


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class RosterApplier:
    """Brings one district in line with one export's records; see the module docstring."""

    def __init__(
        self,
        *,
        district: District,
        export: RosterExport,
        report: Report,
        progress: Callable[[int], None] | None = None,
    ):
        self.district = district
        self.export = export
        self.report = report
        self.progress = progress or (lambda percent: None)

    def write(self, *, apply: bool) -> None:
        """Write (apply) or only count (preview) the changes, adding them to the report's
        counts, in one transaction (a savepoint inside the caller's); a preview's is rolled
        back, so it saves nothing whatever it ran."""
        with transaction.atomic():
            # Bulk writes send no signals: the dashboard's figures and the schools'
            # cached pages (names of schools and people) follow on commit.
            versions.mark_changed(district=self.district)
            self._write(apply)
            if not apply:
                transaction.set_rollback(True)

    def _write(self, apply: bool) -> None:
        self.apply = apply
        self._placeholder = 0
        self.grades_wanted: dict[tuple[int, int], set[str]] = {}
        if self.export.orgs and not self.district.sourced_id:
            district_orgs = [sid for sid, org in self.export.orgs.items() if org.type == "district"]
            if len(district_orgs) == 1 and apply:
                District.objects.filter(pk=self.district.pk).update(sourced_id=district_orgs[0])
        self._write_schools()
        self._write_year()
        self.progress(45)
        self._write_people()
        if apply:
            self._write_grades()

    def _new_id(self) -> int:
        self._placeholder -= 1
        return self._placeholder

    def _write_schools(self) -> None:
        counts = self.report.counts
        existing = {
            s.sourced_id: s
            for s in School.objects.filter(district=self.district).exclude(sourced_id="")
        }
        student_counts: Counter = Counter()
        for schools in self.export.student_schools.values():
            student_counts.update(schools)
        taken = set(School.objects.values_list("slug", flat=True))
        to_create, to_update = [], []
        self.school_ids: dict[str, int] = {}
        for sid, org in self.export.orgs.items():
            if org.type != "school":
                continue
            school = existing.get(sid)
            if school is None:
                if not org.active:
                    continue
                school = School(
                    district=self.district,
                    name=org.name or sid,
                    slug=self._slug(org.name or sid, taken),
                    sourced_id=sid,
                    languages=list(self.district.languages),
                    student_count=student_counts.get(sid, 0),
                )
                to_create.append(school)
                counts["schools_created"] += 1
                continue
            changed = []
            if org.name and school.name != org.name:
                school.name = org.name
                changed.append("name")
            if school.is_active != org.active:
                school.is_active = org.active
                changed.append("is_active")
                counts["schools_deactivated" if not org.active else "schools_updated"] += 1
            elif changed:
                counts["schools_updated"] += 1
            if school.student_count != student_counts.get(sid, 0):
                school.student_count = student_counts.get(sid, 0)
                changed.append("student_count")
            if changed:
                to_update.append(school)
        if self.export.mode("orgs") == "bulk":
            for sid, school in existing.items():
                if sid not in self.export.orgs and school.is_active:
                    school.is_active = False
                    to_update.append(school)
                    counts["schools_deactivated"] += 1
        if self.apply:
            School.objects.bulk_create(to_create)
            now = timezone.now()  # bulk_update leaves auto_now alone; API syncs read it
            for school in to_update:
                school.updated_at = now
            School.objects.bulk_update(
                to_update, ["name", "is_active", "student_count", "updated_at"]
            )
        for school in to_create:
            self.school_ids[school.sourced_id] = school.pk or self._new_id()
        for sid, school in existing.items():
            self.school_ids[sid] = school.pk
        self.school_language = {
            school.sourced_id: (school.languages or [settings.LANGUAGE_CODE])[0]
            for school in [*existing.values(), *to_create]
        }

    @staticmethod
    def _slug(name: str, taken: set[str]) -> str:
        base = slugify(name)[:70].strip("-") or "school"
        slug, n = base, 2
        while slug in taken:
            slug = f"{base}-{n}"
            n += 1
        taken.add(slug)
        return slug

    def _write_year(self) -> None:
        counts = self.report.counts
        self.year_id = (
            SchoolYear.objects.filter(district=self.district, is_current=True)
            .values_list("pk", flat=True)
            .first()
        )
        session = self.export.session
        if session is None:
            return
        start, end = session.start, session.end
        if re.fullmatch(r"\d{4}", session.year):
            year = int(session.year)
            label = f"{year - 1}-{year % 100:02d}"
        elif start.year != end.year:
            label = f"{start.year}-{end.year % 100:02d}"
        else:
            label = str(start.year)
        years = SchoolYear.objects.filter(district=self.district)
        year = years.filter(sourced_id=session.sid).first() or years.filter(label=label).first()
        if year is None:
            counts["school_years_created"] += 1
            year = SchoolYear(district=self.district, label=label, sourced_id=session.sid)
        elif (year.start, year.end, year.is_current, year.sourced_id) != (
            start,
            end,
            True,
            session.sid,
        ):
            counts["school_years_updated"] += 1
        else:
            self.year_id = year.pk
            return
        year.start, year.end, year.is_current, year.sourced_id = start, end, True, session.sid
        if self.apply:
            years.filter(is_current=True).exclude(pk=year.pk).update(
                is_current=False, updated_at=timezone.now()
            )
            year.save()
        self.year_id = year.pk or self._new_id()

    def _write_people(self) -> None:
        counts = self.report.counts
        district = self.district
        sid_user: dict[str, int] = dict(
            Membership.objects.filter(district=district)
            .exclude(sourced_id="")
            .order_by("id")
            .values_list("sourced_id", "user_id")
        )
        email_user: dict[str, int] = {}
        created_memberships: set[tuple[int, str, int]] = set()
        deactivated: set[int] = set()
        done, total = 0, max(len(self.export.people), 1)
        for chunk in chunks(self.export.people):
            emails = {p.email for p in chunk if p.email and p.email not in email_user}
            if emails:
                email_user.update(User.objects.filter(email__in=emails).values_list("email", "id"))
            known_ids = {
                uid
                for p in chunk
                for uid in (sid_user.get(p.sid), email_user.get(p.email))
                if uid and uid > 0
            }
            users = User.objects.only("id", "email", "full_name").in_bulk(known_ids)
            new_users, changed_users = [], {}
            pending: dict[str, User] = {}
            person_user: list[tuple[Person, int | User]] = []
            for person in chunk:
                uid = sid_user.get(person.sid) or email_user.get(person.email)
                if not person.active:
                    if uid:
                        person_user.append((person, uid))
                    continue
                if person.email in pending:  # a second record with the same e-mail
                    person_user.append((person, pending[person.email]))
                    continue
                if uid is None:
                    first_school = person.assignments[0][1]
                    user = User(
                        email=person.email,
                        full_name=person.name[:150],
                        preferred_language=person.language
                        or self.school_language.get(first_school, settings.LANGUAGE_CODE),
                        # Unusable, as make_password(None) makes it, at a tenth of the cost.
                        password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
                    )
                    new_users.append(user)
                    pending[person.email] = user
                    person_user.append((person, user))
                    counts["people_created"] += 1
                    continue
                if uid < 0:  # made earlier in this preview, which saves nothing
                    person_user.append((person, uid))
                    continue
                user = changed_users.get(uid) or users.get(uid)
                if user is not None and sid_user.get(person.sid) == uid:
                    changed = False
                    if person.name and user.full_name != person.name[:150]:
                        user.full_name = person.name[:150]
                        changed = True
                    if user.email != person.email:
                        owner = email_user.get(person.email)
                        if owner and owner != uid:
                            self.report.warning(
                                "users.csv", person.line, EMAIL_TAKEN, email=person.email
                            )
                        else:
                            email_user.pop(user.email, None)
                            user.email = person.email
                            email_user[person.email] = uid
                            changed = True
                    if changed and uid not in changed_users:
                        changed_users[uid] = user
                        counts["people_updated"] += 1
                person_user.append((person, uid))
            if self.apply:
                User.objects.bulk_create(new_users)
                User.objects.bulk_update(list(changed_users.values()), ["email", "full_name"])
            for user in new_users:
                user_id = user.pk or self._new_id()
                user.pk = user_id
                email_user[user.email] = user_id
            resolved = [(person, u.pk if isinstance(u, User) else u) for person, u in person_user]
            self._write_memberships(resolved, created_memberships, deactivated)
            for person, uid in resolved:
                sid_user.setdefault(person.sid, uid)
            done += len(chunk)
            self.progress(45 + int(50 * done / total))

        if self.export.mode("users") == "bulk":
            missing = [
                pk
                for pk, sid in Membership.objects.filter(district=district, is_active=True)
                .exclude(sourced_id="")
                .values_list("id", "sourced_id")
                .iterator(chunk_size=CHUNK)
                if sid not in self.export.user_sids and pk not in deactivated
            ]
            counts["memberships_deactivated"] += len(missing)
            if self.apply:
                for ids in chunks(missing):
                    Membership.objects.filter(pk__in=ids).update(is_active=False)
                    # Grades kept would come back with the membership, however old.
                    FamilyGrade.objects.filter(membership_id__in=ids).delete()
        counts["students"] = len(self.export.student_schools)

    def _write_memberships(
        self,
        resolved: list[tuple[Person, int]],
        created: set[tuple[int, str, int]],
        deactivated: set[int],
    ) -> None:
        counts = self.report.counts
        user_ids = {uid for _person, uid in resolved if uid and uid > 0}
        existing: dict[int, dict[tuple[str, int], tuple[int, bool, str]]] = defaultdict(dict)
        if user_ids:
            rows = Membership.objects.filter(
                district=self.district, user_id__in=user_ids, school__isnull=False
            ).values_list("id", "user_id", "role", "school_id", "is_active", "sourced_id")
            for pk, uid, role, school_id, is_active, sid in rows:
                existing[uid][(role, school_id)] = (pk, is_active, sid)
        to_create, to_reactivate, to_claim, to_deactivate = [], [], {}, []
        for person, uid in resolved:
            mine = existing.get(uid, {})
            wanted = set()
            if person.active:
                for role, school_sid in person.assignments:
                    school_id = self.school_ids.get(school_sid)
                    if school_id is None:
                        continue
                    wanted.add((role, school_id))
                    found = mine.get((role, school_id))
                    promoted = mine.get((Role.TEACHER_LEADER, school_id))
                    if role == Role.STAFF and promoted and promoted[1]:
                        continue  # promoted by a district admin: the promotion stands
                    if found is None:
                        key = (uid, role, school_id)
                        if key in created:
                            continue
                        created.add(key)
                        to_create.append(
                            Membership(
                                user_id=uid,
                                role=role,
                                district=self.district,
                                school_id=school_id,
                                school_year_id=self.year_id,
                                sourced_id=person.sid,
                            )
                        )
                    elif not found[1]:
                        to_reactivate.append(found[0])
                        mine[(role, school_id)] = (found[0], True, person.sid)
                    elif not found[2]:
                        to_claim[found[0]] = person.sid
            for (role, school_id), (pk, is_active, sid) in mine.items():
                if not is_active or sid != person.sid or pk in deactivated:
                    continue
                if (role, school_id) in wanted:
                    continue
                if role == Role.TEACHER_LEADER and (Role.STAFF, school_id) in wanted:
                    continue
                to_deactivate.append(pk)
                deactivated.add(pk)
        counts["memberships_created"] += len(to_create)
        counts["memberships_reactivated"] += len(to_reactivate)
        counts["memberships_deactivated"] += len(to_deactivate)
        if not self.apply:
            return
        Membership.objects.bulk_create(to_create)
        if to_reactivate:
            Membership.objects.filter(pk__in=to_reactivate).update(
                is_active=True, school_year_id=self.year_id
            )
        if to_deactivate:
            Membership.objects.filter(pk__in=to_deactivate).update(is_active=False)
            FamilyGrade.objects.filter(membership_id__in=to_deactivate).delete()
        for pk, sid in to_claim.items():
            Membership.objects.filter(pk=pk).update(sourced_id=sid)
        self._want_grades(resolved)

    def _want_grades(self, resolved: list[tuple[Person, int]]) -> None:
        """Add the grades this chunk's families have at each school: an account may be named
        by several guardian records (one e-mail), in one chunk or in several, and each adds
        its students' grades."""
        for person, uid in resolved:
            if not person.active or not uid or uid < 0:
                continue
            for school_sid, codes in person.grades.items():
                school_id = self.school_ids.get(school_sid)
                if school_id:
                    self.grades_wanted.setdefault((uid, school_id), set()).update(codes)

    def _write_grades(self) -> None:
        """Each family's grades at each school where the export gives their students' grades
        become exactly those grades: a child moving up a grade moves the family. Schools the
        export gives no grade for keep the grades they have (a delta file without the family's
        students, an export without grades, or grades set by hand). Written once every chunk
        of people is read, three queries (and a delete) for each chunk of families."""
        wanted = self.grades_wanted
        for keys in chunks(list(wanted)):
            self._write_grades_of(keys, wanted)

    def _write_grades_of(
        self, keys: list[tuple[int, int]], wanted: dict[tuple[int, int], set[str]]
    ) -> None:
        chunk = set(keys)
        memberships = {
            (uid, school_id): pk
            for pk, uid, school_id in Membership.objects.filter(
                district=self.district,
                role=Role.FAMILY,
                user_id__in={uid for uid, _school in keys},
                school_id__in={school for _uid, school in keys},
            ).values_list("id", "user_id", "school_id")
            if (uid, school_id) in chunk
        }
        have: dict[int, dict[str, int]] = defaultdict(dict)
        for pk, membership_id, grade in FamilyGrade.objects.filter(
            membership_id__in=memberships.values()
        ).values_list("id", "membership_id", "grade"):
            have[membership_id][grade] = pk
        new, stale = [], []
        for key, membership_id in memberships.items():
            codes, found = wanted[key], have[membership_id]
            new.extend(
                FamilyGrade(membership_id=membership_id, grade=code)
                for code in sorted(codes - found.keys())
            )
            stale.extend(pk for code, pk in found.items() if code not in codes)
        if stale:
            FamilyGrade.objects.filter(pk__in=stale).delete()
        FamilyGrade.objects.bulk_create(new)
