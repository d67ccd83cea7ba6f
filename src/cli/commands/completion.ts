import type { Argv } from 'yargs';
import { writeOutput } from '../stdout.ts';

/**
 * The bash completion script. bash splits the words of the line at the characters of COMP_WORDBREAKS,
 * `:` and `=` among them, so `vm:10` arrives as `vm`, `:`, `10`: the script joins the pieces that no
 * blank separates in the line (as bash-completion's __reassemble_comp_words_by_ref does), asks
 * `ha-manager --get-yargs-completions` about whole words (src/cli/completion.ts answers), and hands
 * bash only the part after the last break character, which is the part bash replaces (as
 * __ltrim_colon_completions does). Needs bash 4 (mapfile).
 */
export const BASH_COMPLETION_SCRIPT = [
  '###-begin-ha-manager-completions-###',
  '# bash completion for ha-manager; install: ha-manager completion >> ~/.bashrc',
  '# (or: ha-manager completion > /etc/bash_completion.d/ha-manager)',
  '_ha_manager_completions() {',
  '    local line=${COMP_LINE:0:COMP_POINT} words=() word rest i',
  '    for ((i = 0; i <= COMP_CWORD; i++)); do',
  '        word=${COMP_WORDS[i]}',
  '        rest=${line#"${line%%[![:space:]]*}"}',
  '        if ((i > 0)) && [[ $rest == "$line" ]]; then',
  '            words[${#words[@]}-1]+=$word',
  '        else',
  '            words+=("$word")',
  '        fi',
  '        line=${rest#"$word"}',
  '    done',
  '    local current=${words[${#words[@]}-1]} candidates',
  '    mapfile -t candidates < <("${COMP_WORDS[0]}" --get-yargs-completions "${words[@]}" 2>/dev/null)',
  '    local IFS=$\'\\n\'',
  '    mapfile -t COMPREPLY < <(compgen -W "${candidates[*]}" -- "$current")',
  '    local kept=${current%"${COMP_WORDS[COMP_CWORD]}"}',
  '    if [[ -n $kept ]]; then',
  '        COMPREPLY=("${COMPREPLY[@]#"$kept"}")',
  '    fi',
  '}',
  'complete -o bashdefault -o default -F _ha_manager_completions ha-manager',
  '###-end-ha-manager-completions-###',
].join('\n');

export const completionCommand = {
  builder: (yargs: Argv) =>
    yargs
      .example('$0 completion >> ~/.bashrc', 'complete commands, options, their values (--state <TAB>), sids (vm:10<TAB>), groups and nodes')
      .example('$0 completion > /etc/bash_completion.d/ha-manager', 'the same for every user (bash-completion)'),
  handler: () => {
    writeOutput(`${BASH_COMPLETION_SCRIPT}\n`);
  },
};
