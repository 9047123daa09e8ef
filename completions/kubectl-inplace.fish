# fish completion for kubectl-inplace
# Load it with: kubectl-inplace completion fish | source

function __kubectl_inplace_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l out ($tokens[1] __complete $tokens[2..-1] "$current" 2>/dev/null)
    set -l directive (string replace ':' '' -- $out[-1])
    set -e out[-1]
    if test (math "$directive & 8") -ne 0
        for ext in $out
            __fish_complete_suffix .$ext
        end
        return
    end
    for c in $out
        echo $c
    end
end
complete -c kubectl-inplace -f -a '(__kubectl_inplace_complete)'
