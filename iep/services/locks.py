"""Per-section check-out / check-in: one editor per section, nobody's work lost (issue 5).

A section's lease lives in its one SectionLock row. Every change of holder is ONE conditional UPDATE that
compares the row's state as read (holder, generation) and re-checks "free, lapsed, or mine": PostgreSQL re-evaluates
that WHERE after waiting on a concurrent writer, so of N racing callers exactly one matches (and on SQLite
writes are serialised anyway). `generation` goes up on every check-out or takeover and is the fencing token
every heartbeat, autosave and check-in presents (decision 5). Whether the user may edit or break at all is
the caller's question (accounts.access.can).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from config.input_checks import scrub, text_problem

from ..exceptions import InvalidContent, NotLocked, SectionLocked, SectionNotHeld, StaleVersion
from ..models import LockNotice, Section, SectionDraft, SectionLock, SectionLockEvent
from .sections import section_update_in_transaction

Kind = SectionLockEvent.Kind


def _lease_end(now: datetime) -> datetime:
    return now + settings.IEP_LOCK_LEASE


def _name(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else "nobody"


def _where(section: Section) -> str:
    return f"{section.title} (IEP #{section.iep_id})"


def _lock(section: Section) -> SectionLock | None:
    return SectionLock.objects.select_related("holder", "section").filter(section=section).first()


def _event(section: Section, kind: str, user: User | None, generation: int, now: datetime, reason: str = "",
           previous_holder: User | None = None) -> None:
    SectionLockEvent.objects.create(section=section, kind=kind, user=user, generation=generation, at=now,
                                    reason=reason, previous_holder=previous_holder)


def _keep_draft(section: Section, user: User, content, base_version: int, now: datetime) -> SectionDraft:
    """Upsert the user's draft (one per section and user): their latest text is never dropped."""
    if not isinstance(content, dict):
        raise InvalidContent({"content": ["Give the section's fields as an object."]})
    # One INSERT ... ON CONFLICT DO UPDATE on the (section, user) unique constraint: no read, no race. NUL and
    # lone surrogates cannot be stored: they are taken out, the rest of the text is kept (docs/resilience.md).
    draft = SectionDraft(section=section, user=user, content=scrub(content), base_version=base_version, saved_at=now)
    SectionDraft.objects.bulk_create([draft], update_conflicts=True, unique_fields=["section", "user"],
                                     update_fields=["content", "base_version", "saved_at"])
    return draft


class Taken:
    """What `lease_take` did: the lease as written, and whose lapsed lease it took over (None if none)."""

    def __init__(self, lock, previous: User | None, lapsed_at: datetime | None):
        self.lock, self.previous, self.lapsed_at = lock, previous, lapsed_at


def lease_take(*, model, unit, user: User, now: datetime):
    """Give `user` the lease of `model` (a concrete iep.models.Lease) on `unit` (generation + 1), or return None
    when someone else holds it live. The one implementation behind every check-out (sections, progress reports).

    One transaction: row-lock the unit's lease row (SELECT ... FOR UPDATE; created on the unit's first check-out),
    decide, then ONE conditional UPDATE that compares the row's state as read (holder, generation) and re-checks
    "free, lapsed, or mine". On PostgreSQL the row lock makes racers queue, so the UPDATE always matches; on
    SQLite (no row locks) a racer that changed the row in between makes it match nothing and we try again.
    Returns a Taken (the lock as written, unit set, without reading it back); the caller records events.
    """
    unit_of = {model.UNIT_FIELD: unit}
    for _attempt in range(10):
        with transaction.atomic():
            # No select_related here: after waiting for a racer's row lock PostgreSQL re-reads the lock row but
            # not an outer-joined holder row. The holder is loaded (one query) only when it is needed: refusals
            # and takeovers.
            lock = model.objects.select_for_update().filter(**unit_of).first()
            if lock is None:
                model.objects.get_or_create(**unit_of)
                continue
            setattr(lock, model.UNIT_FIELD, unit)
            if lock.is_live(now) and lock.holder_id != user.pk:
                return None
            previous = lock.holder if lock.holder_id not in (None, user.pk) else None
            lapsed_at = lock.expires_at
            generation = lock.generation + 1
            taken = (model.objects.filter(pk=lock.pk, generation=lock.generation, holder=lock.holder_id)
                     .filter(Q(holder__isnull=True) | Q(expires_at__lte=now) | Q(holder=user))
                     .update(holder=user, acquired_at=now, expires_at=_lease_end(now), generation=generation))
            if not taken:
                continue
            lock.holder, lock.acquired_at, lock.expires_at, lock.generation = user, now, _lease_end(now), generation
            return Taken(lock, previous, lapsed_at)
    return None


