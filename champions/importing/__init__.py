"""CSV import: reading files as offices send them, validating every row, writing all or nothing.

``import_file`` runs one import (see ``runner``); ``KINDS`` are the kinds of file.
"""

from .kinds import KINDS
from .runner import ImportResult, import_file

__all__ = ["KINDS", "ImportResult", "import_file"]
