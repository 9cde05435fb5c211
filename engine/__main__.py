"""``python -m gradtrail``: the same command line as ``gradtrail``.

The program's entry point, not part of the engine: ``import gradtrail`` never runs it.
"""

import sys

from gradtrail.app.cli import main

sys.exit(main())
