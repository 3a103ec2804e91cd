"""Repeating background rounds: at once after a full round, after the interval otherwise, and
a failing round tried again."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from egov_shared.background import Repeating


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
