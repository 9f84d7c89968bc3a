//! Shell completions: clap_complete's scripts, with FORCE arguments completed to the slugs in the
//! database. clap_complete's static scripts know only the command line; a small function per
//! shell (bash, zsh, fish) is added that asks `admin complete-forces` (hidden) for the slugs,
//! passing on a `--db` from the line being completed, and otherwise leaves the work to clap's
//! script. Elvish and PowerShell get clap's scripts as they are.
use clap::Command;
use clap_complete::Shell;

/// The completion script for `shell`.
pub fn script(shell: Shell, mut cmd: Command) -> Vec<u8> {
    cmd.build();
    complete_help_tree(&mut cmd);
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "admin", &mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let spec = Spec::of(&cmd);
    let text = match shell {
        Shell::Bash => format!("{text}{}", spec.bash()),
        Shell::Zsh => spec.zsh(&text),
        Shell::Fish => format!("{text}{}", spec.fish()),
        _ => text,
    };
    text.into_bytes()
}

/// clap's `help` command holds a copy of the command tree, made before each command's arguments
/// are defined (`cli::command`, `defer`): where a command's own subcommands are defined with its
/// arguments (`settings approval`, `settings site`), its copy under `help` has none, and `admin
/// help settings <TAB>` would complete nothing. Each copy is given what it lacks, at any depth,
/// as clap copies a command: its name, description and whether it is hidden, its subcommands so
/// copied, and no arguments, not even `--help`.
fn complete_help_tree(cmd: &mut Command) {
    let real: Vec<Command> = cmd.get_subcommands().filter(|c| c.get_name() != "help").cloned().collect();
    if let Some(help) = cmd.find_subcommand_mut("help") {
        fill_help_copies(help, &real, "admin help");
    }
}

/// Give each of `copies` the subcommands its command in `real` has and it lacks.
fn fill_help_copies(copies: &mut Command, real: &[Command], path: &str) {
    for command in real {
        let children: Vec<&Command> = command.get_subcommands().filter(|c| c.get_name() != "help").collect();
        let path = format!("{path} {}", command.get_name());
        let Some(copy) = copies.find_subcommand_mut(command.get_name()) else { continue };
        if !copy.has_subcommands() {
            let made: Vec<Command> = children.iter().map(|child| help_copy(child, &path)).collect();
            *copy = std::mem::take(copy).subcommands(made);
        } else {
            let children: Vec<Command> = children.into_iter().cloned().collect();
            fill_help_copies(copy, &children, &path);
        }
    }
}

/// `command` as clap copies it under `help` (at `path`), with its subcommands.
fn help_copy(command: &Command, path: &str) -> Command {
    // clap names a command with a `&'static str` (without its "string" feature): a copy's name,
    // a few bytes, lives as long as this command that prints the script
    let name: &'static str = Box::leak(command.get_name().to_owned().into_boxed_str());
    let path = format!("{path} {name}");
    let children: Vec<Command> = command
        .get_subcommands()
        .filter(|c| c.get_name() != "help")
        .map(|child| help_copy(child, &path))
        .collect();
    let copied = Command::new(name)
        .hide(command.is_hide_set())
        .disable_help_flag(true)
        .disable_version_flag(true)
        .bin_name(path)
        .subcommands(children);
    match command.get_about() {
        Some(about) => copied.about(about.clone()),
        None => copied,
    }
}

/// What the scripts need to know of the command line.
struct Spec {
    /// Subcommands whose first positional argument is a FORCE.
    force_first: Vec<String>,
    /// Every option that takes a value (`--db`, `-m`, …): its value is not a positional.
    value_options: Vec<String>,
}

impl Spec {
    fn of(cmd: &Command) -> Spec {
        let mut force_first = Vec::new();
        let mut value_options = std::collections::BTreeSet::new();
        let mut add_options = |c: &Command| {
            for arg in c.get_arguments().filter(|a| !a.is_positional()) {
                if arg.get_action().takes_values() {
                    value_options.extend(arg.get_long().map(|l| format!("--{l}")));
                    value_options.extend(arg.get_short().map(|s| format!("-{s}")));
                }
            }
        };
        add_options(cmd);
        for sub in cmd.get_subcommands() {
            add_options(sub);
            for subsub in sub.get_subcommands() {
                add_options(subsub);
            }
            if sub.get_positionals().next().is_some_and(|a| a.get_id() == "force") {
                force_first.push(sub.get_name().to_owned());
            }
        }
        Spec { force_first, value_options: value_options.into_iter().collect() }
    }

