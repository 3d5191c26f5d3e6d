"""The mapping runner tells chaos from a function's own failure by the failure's type, not by its
words (issue 20 item 3): --chaos may never change an outcome, a real failure always may."""

from __future__ import annotations

import random
from typing import Any

from mila_replay.chaos import Chaos, InjectedFailure, InjectedServiceError, caused_by_chaos
from mila_replay.lambda_runtime import FunctionError
from mila_replay.mappings import Discarded, MappingRunner
from mila_replay.template import Mapping

QUEUE = "StreamFailureQueue"


class Sink:
    def __init__(self) -> None:
        self.sent: list[tuple[str, Discarded]] = []

    def send(self, destination: str, discarded: Discarded) -> None:
        self.sent.append((destination, discarded))


class FailingFunctions:
    """A function that fails the first ``times`` invocations with ``error``, then succeeds."""

    def __init__(self, error: Exception, times: int) -> None:
        self.error, self.times, self.invocations = error, times, 0

    def invoke(self, name: str, event: Any) -> Any:
        self.invocations += 1
        if self.invocations <= self.times:
            try:
                raise self.error
            except Exception as error:  # as the Lambda runtime reports it
                raise FunctionError(f"{type(error).__name__}: {error}") from error
        return None


def _record(n: int) -> dict[str, Any]:
    return {"eventID": f"e{n}", "dynamodb": {"SequenceNumber": f"{n:021d}", "Keys": {"job_id": {"S": f"r-{n}"}}}}


def _runner(functions: Any, sink: Sink, retries: int, chaos: Chaos | None = None) -> MappingRunner:
    mapping = Mapping("on_rating", "RatingsTable", maximum_retry_attempts=retries, on_failure=QUEUE)
    runner = MappingRunner(mapping, functions, sink, chaos)
    runner.offer([_record(1)])
    return runner


def test_given_a_functions_own_error_that_says_injected_then_it_uses_up_the_retries():
    functions, sink = FailingFunctions(ConnectionError("injected: the standing table is unreachable"), 5), Sink()
    _runner(functions, sink, retries=2).deliver_batch()
    assert functions.invocations == 3  # the first attempt and two retries
    ((destination, discarded),) = sink.sent
    assert destination == QUEUE and discarded.condition == "RetryAttemptsExhausted" and discarded.attempts == 3
    assert discarded.function_error == "Unhandled" and "injected: the standing table" in discarded.error


def test_given_a_worker_killed_by_chaos_then_the_retry_is_free_and_nothing_is_discarded():
    functions, sink = FailingFunctions(InjectedServiceError("UpdateItem"), 2), Sink()
    _runner(functions, sink, retries=0).deliver_batch()
    assert functions.invocations == 3 and sink.sent == []


def test_given_chaos_throttles_an_invocation_then_lambda_retries_it_without_counting():
    class AlwaysThrottled(Chaos):
        def transient_failure(self) -> bool:
            return True

        def deliver_twice(self) -> bool:
            return False

        def batch_size(self, limit: int) -> int:
            return limit

    functions, sink = FailingFunctions(RuntimeError("never"), 0), Sink()
    _runner(functions, sink, retries=0, chaos=AlwaysThrottled(random.Random(1))).deliver_batch()
    assert functions.invocations == 1 and sink.sent == []  # throttled twice, then delivered


def test_an_injected_failure_is_recognised_through_what_it_caused():
    try:
        try:
            raise InjectedServiceError("Query")
        except Exception as error:
            raise FunctionError("ClientError: ...") from error
    except FunctionError as failure:
        assert caused_by_chaos(failure)
    assert caused_by_chaos(InjectedFailure("throttled"))
    assert not caused_by_chaos(FunctionError("ConnectionError: injected: words only"))
