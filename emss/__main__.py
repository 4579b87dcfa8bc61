import sys

from emss.cli import main

sys.exit(main())
