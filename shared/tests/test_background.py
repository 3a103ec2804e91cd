"""Repeating background rounds: at once after a full round, after the interval otherwise, and
a failing round tried again."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from egov_shared.background import Repeating, cancel_and_wait


def rounds(answers: list[int | Exception], calls: list[int]) -> Callable[[], Awaitable[int]]:
    async def round_() -> int:
        calls.append(1)
        answer = answers[min(len(calls), len(answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return round_


async def _let_it_run() -> None:
    for _ in range(50):  # ample turns of the loop for every round due at once
        await asyncio.sleep(0)


async def test_full_rounds_follow_at_once_and_a_short_one_waits_for_the_interval() -> None:
    calls: list[int] = []
    job = Repeating("test", rounds([5, 5, 1, 5], calls), interval=3600, full=5)
    job.start()
    await _let_it_run()
    await job.stop()
    assert len(calls) == 3  # two full rounds, then the short one; the next is an hour away


async def test_a_failing_round_is_tried_again() -> None:
    calls: list[int] = []
    job = Repeating("test", rounds([RuntimeError("database away"), 0], calls), interval=0.01)
    job.start()
    for _ in range(200):
        if len(calls) >= 2:
            break
        await asyncio.sleep(0.01)
    await job.stop()
    assert len(calls) >= 2
    await job.stop()  # stopping twice, or a job never started, does nothing
    await Repeating("idle", rounds([0], []), interval=1).stop()


async def test_wait_first_waits_before_the_first_round() -> None:
    calls: list[int] = []
    job = Repeating("test", rounds([0], calls), interval=3600, wait_first=True)
    job.start()
    await _let_it_run()
    await job.stop()
    assert calls == []


async def test_a_stop_ends_a_task_that_swallowed_the_first_cancellation() -> None:
    """Python 3.11's ``asyncio.wait_for`` loses a cancellation that arrives as its future
    completes (the relay and nats-py use it in loops): one ``cancel()`` then leaves the loop
    running, and a shutdown that awaited it once hung (seen in CI)."""
    swallowed: list[int] = []

    async def round_() -> int:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            if not swallowed:  # as wait_for does when the inner future completes meanwhile
                swallowed.append(1)
                return 0
            raise
        return 0

    job = Repeating("swallows", round_, interval=0)
    job.start()
    await _let_it_run()
    async with asyncio.timeout(30):  # bounds a failing test; a hang is the failure
        await job.stop()
    assert swallowed == [1]


async def test_a_task_that_never_ends_is_left_behind_after_the_bound() -> None:
    released = asyncio.Event()

    async def stubborn() -> None:
        while not released.is_set():
            try:
                await released.wait()
            except asyncio.CancelledError:
                continue

    task = asyncio.create_task(stubborn(), name="stubborn")
    await _let_it_run()
    async with asyncio.timeout(30):
        await cancel_and_wait(task, give_up_after=0.2)
    assert not task.done()  # left behind, and the shutdown went on
    released.set()
    await task
