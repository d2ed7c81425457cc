"""The little SQL that differs between PostgreSQL and SQLite: which one this is, and date
arithmetic for the set-based writes (imports, the derivation of titles' standing).

No fragment holds a ``%`` character: a query with parameters would need it doubled, one without
would not, and Django's query log (``DEBUG``) formats every query with ``%``. SQLite dates are
``YYYY-MM-DD`` texts, so their parts are cut out and put together as text.
"""

from django.db import connection


def is_postgresql():
    return connection.vendor == "postgresql"


def years_after(day, years):
    """SQL for the date ``years`` (an SQL integer) after the date ``day``; a 29 February that
    does not exist then is 28 February (``champions.lifecycle.years_later``)."""
    if is_postgresql():
        return f"CAST({day} + make_interval(years => CAST({years} AS integer)) AS date)"
    later = f"date({day}, '+' || ({years}) || ' years')"
    return (
        f"CASE WHEN substr({day}, 6, 5) = '02-29' AND substr({later}, 6, 5) <> '02-29' "
        f"THEN date({day}, '-1 day', '+' || ({years}) || ' years') ELSE {later} END"
    )


def day_before(day):
    """SQL for the day before the date ``day``."""
    return f"({day} - 1)" if is_postgresql() else f"date({day}, '-1 day')"


def make_date(year, month, day):
    """SQL for the date of ``year`` (an SQL integer), ``month`` and ``day``."""
    if is_postgresql():
        return f"make_date(CAST({year} AS integer), {month}, {day})"
    return (
        f"substr('000' || ({year}), -4) || '-' || substr('0' || ({month}), -2) || '-' "
        f"|| substr('0' || ({day}), -2)"
    )
