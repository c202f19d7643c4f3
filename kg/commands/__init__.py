"""Subcommands that live outside kg/cli.py. Each module defines ``add_parser(subparsers)``,
which adds its subcommand(s) with ``set_defaults(func=...)``; kg/cli.py lists the modules in
``COMMAND_MODULES``. A command function takes the parsed arguments and returns an exit code.
"""
