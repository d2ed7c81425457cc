"""The kinds of file ``import_csv`` and ``export_csv`` handle, by the name on the command line."""

from .enterprises import Enterprises
from .figures import Figures, ProvinceCounts
from .seminars import Seminars
from .titles import Designations, Recommendations

KINDS = {
    kind.name: kind
    for kind in (Enterprises, Designations, Recommendations, Figures, Seminars, ProvinceCounts)
}
