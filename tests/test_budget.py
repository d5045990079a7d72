"""Budget parsing, formatting and the countdown clock."""

from __future__ import annotations

import pytest

from automl.budget import Deadline, format_seconds, parse_budget, process_started
from automl.errors import BudgetError, UserInputError


@pytest.mark.parametrize(
    "value, seconds",
    [
        ("90s", 90.0),
        ("10m", 600.0),
        ("1h", 3600.0),
        ("1h30m", 5400.0),
        ("1m30s", 90.0),
        ("120", 120.0),
        (" 2 m ", 120.0),
        ("10M", 600.0),
        ("1.5h", 5400.0),
        (45.5, 45.5),
        (600, 600.0),
        ("10", 10.0),  # exactly the minimum
    ],
)
def test_parse_budget_valid(value, seconds):
    result = parse_budget(value)
    assert result == seconds
    assert isinstance(result, float)


@pytest.mark.parametrize(
    "value",
    ["-5", "abc", "", "   ", 0, -30, True, False, None, "10x", "m", "1e3", float("nan"), float("inf"), "inf", "-1m"],
)
def test_parse_budget_invalid(value):
    with pytest.raises(BudgetError) as info:
        parse_budget(value)
    message = str(info.value)
    assert "`budget`" in message
    assert f"budget={value!r}" in message
    assert "90s" in message  # says what a valid budget looks like


@pytest.mark.parametrize("value", ["5s", 9.9, "9", 1])
def test_parse_budget_too_small(value):
    with pytest.raises(BudgetError) as info:
        parse_budget(value)
    message = str(info.value)
    assert "`budget`" in message
    assert f"budget={value!r}" in message
    assert "at least 10s" in message


def test_budget_error_is_a_user_input_error():
    with pytest.raises(UserInputError):
        parse_budget("abc")
    with pytest.raises(ValueError):
        parse_budget("abc")


@pytest.mark.parametrize("value, seconds", [("2min", 120.0), ("1hr", 3600.0), ("30sec", 30.0), ("1h30min", 5400.0)])
def test_parse_budget_long_unit_names(value, seconds):
    assert parse_budget(value) == seconds


@pytest.mark.parametrize(
    "seconds, text",
    [
        (0, "0.0s"),
        (9.5, "9.5s"),
        (10, "10s"),
        (59, "59s"),
        (60, "1m"),
        (75, "1m15s"),
        (90.4, "1m30s"),
        (600, "10m"),
        (3600, "1h00m"),
        (3661, "1h01m"),
        (5400, "1h30m"),
        (7200, "2h00m"),
    ],
)
def test_format_seconds(seconds, text):
    assert format_seconds(seconds) == text


@pytest.mark.parametrize("seconds, text", [(9.96, "10s"), (59.7, "1m")])
def test_format_seconds_rounding_boundaries(seconds, text):
    assert format_seconds(seconds) == text


class FakeClock:
    def __init__(self, now: float = 100.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_deadline_counts_down_on_its_clock():
    clock = FakeClock(100.0)
    deadline = Deadline(60.0, clock=clock)
    assert deadline.start == 100.0
    assert deadline.elapsed() == 0.0
    assert deadline.remaining() == 60.0
    assert not deadline.expired()

    clock.advance(15.0)
    assert deadline.elapsed() == 15.0
    assert deadline.remaining() == 45.0
    assert not deadline.expired()

    clock.advance(45.0)
    assert deadline.remaining() == 0.0
    assert deadline.expired()

    clock.advance(30.0)
    assert deadline.elapsed() == 90.0
    assert deadline.remaining() == 0.0  # never negative
    assert deadline.expired()


def test_deadline_start_can_be_given():
    clock = FakeClock(50.0)
    deadline = Deadline(20.0, clock=clock, start=40.0)
    assert deadline.elapsed() == 10.0
    assert deadline.remaining() == 10.0


@pytest.mark.parametrize(
    "elapsed, asked, child_seconds",
    [
        (10.0, 30.0, 30.0),  # fits inside the parent
        (50.0, 100.0, 10.0),  # capped at the parent's end
        (60.0, 5.0, 0.0),  # parent already over
    ],
)
def test_deadline_child_never_outlives_parent(elapsed, asked, child_seconds):
    clock = FakeClock(0.0)
    parent = Deadline(60.0, clock=clock)
    clock.advance(elapsed)
    child = parent.child(asked)
    assert child.seconds == child_seconds
    assert child.clock is clock
    assert child.remaining() == child_seconds
    assert child.expired() == (child_seconds == 0.0)
    clock.advance(child_seconds)
    assert child.expired()
    assert parent.remaining() == max(0.0, 60.0 - elapsed - child_seconds)


def test_process_started_is_this_process_start_on_the_monotonic_clock():
    import subprocess
    import sys
    import time

    # A fresh interpreter that sleeps before asking: its start lies that far back, not at the call.
    code = ("import time; time.sleep(1.0); from automl.budget import process_started; "
            "print(time.monotonic() - process_started())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert 1.0 <= float(done.stdout) < 30.0
    assert process_started() <= time.monotonic()


def test_process_started_is_never_later_than_now():
    assert process_started(now=5.0, wall=1000.0, created=990.0) == -5.0
    assert process_started(now=5.0, wall=1000.0, created=1003.0) == 5.0  # the wall clock stepped back
