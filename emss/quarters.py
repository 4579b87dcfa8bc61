"""Financial-year quarters (April to March): parsing, ordering and labels."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from emss.errors import EmssError

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Every form the upload contract accepts: "2023/24 Q3", "Q3 2023/24", "2023-24 Q3",
# "2023/2024 Q3", "FY2023/24 Q3" (letter case and spaces are forgiven).
_YEARS = r"(?:FY\s*)?(?P<start>\d{4})\s*[/-]\s*(?P<end>\d{4}|\d{2})"
_FORMS = (
    re.compile(rf"^{_YEARS}\s+Q(?P<q>[1-4])$", re.IGNORECASE),
    re.compile(rf"^Q(?P<q>[1-4])\s+{_YEARS}$", re.IGNORECASE),
)

EXPECTED_FORM = 'a quarter such as "2023/24 Q3" (also "Q3 2023/24", "2023-24 Q3", "FY2023/24 Q3")'


class QuarterError(EmssError, ValueError):
    """A text that is not a financial-year quarter, or a quarter in the future."""


@dataclass(frozen=True, order=True)
class Quarter:
    """Quarter `number` (1-4) of the financial year starting in April of `start_year`."""

    start_year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise QuarterError(f"quarter number must be 1-4, not {self.number}")
        if not 1 <= self.start_year <= 9998:  # every month of it must be a valid date
            raise QuarterError(
                f"names the year {self.start_year:04d}, which is out of range "
                f"(expected {EXPECTED_FORM})"
            )

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Read any accepted form; raise QuarterError naming the expected form."""
        cleaned = " ".join(str(text).split())
        for form in _FORMS:
            match = form.match(cleaned)
            if match:
                start = int(match["start"])
                end_text = match["end"]
                end = int(end_text) if len(end_text) == 4 else (start // 100) * 100 + int(end_text)
                if len(end_text) == 2 and start % 100 == 99:
                    end += 100
                if end != start + 1:
                    raise QuarterError(
                        f"names years {start} and {end}, which are not consecutive "
                        f"(expected {EXPECTED_FORM})"
                    )
                return cls(start, int(match["q"]))
        raise QuarterError(f"is not a financial-year quarter (expected {EXPECTED_FORM})")

    @classmethod
    def containing(cls, day: dt.date) -> Quarter:
        """The quarter a calendar date falls in."""
        start_year = day.year if day.month >= 4 else day.year - 1
        return cls(start_year, (day.month - 4) % 12 // 3 + 1)

    @classmethod
    def current(cls) -> Quarter:
        return cls.containing(dt.date.today())

    @classmethod
    def from_index(cls, index: int) -> Quarter:
        return cls(index // 4, index % 4 + 1)

    @property
    def index(self) -> int:
        """A running number: consecutive quarters differ by one."""
        return self.start_year * 4 + self.number - 1

    def shift(self, quarters: int) -> Quarter:
        return Quarter.from_index(self.index + quarters)

    @property
    def previous(self) -> Quarter:
        return self.shift(-1)

    @property
    def next(self) -> Quarter:
        return self.shift(1)

    @property
    def year_ago(self) -> Quarter:
        return self.shift(-4)

    @property
    def first_month(self) -> dt.date:
        month = (self.number - 1) * 3 + 4
        return dt.date(self.start_year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def months(self) -> str:
        """The months covered, e.g. "Oct–Dec 2023" or "Jan–Mar 2024"."""
        first = self.first_month
        return f"{_MONTHS[first.month - 1]}–{_MONTHS[first.month + 1]} {first.year}"

    @property
    def label(self) -> str:
        """Display label, e.g. "2023/24 Q3 (Oct–Dec 2023)"."""
        return f"{self} ({self.months})"

    @property
    def financial_year(self) -> str:
        """The financial year, e.g. "2023/24"."""
        return f"{self.start_year:04d}/{(self.start_year + 1) % 100:02d}"

    @property
    def short(self) -> str:
        """How the report names a quarter within its own year, e.g. "Q3"."""
        return f"Q{self.number}"

    @property
    def slug(self) -> str:
        """The quarter as a file name has it, e.g. "2023-24-Q3"."""
        return f"{self.start_year:04d}-{(self.start_year + 1) % 100:02d}-Q{self.number}"

    def __str__(self) -> str:
        return f"{self.financial_year} Q{self.number}"


def quarter_range(first: Quarter, last: Quarter) -> list[Quarter]:
    """Every quarter from first to last, inclusive."""
    return [Quarter.from_index(i) for i in range(first.index, last.index + 1)]


def check_not_future(quarter: Quarter, today: dt.date | None = None) -> None:
    """Raise QuarterError if the quarter starts after the current one."""
    current = Quarter.containing(today or dt.date.today())
    if quarter > current:
        raise QuarterError(f"is in the future (the current quarter is {current})")
