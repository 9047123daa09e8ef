#if canImport(Glibc)
import Glibc
#endif
import InplaceCLI

exit(CLI.main(CommandLine.arguments))
