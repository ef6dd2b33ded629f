from __future__ import annotations

from collections.abc import Callable


class Mailbox:
    def __init__(self, email: str, clock: Callable[[], float]) -> None:
        self.email = email
        self.clock = clock
