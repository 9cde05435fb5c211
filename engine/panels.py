"""The page's panels beside the contour, by id: the one list the lessons, the API's
catalogue, the player's ``panels=`` and the command line's ``--panels`` read."""

# Each panel's id and the catalogue's key of its name (the page's button, the player's box).
PANEL_NAMES = {"backprop": "backprop", "data": "data_view", "averages": "averages"}
PANELS = tuple(PANEL_NAMES)  # the backward pass, the data view, the moving averages
