"""The one base of every error a user can cause (a bad file, quarter, link, choice or store).

A caller that wants "any EMSS error" catches ``EmssError``; each module's own error derives
from it (and from the built-in error it has always been, so existing callers keep working).
"""

from __future__ import annotations


class EmssError(Exception):
    """An error a user can cause; its message says what was wrong and what was expected."""
