# The English interface keeps the Norwegian house formats (dd.mm.yyyy, 1 234,50):
# the users share one organisation and one calendar, whatever language they read.
from config.formats.nb.formats import *  # noqa: F403
