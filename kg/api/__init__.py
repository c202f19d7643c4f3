"""The Python API: open_graph and the one :class: every entry point uses."""
