"""Console pages for cleanup audits and org alerts (owner and admins)."""
