/// The shell scripts `completion bash|zsh|fish` prints; each asks the binary (`__complete`) for candidates.
public enum CompletionScripts {
    /// The script for `shell`, or nil for an unknown shell.
    public static func script(for shell: String) -> String? {
        switch shell {
        case "bash": return bash
        case "zsh": return zsh
        case "fish": return fish
        default: return nil
        }
    }

    static let bash = #"""
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

    """#

    static let zsh = #"""
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

    """#

    static let fish = #"""
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

    """#
}
