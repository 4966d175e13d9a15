"""`python -m bot` is the `coursebot` command."""

import sys

from bot.ops.cli import main

sys.exit(main())
