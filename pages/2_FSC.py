"""FSC page: every figure of the area in the chosen quarter and view, with its trend."""

from emss import ui

filters = ui.page_setup("Finance Service Centre (FSC)")
ui.area_view("FSC", filters)
