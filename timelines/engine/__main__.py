"""`python -m timelines.engine --calendar CAL.json --case CASE.json`: the command of spec 4 without Django."""

import sys

from .cli import main

sys.exit(main())
