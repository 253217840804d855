import sys

from secreview.cli import main

sys.exit(main())
