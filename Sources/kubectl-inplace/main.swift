#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import InplaceCLI

ProcessTuning.apply()
exit(CLI.main(CommandLine.arguments))
