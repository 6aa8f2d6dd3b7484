"""Small typed errors that carry their values and build their own French message.

Pages show ``str(error)`` with ``st.error``; nothing below the page ever prints a traceback
to a user.
"""

from __future__ import annotations


class WorkflowError(Exception):
    """Base class: a rule refused the action; nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AccessDenied(WorkflowError):
    """The acting user may not do this (or the row does not exist for them)."""

    def __init__(self, what: str = "cet élément") -> None:
        super().__init__(f"Accès refusé : {what} n'existe pas ou ne vous est pas accessible.")
        self.what = what


class NotFound(AccessDenied):
    """The row does not exist; said exactly like AccessDenied so that ids leak nothing."""


class PasswordChangeRequired(WorkflowError):
    """The account's password is provisional (just created or reset): change it first."""

    def __init__(self) -> None:
        super().__init__("Votre mot de passe est provisoire : choisissez-en un nouveau "
                         "(page « Mon mot de passe ») avant de continuer.")


class AuthenticationFailed(WorkflowError):
    """Wrong e-mail or password, inactive account, or locked account."""


class TransitionRefused(WorkflowError):
    """The status table does not allow this action from the current status."""

    def __init__(self, number: str, status_label: str, action_label: str) -> None:
        super().__init__(
            f"Action impossible : la pro forma {number} est au statut « {status_label} », "
            f"qui ne permet pas de {action_label}."
        )
        self.number, self.status_label, self.action_label = number, status_label, action_label


class StaleVersion(WorkflowError):
    """The pro forma changed since the user looked at it (optimistic locking)."""

    def __init__(self, number: str, seen: int, current: int,
                 status_label: str | None = None) -> None:
        now = f", statut actuel « {status_label} »" if status_label else ""
        super().__init__(
            f"La pro forma {number} a été modifiée entre-temps (version {seen} → {current}"
            f"{now}) : rien n'a été enregistré. La page affiche maintenant son état actuel."
        )
        self.number, self.seen, self.current = number, seen, current
        self.status_label = status_label


class ConfirmationMismatch(WorkflowError):
    """A money action's rows or total differ from what the user confirmed; nothing was done."""

    def __init__(self, problems: list[str], nothing_done: str) -> None:
        super().__init__("La situation a changé depuis votre confirmation : "
                         + " ; ".join(problems) + f". {nothing_done} Vérifiez puis "
                         "confirmez de nouveau.")
        self.problems = problems


class AlreadyClaimed(WorkflowError):
    """Some échéances were taken by another pro forma meanwhile."""

    def __init__(self, count: int) -> None:
        super().__init__(
            f"{count} échéance(s) de votre sélection ont déjà été facturées dans une autre pro "
            "forma (double clic ou autre onglet ?). Rien n'a été généré : relancez la recherche."
        )
        self.count = count


class InvalidInput(WorkflowError):
    """A value typed or uploaded by the user is not acceptable."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class CountedRefusal(InvalidInput):
    """A refusal that was counted against the account (a wrong current password): the
    transaction holds only that count, and the caller commits it before showing the message
    (``console.ui.call``/``attempt`` do), so that guesses cannot be rolled back."""
