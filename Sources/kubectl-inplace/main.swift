import InplaceCLI
