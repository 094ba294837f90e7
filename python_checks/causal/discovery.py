"""Causal discovery with hidden confounders allowed (FCI), and its comparison with a graph.

FCI (Spirtes, Meek and Richardson 1995; Zhang 2008; `causal-learn`, MIT) learns from
conditional independence tests a partial ancestral graph (PAG) over the observed
variables: each edge end is a tail (-), an arrowhead (>) or a circle (o, "either"):

- A -> B: A is an ancestor of B (a cause, directly or not);
- A <-> B: neither causes the other; a hidden common cause links them;
- A o-> B: B does not cause A; A may cause B, or a hidden common cause links them, or both;
- A o-o B: undetermined.

Use it to propose and check assumptions, not to prove them: its answers hold if the tests
are right (here Fisher's z, which assumes linear Gaussian relations), if every independence
in the data comes from the graph (faithfulness), and if the sample is large enough. The
comparison with a known graph (`true_pag`, `structural_hamming_distance`) is how the
simulator's truth checks it (tests and evaluation/causal_recovery.py).

`possibly_confounded(result, a, b)` reads the PAG the way the rewards analysis needs: it is
true when a and b are adjacent and the PAG does not establish a -> b free of a hidden
common cause: the mark at a is a circle or an arrowhead, or the edge a -> b is not
"visible" (Zhang 2008: no variable c with c *-> a that is not adjacent to b).
"""

from __future__ import annotations

import contextlib
import io
import itertools
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from python_checks.causal.estimate import CausalInputError, numeric_column, require_columns

MARKS = {-1: "tail", 1: "arrow", 2: "circle"}  # causal-learn's endpoint codes
SYMBOL = {
    ("tail", "arrow"): "-->",
    ("arrow", "tail"): "<--",
    ("arrow", "arrow"): "<->",
    ("circle", "arrow"): "o->",
    ("arrow", "circle"): "<-o",
    ("circle", "circle"): "o-o",
    ("tail", "tail"): "---",
    ("tail", "circle"): "--o",
    ("circle", "tail"): "o--",
}
DEFAULT_ALPHA = 0.05


@dataclass(frozen=True)
class PagEdge:
    """An edge of a PAG with the mark at each end."""

    a: str
    b: str
    mark_a: str
    mark_b: str

    def __str__(self) -> str:
        return f"{self.a} {SYMBOL[(self.mark_a, self.mark_b)]} {self.b}"

    def oriented(self, first: str) -> PagEdge:
        """The same edge written from `first`'s side."""
        return self if self.a == first else PagEdge(self.b, self.a, self.mark_b, self.mark_a)


@dataclass(frozen=True)
class DiscoveryResult:
    variables: tuple[str, ...]
    edges: tuple[PagEdge, ...]
    alpha: float
    n_obs: int
    test: str

    def edge(self, a: str, b: str) -> PagEdge | None:
        for edge in self.edges:
            if {edge.a, edge.b} == {a, b}:
                return edge.oriented(a)
        return None


def discover_graph(
    frame: pd.DataFrame, variables: Sequence[str], alpha: float = DEFAULT_ALPHA
) -> DiscoveryResult:
    """FCI with Fisher's z tests over the named numeric columns (standardized first)."""
    what = "causal discovery"
    require_columns(frame, variables, what)
    if len(variables) < 3:
        raise CausalInputError(f"{what}: name at least three variables")
    data = np.column_stack([numeric_column(frame, v, what) for v in variables])
    sd = data.std(axis=0)
    if (sd == 0).any():
        raise CausalInputError(f"{what}: column {variables[int(np.argmin(sd))]!r} is constant")
    if len(data) <= len(variables) + 3:
        raise CausalInputError(
            f"{what}: {len(data)} rows are too few for {len(variables)} variables"
        )
    data = (data - data.mean(axis=0)) / sd
    from causallearn.search.ConstraintBased.FCI import fci  # deferred: heavy import

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        graph, _ = fci(data, "fisherz", alpha, show_progress=False, verbose=False)
    return DiscoveryResult(
        tuple(variables), _edges(graph.graph, variables), alpha, len(data), "fisherz"
    )


def _edges(matrix: np.ndarray, names: Sequence[str]) -> tuple[PagEdge, ...]:
    """Edges of causal-learn's endpoint matrix: matrix[i, j] is the mark at i on (i, j)."""
    edges = []
    for i, j in itertools.combinations(range(len(names)), 2):
        if matrix[i, j] != 0 and matrix[j, i] != 0:
            edges.append(
                PagEdge(names[i], names[j], MARKS[int(matrix[i, j])], MARKS[int(matrix[j, i])])
            )
    return tuple(edges)


def true_pag(
    observed: Sequence[str], hidden: Sequence[str], edges: Iterable[tuple[str, str]]
) -> DiscoveryResult:
    """The PAG that FCI with perfect independence tests would learn over `observed` from
    the DAG `edges` in which `hidden` are latent (causal-learn's dag2pag)."""
    from causallearn.graph.Dag import Dag
    from causallearn.graph.GraphNode import GraphNode
    from causallearn.utils.DAG2PAG import dag2pag

    nodes = {name: GraphNode(name) for name in [*observed, *hidden]}
    dag = Dag(list(nodes.values()))
    for cause, effect in edges:
        if cause not in nodes or effect not in nodes:
            raise CausalInputError(f"true graph: edge {cause} -> {effect} names an unknown node")
        dag.add_directed_edge(nodes[cause], nodes[effect])
    with contextlib.redirect_stdout(io.StringIO()):
        pag = dag2pag(dag, [nodes[name] for name in hidden])
    order = [node.get_name() for node in pag.get_nodes()]
    found = _edges(pag.graph, order)
    ordered = tuple(
        sorted(
            (e.oriented(min(e.a, e.b, key=list(observed).index)) for e in found),
            key=lambda e: (list(observed).index(e.a), list(observed).index(e.b)),
        )
    )
    return DiscoveryResult(tuple(observed), ordered, 0.0, 0, "d-separation")


def structural_hamming_distance(estimated: DiscoveryResult, truth: DiscoveryResult) -> dict:
    """Pairs of variables on which two PAGs differ: an edge in one only (`adjacency`), or
    the same edge with other marks (`marks`); `total` is their sum."""
    variables = sorted(set(estimated.variables) | set(truth.variables))
    adjacency = marks = 0
    for a, b in itertools.combinations(variables, 2):
        left, right = estimated.edge(a, b), truth.edge(a, b)
        if (left is None) != (right is None):
            adjacency += 1
        elif (
            left is not None
            and right is not None
            and ((left.mark_a, left.mark_b) != (right.mark_a, right.mark_b))
        ):
            marks += 1
    return {"adjacency": adjacency, "marks": marks, "total": adjacency + marks}


def possibly_confounded(result: DiscoveryResult, a: str, b: str) -> bool:
    """True when a and b are adjacent and the PAG leaves room for a hidden common cause
    (module docstring). Not adjacent: False (no direct link to confound)."""
    edge = result.edge(a, b)
    if edge is None:
        return False
    if edge.mark_a != "tail" or edge.mark_b != "arrow":
        return True
    for other in result.variables:
        if other in (a, b):
            continue
        into_a = result.edge(other, a)
        if into_a is not None and into_a.mark_b == "arrow" and result.edge(other, b) is None:
            return False  # visible: a -> b cannot hide a common cause
    return True
