//! PARSE001: files and documents that are not YAML even after template masking.

use super::Ctx;
use crate::yaml::to_json;

pub fn yaml_parse(ctx: &mut Ctx) {
    let release = ctx.release;
    for (file_id, file) in release.files.iter().enumerate() {
        if let Some(problem) = &file.problem {
            ctx.report(file_id, 0..0, problem.clone());
        }
        for doc in &file.documents {
            if let Some(err) = &doc.error {
                let end = next_char_end(&file.text, err.offset);
                ctx.report(file_id, err.offset..end, format!("invalid YAML: {}", err.message))
                    .with_help("KOTS skips a file it cannot parse (recorded in the Installation's yamlErrors) and deploys the rest without it; fix the syntax; KOTS and Helm templates are masked before parsing, so they are not the cause unless they sit where YAML cannot take a value");
                continue;
            }
            let Some(root) = doc.root() else { continue };
            // Only documents with aliases can blow up when expanded; check those alone.
            if !doc.has_aliases {
                continue;
            }
            if let Err(e) = to_json(root) {
                ctx.report(
                    file_id,
                    root.span().start..root.span().start,
                    format!("invalid YAML: {e}"),
                );
            }
        }
    }
}

fn next_char_end(text: &str, offset: usize) -> usize {
    text.get(offset..)
        .and_then(|rest| rest.chars().next())
        .map_or(offset, |c| offset + c.len_utf8())
}
