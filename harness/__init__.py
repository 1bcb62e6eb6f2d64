"""Run the helpdesk's real services as processes for the tests and the benchmarks.

`processes` starts one service on a free port and keeps its log, `stack` starts the store, the
three functions and the web app together, `up` runs `campus-helpdesk up`, and `browser` says
which Chromium to launch and how. Not part of the installed packages.
"""
