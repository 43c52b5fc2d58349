"""The feature columns, shared by feature building and the data check."""

FEATURES = ["tenure_months", "monthly_charges", "support_calls", "plan_changes"]