def lease_renew(*, model, unit, user: User, generation: int, now: datetime) -> bool:
    """Renew `user`'s lease on `unit` by one lease length if they hold it with `generation` (a lapsed lease
    nobody took counts: its holder and generation still match). One UPDATE; False when not held."""
    return bool(model.objects.filter(**{model.UNIT_FIELD: unit}, holder=user, generation=generation)
                .update(expires_at=_lease_end(now)))


def lease_release(*, model, unit, user: User | None = None, generation: int | None = None) -> bool:
    """Free the lease on `unit` (only `user`'s, and only with `generation`, when given). One UPDATE."""
    held = model.objects.filter(**{model.UNIT_FIELD: unit})
    if user is not None:
        held = held.filter(holder=user)
    if generation is not None:
        held = held.filter(generation=generation)
    return bool(held.update(holder=None, acquired_at=None, expires_at=None))


def section_check_out(*, section: Section, user: User, now: datetime | None = None) -> SectionLock:
    """Give `user` the lease on `section` (generation + 1), or raise SectionLocked naming the live holder.

    The lease is taken by `lease_take` (one conditional UPDATE under a row lock). Taking over a lapsed lease
    records the takeover and tells the former holder; their draft stays. Returns the lock as written (holder
    and section set), without reading it back.
    """
    now = now or timezone.now()
    with transaction.atomic():
        taken = lease_take(model=SectionLock, unit=section, user=user, now=now)
        if taken is None:
            raise SectionLocked(_lock(section))
        generation = taken.lock.generation
        if taken.previous is not None:
            _event(section, Kind.TAKEN_OVER, user, generation, now, previous_holder=taken.previous,
                   reason=f"Lease of {_name(taken.previous)} ran out at {taken.lapsed_at:%Y-%m-%d %H:%M}")
            LockNotice.objects.create(
                user=taken.previous, section=section, created_at=now,
                message=f"Your lease on {_where(section)} ran out and {_name(user)} checked it out. "
                        "Your unsaved draft is kept for you.")
        _event(section, Kind.CHECKED_OUT, user, generation, now)
        return taken.lock


def _draft_of(section: Section, user: User) -> SectionDraft | None:
    return SectionDraft.objects.filter(section=section, user=user).first()


def section_heartbeat(*, section: Section, user: User, generation: int, now: datetime | None = None) -> SectionLock:
    """Renew the user's lease by one lease length. A lapsed lease nobody took is renewed too (decision 5); a
    lease taken over, broken or checked in is not (SectionNotHeld): the generation/holder no longer match."""
    now = now or timezone.now()
    renewed = (SectionLock.objects.filter(section=section, holder=user, generation=generation)
               .update(expires_at=_lease_end(now)))
    if not renewed:
        raise SectionNotHeld(section, _lock(section), _draft_of(section, user))
    return _lock(section)


def section_save_draft(*, section: Section, user: User, content: dict, base_version: int, generation: int,
                       now: datetime | None = None) -> SectionDraft:
    """Autosave the holder's draft and renew their lease (live, or lapsed and untaken, with this generation).

    A writer who no longer holds the lease gets SectionNotHeld, but their text is still kept as their own
    draft (private; the section itself is untouched) and returned in the refusal.
    """
    now = now or timezone.now()
    with transaction.atomic():
        renewed = (SectionLock.objects.filter(section=section, holder=user, generation=generation)
                   .update(expires_at=_lease_end(now)))
        draft = _keep_draft(section, user, content, base_version, now)
    if not renewed:
        raise SectionNotHeld(section, _lock(section), draft)
    if bad := _bad_characters(content):  # kept without them, and the writer is told
        raise InvalidContent(bad)
    return draft


def _bad_characters(content) -> dict[str, list[str]]:
    """Field errors for the top-level fields of `content` that hold a NUL or a lone surrogate."""
    if not isinstance(content, dict):
        return {}
    return {str(name): [problem] for name, value in content.items() if (problem := text_problem(value))}


