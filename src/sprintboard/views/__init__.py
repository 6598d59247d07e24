"""What each screen shows, as plain Python: selection, filters, paging, layout decisions.

No Textual here: widgets and screens draw from these models, and tests drive them directly.
"""
