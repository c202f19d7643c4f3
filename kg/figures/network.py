"""``association-network``: co-occurrence, cohort and literature edges between the terms."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rdflib import Graph

from kg.figures.common import KIND_COLOURS, FigureResult, frame, new_figure, term_index

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.figure import Figure

    from kg.terms import TermIndex

__all__ = ["association_network"]

_EDGE_COLUMNS = [
    "u",
    "v",
    "u_label",
    "v_label",
    "kind",
    "key",
    "weight",
    "measure",
    "value",
    "ci_low",
    "ci_high",
    "p_fisher",
    "reported_p",
    "source",
]
_NODE_COLUMNS = ["id", "label", "kind", "patients", "degree", "x", "y"]
_EDGE_STYLES = {
    "co-occurrence": ("#999999", "solid"),
    "cohort": ("#4C72B0", "dashed"),
    "literature": ("#C44E52", "dotted"),
}

Layout = dict[Any, Any]


def association_network(
    graph: Graph, *, min_patients: int = 2, terms: TermIndex | None = None
) -> FigureResult:
    """The association graph: co-occurrence, cohort and literature edges.

    Drawn with a Kamada-Kawai layout (the same picture each run).

    ``data``: one row per edge: ``u``, ``v`` (node CURIEs), ``u_label``, ``v_label``,
    ``kind``, ``key``, ``weight``, ``measure``, ``value``, ``ci_low``, ``ci_high``,
    ``p_fisher``, ``reported_p``, ``source``. ``tables["nodes"]``: ``id``, ``label``,
    ``kind``, ``patients``, ``degree``, ``x``, ``y`` (the Kamada-Kawai layout; None for a node
    without an edge, which is not drawn and is named in ``notes``).
    """
    from kg.analyse.networks import association_graph

    network = association_graph(graph, min_patients=min_patients, terms=term_index(graph, terms))
    layout = _layout(network)
    nodes = [
        {
            "id": n,
            "label": d["label"],
            "kind": d["kind"],
            "patients": d["patients"],
            "degree": network.degree(n),
            "x": float(layout[n][0]) if n in layout else None,
            "y": float(layout[n][1]) if n in layout else None,
        }
        for n, d in sorted(network.nodes(data=True))
    ]
    alone = [n["label"] for n in nodes if n["x"] is None]
    notes = (
        [f"{len(alone)} node(s) without an edge not drawn: {', '.join(sorted(alone))}"]
        if alone
        else []
    )
    edges = _edges(network)
    data = frame(edges, _EDGE_COLUMNS)
    figure = _draw(nodes, edges, layout, min_patients)
    return FigureResult(
        "association-network", figure, data, {"nodes": frame(nodes, _NODE_COLUMNS)}, notes
    )


def _layout(network: nx.MultiGraph[Any]) -> Layout:
    """Kamada-Kawai positions of the nodes with an edge (the others would only crowd the
    picture: they are listed, not drawn)."""
    import networkx as nx

    simple: nx.Graph[Any] = nx.Graph()
    simple.add_nodes_from(network.nodes)
    weight: Any
    for u, v, weight in network.edges(data="weight"):
        previous = simple.get_edge_data(u, v, {}).get("weight", 0)
        simple.add_edge(u, v, weight=max(previous, weight or 0) + 1)
    core = simple.subgraph([n for n in simple if simple.degree(n) > 0])
    return (
        nx.kamada_kawai_layout(core, weight=None)
        if len(core) > 1
        else {n: (0.0, 0.0) for n in core}
    )


def _edges(network: nx.MultiGraph[Any]) -> list[dict[str, Any]]:
    return [
        {
            "u": u,
            "v": v,
            "u_label": network.nodes[u]["label"],
            "v_label": network.nodes[v]["label"],
            "kind": d["kind"],
            "key": k,
            "weight": d.get("weight"),
            "measure": d.get("measure"),
            "value": d.get("value"),
            "ci_low": d.get("ci_low"),
            "ci_high": d.get("ci_high"),
            "p_fisher": d.get("p_fisher"),
            "reported_p": d.get("reported_p"),
            "source": d.get("source"),
        }
        for u, v, k, d in sorted(
            network.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])
        )
    ]


def _draw(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]], layout: Layout, min_patients: int
) -> Figure:
    from matplotlib.collections import LineCollection

    figure, ax = new_figure(11, 9)
    for kind, (colour, style) in _EDGE_STYLES.items():
        chosen = [e for e in edges if e["kind"] == kind]
        if not chosen:
            continue
        segments = [[layout[e["u"]], layout[e["v"]]] for e in chosen]
        widths = [
            0.4 + 0.5 * (e["weight"] or 0) if kind == "co-occurrence" else 1.2 for e in chosen
        ]
        ax.add_collection(
            LineCollection(
                segments,
                colors=colour,
                linestyles=style,
                linewidths=widths,
                alpha=0.5,
                label=f"{kind} ({len(chosen)})",
            )
        )
    for kind, colour in KIND_COLOURS.items():
        chosen = [n for n in nodes if n["kind"] == kind and n["x"] is not None]
        if chosen:
            ax.scatter(
                [n["x"] for n in chosen],
                [n["y"] for n in chosen],
                s=[40 + 25 * n["patients"] for n in chosen],
                color=colour,
                edgecolors="white",
                zorder=3,
                label=kind,
            )
    for node in (n for n in nodes if n["x"] is not None):
        ax.annotate(
            node["label"],
            (node["x"], node["y"]),
            fontsize=6,
            ha="center",
            va="bottom",
            xytext=(0, 5),
            textcoords="offset points",
            zorder=4,
        )
    ax.set_title(
        f"Associations: co-occurrence in at least {min_patients} patients, "
        "cohort and literature evidence"
    )
    ax.legend(fontsize=7, loc="lower left")
    ax.set_axis_off()
    ax.autoscale()
    return figure
