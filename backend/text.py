"""Small pt-BR text helpers shared by the service, the CLI and the screens."""

from __future__ import annotations

from datetime import datetime


def format_datetime(moment: datetime) -> str:
    """``dd/mm/aaaa hh:mm`` in the local time zone."""
    return moment.astimezone().strftime("%d/%m/%Y %H:%M")


def format_date(moment: datetime) -> str:
    """``dd/mm/aaaa`` in the local time zone."""
    return moment.astimezone().strftime("%d/%m/%Y")


def format_size(size: int) -> str:
    """A byte count the way Brazilians write it: ``1,5 MB``."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            if unit == "bytes":
                return f"{int(value)} bytes"
            return f"{value:.1f} {unit}".replace(".", ",")
        value /= 1024
    raise AssertionError("unreachable")


def printable(text: str) -> str:
    """Replace control characters (escape sequences included) with visible marks.

    Ticket text is data: printed to a terminal as-is, an ESC byte would be
    obeyed by the terminal. Newlines and tabs are kept.
    """
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char in "\n\t" or char.isprintable():
            out.append(char)
        elif ord(char) < 0x20:
            out.append(chr(0x2400 + ord(char)))  # the Control Pictures block: ␛ for ESC
        else:
            out.append(f"\\u{ord(char):04x}")
    return "".join(out)
