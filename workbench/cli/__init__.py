"""The command line, `workbench COMMAND`: one module per command group.

Arguments become typed settings once, at the edge (`workbench.cli.main`); the commands
call the library with them and print what it did.
"""
