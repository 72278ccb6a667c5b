"""Results and indicators (C6 and C7): indicator definitions and computations, targets, closed-period snapshots, service returns, annual accounts, key figures and the municipality status report."""
