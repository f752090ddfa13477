from dvtracker.cli import main

main()
