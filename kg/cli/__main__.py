import sys

from kg.cli.entry import main

sys.exit(main())
