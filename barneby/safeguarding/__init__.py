"""Safeguarding (C5): concerns and incidents from staff and, anonymously, from anyone; restricted cases with deadlines (R26); never deleted."""
