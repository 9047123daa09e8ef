#compdef kubectl-inplace
# zsh completion for kubectl-inplace
# Load it with: source <(kubectl-inplace completion zsh)

_kubectl_inplace() {
    local -a candidates
    local out directive
    out=$(${words[1]} __complete "${(@)words[2,CURRENT-1]}" "${words[CURRENT]}" 2>/dev/null) || return 1
    directive=${${(f)out}[-1]#:}
    candidates=(${${(f)out}[1,-2]})
    if (( directive & 8 )); then
        _files -g "*.(${(j:|:)candidates})"
        return
    fi
    if (( ${#candidates} == 0 )) && (( (directive & 4) == 0 )); then
        _files
        return
    fi
    if (( directive & 2 )); then
        compadd -S '' -- $candidates
    else
        compadd -- $candidates
    fi
}
compdef _kubectl_inplace kubectl-inplace
