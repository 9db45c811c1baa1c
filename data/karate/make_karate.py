"""How data/karate/ was made (run once; kept so the files can be re-created and checked).

Source: the weighted adjacency matrix of Zachary's karate club (34 members, Zachary 1977, matrix C)
and the members' clubs after the split ("Club After Fission", Table 1/3 of the paper), as transcribed
in networkx 3.6.1 (``networkx/generators/social.py``, ``karate_club_graph``). Usage::

    python data/karate/make_karate.py path/to/networkx/generators/social.py

Writes ``edges.csv`` (source,target,weight: each undirected edge once, source < target, 0-indexed
members) and ``clubs.csv`` (member,club with 0 = Mr. Hi's club, 1 = the officer's club).
"""
import re
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def main(social_py: str) -> None:
    text = Path(social_py).read_text()
    block = text.split('zacharydat = """\\\n', 1)[1].split('"""', 1)[0]
    weights = np.array([[int(v) for v in row.split()] for row in block.strip().splitlines()])
    assert weights.shape == (34, 34)
    club1 = {int(v) for v in re.search(r"club1 = \{([^}]*)\}", text).group(1).split(",")}
    # The transcribed matrix is not exactly symmetric. networkx reads it row by row and adds an edge
    # for every nonzero entry, a later entry for the same pair overwriting the weight: do the same.
    edges = {}
    for a, b in zip(*np.nonzero(weights)):
        edges[(min(a, b), max(a, b))] = int(weights[a, b])
    with open(HERE / "edges.csv", "w") as f:
        f.write("source,target,weight\n")
        f.writelines(f"{a},{b},{w}\n" for (a, b), w in sorted(edges.items()))
    with open(HERE / "clubs.csv", "w") as f:
        f.write("member,club\n")
        f.writelines(f"{m},{0 if m in club1 else 1}\n" for m in range(34))
    print(len(edges), "edges,", 34 - len(club1), "members in the officer's club")


if __name__ == "__main__":
    main(sys.argv[1])
