"""Write a scenario's full snapshot (the bundled example is scenario ``start``).

python -m tests.scenarios start -o examples/starting-cluster.json
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.scenarios import NAMES, example_text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.scenarios", description=__doc__)
    parser.add_argument("scenario", choices=NAMES)
    parser.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    args = parser.parse_args(argv)
    text = example_text(args.scenario)
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text)
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
