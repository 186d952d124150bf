from malpl.cli import main

main()
