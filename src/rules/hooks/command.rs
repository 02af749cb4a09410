//! HOOK001 (command is not a valid command) and HOOK002 (command will not run as intended:
//! Velero execs it directly, with no shell).

use super::{Command, Form, Hook, Phase, parse_command};
use crate::diagnostic::Edit;
use crate::edit::Doc;
use crate::rules::Ctx;
use crate::yaml::Node;

pub fn invalid(ctx: &mut Ctx) {
    for hook in ctx.hooks().iter().filter(|h| !h.restore_spec()) {
        check_invalid(ctx, hook);
    }
}

/// HOOK001's check on one hook; RST003 runs it on Restore spec hooks.
pub fn check_invalid(ctx: &mut Ctx, hook: &Hook) {
    let Some(node) = hook.command else { return };
    let init_annotation = hook.form == Form::Annotation && hook.phase == Phase::InitRestore;
    // An empty init command is HOOK008's: with an image Velero panics on it, without one
    // there is no init hook at all. Either way it is one mistake, reported once.
    if init_annotation && node.as_str() == Some("") {
        return;
    }
    if let Command::Invalid(mut why) = parse_command(hook, node) {
        if init_annotation
            && node.as_str().is_some_and(|v| {
                v.starts_with('[') && serde_json::from_str::<Vec<String>>(v).is_ok_and(|a| a.is_empty())
            })
        {
            why = "the JSON array is empty, so the init container runs the image's default entrypoint instead of a restore step".into();
        }
        let help = match hook.form {
            Form::Annotation => {
                "write the command as a JSON array of strings in a single-quoted YAML string: '[\"/bin/sh\", \"-c\", \"...\"]'"
            }
            Form::Spec => "write `command` as a non-empty YAML list of strings: [\"/bin/sh\", \"-c\", \"...\"]",
        };
        ctx.report(
            hook.file,
            node.span(),
            format!("invalid command for the {}: {why}", hook.label),
        )
        .with_help(help);
    }
}

/// A spec exec hook with no `command` at all. For a Backup the schema (BKP004) reports the
/// missing required field; RST003 runs this on Restore spec hooks, which have no schema rule.
pub fn check_missing(ctx: &mut Ctx, hook: &Hook) {
    if hook.form != Form::Spec || hook.phase == Phase::InitRestore || hook.command.is_some() {
        return;
    }
    ctx.report(
        hook.file,
        hook.anchor.clone(),
        format!("the {} has an `exec` without a `command`: the Restore is rejected (`command` is required, with at least one item)", hook.label),
    )
    .with_help("add `command` as a non-empty YAML list of strings: [\"/bin/sh\", \"-c\", \"...\"]");
}

const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"];

fn basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// The index of the shell in argv (`/bin/sh`, `bash`, `/usr/bin/env bash`, `busybox sh`).
fn shell_at(argv: &[String]) -> Option<usize> {
    let first = basename(argv.first()?);
    if SHELLS.contains(&first) {
        return Some(0);
    }
    if matches!(first, "env" | "busybox") && argv.get(1).is_some_and(|a| SHELLS.contains(&basename(a))) {
        return Some(1);
    }
    None
}

/// Tokens that are shell operators when they stand alone as an argument.
const OPERATORS: &[&str] = &[
    "&&", "||", "|", ";", "&", ">", ">>", "<", "<<", "2>", "2>>", "2>&1", "&>", "1>",
];

/// Prefixes of a redirect glued to its target (`>/scratch/db.sql`, `2>/dev/null`): no program
/// takes such an argument, it is a redirect that lost its shell.
const REDIRECTS: &[&str] = &[">>", ">", "2>>", "2>", "1>", "&>"];

/// Shell syntax in one whole string (a command annotation that is not a JSON array): anything
/// a shell would give meaning to, since the string was surely written for one.
fn shell_syntax(arg: &str) -> Option<&'static str> {
    const OPS: &[&str] = &["&&", "||", "|", ">", "<", ";", "`", "$(", "${"];
    if let Some(op) = OPS.iter().find(|op| arg.contains(*op)) {
        return Some(op);
    }
    expansion(arg)
}

/// `$VAR`, `${VAR}` or `$(...)`: only a shell expands them, and a program exec'd directly gets
/// them literally.
fn expansion(arg: &str) -> Option<&'static str> {
    if arg.contains("$(") {
        return Some("$(");
    }
    if arg.contains("${") {
        return Some("${");
    }
    let b = arg.as_bytes();
    b.windows(2)
        .any(|w| w[0] == b'$' && (w[1].is_ascii_alphabetic() || w[1] == b'_'))
        .then_some("$VAR")
}

