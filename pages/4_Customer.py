"""Customer page: every figure of the area in the chosen quarter and view, with its trend."""

from emss import ui

filters = ui.page_setup("Customer")
ui.area_view("Customer", filters)
