"""``python -m pica_publish``."""

import sys

from pica_publish.cli import main

sys.exit(main())