/// Shell syntax in one argument of a program that is not a shell. Operators count only as a
/// whole argument (or a redirect glued to its target): inside an argument, `;`, `|` and `>`
/// are that program's own text (`psql -c "CHECKPOINT;"`, `mysql -e "FLUSH TABLES; UNLOCK
/// TABLES"`). Expansions count anywhere.
fn argument_shell_syntax(arg: &str) -> Option<&'static str> {
    if let Some(op) = OPERATORS.iter().find(|op| **op == arg) {
        return Some(op);
    }
    if let Some(op) = REDIRECTS
        .iter()
        .find(|op| arg.len() > op.len() && arg.starts_with(*op) && !arg[op.len()..].starts_with('>'))
    {
        return Some(op);
    }
    expansion(arg)
}

/// Quote an argument for `sh -c`, so that the shell hands the program the argument it got
/// before; operators and expansions, which the author meant a shell to see, stay as written.
fn sh_word(arg: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c);
    if !arg.is_empty() && arg.chars().all(safe) {
        return arg.to_owned();
    }
    let operator = OPERATORS.contains(&arg) || REDIRECTS.iter().any(|op| arg.starts_with(*op));
    if operator && !arg.contains(char::is_whitespace) {
        return arg.to_owned();
    }
    if expansion(arg).is_some() {
        let plain = arg.chars().all(|c| safe(c) || matches!(c, '$' | '{' | '}' | '(' | ')'));
        if plain {
            return arg.to_owned();
        }
        // Double quotes keep the expansion and protect the rest.
        let escaped: String = arg
            .chars()
            .flat_map(|c| match c {
                '"' | '\\' | '`' => vec!['\\', c],
                _ => vec![c],
            })
            .collect();
        return format!("\"{escaped}\"");
    }
    format!("'{}'", arg.replace('\'', r"'\''"))
}

struct Problem {
    message: String,
    argv: Vec<String>,
    fix: String,
}

fn problem(cmd: &Command) -> Option<Problem> {
    match cmd {
        Command::Single(s) => {
            let why = if s.contains(char::is_whitespace) {
                "it holds spaces".to_owned()
            } else {
                format!("it holds shell syntax (`{}`)", shell_syntax(s)?)
            };
            Some(Problem {
                message: format!(
                    "Velero runs the whole string as one program name ({why}), with no shell: it looks for a binary literally named `{s}`"
                ),
                argv: vec!["/bin/sh".into(), "-c".into(), s.clone()],
                fix: "run it with `/bin/sh -c`".into(),
            })
        }
        Command::Argv(argv) => {
            let program = &argv[0];
            if let Some(i) = shell_at(argv) {
                // A script string given to a shell without `-c` is read as a script file name.
                let script = argv.get(i + 1)?;
                if !script.starts_with('-') && script.contains(char::is_whitespace) {
                    let mut fixed = argv.clone();
                    fixed.insert(i + 1, "-c".into());
                    return Some(Problem {
                        message: format!(
                            "`{}` gets `{script}` without `-c`, so it tries to open a script file of that name",
                            argv[i]
                        ),
                        argv: fixed,
                        fix: "add `-c`".into(),
                    });
                }
                return None;
            }
            let why = if program.contains(char::is_whitespace) {
                format!("the program name `{program}` holds spaces: Velero execs it as one binary name, with no shell")
            } else {
                let (arg, op) = argv[1..]
                    .iter()
                    .find_map(|a| argument_shell_syntax(a).map(|op| (a, op)))?;
                let what = if arg == op {
                    format!("`{op}` is shell syntax")
                } else {
                    format!("`{arg}` holds shell syntax (`{op}`)")
                };
                format!(
                    "{what}, but `{program}` is not a shell: Velero execs it directly, so `{op}` reaches `{program}` as a plain argument"
                )
            };
            // A program name with spaces (`pg_dump -U x` in one item) is already a script.
            let script = std::iter::once(program.clone())
                .chain(argv[1..].iter().map(|a| sh_word(a)))
                .collect::<Vec<_>>()
                .join(" ");
            Some(Problem {
                message: why,
                argv: vec!["/bin/sh".into(), "-c".into(), script],
                fix: "run it with `/bin/sh -c`".into(),
            })
        }
        _ => None,
    }
}

pub fn shell(ctx: &mut Ctx) {
    let release = ctx.release;
    for hook in ctx.hooks() {
        let Some(node) = hook.command else { continue };
        let Some(p) = problem(&parse_command(hook, node)) else {
            continue;
        };
        let doc = Doc::of(release, hook.file);
        let edits = write_argv(&doc, hook, node, &p.argv);
        let fix = edits.and_then(|e| ctx.fix(format!("{}: {}", p.fix, json_array(&p.argv)), e));
        ctx.report(hook.file, node.span(), format!("the command of the {} will not run as intended: {}", hook.label, p.message))
            .with_help("for shell features (redirects, pipes, `&&`, `$VARS`) run the command through a shell: [\"/bin/sh\", \"-c\", \"...\"]")
            .with_fix(fix);
    }
}

pub fn json_array(argv: &[String]) -> String {
    let items: Vec<String> = argv
        .iter()
        .map(|a| serde_json::to_string(a).unwrap_or_default())
        .collect();
    format!("[{}]", items.join(", "))
}

