"""What a backup holds: every registry table with its change history, and the staff accounts.

Left out on purpose: content types and permissions (every migrated database makes its own, and
the dump refers to them by natural key), sessions, the page cache, and login-attempt records.
"""

EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "axes",
    "admin.logentry",
]
