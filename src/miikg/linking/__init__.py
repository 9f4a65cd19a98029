"""Link outside records to the graph: name reconciliation and importers of other datasets."""
