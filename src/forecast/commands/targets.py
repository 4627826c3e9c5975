"""``forecast targets``: print the plan's targets."""

from __future__ import annotations

import json

from forecast.domain.targets import load_targets, targets_frame


def register(sub) -> None:
    p = sub.add_parser("targets", help="print the plan's 2030 targets (T01–T11)")
    p.add_argument("--json", action="store_true", help="print a JSON list of objects")
    p.add_argument("--lang", choices=["vi", "en"], default="vi", help="language of the table (default vi)")
    p.set_defaults(func=run)


def run(args) -> int:

    if args.json:
        print(json.dumps([t.to_dict() for t in load_targets()], ensure_ascii=False, indent=2))
    else:
        frame = targets_frame(args.lang)[["id", "threshold", "year", "kind", "target"]]
        print(frame.to_string(index=False))
    return 0
