from malpl import main

main()