    fn bash(&self) -> String {
        r#"
# FORCE arguments: the slugs in the database, from `admin complete-forces`
_admin_with_forces() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
    local i w sub="" db="" n=0
    for ((i = 1; i < COMP_CWORD; i++)); do
        w="${COMP_WORDS[i]}"
        case "$w" in
            --db) db="${COMP_WORDS[i+1]}"; ((i++)) ;;
            --db=*) db="${w#--db=}" ;;
            VALUE_OPTIONS) ((i++)) ;;
            -*) ;;
            *) if [[ -z "$sub" ]]; then sub="$w"; else ((n++)); fi ;;
        esac
    done
    local wants=""
    if [[ "$prev" == --force ]]; then
        wants=1
    elif [[ -n "$sub" && "$n" == 0 && "$cur" != -* && "$prev" != --db ]]; then
        case "$sub" in FORCE_FIRST) wants=1 ;; esac
    fi
    if [[ -n "$wants" ]]; then
        local forces
        forces="$("${COMP_WORDS[0]}" ${db:+--db "$db"} complete-forces 2>/dev/null)"
        COMPREPLY=( $(compgen -W "$forces" -- "$cur") )
        return 0
    fi
    _admin "$@"
}
complete -F _admin_with_forces -o bashdefault -o default admin
"#
        .replace("VALUE_OPTIONS", &self.value_options.join("|"))
        .replace("FORCE_FIRST", &self.force_first.join("|"))
    }

    /// clap's zsh script with `_admin_forces` as the action of every FORCE argument.
    fn zsh(&self, text: &str) -> String {
        let mut out = String::new();
        for line in text.lines() {
            let line = if line.starts_with("':force -- ") || line.contains(":FORCE:_default'") {
                line.replace(":_default'", ":_admin_forces'")
            } else {
                line.to_owned()
            };
            if line == "if [ \"$funcstack[1]\" = \"_admin\" ]; then" {
                out.push_str(ZSH_FORCES);
            }
            out.push_str(&line);
            out.push('\n');
        }
        out
    }

    fn fish(&self) -> String {
        let value_options: Vec<String> = self.value_options.iter().map(|o| format!("'{o}'")).collect();
        r#"
# FORCE arguments: the slugs in the database, from `admin complete-forces`
function __fish_admin_forces
    set -l tokens (commandline -opc)
    set -l db
    for i in (seq 2 (count $tokens))
        switch $tokens[$i]
            case --db
                set db --db $tokens[(math $i + 1)]
            case '--db=*'
                set db --db (string replace -- '--db=' '' $tokens[$i])
        end
    end
    $tokens[1] $db complete-forces 2>/dev/null
end

function __fish_admin_wants_force
    set -l tokens (commandline -opc)
    set -l sub
    set -l n 0
    set -l skip 0
    for w in $tokens[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        switch $w
            case VALUE_OPTIONS
                set skip 1
            case '-*'
            case '*'
                if test -z "$sub"
                    set sub $w
                else
                    set n (math $n + 1)
                end
        end
    end
    test $skip = 0; and test $n = 0; and contains -- "$sub" FORCE_FIRST
end

complete -c admin -n "__fish_admin_wants_force" -f -a "(__fish_admin_forces)"
complete -c admin -l force -x -a "(__fish_admin_forces)"
"#
        .replace("VALUE_OPTIONS", &value_options.join(" "))
        .replace("FORCE_FIRST", &self.force_first.join(" "))
    }
}

const ZSH_FORCES: &str = r#"# FORCE arguments: the slugs in the database, from `admin complete-forces`
(( $+functions[_admin_forces] )) ||
_admin_forces() {
    local -a line db forces
    local i
    line=(${(z)BUFFER})
    for (( i = 2; i <= $#line; i++ )); do
        case $line[i] in
            --db) db=(--db "${(Q)line[i+1]}") ;;
            --db=*) db=(--db "${(Q)line[i]#--db=}") ;;
        esac
    done
    forces=(${(f)"$(${(Q)line[1]} $db complete-forces 2>/dev/null)"})
    compadd -a forces
}

"#;

#[cfg(test)]
mod tests {
    use super::*;

    /// Under `help`, each command, at any depth, has the subcommands it has itself: however they
    /// are defined.
    #[test]
    fn the_help_command_names_every_subcommand() {
        fn names(c: &Command) -> Vec<String> {
            c.get_subcommands().map(|s| s.get_name().to_owned()).filter(|n| n != "help").collect()
        }
        fn walk(real: &Command, copy: &Command, path: &str, nested: &mut usize) {
            for sub in real.get_subcommands().filter(|c| c.get_name() != "help") {
                let path = format!("{path} {}", sub.get_name());
                let copied = copy.find_subcommand(sub.get_name()).unwrap_or_else(|| panic!("no `{path}`"));
                assert_eq!(names(copied), names(sub), "`{path}`");
                *nested += usize::from(sub.has_subcommands());
                walk(sub, copied, &path, nested);
            }
        }
        let mut cmd = crate::cli::command();
        cmd.build();
        complete_help_tree(&mut cmd);
        let help = cmd.find_subcommand("help").unwrap().clone();
        let mut nested = 0;
        walk(&cmd, &help, "admin help", &mut nested);
        // note, page, page link, audit, editor, settings
        assert!(nested >= 6, "only {nested} commands with subcommands: is the tree read?");
    }
}
