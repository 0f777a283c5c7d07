"""The query side: search.js's ``searchKey`` gives the same keys as build_tools.arabic.

The index holds Python's keys and the reader's query goes through the JavaScript copy, so
any difference between the two is a miss. Run with Node (on the machine image); skipped
where there is none (the browser tests check a few keys in Chromium too).
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess

import pytest

from build_tools.arabic import LETTERS, search_key
from corpus_fixtures import REPO

SEARCH_JS = REPO / "docs/assets/javascripts/search.js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")

ALPHABET = (
    [chr(c) for c in range(0x0621, 0x063B)] + [chr(c) for c in range(0x0641, 0x064B)]
    + [chr(c) for c in range(0x064B, 0x0660)] + ["\u0670", "\u0640", "\u200c", "\u200f", "\u06d6", "\u06e5"]
    + list(LETTERS) + list(" \n\t،.؟«»“”-_") + list("azAZé09") + ["\U0001F600", "\u0750", "\u08a0"]
)
CLITICS = ["", "و", "ف", "ب", "ك", "ل", "ال", "وال", "بال", "فال", "كال", "لل", "وبال", "ولل"]


def samples() -> list[str]:
    rng = random.Random(20120205)
    out = [
        "الحكومة", "الحُكُومَة", "والحكومة", "بالمغرب", "حـرب إلكترونية", "حركة 20 فبراير", "٢٠ ۲۰",
        "Anonymous Morocco", "café", "“أنونيموس المغرب”", "الله", "فبراير", "برلمان", "",
        (REPO / "corpus/nadortoday-2012-cyberwar.txt").read_text(encoding="utf-8"),
    ]
    for _ in range(1500):
        out.append("".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 24))))
    for _ in range(1500):
        stem = "".join(rng.choice(ALPHABET[:36]) for _ in range(rng.randint(1, 7)))
        out.append(rng.choice(CLITICS) + stem)
    return out


def search_js(tmp_path, function: str, inputs: list[str]) -> list:
    """search.js's exported ``function`` of each input, run in Node."""
    module = tmp_path / "search.mjs"   # .mjs: Node reads it as an ES module
    module.write_text(SEARCH_JS.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "in.json").write_text(json.dumps(inputs), encoding="utf-8")
    script = (
        "import { readFileSync } from 'node:fs';"
        f"const {{ {function} }} = await import({json.dumps(module.as_uri())});"
        f"const inputs = JSON.parse(readFileSync({json.dumps(str(tmp_path / 'in.json'))}, 'utf8'));"
        f"process.stdout.write(JSON.stringify(inputs.map({function})));"
    )
    result = subprocess.run([NODE, "--input-type=module", "-e", script], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_search_js_keys_equal_python_keys(tmp_path):
    inputs = samples()
    js_keys = search_js(tmp_path, "searchKey", inputs)
    mismatches = [(text, search_key(text), js) for text, js in zip(inputs, js_keys) if search_key(text) != js]
    assert mismatches[:5] == []


def test_search_js_splits_words_as_python_does(tmp_path):
    """A document's words reach the search page as its raw text, cut there: every
    character str.split cuts at, and none else (U+FEFF, U+200B are not spaces to Python)."""
    import sys

    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    near = ["\ufeff", "\u200b", "\u200c", "\u200f", "\u180e", "\u061c", "x", "ن", "،"]
    rng = random.Random(20261129)
    inputs = ["", " ", "a  b", "\u2028ن\u3000م\x1c", (REPO / "corpus/nadortoday-2012-cyberwar.txt").read_text(encoding="utf-8")]
    for _ in range(800):
        inputs.append("".join(rng.choice(spaces + near) for _ in range(rng.randint(1, 12))))
    words = search_js(tmp_path, "splitWords", inputs)
    mismatches = [(text, text.split(), js) for text, js in zip(inputs, words) if text.split() != js]
    assert mismatches[:5] == []


def test_search_js_gives_each_result_the_site_it_belongs_to(tmp_path):
    """A hub merges the indexes of several sites: a result's raw text is fetched from the
    site whose root starts its URL (the longest, when one root starts another)."""
    module = tmp_path / "search.mjs"
    module.write_text(SEARCH_JS.read_text(encoding="utf-8"), encoding="utf-8")
    script = (
        f"const {{ siteOf }} = await import({json.dumps(module.as_uri())});"
        "const sites = ['/hub/alpha/', '/hub/beta/', '/hub/alpha-2/', '/hub/beta/inner/']"
        ".map((path) => ({ root: new URL(path, 'http://127.0.0.1/'), title: path }));"
        "const urls = ['/hub/alpha/corpus/documents/x/', '/hub/beta/corpus/entities/y/', '/hub/alpha-2/search/',"
        " '/hub/beta/inner/z/', '/elsewhere/'];"
        "process.stdout.write(JSON.stringify(urls.map((url) => siteOf(sites, url).title)));"
    )
    result = subprocess.run([NODE, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["/hub/alpha/", "/hub/beta/", "/hub/alpha-2/", "/hub/beta/inner/",
                                         "/hub/alpha/"]
