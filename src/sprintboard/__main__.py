from sprintboard.cli import main

main()
