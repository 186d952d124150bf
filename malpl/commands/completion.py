"""Shell completion: ``malpl completion SHELL`` prints a script that asks the hidden
``malpl __complete SHELL WORD…`` for the candidates of the last word (PowerShell's gives
the number of words before the last first: ``__complete powershell N WORD…``).

Commands, options and choices come from the parser itself; goal and target ids,
periods and body keys from the repository (``-C``, else here). Completing must never
fail loudly: a folder that is not a goals repository offers nothing, and the shell
falls back to file names.
"""

from __future__ import annotations

import argparse
import os
from argparse import Namespace
from pathlib import Path

from malpl.output import echo

# bash splits the words at these; the script passes bash's words and gets the
# candidates back with the part before the last break cut off, as bash wants them.
BASH_BREAKS = "\"'><=;|&(:"

SCRIPTS = {
    "bash": """\
# malpl completion for bash; in ~/.bashrc: eval "$(malpl completion bash)"
_malpl_complete() {
    local line
    COMPREPLY=()
    while IFS= read -r line; do
        COMPREPLY+=("$line")
    done < <(COMP_WORDBREAKS="$COMP_WORDBREAKS" command malpl __complete bash \\
        "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
}
complete -o default -F _malpl_complete malpl
""",
    "zsh": """\
#compdef malpl
# malpl completion for zsh; in ~/.zshrc, after compinit: eval "$(malpl completion zsh)"
_malpl() {
    local -a candidates
    candidates=("${(@f)$(command malpl __complete zsh "${(@)words[2,CURRENT]}" 2>/dev/null)}")
    candidates=(${candidates:#})
    if (( ${#candidates} )); then
        compadd -- "${candidates[@]}"
    else
        _files
    fi
}
compdef _malpl malpl
""",
    "fish": """\
# malpl completion for fish: malpl completion fish > ~/.config/fish/completions/malpl.fish
function __malpl_complete
    set -l words (commandline -opc)
    set -e words[1]
    set -l candidates (command malpl __complete fish $words (commandline -ct) 2>/dev/null)
    if set -q candidates[1]
        printf '%s\\n' $candidates
    else
        __fish_complete_path (commandline -ct)
    end
end
complete -c malpl -f -a '(__malpl_complete)'
""",
    # Windows PowerShell 5.1 drops an empty argument on its way to a program, so the script
    # says how many words come before the one being completed: with the count, malpl knows
    # that an empty last word was meant. Nothing offered: PowerShell completes file names.
    "powershell": """\
# malpl completion for PowerShell; in $PROFILE:
#   malpl completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName malpl, malpl.exe -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $before = @($commandAst.CommandElements | Select-Object -Skip 1 |
        Where-Object { $_.Extent.EndOffset -lt $cursorPosition } |
        ForEach-Object {
            if ($_ -is [System.Management.Automation.Language.StringConstantExpressionAst]) {
                $_.Value
            } else {
                $_.Extent.Text
            }
        })
    $encoding = [Console]::OutputEncoding
    $pythonEncoding = $env:PYTHONIOENCODING
    try {
        [Console]::OutputEncoding = [System.Text.Encoding]::UTF8
        $env:PYTHONIOENCODING = 'utf-8'
        $found = @(& malpl __complete powershell $before.Count @before "$wordToComplete" 2>$null)
    } finally {
        [Console]::OutputEncoding = $encoding
        $env:PYTHONIOENCODING = $pythonEncoding
    }
    foreach ($candidate in $found) {
        if (-not $candidate) { continue }
        $text = $candidate
        if ($candidate -match '[\\s''"`$&|;,(){}@<>#]') {
            $text = "'" + ($candidate -replace "'", "''") + "'"
        }
        [System.Management.Automation.CompletionResult]::new(
            $text, $candidate, 'ParameterValue', $candidate)
    }
}
""",
}


def script(args: Namespace) -> None:
    echo(SCRIPTS[args.shell].rstrip("\n"))


