"""Fill unfinished zh_CN entries from a JSON map {source: translation} without rewriting the file
(ElementTree would drop lupdate's DOCTYPE): `python scripts/fill_translations.py map.json`."""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

TS = Path(__file__).resolve().parents[1] / "agent_desktop" / "resources" / "i18n" / "agent_desktop_zh_CN.ts"


def main(path: str) -> int:
    wanted: dict[str, str] = json.loads(Path(path).read_text(encoding="utf-8"))
    text = TS.read_text(encoding="utf-8")
    filled = 0

    def fill(match: re.Match[str]) -> str:
        nonlocal filled
        source = html.unescape(match.group(2))
        if source not in wanted:
            return match.group(0)
        filled += 1
        return f"{match.group(1)}<translation>{html.escape(wanted[source], quote=False)}</translation>"

    text = re.sub(r"(<source>([^<]*)</source>\s*(?:<[^>]*comment>.*?</[^>]*comment>\s*)*)"
                  r'<translation type="unfinished"></translation>', fill, text, flags=re.S)
    TS.write_text(text, encoding="utf-8")
    print(f"filled {filled} of {len(wanted)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
