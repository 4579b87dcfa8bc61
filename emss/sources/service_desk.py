"""The Customer figures from the service desk's ticket export (Freshdesk): every definition,
in SQL and in words, in this one place.

Each figure's SQL reads the view ``tickets`` (Group mapped to a team in
``ticket_group_mapped``), ``quarters`` and ``positive_answers`` (answer, lower case: the
survey answers sources.toml counts as satisfied), and returns one row per quarter: quarter,
partner (EMSS: the service desk serves the whole organisation), value.
"""

from __future__ import annotations

from emss.sources.payables import ASKED, Figure

VERSION = "customer-2024.1"
AREA = "Customer"
KINDS = ("tickets",)
NOT_COUNTED_STATUSES = ("Spam", "Deleted")
BOT_SOURCE = "Bot"
TEAM_NAMES = {"esc": "ESC", "fsc": "FSC", "bd": "Business Development"}

_NOT_COUNTED = ", ".join(f"'{s.lower()}'" for s in NOT_COUNTED_STATUSES)

SETUP = f"""
CREATE OR REPLACE TEMP VIEW counted_tickets AS
SELECT * FROM tickets WHERE lower(status) NOT IN ({_NOT_COUNTED});

CREATE OR REPLACE TEMP VIEW resolved AS
SELECT q.quarter, t.ticket_group_mapped AS team,
       epoch(t.resolved_time - t.created_time) / 3600 AS hours, t.survey,
       lower(t.survey) IN (SELECT answer FROM positive_answers) AS positive
FROM counted_tickets t
JOIN quarters q ON t.resolved_time::DATE BETWEEN q.first_day AND q.last_day
WHERE t.resolved_time::DATE {ASKED};
"""


def _satisfaction(team: str | None) -> str:
    of_team = f"AND team = '{team}'" if team else ""
    return f"""
    SELECT quarter, 'EMSS' AS partner, 100 * avg(CASE WHEN positive THEN 1 ELSE 0 END) AS value
    FROM resolved WHERE survey IS NOT NULL {of_team} GROUP BY ALL"""


_WHOLE = (
    f"Tickets whose status is {' or '.join(NOT_COUNTED_STATUSES)} are in no figure. "
    "A ticket is resolved in the quarter when its Resolved time falls in it (up to 23:59:59 "
    "on the last day)."
)
_SATISFIED = (
    "The percentage of survey answers on tickets resolved in the quarter that are among the "
    "answers counted as satisfied ({positive} in sources.toml); tickets without an answer are "
    "left out"
)

FIGURES: tuple[Figure, ...] = (
    Figure(
        "customer_resolution_hours",
        KINDS,
        "The mean number of calendar hours from a ticket's Created time to its Resolved time, "
        "over tickets resolved in the quarter. " + _WHOLE,
        """SELECT quarter, 'EMSS' AS partner, avg(hours) AS value FROM resolved GROUP BY ALL""",
        1,
    ),
    Figure(
        "customer_satisfaction",
        KINDS,
        _SATISFIED + ", all teams. " + _WHOLE,
        _satisfaction(None),
        1,
    ),
    *(
        Figure(
            f"customer_satisfaction_{team}",
            KINDS,
            _SATISFIED + f", over tickets whose Group is mapped to the {name} team. " + _WHOLE,
            _satisfaction(team),
            1,
        )
        for team, name in TEAM_NAMES.items()
    ),
    Figure(
        "customer_chatbot_sessions",
        KINDS,
        f"Tickets created in the quarter whose Source is {BOT_SOURCE}. " + _WHOLE,
        f"""SELECT q.quarter, 'EMSS' AS partner,
               count(t.ticket_id) FILTER (WHERE lower(t.source) = '{BOT_SOURCE.lower()}') AS value
        FROM quarters q
        LEFT JOIN (SELECT * FROM counted_tickets WHERE created_time::DATE {ASKED}) t
          ON t.created_time::DATE BETWEEN q.first_day AND q.last_day
        GROUP BY ALL""",
        0,
    ),
)

EXCLUSIONS: dict[str, str] = {
    "tickets": f"""
        SELECT file, status || ' ticket: not counted' AS reason, true AS whole
        FROM tickets WHERE lower(status) IN ({_NOT_COUNTED})""",
}

COVERAGE: dict[str, tuple[str, ...]] = {"tickets": ("created_time::DATE", "resolved_time::DATE")}
