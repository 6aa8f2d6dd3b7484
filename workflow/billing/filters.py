"""Saved searches of eligible contracts ("☆ Ajouter à mes filtres"), private to each user."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import SavedFilter
from domain.errors import AccessDenied, InvalidInput
from workflow.billing.eligibility import EligibleFilters
from workflow.common import events
from workflow.common.access import Actor, require_cfa
from workflow.common.bounds import max_length
from workflow.common.typed import as_int

MAX_FILTERS = 30
NAME_LENGTH = max_length(SavedFilter.name)


@dataclass(frozen=True)
class SavedFilterRow:
    """A saved filter as the page lists it."""

    id: int
    name: str
    filters: EligibleFilters


def list_filters(session: Session, actor: Actor) -> list[SavedFilterRow]:
    """The acting user's saved filters, by name."""
    require_cfa(actor)
    rows = session.scalars(
        select(SavedFilter).where(SavedFilter.user_id == actor.user_id)
        .order_by(SavedFilter.name, SavedFilter.id)
    )
    return [SavedFilterRow(r.id, r.name, EligibleFilters.from_dict(r.criteria)) for r in rows]


def save_filter(session: Session, actor: Actor, name: str,
                filters: EligibleFilters) -> SavedFilterRow:
    """Save the current search under ``name``; a filter of the same name is replaced.

    Raises InvalidInput for an empty or too long name, an empty search, or too many filters.
    """
    require_cfa(actor)
    label = " ".join((name or "").split())
    if not label:
        raise InvalidInput("name", "Donnez un nom à votre filtre.")
    if len(label) > NAME_LENGTH:
        raise InvalidInput("name", f"Nom de filtre trop long ({NAME_LENGTH} caractères au plus).")
    criteria = filters.to_dict()
    if not criteria:
        raise InvalidInput("criteria", "Aucun filtre appliqué : renseignez au moins un critère "
                           "de recherche avant de l'ajouter à vos filtres.")
    row = session.scalars(select(SavedFilter).where(
        SavedFilter.user_id == actor.user_id, SavedFilter.name == label)).first()
    if row is None:
        count = len(list_filters(session, actor))
        if count >= MAX_FILTERS:
            raise InvalidInput("name", f"Vous avez déjà {MAX_FILTERS} filtres : supprimez-en un.")
        row = SavedFilter(user_id=actor.user_id, name=label, criteria=criteria)
        session.add(row)
    else:
        row.criteria = criteria
    session.flush()
    events.record(session, actor, "filter_saved", entity="saved_filter", entity_id=row.id,
                  comment=label, data=criteria)
    return SavedFilterRow(row.id, row.name, filters)


def _own(session: Session, actor: Actor, filter_id: object) -> SavedFilter:
    require_cfa(actor)
    try:
        key = as_int(filter_id)
    except (TypeError, ValueError):
        raise AccessDenied("ce filtre") from None
    row = session.get(SavedFilter, key)
    if row is None or row.user_id != actor.user_id:
        raise AccessDenied("ce filtre")
    return row


def load_filter(session: Session, actor: Actor, filter_id: object) -> EligibleFilters:
    """The criteria of one of the acting user's saved filters (AccessDenied otherwise)."""
    return EligibleFilters.from_dict(_own(session, actor, filter_id).criteria)


def delete_filter(session: Session, actor: Actor, filter_id: object) -> None:
    """Delete one of the acting user's saved filters (AccessDenied otherwise)."""
    row = _own(session, actor, filter_id)
    events.record(session, actor, "filter_deleted", entity="saved_filter", entity_id=row.id,
                  comment=row.name)
    session.delete(row)
