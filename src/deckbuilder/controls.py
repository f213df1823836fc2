"""Control characters: found once, where scenario files are read, so none reaches a package.

U+001F is Anki's field separator (a note with one gets an extra field and the whole
package is refused), and ESC or the C1 controls start terminal escape sequences (a
card could set the window title, write the clipboard or clear the screen in the quiz).
Tab, newline and carriage return are the only controls a scenario file may hold.
"""

from __future__ import annotations

import re

from deckbuilder.model import Problem, SourceLocation

MAX_REPORTED = 10  # lines per file; a binary file would otherwise print one line per control
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NAMES = {0x00: "NUL", 0x1B: "ESC", 0x1F: "unit separator", 0x7F: "DEL", 0x9B: "CSI"}


def visible(text: str) -> str:
    """The text with each control character written as ``\\x1b``: safe to print."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def control_problems(text: str, *, path: str) -> list[Problem]:
    """One problem per line holding a control character (at most ``MAX_REPORTED``)."""
    shown = visible(path)
    problems: list[Problem] = []
    if shown != path:
        problems.append(
            Problem(SourceLocation(shown, 1), "the file's path holds a control character")
        )
    line, counted_to, last_line = 1, 0, 0
    lines_with_controls = 0
    for match in _CONTROL.finditer(text):
        line += text.count("\n", counted_to, match.start())
        counted_to = match.start()
        if line == last_line:
            continue
        last_line = line
        lines_with_controls += 1
        if lines_with_controls > MAX_REPORTED:
            continue
        column = match.start() - text.rfind("\n", 0, match.start())
        code = ord(match.group())
        name = _NAMES.get(code)
        problems.append(
            Problem(
                SourceLocation(shown, line),
                f"control character U+{code:04X}{f' ({name})' if name else ''} at column "
                f"{column}; only tab and newline are allowed",
            )
        )
    if lines_with_controls > MAX_REPORTED:
        problems.append(
            Problem(
                SourceLocation(shown, last_line),
                f"{lines_with_controls - MAX_REPORTED} more lines hold control characters",
            )
        )
    return problems
