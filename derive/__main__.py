"""``python -m derive``: the command line."""

from derive.cli import main

raise SystemExit(main())
