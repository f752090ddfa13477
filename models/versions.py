"""Which version of a unit's report counts, the one definition that status, histories and the
compilation use:
- its **date** is that of the first complete (signed, not draft) version received by the day
  looked at: it decides timeliness, and a correction sent later does not make a report late;
- its **figures and texts** are those of the latest complete version received by that day.
Drafts never count for either.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import and_, func, select

from models.tables import SubmissionRow


def dated_and_current(versions: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """From rows of (``unit_id``, ``version``, ``is_draft``) received by the day looked at: per
    unit, the version whose date counts and the version whose figures count."""
    complete = versions[~versions["is_draft"].astype(bool)]
    by_unit = complete.groupby("unit_id")["version"]
    return by_unit.min(), by_unit.max()


def current_versions(cycle_ids: list[str], as_of: date):
    """The same rule in SQL, for reading figures and texts: per cycle and unit, the submission
    whose figures count on ``as_of`` (a subquery of id, cycle_id, unit_id, version)."""
    s = SubmissionRow
    latest = (
        select(s.cycle_id, s.unit_id, func.max(s.version).label("version"))
        .where(s.cycle_id.in_(cycle_ids), s.is_draft.is_(False), s.received_on <= as_of)
        .group_by(s.cycle_id, s.unit_id)
        .subquery("latest")
    )
    return (
        select(s.id, s.cycle_id, s.unit_id, s.version)
        .join(latest, and_(s.cycle_id == latest.c.cycle_id, s.unit_id == latest.c.unit_id,
                           s.version == latest.c.version))
        .subquery("counted")
    )
