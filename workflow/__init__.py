"""The rules of the console (see README, "Layout of the code")."""

from sqlalchemy import event
from sqlalchemy.orm import Session

from workflow.common.bounds import lengths_fit

# every ORM flush refuses, in French, a text longer than its String(n) column (issue 17, 7)
if not event.contains(Session, "before_flush", lengths_fit):
    event.listen(Session, "before_flush", lengths_fit)
