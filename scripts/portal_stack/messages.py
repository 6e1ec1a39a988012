"""What the stack tells the operator: progress lines, and the errors they have to act on."""
from __future__ import annotations


def say(message: str) -> None:
    print(f"[stack] {message}", flush=True)


class StackError(Exception):
    """A problem the operator has to act on; the message says what to do."""


def die(message: str) -> None:
    raise StackError(message)
