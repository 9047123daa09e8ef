# bash completion for kubectl-inplace
# Load it with: source <(kubectl-inplace completion bash)
# kubectl itself (1.26+) completes `kubectl inplace ...` through kubectl_complete-inplace on PATH.

_kubectl_inplace() {
    local cur="${COMP_WORDS[COMP_CWORD]}"
    local out directive
    out=$("${COMP_WORDS[0]}" __complete "${COMP_WORDS[@]:1:COMP_CWORD-1}" "$cur" 2>/dev/null) || return
    directive=${out##*:}
    out=${out%:*}
    COMPREPLY=()
    if (( directive & 8 )); then
        local ext
        ext=$(printf '%s' "$out" | tr '\n' '|')
        ext=${ext%|}
        compopt -o filenames 2>/dev/null
        COMPREPLY=( $(compgen -f -X "!*.@($ext)" -- "$cur") $(compgen -d -- "$cur") )
        return
    fi
    if [[ -z "$out" ]] && (( (directive & 4) == 0 )); then
        compopt -o default 2>/dev/null
        return
    fi
    local IFS=$'\n'
    COMPREPLY=( $(compgen -W "$out" -- "$cur") )
    if (( directive & 2 )); then
        compopt -o nospace 2>/dev/null
    fi
}
complete -F _kubectl_inplace kubectl-inplace
