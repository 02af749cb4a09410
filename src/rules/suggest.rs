//! Did-you-mean: the closest candidate by edit distance, when it is close enough to be meant.

/// The single best candidate within a distance that scales with the word's length, or `None`
/// when nothing is close or two candidates tie (a guess would then be a coin flip).
pub fn closest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let len = word.chars().count();
    let limit = (len / 3).clamp(1, 3);
    let lower = word.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    let mut tie = false;
    for cand in candidates {
        // The distance is at least the length difference: skip the DP when that already loses.
        if cand == word || cand.chars().count().abs_diff(len) > limit {
            continue;
        }
        // Optimal string alignment: edits plus adjacent transpositions (`dta` -> `data`), and a
        // plain DP, unlike strsim's unrestricted Damerau which hashes every character.
        let d = strsim::osa_distance(&lower, &cand.to_lowercase());
        if d > limit {
            continue;
        }
        match best {
            Some((bd, _)) if d > bd => {}
            Some((bd, b)) if d == bd => tie |= b != cand,
            _ => {
                best = Some((d, cand));
                tie = false;
            }
        }
    }
    best.filter(|_| !tie).map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_unique_candidates_only() {
        assert_eq!(
            closest("storageLocaton", ["storageLocation", "ttl"]),
            Some("storageLocation")
        );
        assert_eq!(closest("dta", ["data", "scratch"]), Some("data"));
        assert_eq!(closest("zzz", ["data"]), None);
        assert_eq!(closest("dat", ["data", "date"]), None);
    }
}
