#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import InplaceCLI

exit(CLI.main(CommandLine.arguments))
