"""`python -m sqlquarry`: the same command line as the `sqlquarry` script."""

from sqlquarry.cli import main

raise SystemExit(main())
