"""FSC page: every figure of the area in the chosen quarter and view, with its trend."""

from emss import ui_areas

ui_areas.area_page("FSC")
