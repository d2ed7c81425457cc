"""A progress line for long files on a terminal: rows done, rows per second, time left."""

import time

from django.utils.translation import gettext as _

#: Seconds between redraws.
INTERVAL = 0.5


class Progress:
    """Counts rows and redraws one line on ``stream`` at most every half second; silent when
    ``stream`` is not a terminal (a log file or a pipe gets no progress lines). ``on_update``
    (rows done, rows in all) is told as often, for a run in the background."""

    def __init__(self, stream, total_lines, on_update=None):
        self.stream = stream
        self.total = max(total_lines - 1, 1)
        self.on_update = on_update
        self.enabled = bool(getattr(stream, "isatty", lambda: False)())
        self.started = self.last_drawn = time.monotonic()
        self.drawn = False

    def update(self, line):
        """Called with the line just read; cheap when there is nothing to draw."""
        if not (self.enabled or self.on_update):
            return
        now = time.monotonic()
        if now - self.last_drawn < INTERVAL:
            return
        self.last_drawn = now
        done = min(line, self.total)
        if self.on_update:
            self.on_update(done, self.total)
        if not self.enabled:
            return
        rate = done / max(now - self.started, 1e-9)
        left = (self.total - done) / rate if rate else 0
        width = 30
        filled = int(width * done / self.total)
        self.stream.write(
            "\r["
            + "#" * filled
            + "." * (width - filled)
            + "] "
            + _("%(done)s/%(total)s rows, %(rate)s rows/s, %(left)s s left")
            % {
                "done": f"{done:,}",
                "total": f"{self.total:,}",
                "rate": f"{rate:,.0f}",
                "left": f"{left:,.0f}",
            }
            + "   "
        )
        self.stream.flush()
        self.drawn = True

    def finish(self):
        """Clear the line, so that what is printed next starts on a clean one."""
        if self.enabled and self.drawn:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()
            self.drawn = False
