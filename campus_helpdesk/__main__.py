"""Allow `python -m campus_helpdesk`."""
from .cli import main

main(prog_name="campus-helpdesk")
