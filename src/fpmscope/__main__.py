from fpmscope.cli import main

main(prog_name="fpmscope")
