"""Console pages that combine sub-domains, one module per page family."""
