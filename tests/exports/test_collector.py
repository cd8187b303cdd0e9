"""The cyclic collector is held off while a workbook is built, and resumes after — after the last
of several builds at once, and after a build that failed."""

from __future__ import annotations

import gc
import threading

import pytest

from exports import collector


def test_held_off_during_the_block_and_resumed_after() -> None:
    assert gc.isenabled()
    with collector.held_off():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_several_builds_at_once_resume_it_when_the_last_ends() -> None:
    first_inside = threading.Event()
    second_done = threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with collector.held_off():
            first_inside.set()
            second_done.wait(5)
            seen.append(gc.isenabled())

    thread = threading.Thread(target=first)
    thread.start()
    first_inside.wait(5)
    with collector.held_off():
        pass
    second_done.set()
    thread.join(5)
    assert seen == [False], "the second build's end did not resume it under the first"
    assert gc.isenabled()


def test_a_failed_build_resumes_it() -> None:
    with pytest.raises(RuntimeError), collector.held_off():
        raise RuntimeError("the build failed")
    assert gc.isenabled()


def test_a_process_that_turned_it_off_keeps_it_off() -> None:
    gc.disable()
    try:
        with collector.held_off():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
