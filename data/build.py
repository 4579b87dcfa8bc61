"""Rebuild the bundled store in this folder from data/sources/ (deterministic).

python data/build.py            # rebuild data/ in place
python data/build.py --into DIR # build a fresh store elsewhere
"""

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from emss.bundled import build  # noqa: E402
from emss.store import DATASETS, Store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--into", type=Path, default=Path(__file__).resolve().parent)
    target = parser.parse_args().into
    for stale in ("manifest.json", *DATASETS):
        path = target / stale
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    for snapshot in build(Store(target)):
        print(
            f"{snapshot.id}: {snapshot.kind}, {snapshot.rows} rows, "
            f"{len(snapshot.quarters)} quarters"
        )


if __name__ == "__main__":
    main()