def section_check_in(*, section: Section, user: User, content: dict, base_version: int, generation: int,
                     now: datetime | None = None) -> Section:
    """Save `content` as the section's next version (history records the user), release the lease and delete
    the user's draft, in one transaction.

    Goes through section_update's checks (no savepoint), which row-lock the section and the lock and refuse a
    writer without the lease of `generation` (SectionNotHeld) or whose `base_version` is not current
    (StaleVersion). On any refusal nothing is written to the section and the text is kept as the user's draft
    (attached as `.draft`).
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            saved = section_update_in_transaction(section=section, user=user, content=content,
                                                  expected_version=base_version, generation=generation, now=now)
            SectionLock.objects.filter(section=section).update(holder=None, acquired_at=None, expires_at=None)
            SectionDraft.objects.filter(section=section, user=user).delete()
            _event(section, Kind.CHECKED_IN, user, generation, now, reason=f"Saved as version {saved.version}")
            return saved
    except (SectionNotHeld, StaleVersion, InvalidContent) as exc:
        if isinstance(content, dict):
            exc.draft = _keep_draft(section, user, content, base_version, now)
        raise


@transaction.atomic
def section_discard(*, section: Section, user: User, generation: int | None = None,
                    now: datetime | None = None) -> bool:
    """Throw away the user's draft and release their lease (if they still hold it, with `generation` when given).

    Returns whether a lease was released. Deleting the draft is the user's own choice, so it happens even when
    the lease was lost meanwhile.
    """
    now = now or timezone.now()
    mine = SectionLock.objects.filter(section=section, holder=user)
    if generation is not None:
        mine = mine.filter(generation=generation)
    current = mine.values_list("generation", flat=True).first()
    released = bool(mine.update(holder=None, acquired_at=None, expires_at=None))
    deleted, _ = SectionDraft.objects.filter(section=section, user=user).delete()
    if released or deleted:
        _event(section, Kind.DISCARDED, user, current if current is not None else 0, now)
    return released


@transaction.atomic
def section_break_lock(*, section: Section, user: User, reason: str, now: datetime | None = None) -> SectionLock:
    """Take the lease away from its holder (chair or administrator; the door checks `break_lock`).

    The holder's draft is kept; history records who broke it and why; the holder is told once, on their next
    page or API call (LockNotice). Refuses an empty reason (InvalidContent) and a free section (NotLocked).
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidContent({"reason": ["Say why you are breaking the lock."]})
    now = now or timezone.now()
    lock = SectionLock.objects.select_for_update().filter(section=section).first()
    if lock is None or lock.holder_id is None:
        raise NotLocked(section)
    holder = lock.holder
    SectionLock.objects.filter(pk=lock.pk).update(holder=None, acquired_at=None, expires_at=None)
    _event(section, Kind.BROKEN, user, lock.generation, now, reason=reason, previous_holder=holder)
    if holder.pk != user.pk:
        LockNotice.objects.create(user=holder, section=section, created_at=now,
                                  message=f"{_name(user)} broke your lock on {_where(section)}: {reason}. "
                                          "Your unsaved draft is kept for you.")
        from signin.digest import lock_broken_email_queue  # email through the outbox, in this transaction

        lock_broken_email_queue(section=section, holder=holder, breaker=user, reason=reason)
    return _lock(section)


def lock_notices_take(*, user: User, now: datetime | None = None) -> list[LockNotice]:
    """The user's unseen notices, marked seen: each is shown once, even to two requests at once (the
    conditional UPDATE marks each row seen for exactly one of them)."""
    if not user.is_authenticated:
        return []
    now = now or timezone.now()
    notices = list(LockNotice.objects.unseen().filter(user=user).order_by("created_at", "pk"))
    shown = []
    for notice in notices:
        if LockNotice.objects.filter(pk=notice.pk, seen_at__isnull=True).update(seen_at=now):
            shown.append(notice)
    return shown


@contextmanager
def section_briefly_held(*, section: Section, user: User, now: datetime | None = None) -> Iterator[SectionLock]:
    """Hold `section`'s lease for one short page action (add a service line, restore a version), then let go.

    A user who already holds a live lease uses it and keeps it. Otherwise the section is checked out for the
    action (SectionLocked, naming the holder, when someone else has it, and nothing is written) and released
    afterwards without touching any draft of the user's: their unsaved text is never a casualty of a quick action.
    """
    now = now or timezone.now()
    current = _lock(section)
    if current is not None and current.holder_id == user.pk and current.expires_at and current.expires_at > now:
        yield current
        return
    lock = section_check_out(section=section, user=user, now=now)
    try:
        yield lock
    finally:
        SectionLock.objects.filter(section=section, holder=user, generation=lock.generation).update(
            holder=None, acquired_at=None, expires_at=None)
