"""EMSS performance data: the metric catalogue, quarters, the snapshot store and its queries."""
