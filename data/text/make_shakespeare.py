"""Cut data/text/shakespeare_100k.txt from the "tiny shakespeare" file of karpathy/char-rnn.

    python data/text/make_shakespeare.py path/to/char-rnn/data/tinyshakespeare/input.txt

The excerpt is the first 100,000 characters of input.txt, shortened to the last complete line
(it ends with a newline). The script checks the result against the sha256 in README.md.
"""

import hashlib
import pathlib
import sys

N = 100_000
SHA256 = "bc5e13b6b458bc23e7b51d8fd1531ce0a2ec98c4de7edea1b2f73ffa70adda6e"


def main(src):
    text = pathlib.Path(src).read_text(encoding="utf-8")
    head = text[:N]
    excerpt = head[: head.rfind("\n") + 1]
    data = excerpt.encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        raise SystemExit(f"sha256 {digest} differs from the recorded {SHA256}")
    out = pathlib.Path(__file__).with_name("shakespeare_100k.txt")
    out.write_bytes(data)
    print(f"wrote {out}: {len(excerpt)} characters, {excerpt.count(chr(10))} lines, "
          f"{len(set(excerpt))} distinct characters")


if __name__ == "__main__":
    main(sys.argv[1])
