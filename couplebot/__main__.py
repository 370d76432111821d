"""`python -m couplebot`: the same as the `couplebot` command."""

import sys

from couplebot.cli import main

sys.exit(main())
