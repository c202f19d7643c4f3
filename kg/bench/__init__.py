"""The benchmark (dmkg bench): dmkg's build and queries against raw engines on the same data."""
