"""The coordinators' actions on reminders: the units' contacts, a reminder run by hand (or its
preview), the log, and letting an interrupted send go again."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from models.contacts import list_contacts
from notifications.channels import display_address, env_secret
from services.cycles import open_cycle_ids
from tasks import contacts, reminders
from tasks.contacts import ContactImport
from tasks.reminders import DigestResult, ReminderRun, SecretLookup
from wiring.app import App


def import_contacts(app: App, path: Path, on: date | None = None) -> ContactImport:
    return contacts.import_contacts(app, path, on or app.clock.today())


def contacts_on(app: App, unit: str | None = None, on: date | None = None) -> list[dict]:
    """The contacts (of one unit), those in force on ``on`` when given."""
    today = app.clock.today()
    with app.session() as session:
        unit_ids = [app.roster.find(unit, on or today).id] if unit else None
        rows = list_contacts(session, unit_ids)
    if on:
        rows = [c for c in rows if (c.valid_from is None or c.valid_from <= on) and (c.valid_to is None or on <= c.valid_to)]
    return [dict(unit_id=c.unit_id, unit_name=app.roster.get(c.unit_id).name_on(c.valid_from or on or today),
                 role=c.role, channel=c.channel, address=display_address(c.address), name=c.name,
                 valid_from=c.valid_from, valid_to=c.valid_to) for c in rows]


def remind(app: App, cycle_id: str, as_of: date | None = None, *, dry_run: bool = False,
           secrets: SecretLookup = env_secret, eml_dir: Path | None = None) -> tuple[ReminderRun, DigestResult | None]:
    """Send (or preview) the reminders due for the cycle, then the coordinators' digest. A preview
    with ``eml_dir`` writes there the e-mails it would send, byte for byte."""
    day = as_of or app.clock.today()
    run = reminders.send_due_reminders(app, cycle_id, day, dry_run=dry_run, secrets=secrets, eml_dir=eml_dir)
    digest = None if dry_run else reminders.send_digest(app, cycle_id, day, run, secrets=secrets)
    return run, digest


def weekly_digest(app: App, day: date, cycle_id: str | None = None, *, secrets: SecretLookup = env_secret
                  ) -> dict[str, DigestResult]:
    return {cid: reminders.send_digest(app, cid, day, None, secrets=secrets) for cid in open_cycle_ids(app, cycle_id)}


def log(app: App, cycle_id: str, unit: str | None = None) -> list[dict]:
    return reminders.reminder_log(app, cycle_id, unit)


def requeue(app: App, cycle_id: str, *, unit: str | None = None, stage: str | None = None) -> int:
    return reminders.requeue_unconfirmed(app, cycle_id, unit=unit, stage=stage)
