"""Advocacy statistics with small-cell suppression, and the IATI 2.03 export for institutional donors."""
