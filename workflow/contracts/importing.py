"""Import of contracts, avenants and ruptures from a CSV or XLSX file (issue 18).

The format is described in docs/import-format.md (a sample: docs/import-exemple.csv): one line
per event, its "Type de ligne" saying what it is — ``contrat`` (a contract as registered, all
its terms), ``avenant`` (the terms it changes; empty cells keep the current value) or
``rupture`` (the rupture date). Columns follow the national contract registration extract.

* Reading: pandas (``read_csv``, ``read_excel`` with openpyxl), every cell as text, nothing
  guessed by pandas; each value is then checked here, line by line.
* Validation: every error is listed with its line, column, value and reason, in French; a
  file with any error changes nothing (all or nothing, one transaction).
* Idempotent: the file's lines are played in order over the contracts as stored, and only
  what differs at the end is written: the same file twice changes nothing the second time.
* A changed contract (avenant, rupture) has its schedule recomputed
  (``workflow.contracts.regularisation``): unclaimed échéances replaced, those in a live pro
  forma kept, one regularisation per nature for the difference with what was paid or validated.
* A dry run does all of it inside a savepoint rolled back at the end: it reports exactly what
  would be created, changed and regularised.
* An applied file leaves a ``contract_import`` row, one ``contract_change`` per contract
  created or changed, and one event ``contracts_imported`` in the event log.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from workflow.common.access import Actor, require_role
from workflow.contracts.importer.applying import _apply
from workflow.contracts.importer.reading import Line, parse_line, read_table
from workflow.contracts.importer.report import (
    COLUMNS,
    IMPORT_ROLES,
    Changed,
    Created,
    ImportError_,
    LineError,
    Progress,
    Report,
)
from workflow.contracts.importer.validation import play

__all__ = ["COLUMNS", "Changed", "Created", "ImportError_", "LineError", "Report", "read_table",
           "require_importer", "run", "template_csv"]


def require_importer(actor: Actor) -> None:
    """Only managers and administrators import contracts."""
    require_role(actor, *IMPORT_ROLES)


def run(session: Session, actor: Actor | None, data: bytes, filename: str, *,
        dry_run: bool = True, progress: Progress | None = None) -> Report:
    """Read, validate and (unless ``dry_run``) apply a file, in the caller's transaction.

    Nothing is written when the file has an error, and nothing stays written in a dry run
    (the work is done in a savepoint, then rolled back). ``actor``: None for the command
    line (the event has no actor); else a manager or an administrator.
    """
    if actor is not None:
        require_importer(actor)
    say = progress or (lambda _f, _t: None)
    report = Report(filename=filename, dry_run=dry_run)
    try:
        rows = read_table(data, filename)
    except ImportError_ as exc:
        report.errors = exc.errors
        return report
    report.lines = len(rows)
    say(0.05, f"{len(rows)} ligne(s) lue(s)")
    lines: list[Line] = []
    for k, row in enumerate(rows):
        parsed = parse_line(k + 2, row, report.errors)
        if parsed is not None:
            lines.append(parsed)
        if k % 2000 == 1999:
            say(0.05 + 0.25 * k / len(rows), f"Contrôle des lignes : {k + 1}/{len(rows)}")
    plan = play(session, lines, report.errors)
    say(0.4, "Lignes contrôlées")
    if report.errors:
        report.errors.sort(key=lambda e: (e.line, e.column))
        return report
    savepoint = session.begin_nested()
    try:
        _apply(session, actor, plan, report, data, say)
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
    say(1.0, "Terminé")
    return report



def template_csv() -> str:
    """The header line of an import file, for the page's "Télécharger le modèle"."""
    return ";".join(COLUMNS.values()) + "\n"