def complete(parser: argparse.ArgumentParser, words: list[str]) -> int:
    """Print the candidates for the last of ``words`` (``SHELL WORD…``), one a line."""
    shell, *words = words or [""]
    if shell == "powershell":  # a count of the words before the last, as its script says
        count, *words = words or ["0"]
        if count.isdigit() and len(words) == int(count):
            words.append("")  # the empty word PowerShell 5.1 did not pass on
    if shell == "bash":
        breaks = "".join(c for c in os.environ.get("COMP_WORDBREAKS", BASH_BREAKS)
                         if not c.isspace())
        words = _joined(words, breaks)
    *before, current = words or [""]
    found = candidates(parser, before, current)
    if shell == "bash":
        cut = max((current.rfind(c) for c in breaks), default=-1) + 1
        found = [c[cut:] for c in found if c.startswith(current[:cut])]
    for candidate in found:
        echo(candidate)
    return 0


def _joined(words: list[str], breaks: str) -> list[str]:
    """bash's words glued back where it split at a break: ``1 : 10`` is ``1:10``,
    ``--body = tn`` is ``--body=tn``."""
    out: list[str] = []
    glue = False
    for word in words:
        if word and all(c in breaks for c in word):
            out[-1:] = [(out[-1] if out else "") + word]
            glue = True
        elif glue:
            out[-1] += word
            glue = False
        else:
            out.append(word)
    return out


def candidates(parser: argparse.ArgumentParser, before: list[str], current: str) -> list[str]:
    """What may follow ``before`` and start with ``current``."""
    root: Path | None = None  # as the command would find it, unless -C says
    waiting: argparse.Action | None = None  # an option that takes the next word
    position = 0
    for word in before:
        if waiting is not None:
            root = Path(word) if waiting.dest == "root" else root
            waiting = None
        elif word.startswith("-") and word != "-":
            name, eq, value = word.partition("=")
            action = _options(parser).get(name)
            if action is not None and action.nargs != 0:
                if not eq:
                    waiting = action
                elif action.dest == "root":
                    root = Path(value)
        elif (sub := _subcommands(parser)) and position == 0 and word in sub.choices:
            parser = sub.choices[word]
        else:
            position += 1
    if waiting is not None:
        return _values(waiting, current, root)
    if current.startswith("-"):
        name, eq, value = current.partition("=")
        if eq:
            action = _options(parser).get(name)
            return [f"{name}={v}" for v in _values(action, value, root)] if action else []
        return [o for o in _options(parser) if o.startswith(current)
                and (o.startswith("--") or len(current) > 1)]
    if (sub := _subcommands(parser)) and position == 0:
        return [name for name in sub.choices if name.startswith(current)]
    positionals = [a for a in parser._actions if not a.option_strings]
    if position < len(positionals):
        return _values(positionals[position], current, root)
    if positionals and positionals[-1].nargs in ("*", "+"):
        return _values(positionals[-1], current, root)
    return []


def _options(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {o: a for a in parser._actions for o in a.option_strings if a.help != argparse.SUPPRESS}


def _subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction | None:
    return next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)


def _values(action: argparse.Action, current: str, root: Path | None) -> list[str]:
    if action.choices:
        return [str(c) for c in action.choices if str(c).startswith(current)]
    kind = getattr(action, "completes", None)
    return [v for v in _known(kind, root) if v.startswith(current)] if kind else []


def _known(kind: str, root: Path | None) -> list[str]:
    """Ids, goal ids, periods (newest first) or body keys of the repository at ``root``
    (None: the one a command run here works on)."""
    from malpl.layout import find_root
    from malpl.repository import load_repository

    try:
        repo = load_repository(find_root(Path(".")) if root is None else root)
    except Exception:
        return []
    if kind == "periods":
        from malpl.views import periods_with_followups

        return [str(p) for p in reversed(periods_with_followups(repo))]
    if kind == "bodies":
        return [b.key for b in repo.config.body_list()]
    if kind == "goals":
        return [g.id for g in repo.goals]
    return [i for g in repo.goals for i in [g.id, *(t.id for t in g.targets)]]
