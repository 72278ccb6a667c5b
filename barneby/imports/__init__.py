"""Importing children and supporters from CSV/XLSX with a preview, row-level errors and duplicate detection, all or nothing."""
