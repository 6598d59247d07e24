"""Pure planning logic (capacity, burndown, dependency graph, checks, triage); no Textual."""
