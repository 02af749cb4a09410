//! HOOK018: restore init hook images an air-gapped install cannot pull. KOTS rewrites the
//! images of the manifests it deploys to the local registry, but not annotation values nor the
//! init containers of a Restore spec, so a literal public image there is pulled from the
//! internet at restore time (kots-backup-truth M8; replicated-docs
//! `embedded-cluster_versioned_docs/version-2.0.0/embedded-disaster-recovery.mdx`).

use super::{Hook, Phase};
use crate::release::Release;
use crate::rules::Ctx;
use crate::yaml::Node;

/// HOOK018: a restore init hook's image that is not a string, or a literal image the release
/// neither templates for the local registry nor lists in its Application's `additionalImages`.
pub fn restore_image_air_gap(ctx: &mut Ctx) {
    let release = ctx.release;
    let additional = additional_images(release);
    for h in ctx.hooks().iter().filter(|h| h.phase == Phase::InitRestore) {
        let Some(image) = h.image else { continue };
        check_image(ctx, h, image, &additional);
    }
}

fn check_image(ctx: &mut Ctx, h: &Hook, image: Node<'_>, additional: &[&str]) {
    if image.contains_template() {
        return;
    }
    let Some(name) = image.as_str() else {
        ctx.report(
            h.file,
            image.span(),
            format!("the image of the {} is not a string: an init container's `image` is a string, so the Restore does not decode and the hook never runs", h.label),
        )
        .with_help("write the image as one string, `registry/name:tag`");
        return;
    };
    if additional.contains(&name) {
        return;
    }
    ctx.report(
        h.file,
        image.span(),
        format!(
            "the {} uses the image `{name}`, which KOTS does not rewrite to the local registry and the release does not list in the Application's `additionalImages`: an air-gapped restore cannot pull it, so the restored pod cannot start",
            h.label
        ),
    )
    .with_help("list the image in the KOTS Application's `spec.additionalImages` and write it through the local registry: `repl{{ HasLocalRegistry | ternary LocalRegistryHost \"docker.io\" }}/...`");
}

/// The literal images of every KOTS Application's `spec.additionalImages`.
fn additional_images(release: &Release) -> Vec<&str> {
    release
        .of_kind("Application")
        .filter(|o| o.api_version.as_deref().is_some_and(|a| a.starts_with("kots.io/")))
        .filter_map(|o| release.node(o).path("spec.additionalImages"))
        .flat_map(|n| n.items().iter().filter_map(Node::as_str))
        .collect()
}
