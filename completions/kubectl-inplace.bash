# bash completion for kubectl-inplace
# Load it with: source <(kubectl-inplace completion bash)
# kubectl itself (1.26+) completes `kubectl inplace ...` through kubectl_complete-inplace on PATH.

_kubectl_inplace() {
    # Words from the line itself, so `--flag=value` stays one word whatever COMP_WORDBREAKS holds.
    local line=${COMP_LINE:0:COMP_POINT}
    local -a words
    read -ra words <<< "$line"
    [[ $line =~ [[:space:]]$ || ${#words[@]} -eq 0 ]] && words+=("")
    local cur=${words[${#words[@]}-1]}
    local out directive
    out=$("${words[0]}" __complete "${words[@]:1}" 2>/dev/null) || return
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
    # bash replaces only the part of the word after its last = or : (COMP_WORDBREAKS).
    if [[ $cur == *[=:]* ]]; then
        local head=${cur%"${cur##*[=:]}"}
        COMPREPLY=( "${COMPREPLY[@]#"$head"}" )
    fi
    if (( directive & 2 )); then
        compopt -o nospace 2>/dev/null
    fi
}
complete -F _kubectl_inplace kubectl-inplace
