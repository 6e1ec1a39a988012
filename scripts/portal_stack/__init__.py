"""The modules of scripts/stack.py, which starts, checks and stops the portal's
real services on this machine; its docstring describes the whole.

Standard library only: scripts/stack.py builds the virtualenv, so it cannot
depend on it.
"""
