"""Root test configuration: make ``scripts/`` importable (localservices, deployment).

The real servers are started only by the ``services`` fixture of
``tests/integration/conftest.py``; unit tests never need them.
"""

import sys
from pathlib import Path

SCRIPTS_DIR = Path(__file__).resolve().parents[1] / "scripts"
if str(SCRIPTS_DIR) not in sys.path:
    sys.path.insert(0, str(SCRIPTS_DIR))