/// The edits that write `argv` in place of the command `node`: a quoted JSON array for an
/// annotation, a flow or block YAML list (in the style found) for a spec `command`.
fn write_argv(doc: &Doc, hook: &Hook, node: Node<'_>, argv: &[String]) -> Option<Vec<Edit>> {
    let json = json_array(argv);
    match hook.form {
        Form::Annotation => doc.replace_value(None, node, &doc.spell(node, &json)),
        Form::Spec if node.items().is_empty() || doc.is_flow(node) => doc.replace_value(None, node, &json),
        Form::Spec => Some(vec![doc.replace_block_list(node, argv)?]),
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_annotation_command;
    use super::*;
    use crate::edit::scalar_text;

    fn argv(items: &[&str]) -> Command {
        Command::Argv(items.iter().map(|s| (*s).to_owned()).collect())
    }

    #[test]
    fn annotation_commands_parse_like_velero() {
        assert_eq!(
            parse_annotation_command("/bin/sync"),
            Command::Single("/bin/sync".into())
        );
        assert_eq!(
            parse_annotation_command(r#"["/bin/sh", "-c", "x"]"#),
            argv(&["/bin/sh", "-c", "x"])
        );
        assert!(matches!(
            parse_annotation_command(r#"["/bin/sh", "-c", "x""#),
            Command::Invalid(_)
        ));
        assert!(matches!(parse_annotation_command("[]"), Command::Invalid(_)));
        assert!(matches!(parse_annotation_command(r#"["a", 1]"#), Command::Invalid(_)));
        assert!(matches!(parse_annotation_command(""), Command::Invalid(_)));
    }

    #[test]
    fn shell_problems() {
        assert!(problem(&Command::Single("/bin/sync".into())).is_none());
        let p = problem(&Command::Single("pg_dump -U x > /backup/db.sql".into())).unwrap();
        assert_eq!(p.argv, ["/bin/sh", "-c", "pg_dump -U x > /backup/db.sql"]);
        assert!(problem(&argv(&["/bin/bash", "-c", "a > b && c"])).is_none());
        assert!(problem(&argv(&["/usr/bin/env", "bash", "-c", "a | b"])).is_none());
        assert!(problem(&argv(&["redis-cli", "save"])).is_none());
        let p = problem(&argv(&["pg_dump", "-U", "x", ">", "/backup/db.sql"])).unwrap();
        assert_eq!(p.argv[2], "pg_dump -U x > /backup/db.sql");
        let p = problem(&argv(&["echo", "$HOME", "it's here"])).unwrap();
        assert_eq!(p.argv[2], r"echo $HOME 'it'\''s here'");
        let p = problem(&argv(&["/bin/sh", "pg_dump -U x > f"])).unwrap();
        assert_eq!(p.argv, ["/bin/sh", "-c", "pg_dump -U x > f"]);
        let p = problem(&argv(&["pg_dump -U x"])).unwrap();
        assert_eq!(p.argv, ["/bin/sh", "-c", "pg_dump -U x"]);
    }

    #[test]
    fn operators_inside_an_argument_are_the_program_s_own_text() {
        assert!(problem(&argv(&["psql", "-U", "app", "-c", "CHECKPOINT;"])).is_none());
        assert!(problem(&argv(&["mysql", "-e", "FLUSH TABLES; UNLOCK TABLES"])).is_none());
        assert!(problem(&argv(&["psql", "-c", "SELECT 1 > 0 || true | x"])).is_none());
        assert!(problem(&argv(&["mysql", "-e", "FLUSH TABLES `t`"])).is_none());
        // Standalone operators, glued redirects and expansions are still shell syntax.
        assert!(problem(&argv(&["redis-cli", "save", "&&", "sync"])).is_some());
        assert!(problem(&argv(&["pg_dump", "-U", "x", ">/scratch/db.sql"])).is_some());
        assert!(problem(&argv(&["pg_dump", "-U", "$PGUSER"])).is_some());
        assert!(problem(&argv(&["psql", "-c", "$(cat /q.sql)"])).is_some());
    }

    #[test]
    fn the_fix_keeps_each_argument_whole() {
        let p = problem(&argv(&["psql", "-c", "CHECKPOINT;", ">", "/scratch/out"])).unwrap();
        assert_eq!(p.argv[2], "psql -c 'CHECKPOINT;' > /scratch/out");
        let p = problem(&argv(&["psql", "-c", "SELECT '$HOME' \"x\"", "|", "tee"])).unwrap();
        assert_eq!(p.argv[2], r#"psql -c "SELECT '$HOME' \"x\"" | tee"#);
    }

    #[test]
    fn json_array_escapes() {
        let a = json_array(&["/bin/sh".into(), "-c".into(), r#"echo "hi" \ 'x'"#.into()]);
        assert_eq!(a, r#"["/bin/sh", "-c", "echo \"hi\" \\ 'x'"]"#);
        assert_eq!(scalar_text(&a), r#"'["/bin/sh", "-c", "echo \"hi\" \\ ''x''"]'"#);
    }
}
