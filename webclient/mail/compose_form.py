"""Hold what the compose page shows and submits, read from the request or built for it.

A module of its own because three others build or read it: the routes (from a draft or a
submitted form), the reply builder (from the message answered) and the files a new
version keeps (from the draft and the forwarded message the form names).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request


@dataclass(frozen=True, slots=True)
class ComposeForm:
    """What the compose page shows and submits."""

    from_: str = ""
    to: str = ""
    cc: str = ""
    bcc: str = ""
    subject: str = ""
    body: str = ""
    in_reply_to: str = ""
    references: str = ""
    thread_id: str = ""
    draft_id: str = ""
    #: The Gmail message the draft held when the page last saved or opened it: what the
    #: draft's files are read from should the draft be gone.
    draft_message: str = ""
    #: "1" when the draft replaced one that was sent or deleted elsewhere: Send asks first.
    draft_replaced: str = ""
    forward_of: str = ""

    @classmethod
    def from_request(cls) -> ComposeForm:
        """Read the submitted form."""
        form = request.form
        return cls(**{name: form.get(name.rstrip("_") if name == "from_" else name, "")
                      for name in cls.__dataclass_fields__})
