"""Demo content for the public website (filled in below)."""
