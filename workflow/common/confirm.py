"""What a user confirmed before a money action, checked again at commit time.

A money action (a payment run, a four-eyes approval, a reimbursement, a generation) receives
``Seen``: the exact rows the confirmation listed, each with the version it had, and the
total it showed. Inside the action's transaction, with the rows locked, ``check`` compares
that with the database and refuses the whole action with ``ConfirmationMismatch`` when
anything differs: a row added, missing or changed since, or another total. So a repeated
click, a second tab or a stale screen never pays twice and never pays something else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from domain.errors import ConfirmationMismatch


@dataclass(frozen=True)
class Seen:
    """The rows (id → version, or None for rows without a version) and the total confirmed."""

    items: tuple[tuple[int, int | None], ...]
    total: Decimal

    @classmethod
    def of(cls, items: Iterable[tuple[int, int | None]], total: Decimal) -> Seen:
        return cls(tuple(sorted((int(i), None if v is None else int(v)) for i, v in items)),
                   Decimal(total))

    @classmethod
    def one(cls, row_id: int, version: int | None, total: Decimal) -> Seen:
        return cls.of([(row_id, version)], total)

    @property
    def ids(self) -> list[int]:
        return [i for i, _ in self.items]

    def version_of(self, row_id: int) -> int | None:
        return dict(self.items).get(row_id)


def check(seen: Seen, current: Mapping[int, tuple[str, int | None]], total: Decimal, *,
          what: str, nothing_done: str) -> None:
    """Refuse unless ``current`` ({id: (label, version)}, read under lock) and ``total``
    are exactly what ``seen`` holds.

    ``what`` names the rows in the message ("pro forma", "échéance"); ``nothing_done`` is the
    closing sentence ("Rien n'a été payé.").
    """
    problems: list[str] = []
    wanted = dict(seen.items)
    missing = [i for i in wanted if i not in current]
    if missing:
        problems.append(f"{len(missing)} {what}(s) confirmée(s) ne sont plus disponibles")
    extra = [label for i, (label, _) in current.items() if i not in wanted]
    if extra:
        problems.append("non confirmée(s) : " + ", ".join(sorted(extra)))
    changed = sorted(label for i, (label, version) in current.items()
                     if i in wanted and wanted[i] is not None and version != wanted[i])
    if changed:
        problems.append("modifiée(s) depuis votre confirmation : " + ", ".join(changed))
    if Decimal(total) != seen.total:
        problems.append(f"le montant est maintenant {_eur(total)} au lieu des "
                        f"{_eur(seen.total)} confirmés")
    if problems:
        raise ConfirmationMismatch(problems, nothing_done)


def _eur(value: Decimal) -> str:
    from domain.formatting import format_eur

    return format_eur(value)
