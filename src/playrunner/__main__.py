from playrunner.cli.main import main

main()
