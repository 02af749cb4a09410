//! Inline suppressions: applying them, and SUP001 for IDs that name no rule.

use super::Ctx;
use crate::diagnostic::Diagnostic;
use crate::release::Release;

pub fn is_suppressed(d: &Diagnostic, release: &Release) -> bool {
    let Some(loc) = &d.location else { return false };
    let file = &release.files[loc.file];
    if file.suppressions.is_empty() {
        return false;
    }
    let line0 = file.lines().line_of(loc.span.start);
    file.suppressions.iter().any(|s| {
        let applies = s.file_wide || s.line0 == line0 || s.line0 + 1 == line0;
        applies
            && s.ids
                .iter()
                .any(|(id, _)| id.eq_ignore_ascii_case(&d.rule) || id.eq_ignore_ascii_case(&d.name))
    })
}

pub fn unknown_ids(ctx: &mut Ctx) {
    let release = ctx.release;
    let rules = ctx.rules;
    for (file_id, file) in release.files.iter().enumerate() {
        for (id, span) in file.suppressions.iter().flat_map(|s| &s.ids) {
            let known = rules
                .iter()
                .any(|r| r.id.eq_ignore_ascii_case(id) || r.name.eq_ignore_ascii_case(id));
            if known {
                continue;
            }
            let suggestion = super::suggest::closest(id, rules.iter().map(|r| r.id.as_str()));
            let d = ctx.report(
                file_id,
                span.clone(),
                format!("`{id}` is not a snaplint rule; this suppression does nothing"),
            );
            match suggestion {
                Some(s) => d.with_help(format!("did you mean `{s}`?")),
                None => d.with_help("run `snaplint rules` for the list of rule IDs"),
            };
        }
    }
}
