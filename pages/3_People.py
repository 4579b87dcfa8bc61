"""People page: every figure of the area in the chosen quarter and view, with its trend."""

from emss import ui

ui.area_page("People")
