"""`sprintboard mcp`: the plan for AI assistants over the Model Context Protocol.

Headless: the tools call the same store methods and JSON shapes as the command line, so
an assistant's change is validated, written in one transaction and logged like anyone's,
under the person `agent:<client name>`. Imported only when the `mcp` command runs.
"""
