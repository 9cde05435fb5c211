"""The page's panels beside the contour, by id: the one list the lessons, the API's
catalogue, the player's ``panels=`` and the command line's ``--panels`` read."""

PANELS = ("backprop", "data", "averages")  # the backward pass, the data view, the averages
