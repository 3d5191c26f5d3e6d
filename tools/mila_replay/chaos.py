"""``--chaos``: what AWS may do to a stream delivery and to the night's workers, none of which may
change the outcome (CONTRACT §4): batches split differently, delivered twice, an invocation
throttled or timed out before the function runs, a worker that dies half way.

Whatever chaos makes up is an ``InjectedFailure``, never mistaken for a function's own error: the
mapping runner retries it as Lambda retries a throttle, without using up the mapping's retries.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from botocore.exceptions import ClientError


class InjectedFailure(Exception):
    """A failure --chaos made up, outside the function's own code."""


class InjectedServiceError(ClientError, InjectedFailure):
    """An armed crash firing: to the function an AWS service error on its DynamoDB call, as in an
    outage or a timeout; to the replay an injected failure."""

    def __init__(self, operation: str) -> None:
        super().__init__(
            {"Error": {"Code": "InternalServerError", "Message": "injected: the worker died half way"}}, operation
        )


def caused_by_chaos(error: BaseException) -> bool:
    """Whether chaos made this failure: it, or an error it was raised from or while handling, is
    injected (a function that lets an injected service error escape fails because of chaos)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, InjectedFailure):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


@dataclass
class Chaos:
    """The dice: one seeded generator, so that a seed replays the same chaos."""

    rng: random.Random
    duplicate: float = 0.2
    fail: float = 0.15
    crash: float = 0.3

    def batch_size(self, limit: int) -> int:
        return self.rng.randint(1, limit)

    def deliver_twice(self) -> bool:
        return self.rng.random() < self.duplicate

    def transient_failure(self) -> bool:
        return self.rng.random() < self.fail

    def throttle(self, injected_so_far: int) -> None:
        """Lambda's invocation throttled or timed out before the function ran (at most twice in a
        row for one batch, so that a delivery always ends)."""
        if injected_so_far < 2 and self.transient_failure():
            raise InjectedFailure("injected transient failure (throttled)")

    def worker_crashes(self) -> bool:
        """A nightly segment's worker dies half way (then Step Functions runs it again)."""
        return self.rng.random() < self.crash

    def calls_before_crash(self) -> int:
        """How many DynamoDB calls a dying worker still makes."""
        return self.rng.randint(1, 12)
